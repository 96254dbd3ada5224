/**
 * End of day (15:30 IST on NSE trading days) and the next session's watchlist restore.
 *
 * Policy:
 * - Default (the seed's rule): unsubscribe all Tier A, logged as EOD_CLEANUP, and clear every
 *   watchlist. Tier B (index chains, MCX futures and options) is never touched: MCX trades on
 *   into its evening session.
 * - With `keepWatchlists` (a setting): Tier A is unsubscribed the same way but the watchlist rows
 *   stay; `restoreWatchlists` re-subscribes them at the next session, each chain re-centred on
 *   the price of that moment (yesterday's window is forgotten at EOD, never reused; a chain that
 *   Tier B keeps open is joined at its live window).
 * - Each end of day records its session's date (`lifecycle.eod_session`, in the same transaction),
 *   so a restart knows whether it ran. At start-up (`endOfDayDue`) it runs only when the latest
 *   end of day (15:30 of the latest trading day that reached it) has not: the engine was down at
 *   15:30. Entries added and chains opened after it ran (an evening's MCX chain, tomorrow's
 *   watchlist) survive a restart as they were. A database that never recorded one (older
 *   versions) keeps the old rule: the end of day runs at a start-up after the close.
 * - On restore, an option entry whose expiry has passed is dropped from the watchlist and
 *   reported (its contracts no longer exist); an entry without a price yet is left for a retry;
 *   one that no longer fits the cap is reported and kept. Nothing is guessed.
 */
import { AppError } from '../../shared/errors';
import { tokenOf, type InstrumentToken } from '../../shared/instruments';
import { watchlistOwner } from '../../shared/keys';
import type { InstrumentRegistry } from '../instruments/registry';
import type { WatchlistEntry } from '../storage/watchlist-repo';
import type { SubscriptionCore } from '../subscriptions/index';

export interface EndOfDayResult {
  /** Instruments unsubscribed upstream. */
  unsubscribed: number;
  /** Tier A owners released. */
  ownersReleased: number;
  entriesCleared: number;
  entriesKept: number;
}

type EodCore = Pick<SubscriptionCore, 'owners' | 'repos'>;

/** The settings key of the IST date whose end of day ran last. */
export const EOD_SESSION_KEY = 'lifecycle.eod_session';

/**
 * Whether start-up must run the end of day of `latest` (latestEodDate of now) itself: it has not
 * run (the recorded date is older). With no date recorded, `closedNow` decides (the old rule).
 */
export function endOfDayDue(core: Pick<SubscriptionCore, 'repos'>, latest: string, closedNow: boolean): boolean {
  const ran = core.repos.settings.get<unknown>(EOD_SESSION_KEY);
  return typeof ran === 'string' ? ran < latest : closedNow;
}

/** Records that the end of day of `session` (an IST date) is done, without running it. */
export function markEndOfDay(core: Pick<SubscriptionCore, 'repos'>, session: string): void {
  const ran = core.repos.settings.get<unknown>(EOD_SESSION_KEY);
  if (typeof ran !== 'string' || ran < session) core.repos.settings.set(EOD_SESSION_KEY, session);
}

/**
 * Unsubscribe all Tier A (EOD_CLEANUP); clear the watchlists unless `keepWatchlists`, and record
 * `session` (the IST date it ends) as done, in the same transaction. Tier B stays.
 */
export function runEndOfDay(core: EodCore, options: { keepWatchlists?: boolean; session?: string } = {}): EndOfDayResult {
  let entriesCleared = 0;
  const keep = options.keepWatchlists === true;
  const reason = keep ? 'end of day (15:30 IST), watchlists kept' : 'end of day (15:30 IST)';
  const { change, owners } = core.owners.releaseTier('TIER_A', reason, 'EOD_CLEANUP', () => {
    if (!keep) entriesCleared = core.repos.watchlist.clearAll();
    if (options.session !== undefined) markEndOfDay(core, options.session);
  });
  return {
    unsubscribed: change.unsubscribed.length,
    ownersReleased: owners.length,
    entriesCleared,
    entriesKept: keep ? core.repos.watchlist.listAll().length : 0,
  };
}

/**
 * The admin's "unsubscribe all Tier A": every Tier A owner released (ADMIN_UNSUBSCRIBE) and every
 * watchlist entry marked RELEASED in the same transaction, so nothing comes back at a restart or
 * the next session until the trader adds it again.
 */
export function unsubscribeAllTierA(core: EodCore): { unsubscribed: number; owners: number; entriesReleased: number } {
  const reason = 'admin: unsubscribe all Tier A';
  let entriesReleased = 0;
  const { change, owners } = core.owners.releaseTier('TIER_A', reason, 'ADMIN_UNSUBSCRIBE', () => (entriesReleased = core.repos.watchlist.releaseAllActive(reason)));
  return { unsubscribed: change.unsubscribed.length, owners: owners.length, entriesReleased };
}

export interface RestoreResult {
  restored: { owner: string; instruments: number; atm: number | null }[];
  /** Entries with no price yet for their underlying: retry once one is known. */
  pending: { entry: WatchlistEntry; underlyingToken: InstrumentToken; reason: string }[];
  /** Option entries whose expiry has passed: removed from the watchlist. */
  dropped: { entry: WatchlistEntry; reason: string }[];
  failed: { entry: WatchlistEntry; code: string; message: string }[];
  /** Instruments newly subscribed upstream. */
  subscribed: number;
}

/** The spot instrument of an EQUITY entry: NSE stock, else the index, as WatchlistManager adds it. */
function spotToken(registry: InstrumentRegistry, symbol: string): InstrumentToken | null {
  const spot = registry.spot(symbol);
  return spot ? tokenOf(spot) : null;
}

/**
 * Re-subscribe ACTIVE watchlist rows that are not live as Tier A at the start of a session, each
 * option chain centred on `priceOf(its underlying)` (a chain open elsewhere is joined at its
 * window). EVICTED and RELEASED entries wait for the trader. Safe to call again for the pending.
 */
export function restoreWatchlists(
  core: Pick<SubscriptionCore, 'owners' | 'repos'>,
  registry: InstrumentRegistry,
  priceOf: (token: InstrumentToken) => number | undefined,
): RestoreResult {
  const result: RestoreResult = { restored: [], pending: [], dropped: [], failed: [], subscribed: 0 };
  const today = registry.today();
  for (const entry of core.repos.watchlist.listAll()) {
    const owner = watchlistOwner(entry.userId, entry.symbol, entry.expiryDate);
    if (entry.state !== 'ACTIVE' || core.owners.hasOwner(owner)) continue;
    try {
      if (entry.instrumentType === 'EQUITY') {
        const token = spotToken(registry, entry.symbol);
        if (!token) throw new AppError('UNKNOWN_SYMBOL', `${entry.symbol} is no longer in the instrument master`);
        result.subscribed += core.owners.holdInstruments(owner, 'TIER_A', [token], { reason: 'watchlist restored' }).subscribed.length;
        result.restored.push({ owner, instruments: 1, atm: null });
        continue;
      }
      const segment = registry.optionSegments(entry.symbol)[0];
      if (!segment) throw new AppError('NOT_FNO', `${entry.symbol} has no options listed any more`);
      if (entry.expiryDate < today) {
        core.repos.watchlist.remove(entry.userId, entry.symbol, entry.expiryDate);
        result.dropped.push({ entry, reason: `${entry.symbol} ${entry.expiryDate} options expired before ${today}` });
        continue;
      }
      const under = registry.chainUnderlying(entry.symbol, entry.expiryDate, segment);
      if (!under) throw new AppError('NOT_FOUND', `the master lists no underlying for ${entry.symbol} ${entry.expiryDate}`);
      const underlyingToken = tokenOf(under);
      const ltp = priceOf(underlyingToken);
      const open = core.owners.chain(entry.symbol, entry.expiryDate);
      if (!open && (ltp === undefined || !(Number.isFinite(ltp) && ltp > 0))) {
        result.pending.push({ entry, underlyingToken, reason: ltp === undefined ? `no price yet for ${underlyingToken}` : `unusable price ${ltp}` });
        continue;
      }
      const { state, change } = core.owners.holdChain(owner, 'TIER_A', { symbol: entry.symbol, expiry: entry.expiryDate, segment }, ltp, { reason: 'watchlist restored' });
      result.subscribed += change.subscribed.length;
      result.restored.push({ owner, instruments: state.optionTokens.length + (state.underlyingToken ? 1 : 0), atm: state.chain.atm });
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('INTERNAL', (err as Error).message ?? String(err));
      result.failed.push({ entry, code: e.code, message: e.message });
    }
  }
  return result;
}
