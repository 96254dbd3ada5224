/**
 * Black-76: European options on a forward F, discounted at rate r. Index options are priced off
 * the future (or spot carried to expiry), commodity options off their future, which is why the
 * workstation and the simulator both use Black-76 rather than Black-Scholes on spot.
 *
 * Policy: every function is total. Inputs that make the formula meaningless (T <= 0, sigma <= 0,
 * F or K <= 0, NaN, infinities) fall back to the discounted intrinsic value and zero sensitivities
 * instead of producing NaN or Infinity, so a bad row in a chain never poisons a grid or a packet.
 * The one deliberate NaN is `impliedVol`'s answer for a price no volatility can produce.
 *
 * Units: T in years, sigma and r as decimals (0.2 = 20%), theta per calendar day (/365), vega per
 * one volatility point (0.01). Pure math: nothing here touches a platform API.
 */

const INV_SQRT_2PI = 0.3989422804014327;
const DAYS_PER_YEAR = 365;

/** The standard normal density. */
export function normPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * The standard normal cumulative distribution: absolute error ~1e-14, relative error below 1e-8
 * even in the far tails (deep out-of-the-money prices and the IV solver need that): Hart's rational
 * approximation inside |x| < 5*sqrt(2), a continued fraction beyond, as laid out by G. West,
 * "Better approximations to cumulative normal functions" (2005).
 */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  return cdfGivenExp(x, Math.exp(-0.5 * x * x));
}

/**
 * normCdf(x) given e = exp(-x^2 / 2), so a caller that already has the density (the IV solver
 * gets both legs' densities from one exp) does not pay for the exponential again.
 */
function cdfGivenExp(x: number, e: number): number {
  const z = Math.abs(x);
  let tail: number;
  if (z > 37) {
    tail = 0;
  } else if (z < 7.07106781186547) {
    const num = ((((((0.0352624965998911 * z + 0.700383064443688) * z + 6.37396220353165) * z + 33.912866078383) * z
      + 112.079291497871) * z + 221.213596169931) * z + 220.206867912376);
    const den = (((((((0.0883883476483184 * z + 1.75566716318264) * z + 16.064177579207) * z + 86.7807322029461) * z
      + 296.564248779674) * z + 637.333633378831) * z + 793.826512519948) * z + 440.413735824752);
    tail = (e * num) / den;
  } else {
    const cf = z + 1 / (z + 2 / (z + 3 / (z + 4 / (z + 0.65))));
    tail = e / cf / 2.506628274631;
  }
  return x > 0 ? 1 - tail : tail;
}

/** Inputs of one Black-76 valuation. */
export interface Black76Input {
  /** Forward (or futures) price. */
  forward: number;
  strike: number;
  /** Time to expiry in years. */
  years: number;
  /** Annual volatility as a decimal. */
  vol: number;
  /** Continuously compounded discount rate as a decimal. */
  rate: number;
  isCall: boolean;
}

/** Price and sensitivities of one option. */
export interface Black76Greeks {
  price: number;
  /** dPrice/dForward. */
  delta: number;
  /** d2Price/dForward2. */
  gamma: number;
  /** Price change per calendar day that passes (negative for a long option, usually). */
  theta: number;
  /** Price change per one volatility point (0.01). */
  vega: number;
}

const finite = Number.isFinite;

function discount(rate: number, years: number): number {
  return finite(rate) && years > 0 ? Math.exp(-rate * years) : 1;
}

function intrinsic(forward: number, strike: number, isCall: boolean): number {
  const f = finite(forward) && forward > 0 ? forward : 0;
  const k = finite(strike) && strike > 0 ? strike : 0;
  return Math.max(isCall ? f - k : k - f, 0);
}

/** True when the closed form applies; otherwise callers use the intrinsic fallback. */
function regular(forward: number, strike: number, years: number, vol: number, rate: number): boolean {
  return finite(forward) && forward > 0 && finite(strike) && strike > 0 && finite(years) && years > 0
    && finite(vol) && vol > 0 && finite(rate);
}

/** Below this sigma*sqrt(T) the option is worth its intrinsic value to double precision. */
const MIN_SD = 1e-12;
/** Above this every price is at its ceiling; capping keeps d1 and d2 finite. */
const MAX_SD = 1e3;

/** sigma*sqrt(T) when the closed form applies, else NaN (caller falls back to intrinsic). */
function stdDev(forward: number, strike: number, years: number, vol: number, rate: number): number {
  if (!regular(forward, strike, years, vol, rate)) return Number.NaN;
  const sd = vol * Math.sqrt(years);
  return sd > MIN_SD ? Math.min(sd, MAX_SD) : Number.NaN;
}

function closedForm(forward: number, strike: number, sd: number, df: number, d1: number, isCall: boolean): number {
  const d2 = d1 - sd;
  const value = isCall
    ? df * (forward * normCdf(d1) - strike * normCdf(d2))
    : df * (strike * normCdf(-d2) - forward * normCdf(-d1));
  // Rounding can leave a hair below zero far from the money.
  return value > 0 ? value : 0;
}

const orZero = (x: number): number => (finite(x) ? x : 0);

/**
 * Black-76 price of a European call or put on a forward. Falls back to the discounted intrinsic
 * value when T <= 0, sigma <= 0 or F/K <= 0 (a non-positive F or K counts as 0).
 */
export function black76Price(forward: number, strike: number, years: number, vol: number, rate: number, isCall: boolean): number {
  const sd = stdDev(forward, strike, years, vol, rate);
  if (Number.isNaN(sd)) return orZero(discount(rate, years) * intrinsic(forward, strike, isCall));
  const d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
  return orZero(closedForm(forward, strike, sd, Math.exp(-rate * years), d1, isCall));
}

/** Price, delta, gamma, theta (per day) and vega (per vol point) in one pass; all finite. */
export function black76Greeks(input: Black76Input): Black76Greeks {
  const { forward, strike, years, vol, rate, isCall } = input;
  return black76GreeksInto({ price: 0, delta: 0, gamma: 0, theta: 0, vega: 0 }, forward, strike, years, vol, rate, isCall);
}

/**
 * `black76Greeks` into a caller-owned object (returned), so a chain recompute allocates nothing
 * per leg. Same fallbacks: every field finite.
 */
export function black76GreeksInto(
  out: Black76Greeks, forward: number, strike: number, years: number, vol: number, rate: number, isCall: boolean,
): Black76Greeks {
  const sd = stdDev(forward, strike, years, vol, rate);
  if (Number.isNaN(sd)) {
    const df = discount(rate, years);
    const value = orZero(df * intrinsic(forward, strike, isCall));
    const delta = value > 0 ? (isCall ? df : -df) : 0;
    // With no volatility left, only discounting moves the value: theta = rV per year.
    const theta = years > 0 && finite(rate) ? (rate * value) / DAYS_PER_YEAR : 0;
    out.price = value;
    out.delta = orZero(delta);
    out.gamma = 0;
    out.theta = orZero(theta);
    out.vega = 0;
    return out;
  }
  const sqrtT = Math.sqrt(years);
  const d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
  const df = Math.exp(-rate * years);
  const pdf = normPdf(d1);
  const price = closedForm(forward, strike, sd, df, d1, isCall);
  const delta = isCall ? df * normCdf(d1) : -df * normCdf(-d1);
  const gamma = (df * pdf) / forward / sd;
  const vegaPerUnit = df * pdf * forward * sqrtT;
  // dV/dt = rV - df * F * pdf * sigma / (2 sqrt T), the same form for calls and puts.
  const thetaPerYear = rate * price - (df * pdf * forward * (sd / sqrtT)) / (2 * sqrtT);
  out.price = orZero(price);
  out.delta = orZero(delta);
  out.gamma = orZero(gamma);
  out.theta = orZero(thetaPerYear / DAYS_PER_YEAR);
  out.vega = orZero(vegaPerUnit * 0.01);
  return out;
}

/** Upper bound of the volatility search: 1000% covers anything a quoted option implies. */
export const IMPLIED_VOL_MAX = 10;

/**
 * Evaluation of the normalised out-of-the-money price b(x, s) = e^{x/2} N(d1) - e^{-x/2} N(d2),
 * d1 = x/s + s/2, d2 = d1 - s, x <= 0, and its slope db/ds = e^{x/2} n(d1), from one exp: the
 * densities satisfy n(d2) = e^x n(d1). Fields are overwritten by `at` (no allocation per step).
 */
class NormalisedOtm {
  price = 0;
  slope = 0;

  at(x: number, s: number, halfEx: number): this {
    const d1 = x / s + 0.5 * s;
    const d2 = d1 - s;
    const e1 = Math.exp(-0.5 * d1 * d1);
    this.price = halfEx * cdfGivenExp(d1, e1) - cdfGivenExp(d2, e1 * halfEx * halfEx) / halfEx;
    this.slope = halfEx * INV_SQRT_2PI * e1;
    return this;
  }
}

const evaluation = new NormalisedOtm();

const HALF_LN_2PI = 0.9189385332046728;
const SQRT_2PI = 2.5066282746310002;

/**
 * A starting point for s = sigma sqrt(T) given the normalised price `beta` at log-moneyness
 * x <= 0. Far from the money the price is its lower asymptote, ln b ~ -x^2/(2 s^2) + 3 ln s -
 * 2 ln|x| - ln sqrt(2 pi), solved by three fixed-point steps; near the money Corrado-Miller's
 * quadratic approximation (in normalised units: forward e^{x/2}, strike e^{-x/2}).
 */
function initialStdDev(beta: number, x: number, lnBeta: number, inflection: number): number {
  const ax = -x;
  if (ax > 0 && lnBeta < 0) {
    let s = ax / Math.sqrt(-2 * lnBeta);
    const c = lnBeta + 2 * Math.log(ax) + HALF_LN_2PI;
    for (let k = 0; k < 3 && s > 0; k += 1) {
      const z = 2 * (3 * Math.log(s) - c - 0.125 * s * s);
      s = z > 0 ? ax / Math.sqrt(z) : Number.NaN;
    }
    if (s > 0 && s < 0.7 * inflection) return s;
  }
  const f = Math.exp(0.5 * x);
  const k = 1 / f;
  const h = beta - 0.5 * (f - k);
  const disc = h * h - ((f - k) * (f - k)) / Math.PI;
  const s = (SQRT_2PI / (f + k)) * (h + Math.sqrt(disc > 0 ? disc : 0));
  return s > 1e-8 ? s : Math.max(beta * SQRT_2PI, 1e-8);
}

/**
 * Solves b(x, s) = beta for s in (0, sMax]; NaN when even sMax cannot reach beta. Halley steps,
 * each kept inside a shrinking bracket (bisection otherwise). Below the inflection point
 * s = sqrt(2|x|) the price is exponentially small and convex in s, so the steps work on ln b
 * there, where the curve is nearly straight; above it on b itself. Two or three evaluations are
 * typical for a quoted chain (bench/analytics.bench.ts).
 */
function solveStdDev(beta: number, x: number, sMax: number): number {
  const halfEx = Math.exp(0.5 * x);
  const x2 = x * x;
  const inflection = Math.sqrt(-2 * x);
  const lnBeta = Math.log(beta);
  let s = Math.min(initialStdDev(beta, x, lnBeta, inflection), 0.5 * sMax);
  let lo = 0;
  let hi = sMax;
  let capChecked = false;
  for (let i = 0; i < 100; i += 1) {
    const b = evaluation.at(x, s, halfEx).price;
    const slope = evaluation.slope;
    const bend = x2 / (s * s * s) - 0.25 * s; // (d2b/ds2) / (db/ds)
    if (b > beta) hi = s;
    else lo = s;
    let step: number;
    if (s < inflection && b > 0) {
      const g1 = slope / b;
      const newton = (Math.log(b) - lnBeta) / g1;
      step = -newton / (1 - (0.5 * newton * (bend - g1)));
    } else {
      const newton = (b - beta) / slope;
      step = -newton / (1 - 0.5 * newton * bend);
    }
    // Halley converges cubically: a step this small leaves an error of order 1e-24 s behind it.
    if (Math.abs(step) <= 1e-8 * s) return s + step;
    let next = s + step;
    if (!(next > lo && next < hi)) {
      if (hi === sMax && !capChecked) {
        if (evaluation.at(x, sMax, halfEx).price < beta) return Number.NaN;
        capChecked = true;
      }
      next = 0.5 * (lo + hi);
    }
    if (hi - lo <= 1e-15 * hi) return next;
    s = next;
  }
  return s;
}

/**
 * The volatility at which Black-76 reproduces `price`, or NaN when no volatility up to
 * IMPLIED_VOL_MAX does (a price below the discounted intrinsic value, at/above the no-arbitrage
 * ceiling, or one that needs more than 1000%) or the inputs are bad. A price equal to the
 * intrinsic value gives 0.
 *
 * Method: the option is turned into its out-of-the-money twin by put-call parity (same
 * volatility, no intrinsic value to swamp the time value), normalised to b = price / sqrt(F K)
 * at log-moneyness x = -|ln(F/K)|, and solved for s = sigma sqrt(T) by bracketed Halley steps
 * from an asymptotic start (see solveStdDev). Converges for deep ITM/OTM and minutes to expiry to
 * the precision the price itself carries (~1e-8 relative or better). The result depends only on
 * the inputs (no warm start), so recomputing a chain strike by strike or all at once gives
 * identical numbers.
 */
export function impliedVol(price: number, forward: number, strike: number, years: number, rate: number, isCall: boolean): number {
  if (!finite(price) || !regular(forward, strike, years, 0.2, rate) || price < 0) return Number.NaN;
  const df = Math.exp(-rate * years);
  const undiscounted = price / df;
  const otm = undiscounted - (isCall ? Math.max(forward - strike, 0) : Math.max(strike - forward, 0));
  // Rounding noise: of the OTM twin's ceiling min(F, K), or of the price itself when in the money.
  const tolerance = 1e-12 * Math.max(1, Math.min(forward, strike), undiscounted);
  if (otm < -tolerance) return Number.NaN;
  if (otm <= tolerance) return 0;
  const x = -Math.abs(Math.log(forward / strike));
  const beta = otm / Math.sqrt(forward * strike);
  if (!(beta < Math.exp(0.5 * x))) return Number.NaN;
  const sqrtT = Math.sqrt(years);
  const sd = solveStdDev(beta, x, IMPLIED_VOL_MAX * sqrtT);
  return sd / sqrtT;
}
