import { describe, expect, it } from 'vitest';
import { black76Price } from '../../shared/black76';
import { estimateForward, type ForwardInputs } from './forward';

const STRIKES = [25_600, 25_700, 25_800, 25_900, 26_000];
const T = 14 / 365;
const R = 0.065;

function chain(F: number): ForwardInputs {
  return {
    strikes: STRIKES,
    count: STRIKES.length,
    callPrices: STRIKES.map((k) => black76Price(F, k, T, 0.15, R, true)),
    putPrices: STRIKES.map((k) => black76Price(F, k, T, 0.15, R, false)),
    future: Number.NaN,
    spot: Number.NaN,
    years: T,
    rate: R,
  };
}

describe('estimateForward', () => {
  it('reads the forward off put-call parity at the strike where C - P is smallest', () => {
    const e = estimateForward(chain(25_843.7));
    expect(e.source).toBe('parity');
    expect(STRIKES[e.pairIndex]).toBe(25_800);
    expect(e.forward).toBeCloseTo(25_843.7, 8);
    // With the future known, parity still wins (it is the option market's own forward).
    expect(estimateForward({ ...chain(25_843.7), future: 25_900 }).forward).toBeCloseTo(25_843.7, 8);
  });

  it('skips strikes with a missing leg', () => {
    const input = chain(25_843.7);
    (input.putPrices as number[])[2] = Number.NaN;
    const e = estimateForward(input);
    expect(e.source).toBe('parity');
    expect(STRIKES[e.pairIndex]).not.toBe(25_800);
    expect(e.forward).toBeCloseTo(25_843.7, 8);
  });

  it('is not fooled by one bad print, at the pair or far from the money', () => {
    const input = chain(25_843.7);
    const calls = input.callPrices as number[];
    calls[2] += 40; // the pair's call trades 40 too dear: its neighbours outvote it
    expect(estimateForward({ ...input, spot: 25_700 }).forward).toBeCloseTo(25_843.7, 6);
    const wide = Array.from({ length: 51 }, (_, i) => 25_000 + 100 * i);
    const far: ForwardInputs = {
      ...input, strikes: wide, count: wide.length,
      callPrices: wide.map((k) => (k === 30_000 ? 0.05 : black76Price(25_843.7, k, T, 0.15, R, true))),
      putPrices: wide.map((k) => (k === 30_000 ? 0.05 : black76Price(25_843.7, k, T, 0.15, R, false))),
    };
    // The 30,000 strike printed 0.05 on both legs: C - P = 0 there, but it is far from the money.
    expect(estimateForward({ ...far, spot: 25_700 }).forward).toBeCloseTo(25_843.7, 6);
  });

  it('falls back to the future, then to spot carried at the rate, then to none', () => {
    const none = { ...chain(25_843.7), callPrices: STRIKES.map(() => Number.NaN) };
    expect(estimateForward({ ...none, future: 25_910, spot: 25_800 })).toEqual({ forward: 25_910, source: 'future', pairIndex: -1 });
    const spot = estimateForward({ ...none, spot: 25_800 });
    expect(spot.source).toBe('spot');
    expect(spot.forward).toBeCloseTo(25_800 * Math.exp(R * T), 9);
    expect(estimateForward({ ...none, future: 0, spot: -1 })).toEqual({ forward: Number.NaN, source: 'none', pairIndex: -1 });
  });

  it('distrusts a parity forward far from the future (stale legs), not one close to it', () => {
    const shifted = (by: number): ForwardInputs => {
      const input = chain(25_843.7);
      return { ...input, callPrices: (input.callPrices as number[]).map((c) => c + by), future: 25_850 };
    };
    const near = estimateForward(shifted(100));
    expect(near.source).toBe('parity');
    expect(near.forward).toBeCloseTo(25_843.7 + 100 * Math.exp(R * T), 6);
    // Calls 2,000 too dear put the parity forward ~7.7% above the future: rejected.
    expect(estimateForward(shifted(2_000))).toEqual({ forward: 25_850, source: 'future', pairIndex: -1 });
    expect(estimateForward({ ...shifted(2_000), parityBand: 0.1 }).source).toBe('parity');
  });
});
