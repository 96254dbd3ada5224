/**
 * The strategy model's legs, checked and valued one at a time (strategy.ts adds them up).
 *
 * Policy:
 * - Quantity = lots x lotSize units; weight = +qty for BUY, -qty for SELL. A position's value is
 *   sum(weight x per-unit value) and its P&L that value minus its cost, sum(weight x entry price).
 * - The x axis is the underlying's price S. Each leg keeps its carry: c = ln(forward / spot) / T,
 *   T = ACT/365 years from now to the leg's expiry, and its forward at a moment t with tau years
 *   left is F(S, t) = S x exp(c x tau). Now that is S x forward / spot (the ratio the chain gave);
 *   at the leg's expiry it is S itself, so a curve moves smoothly into the leg's settlement
 *   instead of jumping by the carry when the leg expires.
 * - Before its expiry an option is worth Black-76 on F(S, t) at its volatility (its own IV, else
 *   the ATM IV; shifted curves add the shift and floor the result at MIN_VOL), discounted at the
 *   model's rate; a future is worth F(S, t) (margined daily, so undiscounted). At and after its
 *   expiry a leg is worth its intrinsic value at S. A leg with neither its own IV nor an ATM IV
 *   is worth Black-76's fallback, its discounted intrinsic value on F.
 * - Inputs are checked here (the API checks first; this is defence): a bad one is a RangeError
 *   naming the field and, for a leg, its 1-based position.
 */
import { black76Price } from '../../shared/black76';
import { yearsToExpiry } from './expiry-time';
import type { StrategyLegModel, StrategyModel } from './strategy-types';

/** Most legs a strategy may have. */
export const MAX_LEGS = 20;
/** Most points a curve may ask for. */
export const MAX_POINTS = 10_001;
/** Floor of a shifted volatility (0.1%): a large negative shift leaves a tiny vol, not none. */
export const MIN_VOL = 0.001;

/** One leg ready for valuation. */
export interface PreparedLeg {
  readonly isFut: boolean;
  readonly isCall: boolean;
  /** Units held: lots x lotSize. */
  readonly qty: number;
  /** +qty for BUY, -qty for SELL. */
  readonly weight: number;
  readonly strike: number;
  readonly expiryMs: number;
  readonly price: number;
  readonly forward: number;
  /** Own IV, else the ATM IV, else NaN (no volatility known). */
  readonly vol: number;
  /** ln(forward / spot) per year left at now (0 when the leg has already expired at now). */
  readonly carry: number;
}

const finite = Number.isFinite;
const validVol = (v: number): boolean => finite(v) && v > 0;

function fail(message: string): never {
  throw new RangeError(message);
}

function checkLeg(leg: StrategyLegModel, n: number): void {
  const at = `leg ${n}`;
  if (leg.kind !== 'CE' && leg.kind !== 'PE' && leg.kind !== 'FUT') fail(`${at}: kind must be CE, PE or FUT (got ${String(leg.kind)})`);
  if (leg.side !== 'BUY' && leg.side !== 'SELL') fail(`${at}: side must be BUY or SELL (got ${String(leg.side)})`);
  if (!(finite(leg.lots) && leg.lots > 0)) fail(`${at}: lots must be a finite number > 0 (got ${leg.lots})`);
  if (!(finite(leg.lotSize) && leg.lotSize > 0)) fail(`${at}: lotSize must be a finite number > 0 (got ${leg.lotSize})`);
  if (!(finite(leg.price) && leg.price >= 0)) fail(`${at}: price must be a finite number >= 0 (got ${leg.price})`);
  if (!(finite(leg.forward) && leg.forward > 0)) fail(`${at}: forward must be a finite number > 0 (got ${leg.forward})`);
  if (!finite(leg.expiryMs)) fail(`${at}: expiryMs must be finite (got ${leg.expiryMs})`);
  if (leg.kind !== 'FUT' && !(finite(leg.strike) && leg.strike > 0)) {
    fail(`${at}: an option's strike must be a finite number > 0 (got ${leg.strike})`);
  }
}

function checkModel(model: StrategyModel): void {
  const count = model.legs.length;
  if (count === 0) fail('a strategy needs at least one leg (got none)');
  if (count > MAX_LEGS) fail(`a strategy has at most ${MAX_LEGS} legs (got ${count})`);
  if (!(finite(model.spot) && model.spot > 0)) fail(`spot must be a finite number > 0 (got ${model.spot})`);
  if (!finite(model.nowMs)) fail(`nowMs must be finite (got ${model.nowMs})`);
  if (!finite(model.rate)) fail(`rate must be finite (got ${model.rate})`);
  if (model.atDateMs !== undefined && !finite(model.atDateMs)) fail(`atDateMs must be finite (got ${model.atDateMs})`);
  if (model.ivShift !== undefined && !finite(model.ivShift)) fail(`ivShift must be finite (got ${model.ivShift})`);
  const { points, spotRange } = model;
  if (points !== undefined && !(Number.isInteger(points) && points >= 2 && points <= MAX_POINTS)) {
    fail(`points must be an integer from 2 to ${MAX_POINTS} (got ${points})`);
  }
  if (spotRange !== undefined && !(finite(spotRange[0]) && finite(spotRange[1]) && spotRange[0] >= 0 && spotRange[0] < spotRange[1])) {
    fail(`spotRange must be two finite prices with 0 <= low < high (got ${String(spotRange[0])}, ${String(spotRange[1])})`);
  }
}

/** Checks the model (RangeError on a bad input) and resolves its legs. */
export function prepareLegs(model: StrategyModel): PreparedLeg[] {
  checkModel(model);
  return model.legs.map((leg, i) => {
    checkLeg(leg, i + 1);
    const qty = leg.lots * leg.lotSize;
    const years = yearsToExpiry(leg.expiryMs, model.nowMs);
    const vol = validVol(leg.iv) ? leg.iv : validVol(model.atmIv) ? model.atmIv : Number.NaN;
    return {
      isFut: leg.kind === 'FUT',
      isCall: leg.kind === 'CE',
      qty,
      weight: leg.side === 'BUY' ? qty : -qty,
      strike: leg.kind === 'FUT' ? 0 : leg.strike,
      expiryMs: leg.expiryMs,
      price: leg.price,
      forward: leg.forward,
      vol,
      carry: years > 0 ? Math.log(leg.forward / model.spot) / years : 0,
    };
  });
}

/** The leg's forward over the underlying, F(S, t) / S, at `atMs` (1 at and after its expiry). */
export function forwardRatio(leg: PreparedLeg, atMs: number): number {
  return Math.exp(leg.carry * yearsToExpiry(leg.expiryMs, atMs));
}

/** The volatility a leg is valued at with `shift` added (NaN stays NaN: no volatility known). */
export function shiftedVol(leg: PreparedLeg, shift: number): number {
  return Number.isNaN(leg.vol) ? Number.NaN : Math.max(leg.vol + shift, MIN_VOL);
}

/** Per-unit value of a leg at `atMs` with the underlying at `spot` (see the header). */
export function legValue(leg: PreparedLeg, spot: number, atMs: number, volShift: number, rate: number): number {
  const years = yearsToExpiry(leg.expiryMs, atMs);
  if (leg.isFut) return years > 0 ? spot * Math.exp(leg.carry * years) : spot;
  if (years <= 0) return Math.max(leg.isCall ? spot - leg.strike : leg.strike - spot, 0);
  const forward = spot * Math.exp(leg.carry * years);
  return black76Price(forward, leg.strike, years, shiftedVol(leg, volShift), rate, leg.isCall);
}

/** What the position cost: sum(weight x entry price) (negative for a net credit). */
export function positionCost(legs: readonly PreparedLeg[]): number {
  let cost = 0;
  for (const leg of legs) cost += leg.weight * leg.price;
  return cost;
}

/** The position's P&L in rupees at `atMs` with the underlying at `spot`. */
export function positionPnl(
  legs: readonly PreparedLeg[], cost: number, spot: number, atMs: number, volShift: number, rate: number,
): number {
  let value = 0;
  for (const leg of legs) value += leg.weight * legValue(leg, spot, atMs, volShift, rate);
  return value - cost;
}
