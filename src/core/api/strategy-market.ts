/**
 * A strategy's legs against the master and the market (issue 19): which contract each leg names,
 * what it costs, and the inputs the pure model (analytics/strategy.ts) needs: the underlying's
 * price, each leg's forward and IV, and the ATM IV.
 *
 * Policy:
 * - A leg names a listed, live contract of the request's symbol in its main options venue (NSE
 *   before BSE): an option by expiry, strike and side, a future by expiry. Refusals say which leg
 *   (1-based) and what is wrong: an expired or unlisted expiry (EXPIRED, UNKNOWN_EXPIRY), a strike
 *   the expiry does not list (BAD_REQUEST, naming the nearest listed strikes), no future that day.
 * - Price: the mid when both sides are quoted, else the last traded price the quote store has. A
 *   leg nobody has priced yet (not subscribed) is painted first from one REST snapshot.
 * - Forward of an expiry: its chain analytics' estimate (parity at the ATM pair, the future, or
 *   spot carried), for an open chain kept by the analytics book, else computed for a look; failing
 *   that the underlying carried at the risk-free rate. A future leg's forward is its own price.
 * - IV of an option leg: the chain analytics' IV of that leg when the chain's window holds it,
 *   else solved from its price (the market's, else the entry price) on that forward.
 * - ATM IV: the first expiry's, the mean of the CE and PE IVs at its ATM strike (as the history
 *   records it); without one, the mean IV of the legs expiring first; else unknown.
 */
import type { OptionChain } from '../../shared/chain';
import type { CommandRequest } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { expiryInstant } from '../../shared/expiry';
import { isFutureKind, tokenOf, type Instrument, type InstrumentToken, type Segment } from '../../shared/instruments';
import { legAnalyticsFields } from '../analytics/analytics-view';
import type { ChainAnalytics } from '../analytics/chain-analytics';
import { yearsToExpiry } from '../analytics/expiry-time';
import { solveLegIv } from '../analytics/leg-analytics';
import type { StrategyLegModel } from '../analytics/strategy-types';
import type { ApiServices } from './engine';
import { analyticsOf, expiryOf } from './views';

/** Strikes in the window of a look chain (one nobody holds) built for its forward and ATM IV. */
const LOOK_STRIKES = 5;

/** A leg as asked for (the contract's leg, parsed). */
export type LegRequest = CommandRequest<'strategy:evaluate'>['legs'][number];

/** A leg resolved to its contract. */
export interface ResolvedLeg {
  kind: 'CE' | 'PE' | 'FUT';
  side: 'BUY' | 'SELL';
  lots: number;
  expiry: string;
  /** Null for a future. */
  strike: number | null;
  lotSize: number;
  segment: Segment;
  securityId: number;
  token: InstrumentToken;
  tradingSymbol: string;
  /** When the contract stops trading (epoch ms). */
  expiryMs: number;
}

type Services = Pick<ApiServices, 'registry' | 'store' | 'owners' | 'analytics'>;

/** The listed strikes either side of `strike` (one below, one above; one only at an end of the ladder). */
function nearestListed(strikes: ArrayLike<number>, strike: number): number[] {
  const all = Array.from(strikes);
  const below = all.filter((k) => k < strike).pop();
  const above = all.find((k) => k > strike);
  return [below, above].filter((k): k is number => k !== undefined);
}

/**
 * The future of `symbol` expiring on `expiry` in `segment`.
 * @throws AppError EXPIRED, UNKNOWN_EXPIRY
 */
function futureOf(s: Pick<ApiServices, 'registry'>, symbol: string, expiry: string, segment: Segment): Instrument {
  const live = s.registry.expiries(symbol, { segment, kind: 'futures' });
  if (!live.includes(expiry)) {
    if (s.registry.expiries(symbol, { segment, kind: 'futures', asOf: '0001-01-01' }).includes(expiry)) throw new AppError('EXPIRED', `the ${symbol} ${expiry} future has expired`);
    throw new AppError('UNKNOWN_EXPIRY', `${symbol} has no future expiring ${expiry}; futures expire ${live.slice(0, 4).join(', ') || 'on no live date'}`);
  }
  const fut = s.registry.bySymbolAndExpiry(symbol, expiry).find((i) => isFutureKind(i.kind) && i.segment === segment);
  if (!fut) throw new AppError('UNKNOWN_EXPIRY', `${symbol} has no ${segment} future expiring ${expiry}`);
  return fut;
}

/** The option a leg names. @throws AppError EXPIRED, UNKNOWN_EXPIRY, BAD_REQUEST (strike not listed) */
function optionOf(s: Pick<ApiServices, 'registry'>, symbol: string, leg: LegRequest & { option_type: 'CE' | 'PE' }, segment: Segment): Instrument {
  const expiry = expiryOf(s, symbol, leg.expiry);
  const strike = leg.strike!;
  const inst = s.registry.option(symbol, expiry, strike, leg.option_type, segment);
  if (inst) return inst;
  const ladder = s.registry.ladder(symbol, expiry, segment)!;
  if (Array.from(ladder.strikes).includes(strike)) throw new AppError('BAD_REQUEST', `${symbol} ${expiry} lists the ${strike} strike but no ${leg.option_type} at it`);
  const near = nearestListed(ladder.strikes, strike);
  throw new AppError('BAD_REQUEST', `${symbol} ${expiry} has no ${strike} strike; the nearest listed: ${near.join(', ')}`);
}

/**
 * Each leg's contract, checked: listed, live (its expiry instant after `nowMs`), of `symbol`.
 * `symbol` is known and has options (the caller checked). Errors name the leg, 1-based.
 * @throws AppError EXPIRED, UNKNOWN_EXPIRY, BAD_REQUEST
 */
export function resolveLegs(s: Pick<ApiServices, 'registry'>, symbol: string, legs: readonly LegRequest[], nowMs: number): ResolvedLeg[] {
  const segment = s.registry.optionSegments(symbol)[0];
  if (!segment) throw new AppError('NOT_FNO', `${symbol} has no options listed`);
  return legs.map((leg, i) => {
    try {
      const kind = leg.option_type;
      const inst = kind === 'FUT' ? futureOf(s, symbol, leg.expiry, segment) : optionOf(s, symbol, { ...leg, option_type: kind }, segment);
      const expiryMs = expiryInstant(leg.expiry, inst.segment);
      if (!(expiryMs > nowMs)) throw new AppError('EXPIRED', `${inst.tradingSymbol} has expired: its last session (${leg.expiry}) has closed`);
      return {
        kind,
        side: leg.side,
        lots: leg.lots,
        expiry: leg.expiry,
        strike: kind === 'FUT' ? null : leg.strike!,
        lotSize: inst.lotSize,
        segment: inst.segment,
        securityId: inst.securityId,
        token: tokenOf(inst),
        tradingSymbol: inst.tradingSymbol,
        expiryMs,
      };
    } catch (err) {
      if (err instanceof AppError) throw new AppError(err.code, `leg ${i + 1}: ${err.message}`);
      throw err;
    }
  });
}

/** The market's price of one instrument now: the mid when both sides are quoted, else the LTP; null when none. */
export function markOf(s: Pick<ApiServices, 'store'>, token: InstrumentToken): number | null {
  const q = s.store.get(token);
  if (!q) return null;
  const d = q.depth[0];
  if (d && d.bidPrice > 0 && d.askPrice > 0) return (d.bidPrice + d.askPrice) / 2;
  return q.ltp;
}

/** The instrument whose price is the strategy's x axis: the first option expiry's underlying, else the symbol's own. */
function underlyingOf(s: Pick<ApiServices, 'registry'>, symbol: string, legs: readonly ResolvedLeg[]): Instrument | null {
  const firstOption = [...legs].filter((l) => l.kind !== 'FUT').sort((a, b) => a.expiryMs - b.expiryMs)[0];
  return (firstOption ? s.registry.chainUnderlying(symbol, firstOption.expiry, firstOption.segment) : null) ?? s.registry.spot(symbol) ?? null;
}

/** A small chain around `spot` for (symbol, expiry) when nobody holds it; the open one otherwise. */
function chainFor(s: Services, symbol: string, expiry: string, segment: Segment, spot: number): OptionChain | null {
  const open = s.owners.chain(symbol, expiry);
  if (open) return open.chain;
  if (!s.registry.ladder(symbol, expiry, segment)) return null;
  return s.registry.optionChain({ symbol, expiry, segment, ltp: spot, strikes: LOOK_STRIKES });
}

/**
 * What to paint before pricing: legs without a price given or known, the underlying, and the
 * first expiry's look chain when nobody holds that chain. Awaits the snapshot (a failed one
 * leaves the prices unknown; the caller refuses by name).
 */
export async function paintFor(s: Services & Pick<ApiServices, 'marketData'>, symbol: string, legs: readonly ResolvedLeg[], given: readonly (number | undefined)[]): Promise<void> {
  const under = underlyingOf(s, symbol, legs);
  const wanted = legs.filter((l, i) => given[i] === undefined && markOf(s, l.token) === null).map((l) => l.token);
  if (under) wanted.push(tokenOf(under));
  await s.marketData.paint(wanted, 'now');
  const spot = under ? s.store.ltp(tokenOf(under)) : undefined;
  const first = [...legs].sort((a, b) => a.expiryMs - b.expiryMs)[0]!;
  if (spot === undefined || s.owners.chain(symbol, first.expiry)) return;
  const look = chainFor(s, symbol, first.expiry, first.segment, spot);
  if (look) await s.marketData.paint(look.strikes.flatMap((k) => [k.ce, k.pe].flatMap((l) => (l ? [tokenOf(l)] : []))), 'now');
}

/** The market inputs of the model, as of `nowMs`. */
export interface MarketInputs {
  /** The underlying's price; null when none is known. */
  spot: number | null;
  /** Per leg: its forward (NaN without a spot) and IV (null when none). */
  forwards: number[];
  ivs: (number | null)[];
  atmIv: number | null;
  rate: number;
}

function atmIvOf(a: ChainAnalytics): number | null {
  const atm = a.summary.atmStrike;
  if (atm === null || !Number.isFinite(atm)) return null;
  const ivs = [legAnalyticsFields(a, atm, 'CE').iv, legAnalyticsFields(a, atm, 'PE').iv].filter((v): v is number => v !== null);
  return ivs.length ? ivs.reduce((x, y) => x + y, 0) / ivs.length : null;
}

/**
 * The model's market inputs for resolved legs priced at `prices` (entry prices, for an IV where
 * the market has no price): synchronous, from what the quote store and the analytics hold now.
 */
export function marketInputs(s: Services, symbol: string, legs: readonly ResolvedLeg[], prices: readonly number[], nowMs: number): MarketInputs {
  const rate = s.analytics.riskFreeRate;
  const under = underlyingOf(s, symbol, legs);
  const spot = (under ? s.store.ltp(tokenOf(under)) : undefined) ?? null;
  const books = new Map<string, ChainAnalytics | null>();
  const bookOf = (l: ResolvedLeg): ChainAnalytics | null => {
    if (!books.has(l.expiry)) {
      const chain = spot === null ? null : chainFor(s, symbol, l.expiry, l.segment, spot);
      books.set(l.expiry, chain ? analyticsOf(s, chain) : null);
    }
    return books.get(l.expiry)!;
  };
  const forwardOf = (l: ResolvedLeg): number => {
    if (spot === null) return Number.NaN;
    if (l.kind === 'FUT') {
      const own = markOf(s, l.token);
      if (own !== null && own > 0) return own;
    }
    const f = bookOf(l)?.forward.forward ?? Number.NaN;
    return Number.isFinite(f) && f > 0 ? f : spot * Math.exp(rate * yearsToExpiry(l.expiryMs, nowMs));
  };
  const forwards = legs.map(forwardOf);
  const ivs = legs.map((l, i): number | null => {
    if (l.kind === 'FUT') return null;
    const book = bookOf(l);
    const fromChain = book && book.indexOf(l.strike!) >= 0 ? legAnalyticsFields(book, l.strike!, l.kind).iv : null;
    if (fromChain !== null) return fromChain;
    const price = markOf(s, l.token) ?? prices[i]!;
    const iv = solveLegIv(price, forwards[i]!, l.strike!, yearsToExpiry(l.expiryMs, nowMs), rate, l.kind === 'CE');
    return iv > 0 ? iv : null;
  });
  const firstMs = Math.min(...legs.map((l) => l.expiryMs));
  const first = legs.find((l) => l.expiryMs === firstMs)!;
  const book = bookOf(first);
  let atmIv = book ? atmIvOf(book) : null;
  if (atmIv === null) {
    const known = ivs.filter((v, i): v is number => v !== null && legs[i]!.expiryMs === firstMs);
    atmIv = known.length ? known.reduce((x, y) => x + y, 0) / known.length : null;
  }
  return { spot, forwards, ivs, atmIv, rate };
}

/** The model's legs from resolved legs, their entry prices and the market inputs. */
export function modelLegs(legs: readonly ResolvedLeg[], prices: readonly number[], m: MarketInputs): StrategyLegModel[] {
  return legs.map((l, i) => ({
    kind: l.kind,
    side: l.side,
    strike: l.strike ?? 0,
    expiryMs: l.expiryMs,
    lots: l.lots,
    lotSize: l.lotSize,
    price: prices[i]!,
    iv: m.ivs[i] ?? Number.NaN,
    forward: m.forwards[i]!,
  }));
}
