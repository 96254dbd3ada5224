/**
 * How each instrument's fair value follows its driver: spot instruments are the driver, futures
 * carry it to expiry, options are Black-76 off a forward with a volatility smile. Also how often
 * an instrument trades, which depends on how close to the money it is.
 *
 * Policy:
 * - Forward of an NSE/BSE/currency option: the future of the same expiry (else of the same month)
 *   carried back to the option's expiry, so weeklies and monthlies agree with the future; without a
 *   future, spot * e^{carry T}. MCX and NSE commodity options use their MCX future as the forward.
 * - Smile: sigma(K) = atm(T) * (1 + skew * x + curvature * x^2) with x = ln(K/F) / sqrt(max(T, 2 days)),
 *   i.e. log-moneyness in units of root-time, so a weekly shows the skew traders see rather than a
 *   flat line (with raw ln(K/F) a 7-day smile would be ~0.2 vol points wide). The factor is clamped
 *   to [0.5, 3]. atm(T) = vol * (1 + 0.1 e^{-T / 30 days}): a mild, inverted-at-the-front term structure.
 * - Trade rates (ticks/s before aggregate scaling): indices 1; F&O stocks 2-4; other named equities
 *   1; unnamed filler 0.05-0.5; near futures 3, far ones a tenth of that; options 4.5 e^{-0.6 d^2}
 *   (d = |ln(K/F)| / (sigma sqrt T)), scaled by asset class, floored at one per 120 s; expired
 *   contracts never trade.
 */
import { black76Price } from '../shared/black76';
import { FLAG_FNO, L_BASIS, L_CARRY, L_EXPIRY, L_FLAGS, L_FORM, L_IS_CALL, L_JITTER, L_RATE, L_REF_EXPIRY, L_STRIKE } from './market-layout';
import { YEAR_MS, type AssetClass, type Driver, type UnderlyingSpec } from './market-underlyings';

/** How an instrument derives from its driver (stored in the slot's L_FORM). */
export const FORM_SPOT = 0;
export const FORM_FUTURE = 1;
export const FORM_OPTION = 2;
export type Form = typeof FORM_SPOT | typeof FORM_FUTURE | typeof FORM_OPTION;

const DAY_MS = 86_400_000;
const SMILE_T_FLOOR = 2 / 365;
const MIN_OPTION_RATE = 1 / 120;

/** The at-the-money volatility for `years` to expiry. */
export function atmVol(spec: UnderlyingSpec, years: number): number {
  return spec.vol * (1 + 0.1 * Math.exp(-(Math.max(years, 0) * 365) / 30));
}

/** The configured smile: implied volatility at strike K for forward F and `years` to expiry. */
export function smileVol(spec: UnderlyingSpec, forward: number, strike: number, years: number): number {
  const x = Math.log(strike / forward) / Math.sqrt(Math.max(years, SMILE_T_FLOOR));
  const factor = 1 + spec.skew * x + spec.curvature * x * x;
  return atmVol(spec, years) * Math.min(Math.max(factor, 0.5), 3);
}

/**
 * A reusable evaluation: `evaluate` fills the fields for one slot record (f, b) at one instant, so
 * the tick path allocates nothing.
 */
export class Pricer {
  spot = 0;
  forward = 0;
  vol = 0;
  years = 0;
  price = 0;
  /** Options: |ln(K/F)| / (sigma sqrt T); 0 for other instruments. */
  distance = 0;

  /** Evaluates the record at `ms` with the driver's price then (stepping the driver). */
  evaluate(f: Float64Array, b: number, driver: Driver, ms: number): this {
    return this.evaluateAt(f, b, driver, ms, driver.at(ms));
  }

  /** Evaluates the record at `ms` for a given driver price (used for the previous close). */
  evaluateAt(f: Float64Array, b: number, driver: Driver, ms: number, spot: number): this {
    const spec = driver.spec;
    const form = f[b + L_FORM];
    this.spot = spot;
    this.distance = 0;
    if (form === FORM_SPOT) {
      this.forward = spot;
      this.vol = spec.vol;
      this.years = 0;
      this.price = spot;
      return this;
    }
    this.forward = spot * f[b + L_BASIS] * Math.exp((f[b + L_CARRY] * Math.max(f[b + L_REF_EXPIRY] - ms, 0)) / YEAR_MS);
    this.years = Math.max(f[b + L_EXPIRY] - ms, 0) / YEAR_MS;
    if (form === FORM_FUTURE) {
      this.vol = spec.vol;
      this.price = this.forward;
      return this;
    }
    const strike = f[b + L_STRIKE];
    const vol = smileVol(spec, this.forward, strike, this.years);
    this.vol = vol;
    this.price = black76Price(this.forward, strike, this.years, vol, f[b + L_RATE], f[b + L_IS_CALL] === 1);
    const sd = vol * Math.sqrt(this.years);
    this.distance = sd > 0 ? Math.abs(Math.log(strike / this.forward)) / sd : 0;
    return this;
  }
}

const OPTION_CLASS_FACTOR: Readonly<Record<AssetClass, number>> = { index: 1, equity: 0.5, commodity: 0.6, currency: 0.3 };

/** Expected trades per second of the record just evaluated by `pricer` at `ms` (before aggregate scaling). */
export function tradeRate(f: Float64Array, b: number, spec: UnderlyingSpec, pricer: Pricer, ms: number): number {
  const form = f[b + L_FORM];
  const jitter = f[b + L_JITTER];
  if (form === FORM_SPOT) {
    if (spec.assetClass === 'index') return 1;
    if ((f[b + L_FLAGS] & FLAG_FNO) !== 0) return 3 * jitter;
    return spec.known ? jitter : 0.05 + 1.125 * (jitter - 0.8);
  }
  const expiry = f[b + L_EXPIRY];
  if (!(ms < expiry)) return 0;
  const near = expiry - ms < 40 * DAY_MS;
  if (form === FORM_FUTURE) {
    const rate = spec.assetClass === 'currency' ? 1 : spec.known ? 3 : 0.5;
    return rate * (near ? 1 : 0.1) * jitter;
  }
  const d = pricer.distance;
  const rate = 4.5 * Math.exp(-0.6 * d * d) * OPTION_CLASS_FACTOR[spec.assetClass] * (near ? 1 : 0.3) * (spec.known ? 1 : 0.3);
  return Math.max(rate * jitter, MIN_OPTION_RATE);
}
