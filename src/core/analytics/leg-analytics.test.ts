import { describe, expect, it } from 'vitest';
import { black76Price } from '../../shared/black76';
import { analyseLeg, IV_REASONS, ivReasonOf, solveLegIv, type LegAnalytics } from './leg-analytics';

const F = 25_800;
const T = 7 / 365;
const R = 0.065;
const price = (K: number, vol: number, isCall: boolean): number => black76Price(F, K, T, vol, R, isCall);

function expectFiniteOrNull(a: LegAnalytics): void {
  for (const v of [a.iv, a.delta, a.gamma, a.theta, a.vega]) {
    if (v !== null) expect(Number.isFinite(v), JSON.stringify(a)).toBe(true);
  }
}

describe('analyseLeg', () => {
  it('gives the IV as a fraction with greeks at that IV', () => {
    const a = analyseLeg(price(26_000, 0.14, true), Number.NaN, F, 26_000, T, R, true);
    expect(a.iv).toBeCloseTo(0.14, 9);
    expect(a.ivReason).toBeNull();
    expect(a.greeksFrom).toBe('own');
    expect(a.delta).toBeGreaterThan(0.2);
    expect(a.delta).toBeLessThan(0.5);
    expect(a.gamma).toBeGreaterThan(0);
    expect(a.theta).toBeLessThan(0); // per day
    expect(a.vega).toBeGreaterThan(0); // per vol point
    const put = analyseLeg(price(26_000, 0.14, false), Number.NaN, F, 26_000, T, R, false);
    expect(put.iv).toBeCloseTo(0.14, 9);
    expect((a.delta ?? 0) - (put.delta ?? 0)).toBeCloseTo(Math.exp(-R * T), 9);
  });

  it('shows no IV, with a reason, instead of 0 or NaN', () => {
    const reason = (p: number, f: number, years: number, isCall: boolean, K = 25_000): string | null =>
      analyseLeg(p, Number.NaN, f, K, years, R, isCall).ivReason;
    expect(reason(700, F, T, true)).toBe('below-intrinsic'); // intrinsic 800
    expect(reason(800 * Math.exp(-R * T), F, T, true)).toBe('no-time-value');
    expect(reason(0, F, T, true)).toBe('no-price');
    expect(reason(-5, F, T, true)).toBe('no-price');
    expect(reason(Number.NaN, F, T, true)).toBe('no-price');
    expect(reason(850, 0, T, true)).toBe('no-forward');
    expect(reason(850, Number.NaN, T, true)).toBe('no-forward');
    expect(reason(850, F, 0, true)).toBe('expired');
    expect(reason(850, F, -1, true)).toBe('expired');
    expect(reason(F + 1, F, T, true)).toBe('above-max'); // a call dearer than the forward
    expect(reason(850, F, T, true, 0)).toBe('bad-input');
    for (const r of ['below-intrinsic', 'no-price', 'no-forward', 'expired']) expect(IV_REASONS).toContain(r);
    expect(ivReasonOf(0.2)).toBeNull();
  });

  it("takes the other leg's IV for the greeks when a deep ITM leg trades below intrinsic", () => {
    const K = 24_000;
    const otmPut = price(K, 0.2, false);
    const staleCall = 1_700; // intrinsic ~1,798
    const a = analyseLeg(staleCall, otmPut, F, K, T, R, true);
    expect(a.iv).toBeNull();
    expect(a.ivReason).toBe('below-intrinsic');
    expect(a.greeksFrom).toBe('pair');
    expect(a.delta).toBeGreaterThan(0.9);
    const fair = analyseLeg(price(K, 0.2, true), Number.NaN, F, K, T, R, true);
    expect(a.delta).toBeCloseTo(fair.delta ?? 0, 9);
    // Neither leg usable: no greeks at all.
    const none = analyseLeg(staleCall, 0, F, K, T, R, true);
    expect([none.delta, none.gamma, none.theta, none.vega, none.greeksFrom]).toEqual([null, null, null, null, null]);
  });

  it('never produces NaN or Infinity, whatever the inputs', () => {
    const bad = [Number.NaN, Infinity, -Infinity, 0, -1, 1e-300, 1e300];
    for (const p of [...bad, 150]) for (const f of [...bad, F]) for (const K of [...bad, 25_900]) for (const years of [...bad, T]) {
      for (const isCall of [true, false]) {
        const a = analyseLeg(p, 120, f, K, years, R, isCall);
        expectFiniteOrNull(a);
        expect(a.iv === null).toBe(a.ivReason !== null);
      }
    }
  });

  it('solves allocation-free into a number: the IV, or minus a reason code', () => {
    expect(solveLegIv(price(25_500, 0.3, false), F, 25_500, T, R, false)).toBeCloseTo(0.3, 9);
    const code = solveLegIv(0, F, 25_500, T, R, false);
    expect(code).toBeLessThan(0);
    expect(ivReasonOf(code)).toBe('no-price');
  });
});
