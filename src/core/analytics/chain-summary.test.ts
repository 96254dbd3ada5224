import { describe, expect, it } from 'vitest';
import { createRandom } from '../../sim/seeded-random';
import { maxPainIndex, summariseChain, type SummaryInputs } from './chain-summary';

const NaN_ = Number.NaN;

/** Four strikes worked by hand (see each expectation). */
const SMALL: SummaryInputs = {
  strikes: [100, 110, 120, 130],
  count: 4,
  callLtp: [13, 6, 2, 0.5],
  putLtp: [1, 4, 10, NaN_],
  callOi: [10, 20, 30, 5],
  putOi: [40, 25, 10, 0],
  callPrevOi: [8, 20, 0, 10],
  putPrevOi: [40, 20, 5, 0],
  callVolume: [100, 200, 300, 50],
  putVolume: [400, 100, 50, 0],
  forward: 112,
  years: 0.02,
};

describe('summariseChain', () => {
  it('computes PCR, max pain, OI totals and changes, and the ATM straddle of a hand-worked chain', () => {
    const s = summariseChain(SMALL);
    // OI: calls 10+20+30+5 = 65, puts 40+25+10+0 = 75.
    expect([s.callOi, s.putOi]).toEqual([65, 75]);
    expect(s.pcrOi).toBeCloseTo(75 / 65, 12);
    expect(s.pcrVolume).toBeCloseTo(550 / 650, 12);
    // Holders' value at expiry: at 100: puts 25*10 + 10*20 = 450; at 110: calls 10*10 + puts 10*10 = 200;
    // at 120: calls 10*20 + 20*10 = 400; at 130: calls 300 + 400 + 300 = 1000. Minimum at 110.
    expect(s.maxPain).toBe(110);
    // Calls: +2, 0, (unknown previous), -5 = -3; puts: 0, +5, +5, (unknown) = +10.
    expect([s.callOiChange, s.putOiChange, s.oiChange]).toEqual([-3, 10, 7]);
    // Nearest strike to 112 with both legs priced: 110; straddle 6 + 4.
    expect([s.atmStrike, s.straddle, s.impliedMove]).toEqual([110, 10, 10]);
    expect(s.impliedMoveFraction).toBeCloseTo(10 / 112, 12);
    expect(s.forward).toBe(112);
  });

  it('says null rather than dividing by zero or inventing numbers', () => {
    const zeros = [0, 0, 0, 0];
    const s = summariseChain({
      ...SMALL, callOi: zeros, putOi: zeros, callVolume: zeros, callPrevOi: zeros, putPrevOi: zeros, forward: NaN_,
    });
    expect([s.pcrOi, s.pcrVolume, s.maxPain, s.oiChange, s.atmStrike, s.straddle, s.impliedMoveFraction, s.forward])
      .toEqual([null, null, null, null, null, null, null, null]);
    expect(s.putVolume).toBe(550);
    const junk = [NaN_, -5, Infinity, NaN_];
    const t = summariseChain({ ...SMALL, callOi: junk, putOi: junk, callVolume: junk, putVolume: junk });
    expect([t.callOi, t.putOi, t.pcrOi, t.maxPain]).toEqual([0, 0, null, null]);
  });
});

describe('maxPainIndex', () => {
  const brute = (strikes: number[], c: number[], p: number[]): number => {
    let best = -1;
    let bestPain = Infinity;
    for (let j = 0; j < strikes.length; j += 1) {
      let pain = 0;
      for (let i = 0; i < strikes.length; i += 1) {
        pain += c[i]! * Math.max(strikes[j]! - strikes[i]!, 0) + p[i]! * Math.max(strikes[i]! - strikes[j]!, 0);
      }
      if (pain < bestPain) {
        bestPain = pain;
        best = j;
      }
    }
    return best;
  };

  it('agrees with the O(n^2) definition on random chains, ties to the lower strike', () => {
    const rnd = createRandom(3, 'max-pain');
    for (let round = 0; round < 200; round += 1) {
      const n = 1 + Math.floor(rnd.next() * 40);
      const strikes = Array.from({ length: n }, (_, i) => 1_000 + 25 * i);
      const c = strikes.map(() => Math.floor(rnd.next() * 1_000) * 65);
      const p = strikes.map(() => Math.floor(rnd.next() * 1_000) * 65);
      expect(maxPainIndex(strikes, n, c, p)).toBe(brute(strikes, c, p));
    }
    // Symmetric: 100 and 110 pay the same (10 either way): the lower strike.
    expect(maxPainIndex([100, 110], 2, [1, 0], [0, 1])).toBe(0);
    expect(maxPainIndex([100, 110, 120], 3, [0, 0, 0], [0, 0, 0])).toBe(-1);
  });
});
