/**
 * The strategy builder's evaluation (issue 19): payoff curves, max profit / max loss, breakevens,
 * probability of profit and net greeks of a multi-leg position. Pure: no clock (the model carries
 * `nowMs`), no I/O, same input -> same output. How a single leg is valued is in strategy-payoff.ts
 * (quantity, sign, carry of each forward); this module adds legs up and finds the shape.
 *
 * Policy and model:
 * - netPremium = sum(-weight x price): positive = credit. P&L(S) = value(S) - cost, cost = -netPremium.
 * - "At expiry" means at the FIRST expiry among the legs: legs expiring then pay their intrinsic
 *   value at S (a future S - price); later legs are valued by Black-76 at their own IV, unshifted,
 *   with the time they have left after the first expiry and their forward carried from S.
 * - "At date" means at `atDateMs` (default nowMs, clamped to <= the first expiry), every leg at
 *   its IV + ivShift (floored at 0.1%); a leg at or past its expiry pays its intrinsic value.
 * - Greeks: at nowMs and IV + ivShift, in rupees per point of the underlying (Black-76's delta and
 *   gamma are per point of the leg's forward: x F/S and x (F/S)^2), theta per calendar day with
 *   the forward held, vega per volatility point. A future: delta = weight x F/S, nothing else.
 * - Max profit, max loss and breakevens are over S >= 0 at the first expiry.
 *   When every option expires at the first expiry the P&L is piecewise linear with kinks at the
 *   strikes (futures are linear): the figures are EXACT, from the values at 0 and at each strike,
 *   the right end's slope (> 0: profit unlimited, null; < 0: loss unlimited, null) and the root of
 *   each segment that changes sign.
 *   When an option outlives the first expiry (a calendar or diagonal) the P&L is smooth and the
 *   figures are NUMERIC, to about 1e-6 relative: a grid from 0 to 3x the largest of spot, strikes
 *   and forwards (denser around the strikes, every strike a node), the best grid extremes refined
 *   by golden-section search, roots by bisection. The far right counts as unlimited only when the
 *   slope there is material, above 1% of the smallest leg's quantity per point (a calendar's
 *   residual carry slope is not); otherwise the curve is taken as flat beyond the grid.
 * - Breakevens are the ends of the intervals where the P&L is > 0 (a point where it only touches
 *   zero is not one). POP = P(P&L > 0 at the first expiry) = the lognormal mass of those intervals,
 *   ln S_T ~ N(ln F1 - s^2/2, s^2), s = atmIv x sqrt(T1), F1 the forward of a leg expiring first,
 *   T1 from nowMs. With no time left or no ATM IV, POP is 1 when the P&L at F1 is > 0, else 0.
 * - Curves: `points` (default 201) evenly over `spotRange`. By default the range is the expected
 *   move: spot x exp(+-h), h = 4 x atmIv x sqrt(T1) held within [3%, 50%] (20% without an ATM IV),
 *   so a weekly's curve shows its strikes rather than a spike, widened to every strike and finite
 *   breakeven with a 2% margin. Breakevens are full precision (the API rounds).
 */
import { black76GreeksInto, normCdf, type Black76Greeks } from '../../shared/black76';
import { yearsToExpiry } from './expiry-time';
import {
  forwardRatio, positionCost, positionPnl, prepareLegs, shiftedVol, type PreparedLeg,
} from './strategy-payoff';
import type { StrategyEvaluation, StrategyGreeks, StrategyModel } from './strategy-types';

const DEFAULT_POINTS = 201;
/** Grid steps of the numeric search, over [0, far] and again around the strikes. */
const GRID_STEPS = 1_000;
/** Grid extremes refined by golden-section search (the best few by grid value). */
const REFINED_EXTREMES = 5;
/** A far-right slope counts as unlimited above this fraction of the smallest leg's quantity. */
const MATERIAL_SLOPE = 0.01;

type Pnl = (spot: number) => number;

/** What the first expiry's P&L looks like over S >= 0. */
interface PayoffShape {
  maxProfit: number | null;
  maxLoss: number | null;
  /** Open intervals where the P&L is > 0, ascending, disjoint, not touching (end may be Infinity). */
  positive: [number, number][];
}

/**
 * Evaluates a strategy: net premium, exact (single expiry) or numeric (calendar) max profit,
 * max loss and breakevens at the first expiry, probability of profit, net greeks now, and the
 * at-expiry and at-date P&L curves. Throws a RangeError naming the input when one is invalid.
 */
export function evaluateStrategy(model: StrategyModel): StrategyEvaluation {
  const legs = prepareLegs(model);
  const { spot, nowMs, rate } = model;
  const ivShift = model.ivShift ?? 0;
  const firstLeg = legs.reduce((a, b) => (b.expiryMs < a.expiryMs ? b : a));
  const firstExpiryMs = firstLeg.expiryMs;
  const cost = positionCost(legs);
  let netPremium = 0;
  for (const leg of legs) netPremium -= leg.weight * leg.price;

  const atExpiry: Pnl = (s) => positionPnl(legs, cost, s, firstExpiryMs, 0, rate);
  const atDateMs = Math.min(model.atDateMs ?? nowMs, firstExpiryMs);
  const atDate: Pnl = (s) => positionPnl(legs, cost, s, atDateMs, ivShift, rate);

  let scale = 0;
  for (const leg of legs) scale += leg.qty * Math.max(spot, leg.strike, leg.forward, leg.price);
  const eps = 1e-9 * scale;
  const singleExpiry = legs.every((leg) => leg.isFut || leg.expiryMs === firstExpiryMs);
  const shape = singleExpiry
    ? exactShape(atExpiry, legs, firstExpiryMs, spot, eps)
    : numericShape(atExpiry, legs, spot, eps);
  const breakevens = breakevensOf(shape.positive);

  const years1 = yearsToExpiry(firstExpiryMs, nowMs);
  const pop = probabilityOfProfit(shape.positive, atExpiry, firstLeg.forward, years1, model.atmIv, eps);
  const [lo, hi] = model.spotRange ?? defaultRange(spot, model.atmIv, years1, legs, breakevens);
  const points = model.points ?? DEFAULT_POINTS;
  return {
    netPremium,
    maxProfit: shape.maxProfit,
    maxLoss: shape.maxLoss,
    breakevens,
    pop,
    greeks: positionGreeks(legs, spot, nowMs, ivShift, rate),
    payoffExpiry: curve(atExpiry, lo, hi, points),
    payoffAtDate: curve(atDate, lo, hi, points),
    firstExpiryMs,
  };
}

const snap = (v: number, eps: number): number => (Math.abs(v) <= eps ? 0 : v);

function optionStrikes(legs: readonly PreparedLeg[]): number[] {
  const strikes = new Set<number>();
  for (const leg of legs) if (!leg.isFut) strikes.add(leg.strike);
  return [...strikes].sort((a, b) => a - b);
}

/**
 * The single-expiry case: the P&L is linear between 0 and the strikes and beyond the last one,
 * so its values there, the right end's slope and each segment's root say everything.
 */
function exactShape(pnl: Pnl, legs: readonly PreparedLeg[], firstExpiryMs: number, spot: number, eps: number): PayoffShape {
  const nodes = [0, ...optionStrikes(legs)];
  const values = nodes.map((x) => snap(pnl(x), eps));
  let slope = 0;
  let gross = 0;
  for (const leg of legs) {
    gross += leg.qty;
    if (leg.isFut) slope += leg.weight * forwardRatio(leg, firstExpiryMs);
    else if (leg.isCall) slope += leg.weight;
  }
  const flat = Math.abs(slope) <= 1e-9 * gross;
  const cuts = [...nodes];
  for (let j = 0; j + 1 < nodes.length; j += 1) {
    const [a, b, va, vb] = [nodes[j], nodes[j + 1], values[j], values[j + 1]];
    if (va * vb < 0) cuts.push(a + (va * (b - a)) / (va - vb));
  }
  const last = nodes.length - 1;
  if (!flat && values[last] * slope < 0) cuts.push(nodes[last] - values[last] / slope);
  cuts.sort((a, b) => a - b);
  const end = cuts[cuts.length - 1];
  return {
    maxProfit: !flat && slope > 0 ? null : Math.max(...values),
    maxLoss: !flat && slope < 0 ? null : Math.min(...values),
    positive: positiveIntervals(pnl, cuts, end + Math.max(spot, end), eps),
  };
}

/** The calendar case: a grid, refined extremes, bisected roots (see the header). */
function numericShape(pnl: Pnl, legs: readonly PreparedLeg[], spot: number, eps: number): PayoffShape {
  const strikes = optionStrikes(legs);
  let far = spot;
  let minQty = Infinity;
  for (const leg of legs) {
    far = Math.max(far, leg.strike, leg.forward);
    minQty = Math.min(minQty, leg.qty);
  }
  far *= 3;
  const xs = searchGrid(far, spot, strikes);
  const vs = xs.map(pnl);
  const slope = (vs[vs.length - 1] - pnl(0.99 * far)) / (0.01 * far);
  const material = MATERIAL_SLOPE * minQty;

  const cuts = [0];
  for (let j = 0; j + 1 < xs.length; j += 1) {
    const va = snap(vs[j], eps);
    const vb = snap(vs[j + 1], eps);
    if (j > 0 && va === 0) cuts.push(xs[j]);
    if (va * vb < 0) cuts.push(bisectRoot(pnl, xs[j], xs[j + 1], va));
  }
  const vFar = snap(vs[vs.length - 1], eps);
  if (vFar === 0) cuts.push(far);
  else if (Math.abs(slope) > material && vFar * slope < 0) {
    let b = far;
    while (Math.sign(snap(pnl(b), eps)) === Math.sign(vFar) && b < 1e6 * far) b *= 2;
    if (b < 1e6 * far) cuts.push(bisectRoot(pnl, b / 2, b, vFar));
  }
  const end = cuts[cuts.length - 1];
  return {
    maxProfit: slope > material ? null : refinedExtreme(pnl, xs, vs, 1),
    maxLoss: slope < -material ? null : refinedExtreme(pnl, xs, vs, -1),
    positive: positiveIntervals(pnl, cuts, end < far ? far : 2 * end, eps),
  };
}

/** Nodes 0..far evenly, again evenly around the spot and strikes, and every strike; ascending. */
function searchGrid(far: number, spot: number, strikes: readonly number[]): number[] {
  const lo = 0.5 * Math.min(spot, ...strikes);
  const hi = Math.min(far, 1.5 * Math.max(spot, ...strikes));
  const xs: number[] = [...strikes];
  for (let j = 0; j <= GRID_STEPS; j += 1) {
    xs.push((far * j) / GRID_STEPS, lo + ((hi - lo) * j) / GRID_STEPS);
  }
  xs.sort((a, b) => a - b);
  return xs.filter((x, j) => j === 0 || x > xs[j - 1]);
}

/**
 * The largest (dir 1) or smallest (dir -1) P&L: the grid's best value, improved by a golden-section
 * search over the neighbouring cells of the best few strict grid extremes.
 */
function refinedExtreme(pnl: Pnl, xs: readonly number[], vs: readonly number[], dir: 1 | -1): number {
  let best = dir * Math.max(...vs.map((v) => dir * v));
  const local: number[] = [];
  for (let j = 1; j + 1 < xs.length; j += 1) {
    const [a, v, b] = [dir * vs[j - 1], dir * vs[j], dir * vs[j + 1]];
    if (v >= a && v >= b && (v > a || v > b)) local.push(j);
  }
  local.sort((i, k) => dir * (vs[k] - vs[i]));
  for (const j of local.slice(0, REFINED_EXTREMES)) {
    const v = goldenSection(pnl, xs[j - 1], xs[j + 1], dir);
    if (dir * v > dir * best) best = v;
  }
  return best;
}

const INV_PHI = (Math.sqrt(5) - 1) / 2;

/** Golden-section search for the extreme of `pnl` on [a, b]; returns the best value it saw. */
function goldenSection(pnl: Pnl, a0: number, b0: number, dir: 1 | -1): number {
  let [a, b] = [a0, b0];
  let c = b - INV_PHI * (b - a);
  let d = a + INV_PHI * (b - a);
  let fc = dir * pnl(c);
  let fd = dir * pnl(d);
  for (let i = 0; i < 100 && b - a > 1e-9 * Math.max(1, b); i += 1) {
    if (fc >= fd) {
      [b, d, fd] = [d, c, fc];
      c = b - INV_PHI * (b - a);
      fc = dir * pnl(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + INV_PHI * (b - a);
      fd = dir * pnl(d);
    }
  }
  return dir * Math.max(fc, fd);
}

/** The zero of `pnl` in (a, b), where pnl(a) has the sign of `va` and pnl(b) the other. */
function bisectRoot(pnl: Pnl, a0: number, b0: number, va: number): number {
  let [a, b] = [a0, b0];
  for (let i = 0; i < 200 && b - a > 1e-12 * b; i += 1) {
    const m = 0.5 * (a + b);
    if (pnl(m) * va > 0) a = m;
    else b = m;
  }
  return 0.5 * (a + b);
}

/**
 * Where the P&L is > 0, given `cuts` (ascending from 0) between which its sign does not change:
 * each gap is tested at its midpoint, the open end at `beyond`; touching intervals merge.
 */
function positiveIntervals(pnl: Pnl, cuts: readonly number[], beyond: number, eps: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < cuts.length; j += 1) {
    const a = cuts[j];
    const b = j + 1 < cuts.length ? cuts[j + 1] : Infinity;
    if (b === a || !(pnl(b === Infinity ? beyond : 0.5 * (a + b)) > eps)) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && prev[1] === a) prev[1] = b;
    else out.push([a, b]);
  }
  return out;
}

function breakevensOf(positive: readonly [number, number][]): number[] {
  return positive.flat().filter((x) => x > 0 && Number.isFinite(x));
}

/** The lognormal mass of the positive intervals (see the header). */
function probabilityOfProfit(
  positive: readonly [number, number][], pnl: Pnl, forward: number, years: number, atmIv: number, eps: number,
): number {
  if (!(years > 0 && Number.isFinite(atmIv) && atmIv > 0)) return pnl(forward) > eps ? 1 : 0;
  const sd = atmIv * Math.sqrt(years);
  const below = (x: number): number => {
    if (x === Infinity) return 1;
    return x > 0 ? normCdf((Math.log(x / forward) + 0.5 * sd * sd) / sd) : 0;
  };
  let p = 0;
  for (const [a, b] of positive) p += below(b) - below(a);
  return Math.min(1, Math.max(0, p));
}

/** Net greeks now, each leg at its IV + shift (see the header). */
function positionGreeks(legs: readonly PreparedLeg[], spot: number, nowMs: number, ivShift: number, rate: number): StrategyGreeks {
  const out: StrategyGreeks = { delta: 0, gamma: 0, theta: 0, vega: 0 };
  const g: Black76Greeks = { price: 0, delta: 0, gamma: 0, theta: 0, vega: 0 };
  for (const leg of legs) {
    const ratio = forwardRatio(leg, nowMs);
    if (leg.isFut) {
      out.delta += leg.weight * ratio;
      continue;
    }
    const years = yearsToExpiry(leg.expiryMs, nowMs);
    black76GreeksInto(g, spot * ratio, leg.strike, years, shiftedVol(leg, ivShift), rate, leg.isCall);
    out.delta += leg.weight * g.delta * ratio;
    out.gamma += leg.weight * g.gamma * ratio * ratio;
    out.theta += leg.weight * g.theta;
    out.vega += leg.weight * g.vega;
  }
  return out;
}

/** spot x [0.8, 1.2] widened to every strike and finite breakeven with a 2% margin. */
/** The default curve range, in log-spot half-widths: 4 standard deviations, within these bounds. */
const RANGE_SIGMAS = 4;
const RANGE_MIN = 0.03;
const RANGE_MAX = 0.5;
const RANGE_NO_IV = 0.2;

function defaultRange(
  spot: number, atmIv: number, years: number, legs: readonly PreparedLeg[], breakevens: readonly number[],
): [number, number] {
  const move = RANGE_SIGMAS * atmIv * Math.sqrt(Math.max(years, 0));
  const h = Number.isFinite(move) && atmIv > 0 ? Math.min(RANGE_MAX, Math.max(RANGE_MIN, move)) : RANGE_NO_IV;
  let lo = spot * Math.exp(-h);
  let hi = spot * Math.exp(h);
  for (const x of [...optionStrikes(legs), ...breakevens]) {
    lo = Math.min(lo, 0.98 * x);
    hi = Math.max(hi, 1.02 * x);
  }
  return [lo, hi];
}

function curve(pnl: Pnl, lo: number, hi: number, points: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < points; j += 1) {
    const s = j === points - 1 ? hi : lo + ((hi - lo) * j) / (points - 1);
    out.push([s, pnl(s)]);
  }
  return out;
}
