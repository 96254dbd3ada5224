/**
 * How each instrument's fair value follows its driver: spot instruments are the driver, futures
 * carry it to expiry, options are Black-76 off a forward with a volatility smile. Also how often
 * an instrument trades, which depends on how close to the money it is.
 *
 * Policy:
 * - Forward of an NSE/BSE/currency option: the future of the same expiry (else of the same month)
 *   carried back to the option's expiry, so weeklies and monthlies agree with the future; without a
 *   future, spot * e^{carry T}. MCX and NSE commodity options use their MCX future as the forward.
 * - Smile: SSVI (Gatheral and Jacquier, "Arbitrage-free SVI volatility surfaces", 2014) in total
 *   variance w(k) = sigma^2 T at log-moneyness k = ln(K/F):
 *     w(k) = theta/2 * (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)),  theta = atm(T)^2 T,
 *   with phi = smileSlope / (atm(T) sqrt(max(T, 2 days))): strikes are measured in at-the-money
 *   standard deviations, so a weekly shows the skew traders see rather than a flat line. Their
 *   Theorem 4.2: a slice is free of butterfly arbitrage (Black prices convex and monotone in
 *   strike, a non-negative density) when theta phi (1 + |rho|) < 4 and theta phi^2 (1 + |rho|) <= 4;
 *   phi is capped at 95% of both limits, so this holds for every expiry whatever the spec says.
 *   The wings grow linearly in |k| with slope theta phi (1 +- rho) / 2 < 2 (Lee's moment bound):
 *   a far strike's IV grows like sqrt|k|, never by a clamp, so far-OTM prices never invert. The
 *   model replaced a quadratic-in-moneyness factor clamped to [0.5, 3], whose rise into the clamp
 *   made puts fall with strike on the far wing (issue 15).
 * - atm(T) = vol * (1 + 0.1 e^{-T / 30 days}): a mild, inverted-at-the-front term structure.
 * - Bounds: the pricer also gives each option's no-arbitrage bounds (discounted intrinsic value
 *   below, DF*F for a call and DF*K for a put above), which the quote's tick rounding respects.
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
/** Fraction of the SSVI no-arbitrage limits phi may use. */
const SSVI_MARGIN = 0.95;
const MIN_OPTION_RATE = 1 / 120;

/** The at-the-money volatility for `years` to expiry. */
export function atmVol(spec: UnderlyingSpec, years: number): number {
  return spec.vol * (1 + 0.1 * Math.exp(-(Math.max(years, 0) * 365) / 30));
}

/**
 * SSVI's phi for a slice with total ATM variance `theta` (see the policy above): the spec's width
 * in ATM standard deviations, capped by both no-butterfly conditions of Gatheral-Jacquier 4.2.
 */
export function ssviPhi(spec: UnderlyingSpec, atm: number, theta: number, years: number): number {
  const wanted = spec.smileSlope / (atm * Math.sqrt(Math.max(years, SMILE_T_FLOOR)));
  const room = (4 * SSVI_MARGIN) / (theta * (1 + Math.abs(spec.rho)));
  return Math.min(wanted, room, Math.sqrt(room));
}

/** The configured smile: implied volatility at strike K for forward F and `years` to expiry. */
export function smileVol(spec: UnderlyingSpec, forward: number, strike: number, years: number): number {
  const atm = atmVol(spec, years);
  if (!(years > 0 && forward > 0 && strike > 0)) return atm;
  const theta = atm * atm * years;
  const rho = spec.rho;
  const y = ssviPhi(spec, atm, theta, years) * Math.log(strike / forward);
  const w = 0.5 * theta * (1 + rho * y + Math.sqrt((y + rho) * (y + rho) + 1 - rho * rho));
  return Math.sqrt(w / years);
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
  /** No-arbitrage bounds of the price: options' discounted intrinsic value and DF*F or DF*K; 0 and Infinity otherwise. */
  lower = 0;
  upper = Infinity;

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
    this.lower = 0;
    this.upper = Infinity;
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
    const rate = f[b + L_RATE];
    const isCall = f[b + L_IS_CALL] === 1;
    this.price = black76Price(this.forward, strike, this.years, vol, rate, isCall);
    const df = this.years > 0 ? Math.exp(-rate * this.years) : 1;
    this.lower = df * Math.max(isCall ? this.forward - strike : strike - this.forward, 0);
    this.upper = df * (isCall ? this.forward : strike);
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
