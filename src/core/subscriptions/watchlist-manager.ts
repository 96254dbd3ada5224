/**
 * Watchlists: what a trader adds becomes Tier A. Adding an option underlying builds its chain
 * around the ATM (25 strikes for a stock, 101 for an index, CE and PE) and subscribes it with its
 * underlying; adding an equity subscribes the stock itself. Every refusal (duplicate, unknown
 * symbol or expiry, expired, a non-F&O stock as an option, no price, no room) is a clear error
 * and changes nothing: the row and the subscription are written in one transaction.
 *
 * Whether an entry is live is the owner registry's to say. The row keeps only the trader's
 * intent: ACTIVE (wants to be live), EVICTED (pushed out at the cap) or RELEASED (the admin's
 * "unsubscribe all Tier A"). Adding an EVICTED or RELEASED entry again re-subscribes it: the
 * one-click re-add.
 */
import { AppError } from '../../shared/errors';
import { tokenOf, type InstrumentToken, type Segment } from '../../shared/instruments';
import { watchlistOwner } from '../../shared/keys';
import type { ChainState } from '../chain/atm-engine';
import type { InstrumentRegistry } from '../instruments/registry';
import type { AtmCacheRepo } from '../storage/atm-cache-repo';
import type { WatchlistEntry, WatchlistInstrumentType, WatchlistRepo } from '../storage/watchlist-repo';
import type { OwnerRegistry } from './owner-registry';

/** Latest known prices (the quote store). */
export interface PriceSource {
  ltp(token: InstrumentToken): number | undefined;
}

export interface WatchlistAddRequest {
  userId: string;
  symbol: string;
  /** YYYY-MM-DD; for options defaults to the nearest live expiry. An EQUITY takes none (BAD_REQUEST). */
  expiry?: string;
  instrumentType: WatchlistInstrumentType;
  /** A hint for the underlying's price, used only when no live price is known. */
  underlyingLtp?: number;
}

export interface WatchlistAddResult {
  message: string;
  /** The chain's window (null for an equity). */
  chain: ChainState | null;
  entry: WatchlistEntry;
  /** Instruments newly subscribed upstream by this add. */
  subscribed: number;
  /** Tier A owners evicted to make room. */
  evicted: string[];
  /** True when an EVICTED or RELEASED entry was added again. */
  readded: boolean;
}

/** An entry with whether it is live now (from the registry). */
export interface WatchlistEntryView extends WatchlistEntry {
  live: boolean;
}

export interface WatchlistManagerOptions {
  registry: InstrumentRegistry;
  owners: OwnerRegistry;
  repo: WatchlistRepo;
  atmCache?: AtmCacheRepo;
  prices?: PriceSource;
  now?: () => number;
}

export class WatchlistManager {
  private readonly o: WatchlistManagerOptions;
  private readonly now: () => number;

  constructor(options: WatchlistManagerOptions) {
    this.o = options;
    this.now = options.now ?? Date.now;
  }

  /**
   * Add an entry and subscribe it as Tier A (or add an evicted/released one again).
   * @throws AppError BAD_REQUEST, UNKNOWN_SYMBOL, NOT_FNO, UNKNOWN_EXPIRY, EXPIRED, BAD_LTP, DUPLICATE, CAPACITY
   */
  add(req: WatchlistAddRequest): WatchlistAddResult {
    const userId = req.userId?.trim();
    if (!userId) throw new AppError('BAD_REQUEST', 'user_id is required');
    const symbol = req.symbol?.trim().toUpperCase();
    if (!symbol) throw new AppError('BAD_REQUEST', 'symbol is required');
    const { registry } = this.o;
    if (registry.rowsOfSymbol(symbol).length === 0) throw new AppError('UNKNOWN_SYMBOL', `unknown symbol "${req.symbol}"`);
    if (req.instrumentType === 'EQUITY') {
      // Refused, not dropped: the caller meant something an equity entry cannot hold.
      if (req.expiry?.trim()) throw new AppError('BAD_REQUEST', `expiry: an equity has no expiry; leave it out for instrument_type EQUITY, or add ${symbol} as an option (got ${req.expiry})`);
      return this.addEquity(userId, symbol);
    }
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
    const hint = req.underlyingLtp;
    if (hint !== undefined && !(Number.isFinite(hint) && hint > 0)) throw new AppError('BAD_LTP', `underlying_ltp must be a price above zero, got ${hint}`);
    const ltp = this.livePrice(symbol, expiry, segment) ?? hint ?? this.lastPrice(symbol, expiry);
    const owner = watchlistOwner(userId, symbol, expiry);
    if (ltp === undefined && !this.o.owners.chain(symbol, expiry)) {
      throw new AppError('BAD_LTP', `no price is known for ${symbol} yet: pass underlying_ltp`);
    }
    const row = this.rowWrite(userId, symbol, expiry, req.instrumentType);
    const { state, change } = this.o.owners.holdChain(owner, 'TIER_A', { symbol, expiry, segment }, ltp, { reason: `watchlist ${symbol} ${expiry}`, extra: row.write });
    return {
      message: `${symbol} ${expiry} ${row.readded ? 're-added' : 'added'}: ${state.chain.strikes.length} strikes around ATM ${state.chain.atm} (step ${state.chain.step})`,
      chain: state,
      entry: row.entry(),
      subscribed: change.subscribed.length,
      evicted: change.evicted,
      readded: row.readded,
    };
  }

  /**
   * Remove an entry (live or not) and release what it held. Without an expiry it removes the
   * symbol's only entry (an equity, or the one chain added without naming an expiry); a symbol
   * with several entries needs the expiry. Returns how many instruments went upstream.
   * @throws AppError NOT_FOUND, BAD_REQUEST (several entries and no expiry)
   */
  remove(userId: string, symbol: string, expiry = ''): { message: string; unsubscribed: number } {
    const sym = symbol.trim().toUpperCase();
    if (!expiry && !this.o.repo.get(userId, sym, '')) {
      const entries = this.o.repo.list(userId).filter((e) => e.symbol === sym);
      if (entries.length > 1) throw new AppError('BAD_REQUEST', `${sym} is on the watchlist ${entries.length} times: give the expiry (${entries.map((e) => e.expiryDate).join(', ')})`);
      if (entries.length === 1) expiry = entries[0]!.expiryDate;
    }
    const what = `${sym}${expiry ? ` ${expiry}` : ''}`;
    if (!this.o.repo.get(userId, sym, expiry)) throw new AppError('NOT_FOUND', `${what} is not on the watchlist`);
    const change = this.o.owners.release(watchlistOwner(userId, sym, expiry), 'removed from watchlist', 'UNSUBSCRIBE', () => {
      this.o.repo.remove(userId, sym, expiry);
    });
    return { message: `${what} removed`, unsubscribed: change.unsubscribed.length };
  }

  /** One user's entries, each with whether it is live now. */
  list(userId: string): WatchlistEntryView[] {
    return this.o.repo.list(userId).map((e) => this.view(e));
  }

  /** Every user's entries, each with whether it is live now. */
  listAll(): WatchlistEntryView[] {
    return this.o.repo.listAll().map((e) => this.view(e));
  }

  private view(e: WatchlistEntry): WatchlistEntryView {
    return { ...e, live: this.o.owners.hasOwner(watchlistOwner(e.userId, e.symbol, e.expiryDate)) };
  }

  /**
   * The row half of an add, run inside the subscription's transaction: a new row, or an
   * EVICTED/RELEASED row made ACTIVE again. A live or ACTIVE entry is a DUPLICATE.
   */
  private rowWrite(userId: string, symbol: string, expiry: string, type: WatchlistInstrumentType): { write: () => void; entry: () => WatchlistEntry; readded: boolean } {
    const repo = this.o.repo;
    const existing = repo.get(userId, symbol, expiry);
    const readded = existing !== undefined && existing.state !== 'ACTIVE';
    let entry: WatchlistEntry | undefined;
    const write = () => {
      if (readded) {
        repo.setState(userId, symbol, expiry, 'ACTIVE');
        entry = repo.get(userId, symbol, expiry)!;
      } else {
        entry = repo.add({ userId, symbol, expiryDate: expiry, instrumentType: type, addedAt: this.now() });
      }
    };
    return { write, entry: () => entry!, readded };
  }

  private addEquity(userId: string, symbol: string): WatchlistAddResult {
    const spot = this.o.registry.spot(symbol);
    if (!spot) throw new AppError('BAD_REQUEST', `${symbol} is not an equity or index: add it as an option`);
    const row = this.rowWrite(userId, symbol, '', 'EQUITY');
    const change = this.o.owners.holdInstruments(watchlistOwner(userId, symbol, ''), 'TIER_A', [tokenOf(spot)], { reason: 'watchlist equity', extra: row.write });
    return { message: `${symbol} ${row.readded ? 're-added' : 'added'}`, chain: null, entry: row.entry(), subscribed: change.subscribed.length, evicted: change.evicted, readded: row.readded };
  }

  /** The live price of the chain's underlying, from the price source. */
  private livePrice(symbol: string, expiry: string, segment: Segment): number | undefined {
    const under = this.o.prices ? this.o.registry.chainUnderlying(symbol, expiry, segment) : null;
    return under ? this.o.prices!.ltp(tokenOf(under)) : undefined;
  }

  /** The price the chain was last centred on (a restart before the first tick). */
  private lastPrice(symbol: string, expiry: string): number | undefined {
    return this.o.atmCache?.get(symbol, expiry)?.underlyingLtp;
  }
}
