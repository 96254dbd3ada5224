import { describe, expect, it } from 'vitest';
import { black76Price } from '../../shared/black76';
import { istEpochMs } from '../../shared/market-calendar';
import { createRandom } from '../../sim/seeded-random';
import { chainAnalyticsFields, legAnalyticsFields } from './analytics-view';
import { ChainAnalytics } from './chain-analytics';
import { expiryInstant } from './expiry-time';

const EXPIRY = expiryInstant('2026-02-24', 'NSE_FNO');
const NOW = istEpochMs('2026-02-10', 600);
const R = 0.065;
const STRIKES = Array.from({ length: 101 }, (_, i) => 23_300 + 50 * i);
const smile = (K: number, F: number): number => 0.14 * (1 - 0.6 * Math.log(K / F) + 8 * Math.log(K / F) ** 2);

/** A 101-strike chain priced at forward F with the smile above; OI and volume made up per strike. */
function loaded(F: number, nowMs = NOW, options = {}): ChainAnalytics {
  const a = new ChainAnalytics(options);
  a.setChain(STRIKES, EXPIRY);
  const T = (EXPIRY - nowMs) / (365 * 86_400_000);
  STRIKES.forEach((K, i) => {
    const vol = smile(K, F);
    a.setLeg(i, true, black76Price(F, K, T, vol, R, true), 1_000 + 10 * i, 900 + 10 * i, 50 * i);
    a.setLeg(i, false, black76Price(F, K, T, vol, R, false), 2_000 - 10 * i, 2_000, 40 * (100 - i));
  });
  a.setUnderlying(F / Math.exp(R * T), Number.NaN);
  return a;
}

/** Everything a view could show, as plain data (NaN never appears: absent numbers are null). */
function snapshot(a: ChainAnalytics): unknown {
  return {
    legs: STRIKES.map((_, i) => [a.leg(i, true), a.leg(i, false)]),
    summary: { ...a.summary },
    forward: a.forward,
  };
}

describe('ChainAnalytics', () => {
  it("recovers each leg's volatility and the forward from prices alone", () => {
    const a = loaded(25_843.5);
    expect(a.update(NOW)).toBe(101);
    expect(a.forward.source).toBe('parity');
    expect(a.forward.forward).toBeCloseTo(25_843.5, 6);
    STRIKES.forEach((K, i) => {
      for (const isCall of [true, false]) {
        const leg = a.leg(i, isCall);
        if (leg.iv === null) continue; // deep ITM legs can sit at intrinsic to double precision
        expect(Math.abs(leg.iv - smile(K, 25_843.5))).toBeLessThan(1e-7);
      }
    });
    const ivs = STRIKES.flatMap((_, i) => [a.leg(i, true).iv, a.leg(i, false).iv]).filter((v) => v !== null);
    expect(ivs.length).toBeGreaterThan(190);
  });

  it('recomputes only the strikes whose prices changed while the forward and time bucket hold', () => {
    const a = loaded(25_843.5);
    a.update(NOW);
    expect(a.update(NOW + 10_000)).toBe(0); // same minute bucket, nothing changed
    const T = (EXPIRY - NOW) / (365 * 86_400_000);
    for (const i of [3, 10, 90]) a.setLeg(i, true, 1.01 * black76Price(25_843.5, STRIKES[i]!, T, smile(STRIKES[i]!, 25_843.5), R, true), 1, 1, 1);
    a.setLeg(20, false, Number.NaN, 7, 7, 7); // a leg losing its price
    a.setLeg(30, false, Number.NaN, 7, 7, 7); // OI only: no new IV needed
    a.setLeg(30, false, black76Price(25_843.5, STRIKES[30]!, T, smile(STRIKES[30]!, 25_843.5), R, false), 9, 9, 9);
    expect(a.update(NOW + 20_000)).toBe(5);
    a.setLeg(50, true, Number.NaN, 5, 5, 5);
    a.setLeg(50, true, black76Price(25_843.5, STRIKES[50]!, T, smile(STRIKES[50]!, 25_843.5), R, true), 5, 5, 5);
    expect(a.update(NOW + 30_000)).toBe(1);
    expect(a.update(NOW + 40_000)).toBe(0);
    expect(a.update(NOW + 61_000)).toBe(101); // next minute bucket: every strike
    a.setUnderlying(25_000, 25_900); // the parity forward does not depend on these: no recompute
    expect(a.update(NOW + 62_000)).toBe(0);
    a.setRate(0.07);
    expect(a.update(NOW + 63_000)).toBe(101);
  });

  it('gives exactly what a full recompute gives after random updates (prices, quotes, untraded legs, bad prices, forward, time, rate)', () => {
    const rnd = createRandom(11, 'analytics-incremental');
    const T0 = (EXPIRY - NOW) / (365 * 86_400_000);
    /** [strike index, isCall, last price, oi, prevOi, volume, bid, ask, traded today] per leg: the truth both instances are fed. */
    const legs: [number, boolean, number, number, number, number, number, number, boolean][] = [];
    STRIKES.forEach((K, i) => {
      for (const isCall of [true, false]) legs.push([i, isCall, black76Price(25_843.5, K, T0, smile(K, 25_843.5), R, isCall), 100, 90, 10, Number.NaN, Number.NaN, true]);
    });
    let spot = 25_700;
    let future = Number.NaN;
    let rate = R;
    let now = NOW;
    const inc = new ChainAnalytics({ rate });
    inc.setChain(STRIKES, EXPIRY);
    for (const leg of legs) inc.setLeg(...leg);
    inc.setUnderlying(spot, future);
    inc.update(now);
    let partial = 0;
    for (let round = 0; round < 80; round += 1) {
      const changes = 1 + Math.floor(rnd.next() * 25);
      for (let c = 0; c < changes; c += 1) {
        const leg = legs[Math.floor(rnd.next() * legs.length)]!;
        const u = rnd.next();
        leg[2] = u < 0.05 ? 0 : u < 0.08 ? -3 : u < 0.1 ? Number.NaN : Math.max(0.05, (leg[2] || 10) * (0.95 + 0.1 * rnd.next()));
        leg[3] = Math.floor(rnd.next() * 10_000);
        leg[5] += Math.floor(rnd.next() * 100);
        // The book: two-sided around the price, one-sided, crossed, or none; some legs untraded.
        const w = rnd.next();
        const p = leg[2] > 0 ? leg[2] : 10;
        [leg[6], leg[7]] = w < 0.4 ? [p * 0.99, p * 1.01] : w < 0.5 ? [p * 0.99, Number.NaN] : w < 0.55 ? [p * 1.01, p * 0.99] : [Number.NaN, Number.NaN];
        leg[8] = rnd.next() < 0.8;
        inc.setLeg(...leg);
      }
      const v = rnd.next();
      if (v < 0.1) spot *= 1 + 0.002 * (rnd.next() - 0.5);
      else if (v < 0.15) future = rnd.next() < 0.5 ? Number.NaN : 25_850;
      else if (v < 0.18) rate = 0.05 + 0.03 * rnd.next();
      now += Math.floor(rnd.next() * 30_000);
      inc.setUnderlying(spot, future);
      inc.setRate(rate);
      if (inc.update(now) < STRIKES.length) partial += 1;
      const full = new ChainAnalytics({ rate });
      full.setChain(STRIKES, EXPIRY);
      for (const leg of legs) full.setLeg(...leg);
      full.setUnderlying(spot, future);
      expect(full.recomputeAll(now)).toBe(STRIKES.length);
      expect(snapshot(inc)).toEqual(snapshot(full));
    }
    expect(partial).toBeGreaterThan(10); // the incremental path was exercised, not only full recomputes
  });

  it('solves IV from the bid/ask mid, else a price traded today, else none: no-trade-today', () => {
    const F = 25_843.5;
    const T = (EXPIRY - NOW) / (365 * 86_400_000);
    const a = loaded(F);
    a.update(NOW);
    const at = STRIKES.indexOf(25_700);
    const K = STRIKES[at]!;
    const fair = black76Price(F, K, T, smile(K, F), R, true);
    const at25 = black76Price(F, K, T, 0.25, R, true);
    // A stale last trade at 25% vol, a book around the smile's price: the mid (fair + 0.25) wins.
    a.setLeg(at, true, at25, 1, 1, 1, fair - 1, fair + 1.5, true);
    expect(a.update(NOW)).toBe(1);
    expect(a.leg(at, true).iv).toBeCloseTo(smile(K, F), 3);
    expect(a.leg(at, true).greeksFrom).toBe('own');
    // One side of the book only: the LTP traded today.
    a.setLeg(at, true, at25, 1, 1, 1, fair - 1, Number.NaN, true);
    expect(a.update(NOW)).toBe(1);
    expect(a.leg(at, true).iv).toBeCloseTo(0.25, 6);
    // A crossed book is no quote either.
    a.setLeg(at, true, at25, 1, 1, 1, fair + 1, fair - 1, true);
    expect(a.update(NOW)).toBe(0);
    // The same price, not traded today (an earlier day's trade or the previous close): no IV, and why.
    a.setLeg(at, true, at25, 1, 1, 1, Number.NaN, Number.NaN, false);
    expect(a.update(NOW)).toBe(1);
    expect(a.leg(at, true)).toMatchObject({ iv: null, ivReason: 'no-trade-today', greeksFrom: 'pair' });
    expect(legAnalyticsFields(a, K, 'CE').iv_reason).toBe('no-trade-today');
    // The put of the strike still has its IV, and lends the call its greeks.
    expect(a.leg(at, false).iv).toBeCloseTo(smile(K, F), 6);
    expect(a.leg(at, true).delta).toBeGreaterThan(0);
    // Untraded but quoted on both sides: the mid gives the IV.
    a.setLeg(at, true, at25, 1, 1, 1, fair - 0.5, fair + 0.5, false);
    expect(a.update(NOW)).toBe(1);
    expect(a.leg(at, true).iv).toBeCloseTo(smile(K, F), 3);
    // No price at all is 'no-price', not 'no-trade-today'.
    a.setLeg(at, true, Number.NaN, 0, 0, 0, Number.NaN, Number.NaN, false);
    expect(a.update(NOW)).toBe(1);
    expect(a.leg(at, true).ivReason).toBe('no-price');
    // The straddle reads only prices traded today: with the ATM call untraded there is none at that strike.
    const atm = a.summary.atmStrike!;
    const i = STRIKES.indexOf(atm);
    const traded = a.summary.straddle!;
    a.setLeg(i, true, black76Price(F, atm, T, smile(atm, F), R, true), 1, 1, 1, Number.NaN, Number.NaN, false);
    a.update(NOW);
    expect(a.summary.atmStrike).not.toBe(atm);
    a.setLeg(i, true, black76Price(F, atm, T, smile(atm, F), R, true), 1, 1, 1, Number.NaN, Number.NaN, true);
    a.update(NOW);
    expect(a.summary.straddle).toBe(traded);
  });

  it('never shows NaN or Infinity: bad prices, no forward, zero time, expired', () => {
    const check = (a: ChainAnalytics): void => {
      const values: unknown[] = [...Object.values(a.summary), ...Object.values(chainAnalyticsFields(a))];
      for (let i = 0; i < a.size; i += 1) {
        values.push(...Object.values(legAnalyticsFields(a, a.strike(i), 'CE')), ...Object.values(legAnalyticsFields(a, a.strike(i), 'PE')));
      }
      for (const v of values) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
    };
    const junk = [0, -1, Number.NaN, Infinity, -Infinity, 1e300, 1e-300];
    const a = new ChainAnalytics();
    a.setChain(STRIKES.slice(0, 7), EXPIRY);
    junk.forEach((p, i) => {
      a.setLeg(i, true, p, junk[(i + 1) % 7]!, junk[(i + 2) % 7]!, junk[(i + 3) % 7]!);
      a.setLeg(i, false, junk[(i + 4) % 7]!, p, p, p);
    });
    a.setUnderlying(0, Number.NaN); // zero forward
    a.update(NOW);
    expect(a.forward.source).toBe('none');
    check(a);
    expect(a.leg(5, true).ivReason).toBe('no-forward');
    const expired = loaded(25_843.5);
    expired.update(EXPIRY);
    expect(expired.summary.years).toBe(0);
    expect(expired.leg(50, true)).toMatchObject({ iv: null, ivReason: 'expired', delta: null });
    check(expired);
    expired.update(EXPIRY + 86_400_000);
    check(expired);
    const zeroRate = loaded(25_843.5, NOW, { rate: 0 });
    zeroRate.update(NOW);
    check(zeroRate);
    expect(() => zeroRate.setRate(Number.NaN)).toThrow(RangeError);
    expect(() => new ChainAnalytics({ rate: Infinity })).toThrow(RangeError);
    expect(() => a.setLeg(99, true, 1, 1, 1, 1)).toThrow(RangeError);
    expect(() => a.setChain([100, 100], EXPIRY)).toThrow(RangeError);
  });

  it('fills the API fields: per-leg iv/greeks and per-chain pcr/max pain', () => {
    const a = loaded(25_843.5);
    a.update(NOW);
    const atm = legAnalyticsFields(a, 25_850, 'CE');
    expect(atm.iv).toBeCloseTo(smile(25_850, 25_843.5), 7);
    expect(atm.delta).toBeGreaterThan(0.45);
    expect(atm.delta).toBeLessThan(0.55);
    expect(legAnalyticsFields(a, 12_345, 'PE')).toMatchObject({ iv: null, iv_reason: 'no-price' });
    const chain = chainAnalyticsFields(a);
    // Put OI 2000 - 10i against call OI 1000 + 10i over i = 0..100.
    expect(chain.pcr).toBeCloseTo(151_500 / 151_500, 12);
    expect(chain.max_pain).not.toBeNull();
    expect(chain.forward_source).toBe('parity');
    expect(chain.atm_strike).toBe(25_850);
    expect(chain.implied_move_fraction).toBeGreaterThan(0.015);
    expect(chain.implied_move_fraction).toBeLessThan(0.03);
    expect(a.oiChange(10, true)).toBe(100);
  });
});
