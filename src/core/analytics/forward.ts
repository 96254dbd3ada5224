/**
 * The forward a chain's options are priced off. Black-76 needs the forward to the option's own
 * expiry, which the market states most directly through put-call parity: C - P = e^{-rT} (F - K),
 * so F = K + e^{rT} (C - P) at any strike with both legs priced. The strike used is the ATM pair,
 * the one where |C - P| is smallest (as in Cboe's VIX method), where both legs trade most and
 * the parity error of a stale leg matters least. It is sought among the 3 strikes either side of
 * the one nearest the reference below (spot carried at the rate misses the forward by dividends
 * and basis, well under 3 strikes near the money), and the answer is the median of the parity
 * forwards at the pair and its two neighbours, so one bad print cannot move it.
 *
 * Policy, in order:
 * 1. parity at the ATM pair, when some strike has both legs priced and the result is positive and
 *    within `parityBand` (default 5%) of the reference below when there is one (a wider gap means
 *    a stale or bad leg, not a forward);
 * 2. the future's price (same expiry, or the MCX future an MCX option is written on);
 * 3. spot carried at the rate: S e^{rT} (no dividends: the parity forward is what captures them);
 * 4. none: no analytics for the chain, and the result says so.
 */

/** Where a chain's forward came from. */
import type { ForwardSource } from '../../shared/analytics';

export type { ForwardSource };

/** The forward of one chain and how it was found (a reusable result object). */
export interface ForwardEstimate {
  /** The forward, or NaN when `source` is 'none'. */
  forward: number;
  source: ForwardSource;
  /** Index of the ATM pair's strike when `source` is 'parity', else -1. */
  pairIndex: number;
}

/** Inputs of `estimateForward`: strike-indexed columns, NaN (or <= 0) where a leg has no price. */
export interface ForwardInputs {
  strikes: ArrayLike<number>;
  /** Number of strikes in use (the columns may be longer). */
  count: number;
  callPrices: ArrayLike<number>;
  putPrices: ArrayLike<number>;
  /** The future's price, NaN when unknown. */
  future: number;
  /** The underlying's spot price, NaN when unknown. */
  spot: number;
  years: number;
  rate: number;
  /** Largest relative gap between the parity forward and the reference (default 0.05). */
  parityBand?: number;
}

const positive = (x: number): boolean => Number.isFinite(x) && x > 0;

/** Strikes either side of the one nearest the reference among which the ATM pair is sought. */
const PAIR_WINDOW = 3;

function nearestIndex(strikes: ArrayLike<number>, count: number, price: number): number {
  let best = 0;
  for (let i = 1; i < count; i += 1) if (Math.abs(strikes[i]! - price) < Math.abs(strikes[best]! - price)) best = i;
  return best;
}

/** K + e^{rT} (C - P) at strike i, NaN unless both legs are priced. */
function parityAt(input: ForwardInputs, i: number, growth: number): number {
  if (i < 0 || i >= input.count) return Number.NaN;
  const c = input.callPrices[i]!;
  const p = input.putPrices[i]!;
  return c > 0 && p > 0 && positive(input.strikes[i]!) ? input.strikes[i]! + growth * (c - p) : Number.NaN;
}

/**
 * The parity forward at the pair, as the median with its two neighbours' when both have prices:
 * one stale or bad leg among the three cannot move it.
 */
function pairForward(input: ForwardInputs, best: number, growth: number): number {
  const mid = parityAt(input, best, growth);
  const below = parityAt(input, best - 1, growth);
  const above = parityAt(input, best + 1, growth);
  if (Number.isNaN(below) || Number.isNaN(above)) return mid;
  return Math.max(Math.min(below, above), Math.min(Math.max(below, above), mid));
}

/** A fresh, empty estimate. */
export function emptyForward(): ForwardEstimate {
  return { forward: Number.NaN, source: 'none', pairIndex: -1 };
}

/** Fills `out` with the chain's forward by the policy in the header; returns `out`. */
export function estimateForward(input: ForwardInputs, out: ForwardEstimate = emptyForward()): ForwardEstimate {
  const { strikes, count, callPrices, putPrices, future, spot, years, rate } = input;
  const growth = Number.isFinite(years) && years > 0 && Number.isFinite(rate) ? Math.exp(rate * years) : 1;
  let reference = Number.NaN;
  let referenceSource: ForwardSource = 'none';
  if (positive(future)) {
    reference = future;
    referenceSource = 'future';
  } else if (positive(spot)) {
    reference = spot * growth;
    referenceSource = 'spot';
  }
  // The pair is sought near the reference when there is one, so one bad print far from the money
  // (a deep ITM call trading at 5) cannot pose as the ATM pair.
  let from = 0;
  let to = count - 1;
  if (reference > 0) {
    const j = nearestIndex(strikes, count, reference);
    from = Math.max(0, j - PAIR_WINDOW);
    to = Math.min(count - 1, j + PAIR_WINDOW);
  }
  let best = -1;
  let bestGap = Infinity;
  for (let i = from; i <= to; i += 1) {
    const c = callPrices[i]!;
    const p = putPrices[i]!;
    if (!(c > 0 && p > 0 && positive(strikes[i]!))) continue;
    const gap = Math.abs(c - p);
    if (gap < bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  if (best >= 0) {
    const forward = pairForward(input, best, growth);
    const band = input.parityBand ?? 0.05;
    if (positive(forward) && (!(reference > 0) || Math.abs(forward / reference - 1) <= band)) {
      out.forward = forward;
      out.source = 'parity';
      out.pairIndex = best;
      return out;
    }
  }
  out.forward = reference;
  out.source = referenceSource;
  out.pairIndex = -1;
  return out;
}
