/**
 * Watchlists: what a trader adds becomes Tier A. Adding an option underlying builds its chain
 * around the ATM (25 strikes for a stock, 101 for an index, CE and PE) and subscribes it with its
 * underlying; adding an equity subscribes the stock itself. Every refusal (duplicate, unknown
 * symbol or expiry, expired, a non-F&O stock as an option, no price, no room) is a clear error
 * and changes nothing.
 */
import type { OptionChain } from '../../shared/chain';
import { AppError } from '../../shared/errors';
import { tokenOf, type InstrumentToken, type Segment } from '../../shared/instruments';
import type { InstrumentRegistry } from '../instruments/registry';
import type { AtmCacheRepo } from '../storage/atm-cache-repo';
import type { WatchlistEntry, WatchlistInstrumentType, WatchlistRepo } from '../storage/watchlist-repo';
import { ChainSubscriptions } from './chain-subscriptions';
import type { SubscriptionManager } from './subscription-manager';

/** Latest known prices (the quote store, once the feed lands). */
export interface PriceSource {
  ltp(token: InstrumentToken): number | undefined;
}

export interface WatchlistAddRequest {
  userId: string;
  symbol: string;
  /** YYYY-MM-DD; for options defaults to the nearest live expiry. Ignored for EQUITY. */
  expiry?: string;
  instrumentType: WatchlistInstrumentType;
  /** The underlying's price to centre the chain on; defaults to the latest known price. */
  underlyingLtp?: number;
}

/** The seed's response shape. */
export interface WatchlistAddResult {
  success: true;
  message: string;
  option_chain: OptionChain | null;
  strikes_subscribed: number;
  entry: WatchlistEntry;
  /** Instruments newly subscribed upstream by this add. */
  subscribed: number;
  /** Tier A owners evicted to make room. */
  evicted: string[];
}

export interface WatchlistManagerOptions {
  registry: InstrumentRegistry;
  chains: ChainSubscriptions;
  subscriptions: SubscriptionManager;
  repo: WatchlistRepo;
  atmCache?: AtmCacheRepo;
  prices?: PriceSource;
  now?: () => number;
}

/** The subscription owner of a watchlist entry. */
export function watchlistOwner(userId: string, symbol: string, expiry: string): string {
  return `watch:${userId}:${symbol}:${expiry}`;
}

export class WatchlistManager {
  private readonly o: WatchlistManagerOptions;
  private readonly now: () => number;

  constructor(options: WatchlistManagerOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  /**
   * Add an entry and subscribe it as Tier A.
   * @throws AppError BAD_REQUEST, UNKNOWN_SYMBOL, NOT_FNO, UNKNOWN_EXPIRY, EXPIRED, BAD_LTP, DUPLICATE, CAPACITY
   */
  add(req: WatchlistAddRequest): WatchlistAddResult {
    const userId = req.userId?.trim();
    if (!userId) throw new AppError('BAD_REQUEST', 'user_id is required');
    const symbol = req.symbol?.trim().toUpperCase();
    if (!symbol) throw new AppError('BAD_REQUEST', 'symbol is required');
    const { registry } = this.o;
    if (registry.rowsOfSymbol(symbol).length === 0) throw new AppError('UNKNOWN_SYMBOL', `unknown symbol "${req.symbol}"`);
    if (req.instrumentType === 'EQUITY') return this.addEquity(userId, symbol);
    if (req.instrumentType !== 'STOCK_OPTION' && req.instrumentType !== 'INDEX_OPTION') {
      throw new AppError('BAD_REQUEST', `instrument_type must be EQUITY, STOCK_OPTION or INDEX_OPTION, got "${String(req.instrumentType)}"`);
    }

    const segment = registry.optionSegments(symbol)[0];
    if (!segment) throw new AppError('NOT_FNO', `${symbol} has no options listed: add it as EQUITY`);
    const live = registry.expiries(symbol, { segment });
    const expiry = req.expiry?.trim() || live[0];
    if (!expiry) throw new AppError('EXPIRED', `${symbol} has no live option expiry`);
    if (!live.includes(expiry)) {
      const all = registry.expiries(symbol, { segment, asOf: '0001-01-01' });
      if (all.includes(expiry)) throw new AppError('EXPIRED', `${symbol} ${expiry} options have expired`);
      throw new AppError('UNKNOWN_EXPIRY', `${symbol} has no options expiring ${expiry}; live expiries: ${live.slice(0, 6).join(', ')}`);
    }
    const ladder = registry.ladder(symbol, expiry, segment)!;
    if (req.instrumentType === 'INDEX_OPTION' && !ladder.indexOptions) {
      throw new AppError('BAD_REQUEST', `${symbol} is not an index: add it as STOCK_OPTION`);
    }
    if (req.instrumentType === 'STOCK_OPTION' && ladder.indexOptions) {
      throw new AppError('BAD_REQUEST', `${symbol} is an index: add it as INDEX_OPTION`);
    }
    const ltp = req.underlyingLtp ?? this.latestPrice(symbol, expiry, segment);
    if (ltp === undefined) {
      throw new AppError('BAD_LTP', `no price is known for ${symbol} yet: pass underlying_ltp`);
    }
    if (!(Number.isFinite(ltp) && ltp > 0)) throw new AppError('BAD_LTP', `underlying_ltp must be a price above zero, got ${ltp}`);

    const entry = this.o.repo.add({ userId, symbol, expiryDate: expiry, instrumentType: req.instrumentType, addedAt: this.now() });
    const owner = watchlistOwner(userId, symbol, expiry);
    try {
      const { state, change } = this.o.chains.open(owner, 'TIER_A', { symbol, expiry, segment }, ltp);
      return {
        success: true,
        message: `${symbol} ${expiry} added: ${state.chain.strikes.length} strikes around ATM ${state.chain.atm} (step ${state.chain.step})`,
        option_chain: state.chain,
        strikes_subscribed: state.chain.strikes.length,
        entry,
        subscribed: change.subscribed.length,
        evicted: change.evicted,
      };
    } catch (err) {
      this.o.repo.remove(userId, symbol, expiry);
      throw err;
    }
  }

  /** Remove an entry and release what it held. Returns how many instruments went upstream. */
  remove(userId: string, symbol: string, expiry = ''): { success: boolean; message: string; unsubscribed: number } {
    const sym = symbol.trim().toUpperCase();
    const existing = this.o.repo.get(userId, sym, expiry);
    if (!existing) throw new AppError('NOT_FOUND', `${sym}${expiry ? ` ${expiry}` : ''} is not on ${userId}'s watchlist`);
    const owner = watchlistOwner(userId, sym, expiry);
    const change = existing.instrumentType === 'EQUITY' ? this.o.subscriptions.release(owner, 'removed from watchlist') : this.o.chains.close(owner, 'removed from watchlist');
    this.o.repo.remove(userId, sym, expiry);
    return { success: true, message: `${sym}${expiry ? ` ${expiry}` : ''} removed`, unsubscribed: change.unsubscribed.length };
  }

  list(userId: string): WatchlistEntry[] {
    return this.o.repo.list(userId);
  }

  /** Clear one user's watchlist; returns how many entries went. */
  clearUser(userId: string): number {
    const entries = this.o.repo.list(userId);
    for (const e of entries) this.remove(userId, e.symbol, e.expiryDate);
    return entries.length;
  }

  /**
   * End of day: unsubscribe all Tier A (logged as EOD_CLEANUP) and clear every watchlist.
   * Returns the instruments unsubscribed and the entries cleared.
   */
  endOfDay(): { unsubscribed: number; entriesCleared: number } {
    const tierA = this.o.subscriptions.listOwners().filter((o) => o.tier === 'TIER_A').map((o) => o.owner);
    const unsubscribed = this.o.subscriptions.unsubscribeAllTierA();
    this.o.chains.forgetOwners(tierA);
    const entriesCleared = this.o.repo.clearAll();
    return { unsubscribed, entriesCleared };
  }

  private addEquity(userId: string, symbol: string): WatchlistAddResult {
    const spot = this.o.registry.spot(symbol);
    if (!spot) throw new AppError('BAD_REQUEST', `${symbol} is not an equity or index: add it as an option`);
    const entry = this.o.repo.add({ userId, symbol, expiryDate: '', instrumentType: 'EQUITY', addedAt: this.now() });
    try {
      const change = this.o.subscriptions.setOwner(watchlistOwner(userId, symbol, ''), 'TIER_A', [tokenOf(spot)], 'watchlist equity');
      return { success: true, message: `${symbol} added`, option_chain: null, strikes_subscribed: 0, entry, subscribed: change.subscribed.length, evicted: change.evicted };
    } catch (err) {
      this.o.repo.remove(userId, symbol, '');
      throw err;
    }
  }

  /** Latest price of the chain's underlying: the price source, else the last chain built. */
  private latestPrice(symbol: string, expiry: string, segment: Segment): number | undefined {
    const under = this.o.prices ? this.o.registry.chainUnderlying(symbol, expiry, segment) : null;
    const p = under ? this.o.prices!.ltp(tokenOf(under)) : undefined;
    if (p !== undefined) return p;
    return this.o.chains.atm.get(symbol, expiry)?.chain.ltp ?? this.o.atmCache?.get(symbol, expiry)?.underlyingLtp;
  }

}
