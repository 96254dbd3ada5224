import { describe, expect, it } from 'vitest';
import { black76Greeks, black76GreeksInto, black76Price, IMPLIED_VOL_MAX, impliedVol, normCdf, normPdf } from './black76';

/** Reference erfc to ~1e-13: Taylor series of erf near 0, continued fraction in the tail. */
function refErfc(x: number): number {
  if (x < 0) return 2 - refErfc(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n += 1) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-18) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated backwards.
  let f = x;
  for (let n = 300; n >= 1; n -= 1) f = x + n / 2 / f;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
const refCdf = (x: number): number => 0.5 * refErfc(-x / Math.SQRT2);

describe('normal distribution', () => {
  it('matches a high-precision reference to 1e-13 absolute and 1e-7 relative in the tails', () => {
    for (let x = -8; x <= 8; x += 0.01) {
      expect(Math.abs(normCdf(x) - refCdf(x))).toBeLessThan(1e-13);
    }
    for (const x of [-3, -5, -7, -9, -20]) {
      expect(Math.abs(normCdf(x) / refCdf(x) - 1)).toBeLessThan(1e-7);
    }
    expect(normCdf(0)).toBeCloseTo(0.5, 9);
    expect(normCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normPdf(0)).toBeCloseTo(0.3989422804, 10);
    expect(normCdf(-Infinity)).toBe(0);
    expect(normCdf(Infinity)).toBe(1);
  });
});

describe('published examples', () => {
  it("matches Black's futures-option example: F = K = 20, 4 months, r = 9%, sigma = 25%", () => {
    // Hull, "Options, Futures, and Other Derivatives" (5th ed., pp. 287-288), as reproduced in
    // MathWorks' blkprice documentation: call = put = 1.1166.
    expect(black76Price(20, 20, 4 / 12, 0.25, 0.09, true)).toBeCloseTo(1.1166, 4);
    expect(black76Price(20, 20, 4 / 12, 0.25, 0.09, false)).toBeCloseTo(1.1166, 4);
  });

  it("matches Haug's Black-76 example: F = K = 19, 9 months, r = 10%, sigma = 28%", () => {
    // Haug, "The Complete Guide to Option Pricing Formulas" (2nd ed.), Black-76 example: 1.7011.
    expect(black76Price(19, 19, 0.75, 0.28, 0.1, true)).toBeCloseTo(1.7011, 4);
    expect(black76Price(19, 19, 0.75, 0.28, 0.1, false)).toBeCloseTo(1.7011, 4);
  });

  it("matches Hull's Black-Scholes example on spot, priced off the forward S e^{rT}", () => {
    // Hull, OFOD, the Black-Scholes-Merton worked example: S0 = 42, K = 40, r = 10%, sigma = 20%,
    // T = 0.5: c = 4.76, p = 0.81. Black-76 with F = S0 e^{rT} is the same model.
    const F = 42 * Math.exp(0.1 * 0.5);
    expect(black76Price(F, 40, 0.5, 0.2, 0.1, true)).toBeCloseTo(4.76, 2);
    expect(black76Price(F, 40, 0.5, 0.2, 0.1, false)).toBeCloseTo(0.81, 2);
  });

  it("matches Hull's greek-letters example after converting from forward to spot", () => {
    // Hull, OFOD, "The Greek Letters": a bank sold calls with S0 = 49, K = 50, r = 5%, sigma = 20%,
    // T = 20 weeks; BSM value 2.40 per option, delta 0.522, gamma 0.066, vega 12.1 (per unit vol).
    // With F = S e^{rT}: dC/dS = e^{rT} dC/dF and d2C/dS2 = e^{2rT} d2C/dF2; vega is the same.
    const T = 20 / 52;
    const growth = Math.exp(0.05 * T);
    const g = black76Greeks({ forward: 49 * growth, strike: 50, years: T, vol: 0.2, rate: 0.05, isCall: true });
    expect(g.price).toBeCloseTo(2.4, 2);
    expect(g.delta * growth).toBeCloseTo(0.522, 3);
    expect(g.gamma * growth * growth).toBeCloseTo(0.066, 3);
    expect(g.vega * 100).toBeCloseTo(12.1, 1);
  });
});

describe('black76Price', () => {
  it('gives the textbook at-the-money value', () => {
    // F = K = 100, T = 1, sigma = 20%: 100 * (2 N(0.1) - 1) = 7.965567...
    expect(black76Price(100, 100, 1, 0.2, 0, true)).toBeCloseTo(7.965567, 5);
    expect(black76Price(100, 100, 1, 0.2, 0, false)).toBeCloseTo(7.965567, 5);
    expect(black76Price(100, 100, 1, 0.2, 0.05, true)).toBeCloseTo(7.965567 * Math.exp(-0.05), 5);
    // F = 25800, K = 26000, 7 days, 14%, 6.5%: a NIFTY weekly call, checked against the reference CDF.
    const T = 7 / 365;
    const sd = 0.14 * Math.sqrt(T);
    const d1 = (Math.log(25_800 / 26_000) + 0.5 * sd * sd) / sd;
    const expected = Math.exp(-0.065 * T) * (25_800 * refCdf(d1) - 26_000 * refCdf(d1 - sd));
    expect(black76Price(25_800, 26_000, T, 0.14, 0.065, true)).toBeCloseTo(expected, 4);
  });

  it('satisfies put-call parity across strikes, times and rates', () => {
    for (const K of [50, 90, 100, 110, 200]) {
      for (const T of [0.01, 0.25, 2]) {
        for (const r of [0, 0.065]) {
          const c = black76Price(100, K, T, 0.3, r, true);
          const p = black76Price(100, K, T, 0.3, r, false);
          expect(c - p).toBeCloseTo(Math.exp(-r * T) * (100 - K), 5);
        }
      }
    }
  });

  it('increases with volatility and stays between intrinsic and the forward', () => {
    let last = 0;
    for (let vol = 0.05; vol <= 1.5; vol += 0.05) {
      const c = black76Price(100, 120, 0.5, vol, 0.05, true);
      expect(c).toBeGreaterThan(last);
      expect(c).toBeLessThan(100 * Math.exp(-0.025));
      last = c;
    }
  });

  it('falls back to discounted intrinsic, never NaN or Infinity, on degenerate inputs', () => {
    expect(black76Price(110, 100, 0, 0.2, 0.05, true)).toBe(10);
    expect(black76Price(110, 100, -1, 0.2, 0.05, false)).toBe(0);
    expect(black76Price(110, 100, 1, 0, 0.05, true)).toBeCloseTo(10 * Math.exp(-0.05), 12);
    expect(black76Price(90, 100, 1, -0.3, 0, false)).toBe(10);
    expect(black76Price(0, 100, 1, 0.2, 0, true)).toBe(0);
    expect(black76Price(0, 100, 1, 0.2, 0, false)).toBe(100);
    expect(black76Price(-5, 100, 1, 0.2, 0, true)).toBe(0);
    expect(black76Price(100, 0, 1, 0.2, 0, true)).toBe(100);
    expect(black76Price(100, -1, 1, 0.2, 0, false)).toBe(0);
    const bad = [Number.NaN, Infinity, -Infinity, 0, -1, 1e-300, 1e300];
    for (const F of bad) for (const K of bad) for (const T of bad) for (const v of bad) {
      for (const isCall of [true, false]) {
        const g = black76Greeks({ forward: F, strike: K, years: T, vol: v, rate: 0.05, isCall });
        for (const value of [black76Price(F, K, T, v, 0.05, isCall), g.price, g.delta, g.gamma, g.theta, g.vega]) {
          expect(Number.isFinite(value)).toBe(true);
        }
      }
    }
  });
});

describe('black76Greeks', () => {
  const base = { forward: 25_800, strike: 26_000, years: 20 / 365, vol: 0.15, rate: 0.065 };

  it('match finite differences for calls and puts', () => {
    for (const isCall of [true, false]) {
      for (const strike of [24_000, 25_800, 27_500]) {
        const x = { ...base, strike, isCall };
        const g = black76Greeks(x);
        const price = (o: Partial<typeof x>): number => {
          const y = { ...x, ...o };
          return black76Price(y.forward, y.strike, y.years, y.vol, y.rate, y.isCall);
        };
        expect(g.price).toBeCloseTo(price({}), 8);
        const h = 1;
        const fd = (price({ forward: x.forward + h }) - price({ forward: x.forward - h })) / (2 * h);
        expect(g.delta).toBeCloseTo(fd, 4);
        const fdGamma = (price({ forward: x.forward + h }) - 2 * price({}) + price({ forward: x.forward - h })) / (h * h);
        expect(Math.abs(g.gamma - fdGamma)).toBeLessThan(1e-5 + 1e-3 * Math.abs(g.gamma));
        const dv = 1e-4;
        const fdVega = ((price({ vol: x.vol + dv }) - price({ vol: x.vol - dv })) / (2 * dv)) * 0.01;
        expect(g.vega).toBeCloseTo(fdVega, 4);
        // Theta: value change as one day passes, i.e. T shrinks.
        const dt = 1e-5;
        const fdTheta = (-(price({ years: x.years + dt }) - price({ years: x.years - dt })) / (2 * dt)) / 365;
        expect(g.theta).toBeCloseTo(fdTheta, 4);
      }
    }
  });

  it('has the signs a trader expects', () => {
    const call = black76Greeks({ ...base, isCall: true });
    const put = black76Greeks({ ...base, isCall: false });
    expect(call.delta).toBeGreaterThan(0);
    expect(put.delta).toBeLessThan(0);
    expect(call.delta - put.delta).toBeCloseTo(Math.exp(-base.rate * base.years), 9);
    expect(call.gamma).toBeCloseTo(put.gamma, 12);
    expect(call.vega).toBeGreaterThan(0);
    expect(call.theta).toBeLessThan(0);
  });

  it('writes the same numbers into a caller-owned object', () => {
    const out = { price: 0, delta: 0, gamma: 0, theta: 0, vega: 0 };
    for (const isCall of [true, false]) {
      const into = black76GreeksInto(out, base.forward, 25_000, base.years, base.vol, base.rate, isCall);
      expect(into).toBe(out);
      expect({ ...into }).toEqual(black76Greeks({ ...base, strike: 25_000, isCall }));
    }
    expect({ ...black76GreeksInto(out, 110, 100, 0, 0.2, 0.05, true) }).toEqual({ price: 10, delta: 1, gamma: 0, theta: 0, vega: 0 });
  });

  it('reports an expired in-the-money option as delta one and nothing else', () => {
    const g = black76Greeks({ forward: 110, strike: 100, years: 0, vol: 0.2, rate: 0.05, isCall: true });
    expect(g).toEqual({ price: 10, delta: 1, gamma: 0, theta: 0, vega: 0 });
    expect(black76Greeks({ forward: 90, strike: 100, years: 0, vol: 0.2, rate: 0.05, isCall: true }).delta).toBe(0);
  });
});

describe('impliedVol', () => {
  it('recovers the volatility that produced a price, both sides of the money', () => {
    for (const isCall of [true, false]) {
      for (const K of [60, 85, 100, 115, 160]) {
        for (const T of [2 / 365, 0.1, 1]) {
          for (const vol of [0.04, 0.15, 0.6, 2]) {
            const price = black76Price(100, K, T, vol, 0.065, isCall);
            // Skip prices indistinguishable from intrinsic in double precision.
            if (price - black76Price(100, K, T, 1e-9, 0.065, isCall) < 1e-9) continue;
            expect(impliedVol(price, 100, K, T, 0.065, isCall)).toBeCloseTo(vol, 5);
          }
        }
      }
    }
  });

  it('round-trips over moneyness from deep ITM to deep OTM and expiries from 1 hour to 1 year', () => {
    const F = 25_800;
    const HOUR = 1 / (365 * 24);
    let checked = 0;
    for (const years of [HOUR, 4 * HOUR, 1 / 365, 7 / 365, 30 / 365, 0.25, 1]) {
      for (const vol of [0.05, 0.12, 0.3, 0.8, 2]) {
        // Strikes from 6 standard deviations in the money to 6 out, plus fixed ratios far away.
        const sd = vol * Math.sqrt(years);
        const strikes = [-6, -4, -2.5, -1, -0.3, 0, 0.3, 1, 2.5, 4, 6].map((z) => F * Math.exp(z * sd));
        strikes.push(F * 0.5, F * 0.8, F * 1.25, F * 2);
        for (const K of strikes) {
          for (const isCall of [true, false]) {
            const price = black76Price(F, K, years, vol, 0.065, isCall);
            // Time value below ~1e-10 of the forward or of the price is lost to rounding of the price itself.
            const timeValue = price - black76Price(F, K, years, 1e-9, 0.065, isCall);
            if (timeValue < 1e-10 * Math.max(F, price)) continue;
            const iv = impliedVol(price, F, K, years, 0.065, isCall);
            // Deep in the money the price itself carries ~1e-16 x K of rounding: 1e-6 leaves room for it.
            expect(Math.abs(iv / vol - 1), `K=${K} T=${years} vol=${vol} ${isCall ? 'CE' : 'PE'}`).toBeLessThan(1e-6);
            checked += 1;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(600);
  });

  it('solves a NIFTY chain quoted to the tick, minutes before expiry, without giving up', () => {
    // 101 strikes 50 apart, prices rounded to 0.05 with a 0.05 floor: every leg either solves to a
    // finite IV that reprices it within half a tick, or is below intrinsic (the tick rounding).
    const F = 25_812.4;
    for (const years of [10 / (365 * 24 * 60), 1 / (365 * 24), 2 / 365]) {
      for (let i = -50; i <= 50; i += 1) {
        const K = 25_800 + 50 * i;
        for (const isCall of [true, false]) {
          const price = Math.max(Math.round(black76Price(F, K, years, 0.14 + 0.02 * Math.abs(i) / 50, 0.065, isCall) / 0.05) * 0.05, 0.05);
          const iv = impliedVol(price, F, K, years, 0.065, isCall);
          const intrinsic = Math.exp(-0.065 * years) * Math.max(isCall ? F - K : K - F, 0);
          if (Number.isNaN(iv)) {
            expect(price < intrinsic || iv > IMPLIED_VOL_MAX || black76Price(F, K, years, IMPLIED_VOL_MAX, 0.065, isCall) < price).toBe(true);
          } else {
            expect(Number.isFinite(iv)).toBe(true);
            if (iv > 0) expect(Math.abs(black76Price(F, K, years, iv, 0.065, isCall) - price)).toBeLessThan(1e-6);
          }
        }
      }
    }
  });

  it('never answers Infinity, and NaN for zero, negative or missing prices, expired options, zero forwards', () => {
    const bad = [Number.NaN, Infinity, -Infinity, 0, -1, 1e-300, 1e300];
    for (const price of [...bad, 5]) for (const F of [...bad, 100]) for (const K of [...bad, 100]) for (const T of [...bad, 0.5]) {
      for (const isCall of [true, false]) {
        const iv = impliedVol(price, F, K, T, 0.065, isCall);
        expect(iv === Infinity || iv === -Infinity || iv < 0).toBe(false);
      }
    }
    expect(impliedVol(0, 100, 100, 0.5, 0, true)).toBe(0); // zero price of an OTM option: at intrinsic
    expect(impliedVol(-0.05, 100, 100, 0.5, 0, true)).toBeNaN();
    expect(impliedVol(5, 100, 100, 0, 0, true)).toBeNaN(); // expired
    expect(impliedVol(5, 100, 100, -0.1, 0, true)).toBeNaN();
    expect(impliedVol(5, 0, 100, 0.5, 0, true)).toBeNaN(); // zero forward
    expect(impliedVol(5, 100, 0, 0.5, 0, true)).toBeNaN(); // zero strike
    // A price that needs more than 1000% volatility.
    expect(impliedVol(black76Price(100, 200, 1 / 365, 12, 0, true), 100, 200, 1 / 365, 0, true)).toBeNaN();
  });

  it('returns NaN for impossible prices and bad inputs, 0 at intrinsic', () => {
    expect(impliedVol(5, 110, 100, 1, 0, true)).toBeNaN(); // below intrinsic 10
    expect(impliedVol(0.5, 100, 90, 1, 0, false) > 0).toBe(true);
    expect(impliedVol(-1, 100, 100, 1, 0, true)).toBeNaN();
    expect(impliedVol(101, 100, 100, 1, 0, true)).toBeNaN(); // above the forward
    expect(impliedVol(5, 100, 100, 0, 0, true)).toBeNaN();
    expect(impliedVol(Number.NaN, 100, 100, 1, 0, true)).toBeNaN();
    expect(impliedVol(5, 0, 100, 1, 0, true)).toBeNaN();
    expect(impliedVol(10, 110, 100, 1, 0, true)).toBe(0);
  });
});
