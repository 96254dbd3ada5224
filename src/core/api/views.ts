/**
 * The shapes quotes and status take at the API edge, built once here so the REST responses and
 * the event stream always agree on a field's meaning.
 *
 * Honest data (DESIGN.md):
 * - Traded today: a leg's `ltp` is a price traded on its IST session day (the quote store's
 *   `tradedToday`, from the last trade time it knows) or null. A leg with no trade today keeps its
 *   previous close in `prev_close` only, `change` is null (a change against itself would read
 *   0.00) and `traded_today` is false. `last_trade_time` says when the last known trade was.
 * - Not known yet: until a leg's first snapshot or tick, nothing says whether or what it traded
 *   (the feed's prev-close packet may have come): `traded_today` is null, `ltp` null, and the UI
 *   shows no price rather than calling it untraded.
 * - Stale, the freshness rule: a value traded today is stale when it may no longer be the
 *   market's, that is when its instrument is not live on a feed socket (socket down or
 *   reconnecting, or not subscribed: nothing would tell us of a change), or when its exchange is
 *   in session (NSE/BSE 09:15-15:30, MCX 09:00-23:30/23:55 IST, src/core/lifecycle/session-clock)
 *   and nothing arrived for it (no trade, quote, book or OI update, no snapshot) for more than the
 *   quote store's quiet limit (QUIET_AFTER_MS, 5 minutes). Dhan sends only on change, so on a live
 *   socket this says "no update for 5 minutes", which a trader reading the price should know.
 *   Outside the session a traded value is the day's last, not stale. An untraded leg is never
 *   stale: it is untraded, which the UI shows differently.
 */
import type { OptionChain } from '../../shared/chain';
import type { LegQuote, StatusView } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { parseToken, tokenOf, type InstrumentToken } from '../../shared/instruments';
import { refreshChainAnalytics } from '../analytics/chain-adapter';
import { ChainAnalytics } from '../analytics/chain-analytics';
import { mcxSession, nseSession } from '../lifecycle/session-clock';
import type { ApiEngine, ApiServices } from './engine';

/** Whether NSE/BSE and MCX are in session, worked out once per minute of the engine's clock. */
const sessionCache = { minute: Number.NaN, nse: false, mcx: false };

function inSession(mcx: boolean, nowMs: number): boolean {
  const minute = Math.floor(nowMs / 60_000);
  if (minute !== sessionCache.minute) {
    sessionCache.nse = nseSession(nowMs).phase === 'open';
    sessionCache.mcx = mcxSession(nowMs).phase === 'open';
    sessionCache.minute = minute;
  }
  return mcx ? sessionCache.mcx : sessionCache.nse;
}

/**
 * Whether a known value of `token` may no longer be the market's (the freshness rule in the
 * header, before "traded today" is asked): not live on a feed socket, or quiet while in session.
 */
export function mayBeStale(services: Pick<ApiServices, 'store' | 'feed'>, token: InstrumentToken, quiet: boolean): boolean {
  return !services.feed.isLive(token) || (quiet && inSession(parseToken(token)?.segment === 'MCX_COMM', services.store.nowMs()));
}

/** The latest quote of one instrument from the app's quote store (see the header for the rules). */
export function legQuote(services: Pick<ApiServices, 'store' | 'feed'>, token: InstrumentToken): LegQuote {
  const store = services.store;
  const q = store.get(token);
  const known = q !== undefined && q.ltp !== null;
  const traded = known && q.tradedToday;
  const ltp = traded ? q!.ltp : null;
  const prev = q?.prevClose ?? null;
  const d = q?.depth[0];
  const stale = traded && mayBeStale(services, token, q!.quiet);
  return {
    ltp,
    prev_close: prev,
    change: ltp !== null && prev !== null ? Math.round((ltp - prev) * 100) / 100 : null,
    oi: q?.oi ?? 0,
    // Only once the leg has been quoted: before that OI reads 0 and the change would be -prevOi.
    oi_change: q && q.prevOi > 0 && q.ltp !== null ? q.oi - q.prevOi : null,
    volume: q?.volume ?? 0,
    bid: d && d.bidPrice > 0 ? d.bidPrice : null,
    ask: d && d.askPrice > 0 ? d.askPrice : null,
    traded_today: known ? traded : null,
    last_trade_time: q?.lastTradeMs ?? null,
    stale,
  };
}

export { nearestStrike } from '../../shared/chain';

/** The symbol upper-cased. @throws AppError UNKNOWN_SYMBOL when the master does not list it. */
export function knownSymbol(s: Pick<ApiServices, 'registry'>, raw: string): string {
  const symbol = raw.toUpperCase();
  if (s.registry.rowsOfSymbol(symbol).length === 0) throw new AppError('UNKNOWN_SYMBOL', `unknown symbol "${raw}"`);
  return symbol;
}

/**
 * The chain's expiry: the one asked for, else the symbol's nearest live one.
 * @throws AppError UNKNOWN_SYMBOL, NOT_FNO, EXPIRED, UNKNOWN_EXPIRY
 */
export function expiryOf(s: Pick<ApiServices, 'registry'>, symbol: string, expiry: string | undefined): string {
  if (s.registry.rowsOfSymbol(symbol).length === 0) throw new AppError('UNKNOWN_SYMBOL', `unknown symbol "${symbol}"`);
  const segment = s.registry.optionSegments(symbol)[0];
  if (!segment) throw new AppError('NOT_FNO', `${symbol} has no options listed`);
  const live = s.registry.expiries(symbol, { segment });
  if (expiry === undefined) {
    if (!live[0]) throw new AppError('EXPIRED', `${symbol} has no live option expiry`);
    return live[0];
  }
  if (live.includes(expiry)) return expiry;
  if (s.registry.expiries(symbol, { segment, asOf: '0001-01-01' }).includes(expiry)) throw new AppError('EXPIRED', `${symbol} ${expiry} options have expired`);
  throw new AppError('UNKNOWN_EXPIRY', `${symbol} has no options expiring ${expiry}; live expiries: ${live.slice(0, 6).join(', ') || 'none'}`);
}

/**
 * Analytics of a chain: an open chain's (kept and refreshed incrementally by the book), or, for a
 * chain nobody holds, computed once from whatever the quote store has for a look.
 */
export function analyticsOf(s: Pick<ApiServices, 'owners' | 'analytics' | 'store'>, chain: OptionChain): ChainAnalytics {
  const open = s.owners.chain(chain.symbol, chain.expiry);
  if (open && open.chain === chain) return s.analytics.of(open);
  const look = new ChainAnalytics({ rate: s.analytics.riskFreeRate });
  const state = { key: '', chain, optionTokens: [], underlyingToken: chain.underlying ? tokenOf(chain.underlying) : null, builtAt: 0 };
  refreshChainAnalytics(look, state, s.store, s.store.nowMs());
  return look;
}

/** The subscriptions status, with the seed's field names. */
export function statusView(engine: ApiEngine): StatusView {
  const s = engine.services.owners.stats();
  const e = engine.engineStatus();
  return {
    total_subscriptions: s.total,
    ws_usage: Object.fromEntries(Object.entries(s.perSocket)),
    utilization_percent: s.utilisationPercent,
    tier_a_count: s.tierA,
    tier_b_count: s.tierB,
    max_capacity: s.cap,
    market: e.market,
    mode: e.mode,
    ...(e.tokenWarning ? { token_warning: e.tokenWarning } : {}),
    ...(e.masterWarning ? { master_warning: e.masterWarning } : {}),
    ...(e.simulatedSession ? { simulated_session: e.simulatedSession } : {}),
  };
}
