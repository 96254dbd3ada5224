/**
 * One option leg's implied volatility and greeks, from its price and the chain's forward.
 *
 * Which price (chain-analytics.ts): the bid/ask mid when both sides are quoted, else a price
 * traded today; a leg with neither has no IV ('no-trade-today' when all it has is an earlier
 * day's price, such as the previous close, which says nothing about today's volatility).
 *
 * Policy: an IV is shown only where the market price says something about volatility. A leg
 * with no price, no forward, no time left, a price at or below its (discounted) intrinsic value,
 * or a price no volatility up to 1000% reproduces gets no IV and a reason, never a 0 that a
 * trader would read as "zero volatility". Greeks still come out for such a leg when the other
 * leg of the same strike has an IV (put-call parity says they share one, and the OTM leg's price
 * is the informative one; a deep ITM leg's last trade is often stale and below intrinsic);
 * otherwise the greeks are absent too.
 *
 * Hot path: `solveLegIv` returns a number (the IV, or a negative reason code) so a chain
 * recompute allocates nothing per leg; `analyseLeg` is the object-returning convenience.
 */
import { black76GreeksInto, impliedVol, type Black76Greeks } from '../../shared/black76';

/** Why a leg has no implied volatility. */
import type { IvReason } from '../../shared/analytics';

export type { IvReason };

/** Reason codes as stored in a chain's columns: code k > 0 is IV_REASONS[k]; 0 means the IV is there. */
export const IV_REASONS: readonly (IvReason | null)[] = [
  null, 'no-price', 'no-forward', 'expired', 'below-intrinsic', 'no-time-value', 'above-max', 'bad-input', 'no-trade-today',
];
export const IV_OK = 0;
const NO_PRICE = 1;
const NO_FORWARD = 2;
const EXPIRED = 3;
const BELOW_INTRINSIC = 4;
const NO_TIME_VALUE = 5;
const ABOVE_MAX = 6;
const BAD_INPUT = 7;
/** Code of 'no-trade-today' (given by the chain, never by `solveLegIv`, which sees only a price). */
export const NO_TRADE_TODAY = 8;

/** Which volatility a leg's greeks were computed with. */
import type { GreeksFrom } from '../../shared/analytics';

export type { GreeksFrom };

/** A leg's analytics as handed to the API: a copy, safe to keep. */
export interface LegAnalytics {
  /** Implied volatility as a fraction (0.15 = 15%), or null with `ivReason`. */
  iv: number | null;
  ivReason: IvReason | null;
  /** dPrice/dForward. */
  delta: number | null;
  /** d2Price/dForward2. */
  gamma: number | null;
  /** Price change per calendar day. */
  theta: number | null;
  /** Price change per one volatility point (0.01). */
  vega: number | null;
  /** The leg's own IV, the same strike's other leg's IV, or null when there are no greeks. */
  greeksFrom: GreeksFrom | null;
}

/**
 * The leg's IV (a fraction, always > 0), or minus a reason code from IV_REASONS when there is
 * none (see the header). Allocation-free.
 */
export function solveLegIv(price: number, forward: number, strike: number, years: number, rate: number, isCall: boolean): number {
  if (!(Number.isFinite(strike) && strike > 0 && Number.isFinite(rate))) return -BAD_INPUT;
  if (!(Number.isFinite(price) && price > 0)) return -NO_PRICE;
  if (!(Number.isFinite(forward) && forward > 0)) return -NO_FORWARD;
  if (!(years > 0)) return -EXPIRED;
  if (!Number.isFinite(years)) return -BAD_INPUT;
  const iv = impliedVol(price, forward, strike, years, rate, isCall);
  if (iv > 0) return iv;
  if (iv === 0) return -NO_TIME_VALUE;
  const intrinsic = isCall ? forward - strike : strike - forward;
  return price * Math.exp(rate * years) < intrinsic ? -BELOW_INTRINSIC : -ABOVE_MAX;
}

/** The reason behind a negative `solveLegIv` answer (null for an IV). */
export function ivReasonOf(solved: number): IvReason | null {
  return solved >= 0 ? null : IV_REASONS[-solved] ?? 'bad-input';
}

/**
 * Greeks of a leg at volatility `vol` into `out` (delta per unit of forward, theta per calendar
 * day, vega per vol point); all NaN when `vol` is not a positive number or nothing is left to
 * value (expired, no forward). Allocation-free; returns `out`.
 */
export function legGreeksInto(
  out: Black76Greeks, forward: number, strike: number, years: number, vol: number, rate: number, isCall: boolean,
): Black76Greeks {
  if (!(vol > 0 && Number.isFinite(vol) && forward > 0 && Number.isFinite(forward) && years > 0 && Number.isFinite(years))) {
    out.price = Number.NaN;
    out.delta = Number.NaN;
    out.gamma = Number.NaN;
    out.theta = Number.NaN;
    out.vega = Number.NaN;
    return out;
  }
  return black76GreeksInto(out, forward, strike, years, vol, rate, isCall);
}

const nullable = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * One leg's analytics, with the same strike's other leg's price (`pairPrice`, NaN if none) for
 * the greeks fallback described in the header.
 */
export function analyseLeg(
  price: number, pairPrice: number, forward: number, strike: number, years: number, rate: number, isCall: boolean,
): LegAnalytics {
  const own = solveLegIv(price, forward, strike, years, rate, isCall);
  let vol = own;
  let greeksFrom: GreeksFrom | null = own > 0 ? 'own' : null;
  if (!(own > 0)) {
    const pair = solveLegIv(pairPrice, forward, strike, years, rate, !isCall);
    if (pair > 0) {
      vol = pair;
      greeksFrom = 'pair';
    }
  }
  const g = legGreeksInto({ price: 0, delta: 0, gamma: 0, theta: 0, vega: 0 }, forward, strike, years, vol, rate, isCall);
  return {
    iv: own > 0 ? own : null,
    ivReason: ivReasonOf(own),
    delta: nullable(g.delta),
    gamma: nullable(g.gamma),
    theta: nullable(g.theta),
    vega: nullable(g.vega),
    greeksFrom: Number.isFinite(g.delta) ? greeksFrom : null,
  };
}
