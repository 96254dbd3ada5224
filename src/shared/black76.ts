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
  const z = Math.abs(x);
  let tail: number;
  if (z > 37) {
    tail = 0;
  } else {
    const e = Math.exp(-0.5 * z * z);
    if (z < 7.07106781186547) {
      const num = ((((((0.0352624965998911 * z + 0.700383064443688) * z + 6.37396220353165) * z + 33.912866078383) * z
        + 112.079291497871) * z + 221.213596169931) * z + 220.206867912376);
      const den = (((((((0.0883883476483184 * z + 1.75566716318264) * z + 16.064177579207) * z + 86.7807322029461) * z
        + 296.564248779674) * z + 637.333633378831) * z + 793.826512519948) * z + 440.413735824752);
      tail = (e * num) / den;
    } else {
      const cf = z + 1 / (z + 2 / (z + 3 / (z + 4 / (z + 0.65))));
      tail = e / cf / 2.506628274631;
    }
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
  const sd = stdDev(forward, strike, years, vol, rate);
  if (Number.isNaN(sd)) {
    const df = discount(rate, years);
    const value = orZero(df * intrinsic(forward, strike, isCall));
    const delta = value > 0 ? (isCall ? df : -df) : 0;
    // With no volatility left, only discounting moves the value: theta = rV per year.
    const theta = years > 0 && finite(rate) ? (rate * value) / DAYS_PER_YEAR : 0;
    return { price: value, delta: orZero(delta), gamma: 0, theta: orZero(theta), vega: 0 };
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
  return {
    price: orZero(price), delta: orZero(delta), gamma: orZero(gamma),
    theta: orZero(thetaPerYear / DAYS_PER_YEAR), vega: orZero(vegaPerUnit * 0.01),
  };
}

/** Bounds of the volatility search; 1000% covers anything a quoted option implies. */
const VOL_LOW = 1e-9;
const VOL_HIGH = 10;

/**
 * The volatility at which Black-76 reproduces `price`, or NaN when no volatility does (a price
 * below the discounted intrinsic value or at/above the no-arbitrage ceiling) or the inputs are
 * bad. A price equal to the intrinsic value gives 0. Safeguarded Newton inside a bisection bracket,
 * solved on the out-of-the-money side (via put-call parity) where vega carries the information.
 */
export function impliedVol(price: number, forward: number, strike: number, years: number, rate: number, isCall: boolean): number {
  if (!finite(price) || !regular(forward, strike, years, 0.2, rate) || price < 0) return Number.NaN;
  const df = Math.exp(-rate * years);
  const parity = df * (forward - strike);
  // Price the out-of-the-money leg: same volatility, no intrinsic to swamp the time value.
  const otmIsCall = forward <= strike;
  const target = otmIsCall === isCall ? price : isCall ? price - parity : price + parity;
  const ceiling = otmIsCall ? df * forward : df * strike;
  const tolerance = 1e-12 * Math.max(1, ceiling);
  if (target < -tolerance) return Number.NaN;
  if (target <= tolerance) return 0;
  if (target >= ceiling) return Number.NaN;
  let lo = VOL_LOW;
  let hi = VOL_HIGH;
  if (black76Price(forward, strike, years, hi, rate, otmIsCall) < target) return Number.NaN;
  let vol = Math.min(Math.max(Math.sqrt((2 * Math.PI) / years) * (target / (df * forward)), 0.01), 3);
  for (let i = 0; i < 100; i += 1) {
    const g = black76Greeks({ forward, strike, years, vol, rate, isCall: otmIsCall });
    const diff = g.price - target;
    if (Math.abs(diff) <= tolerance) return vol;
    if (diff > 0) hi = vol;
    else lo = vol;
    const vegaPerUnit = g.vega * 100;
    let next = vegaPerUnit > 0 ? vol - diff / vegaPerUnit : Number.NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - vol) < 1e-12 * Math.max(1, vol)) return next;
    vol = next;
  }
  return vol;
}
