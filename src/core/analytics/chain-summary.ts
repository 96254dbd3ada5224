/**
 * Chain-level figures a trader reads at a glance: put-call ratios, max pain, open-interest totals
 * and their change since the previous close, and the ATM straddle with the move it implies.
 *
 * Policy:
 * - Everything is over the strikes of the chain's window (what is subscribed), not the whole
 *   listed chain; a leg without a number counts as 0 for sums and is skipped for prices.
 * - PCR = put total / call total (by OI and by volume); null when the call total is 0.
 * - Max pain: the strike at which option holders' total intrinsic value at expiry (call OI x
 *   (S - K)+ plus put OI x (K - S)+, over the window) is smallest, i.e. writers pay least. Ties
 *   go to the lower strike. O(n) by running sums (strikes must ascend).
 * - OI change per leg is OI minus the previous close's OI, counted only where the previous OI
 *   is known (> 0), the same rule as the API's `oi_change`; null totals when no leg has it.
 * - ATM straddle: call + put at the strike nearest the forward among strikes with both legs
 *   priced. Its premium is the market's expected absolute move to expiry (the usual desk rule of
 *   thumb; under Black-76 an ATM straddle is ~0.8 sigma sqrt(T) F), reported in points and as a
 *   fraction of the forward.
 */

import { maxPainIndex } from '../../shared/max-pain';

/** Per-chain analytics (a reusable object: `summariseChain` overwrites it). */
export interface ChainSummary {
  /** The forward used, or null when there is none. */
  forward: number | null;
  /** Years to expiry used (bucketed, see expiry-time). */
  years: number;
  pcrOi: number | null;
  pcrVolume: number | null;
  /** Max-pain strike, or null when the window has no open interest. */
  maxPain: number | null;
  callOi: number;
  putOi: number;
  callVolume: number;
  putVolume: number;
  /** Sum of OI - previous OI over legs whose previous OI is known; null when none is. */
  callOiChange: number | null;
  putOiChange: number | null;
  oiChange: number | null;
  /** Strike of the ATM straddle, or null. */
  atmStrike: number | null;
  /** Call + put at the ATM strike. */
  straddle: number | null;
  /** The straddle premium read as the expected move, in points. */
  impliedMove: number | null;
  /** The expected move as a fraction of the forward (0.012 = 1.2%). */
  impliedMoveFraction: number | null;
}

/** Strike-indexed inputs of `summariseChain`; a missing number is NaN. */
export interface SummaryInputs {
  /** Ascending strikes; `count` of them are in use. */
  strikes: ArrayLike<number>;
  count: number;
  callLtp: ArrayLike<number>;
  putLtp: ArrayLike<number>;
  callOi: ArrayLike<number>;
  putOi: ArrayLike<number>;
  callPrevOi: ArrayLike<number>;
  putPrevOi: ArrayLike<number>;
  callVolume: ArrayLike<number>;
  putVolume: ArrayLike<number>;
  /** NaN when unknown. */
  forward: number;
  years: number;
}

/** A fresh summary with nothing known. */
export function emptySummary(): ChainSummary {
  return {
    forward: null, years: 0, pcrOi: null, pcrVolume: null, maxPain: null, callOi: 0, putOi: 0, callVolume: 0,
    putVolume: 0, callOiChange: null, putOiChange: null, oiChange: null, atmStrike: null, straddle: null,
    impliedMove: null, impliedMoveFraction: null,
  };
}

/** A count (OI, volume) as a usable number: NaN and negatives count as 0. */
const amount = (x: number): number => (x > 0 && x < Infinity ? x : 0);

/** Fills `out` with the chain's summary (see the header); returns `out`. */
export function summariseChain(input: SummaryInputs, out: ChainSummary = emptySummary()): ChainSummary {
  const { strikes, count, callLtp, putLtp, callOi, putOi, callPrevOi, putPrevOi, callVolume, putVolume, forward } = input;
  let cOi = 0;
  let pOi = 0;
  let cVol = 0;
  let pVol = 0;
  let cChange = 0;
  let pChange = 0;
  let cKnown = false;
  let pKnown = false;
  let atm = -1;
  let atmGap = Infinity;
  const haveForward = Number.isFinite(forward) && forward > 0;
  for (let i = 0; i < count; i += 1) {
    const co = amount(callOi[i]!);
    const po = amount(putOi[i]!);
    cOi += co;
    pOi += po;
    cVol += amount(callVolume[i]!);
    pVol += amount(putVolume[i]!);
    if (callPrevOi[i]! > 0) {
      cChange += co - amount(callPrevOi[i]!);
      cKnown = true;
    }
    if (putPrevOi[i]! > 0) {
      pChange += po - amount(putPrevOi[i]!);
      pKnown = true;
    }
    if (haveForward && callLtp[i]! > 0 && putLtp[i]! > 0) {
      const gap = Math.abs(strikes[i]! - forward);
      if (gap < atmGap) {
        atmGap = gap;
        atm = i;
      }
    }
  }
  const pain = maxPainIndex(strikes, count, callOi, putOi);
  out.forward = haveForward ? forward : null;
  out.years = Number.isFinite(input.years) ? input.years : 0;
  out.callOi = cOi;
  out.putOi = pOi;
  out.callVolume = cVol;
  out.putVolume = pVol;
  out.pcrOi = cOi > 0 ? pOi / cOi : null;
  out.pcrVolume = cVol > 0 ? pVol / cVol : null;
  out.maxPain = pain >= 0 ? strikes[pain]! : null;
  out.callOiChange = cKnown ? cChange : null;
  out.putOiChange = pKnown ? pChange : null;
  out.oiChange = cKnown || pKnown ? cChange + pChange : null;
  if (atm >= 0) {
    const straddle = callLtp[atm]! + putLtp[atm]!;
    out.atmStrike = strikes[atm]!;
    out.straddle = straddle;
    out.impliedMove = straddle;
    out.impliedMoveFraction = straddle / forward;
  } else {
    out.atmStrike = null;
    out.straddle = null;
    out.impliedMove = null;
    out.impliedMoveFraction = null;
  }
  return out;
}

export { maxPainIndex };
