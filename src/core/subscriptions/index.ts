/**
 * The subscription core assembled: placement model, store, manager, ATM engine, chain owners and
 * watchlists over one registry and database. The app's composition root and the tests use this.
 */
import { AtmEngine } from '../chain/atm-engine';
import { SocketPlacement } from './placement';
import type { InstrumentRegistry } from '../instruments/registry';
import type { Db } from '../storage/database';
import { createRepositories, type Repositories } from '../storage/index';
import { ChainSubscriptions } from './chain-subscriptions';
import { SubscriptionManager, type SubscriptionChange } from './subscription-manager';
import { SubscriptionStore } from './subscription-store';
import { WatchlistManager, watchlistOwner, type PriceSource } from './watchlist-manager';

export { ChainSubscriptions } from './chain-subscriptions';
export { SubscriptionManager, type SubscriptionChange, type SubscriptionStats, type Tier } from './subscription-manager';
export { WatchlistManager, watchlistOwner, type PriceSource, type WatchlistAddRequest, type WatchlistAddResult } from './watchlist-manager';

export interface SubscriptionCoreOptions {
  registry: InstrumentRegistry;
  db: Db;
  /** Feed sockets (default 5) and instruments per socket (default 5,000). */
  sockets?: number;
  perSocket?: number;
  /** Instrument cap; defaults to sockets x perSocket. */
  cap?: number;
  prices?: PriceSource;
  now?: () => number;
}

export interface SubscriptionCore {
  repos: Repositories;
  placement: SocketPlacement;
  manager: SubscriptionManager;
  atm: AtmEngine;
  chains: ChainSubscriptions;
  watchlists: WatchlistManager;
  /** Rebuild from the database after a restart; returns the set to subscribe upstream. */
  restore(): SubscriptionChange;
}

export function createSubscriptionCore(options: SubscriptionCoreOptions): SubscriptionCore {
  const { registry, db } = options;
  // Times go to INTEGER columns: whole milliseconds, whatever clock is injected.
  const clock = options.now ?? Date.now;
  const now = () => Math.floor(clock());
  const repos = createRepositories(db, { now });
  const placement = new SocketPlacement({ sockets: options.sockets ?? 5, perSocket: options.perSocket ?? 5000 });
  const store = new SubscriptionStore(db, repos.subscriptions, repos.subscriptionLog, registry);
  const manager = new SubscriptionManager({ registry, placement, store, now, ...(options.cap ? { cap: options.cap } : {}) });
  const atm = new AtmEngine({ registry, cache: repos.atmCache, now });
  const chains = new ChainSubscriptions(atm, manager);
  const watchlists = new WatchlistManager({
    registry,
    chains,
    subscriptions: manager,
    repo: repos.watchlist,
    atmCache: repos.atmCache,
    now,
    ...(options.prices ? { prices: options.prices } : {}),
  });
  return {
    repos,
    placement,
    manager,
    atm,
    chains,
    watchlists,
    restore() {
      const change = manager.restore(repos.subscriptions);
      for (const e of repos.watchlist.listAll()) {
        if (e.instrumentType === 'EQUITY') continue;
        const owner = watchlistOwner(e.userId, e.symbol, e.expiryDate);
        if (manager.hasOwner(owner)) chains.adopt(owner, 'TIER_A', { symbol: e.symbol, expiry: e.expiryDate });
      }
      return change;
    },
  };
}
