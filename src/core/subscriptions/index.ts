/**
 * The subscription core assembled: placement model, store, the owner registry, the ATM engine and
 * watchlists over one registry and database. The app's composition root and the tests use this.
 */
import { parseWatchlistOwner } from '../../shared/keys';
import { AtmEngine } from '../chain/atm-engine';
import type { InstrumentRegistry } from '../instruments/registry';
import type { Db } from '../storage/database';
import { createRepositories, type Repositories } from '../storage/index';
import { OwnerRegistry, type SubscriptionChange } from './owner-registry';
import { SocketPlacement } from './placement';
import { SubscriptionStore, type GoneOwner } from './subscription-store';
import { WatchlistManager, type PriceSource } from './watchlist-manager';

export { OwnerRegistry, type OpenChain, type OwnerView, type SubscriptionChange, type SubscriptionStats, type Tier } from './owner-registry';
export { WatchlistManager, type PriceSource, type WatchlistAddRequest, type WatchlistAddResult, type WatchlistEntryView } from './watchlist-manager';

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
  owners: OwnerRegistry;
  atm: AtmEngine;
  watchlists: WatchlistManager;
  /** Rebuild from the database after a restart; returns the set to subscribe upstream. */
  restore(): SubscriptionChange;
}

/** An evicted watchlist entry says so (in the eviction's own transaction). */
function markEvicted(repos: Repositories, gone: readonly GoneOwner[]): void {
  for (const g of gone) {
    if (g.action !== 'RATE_LIMIT_EVICT') continue;
    const w = parseWatchlistOwner(g.owner);
    if (w) repos.watchlist.setState(w.userId, w.symbol, w.expiry, 'EVICTED', g.reason);
  }
}

export function createSubscriptionCore(options: SubscriptionCoreOptions): SubscriptionCore {
  const { registry, db } = options;
  // Times go to INTEGER columns: whole milliseconds, whatever clock is injected.
  const clock = options.now ?? Date.now;
  const now = () => Math.floor(clock());
  const repos = createRepositories(db, { now });
  const placement = new SocketPlacement({ ...(options.sockets ? { sockets: options.sockets } : {}), ...(options.perSocket ? { perSocket: options.perSocket } : {}) });
  const store = new SubscriptionStore({
    db,
    subscriptions: repos.subscriptions,
    log: repos.subscriptionLog,
    atmCache: repos.atmCache,
    registry,
    onOwnersGone: (gone) => markEvicted(repos, gone),
  });
  const atm = new AtmEngine({ registry, now });
  const owners = new OwnerRegistry({ registry, atm, placement, store, now, ...(options.cap ? { cap: options.cap } : {}) });
  const watchlists = new WatchlistManager({
    registry,
    owners,
    repo: repos.watchlist,
    atmCache: repos.atmCache,
    now,
    ...(options.prices ? { prices: options.prices } : {}),
  });
  return {
    repos,
    placement,
    owners,
    atm,
    watchlists,
    restore: () => owners.restore(repos.subscriptions, repos.atmCache),
  };
}
