import { describe, expect, it } from 'vitest';
import { black76Greeks, black76Price, normCdf } from '../../shared/black76';
import { evaluateStrategy } from './strategy';
import type { StrategyEvaluation, StrategyLegModel, StrategyModel } from './strategy-types';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 2, 4, 0);
const NEAR = NOW + 7 * DAY; // 7/365 years away
const FAR = NOW + 35 * DAY; // 35/365 years away
const SPOT = 24_000;
const NEAR_FWD = 24_030;
const FAR_FWD = 24_130;
const R = 0.065;
const ATM_IV = 0.14;
const LOT = 75;

type LegSpec = Partial<StrategyLegModel> & Pick<StrategyLegModel, 'kind' | 'side' | 'price'>;

function leg(spec: LegSpec): StrategyLegModel {
  return { strike: 24_000, expiryMs: NEAR, lots: 1, lotSize: LOT, iv: 0.13, forward: NEAR_FWD, ...spec };
}

function model(legs: StrategyLegModel[], extra: Partial<StrategyModel> = {}): StrategyModel {
  return { legs, spot: SPOT, nowMs: NOW, rate: R, atmIv: ATM_IV, ...extra };
}

/** P(S_T < x), ln S_T ~ N(ln F - s^2/2, s^2), s = ATM_IV sqrt(7/365): written out independently. */
function lognormalBelow(x: number, forward = NEAR_FWD): number {
  const s = ATM_IV * Math.sqrt(7 / 365);
  return normCdf((Math.log(x / forward) + (s * s) / 2) / s);
}

/** The at-expiry P&L at exactly these spots (the curve over a tiny range, one point each). */
function pnlAtExpiry(m: StrategyModel, spot: number): number {
  return evaluateStrategy({ ...m, spotRange: [spot, spot + 1e-6], points: 2 }).payoffExpiry[0][1];
}

/** Cross-checks every evaluation: samples within [maxLoss, maxProfit]; each breakeven a sign change. */
function expectConsistent(m: StrategyModel, e: StrategyEvaluation): void {
  for (const [, pnl] of e.payoffExpiry) {
    if (e.maxProfit !== null) expect(pnl).toBeLessThanOrEqual(e.maxProfit + 1e-6);
    if (e.maxLoss !== null) expect(pnl).toBeGreaterThanOrEqual(e.maxLoss - 1e-6);
  }
  for (const be of e.breakevens) {
    const [[, below], [, at], [, above]] = evaluateStrategy({ ...m, spotRange: [be - 1, be + 1], points: 3 }).payoffExpiry;
    expect(Math.abs(at)).toBeLessThan(1e-3);
    expect(Math.sign(below) * Math.sign(above)).toBe(-1);
  }
}

describe('evaluateStrategy: single expiry, exact figures', () => {
  it('long straddle: debit, two breakevens, loss capped at the debit, profit unlimited, POP from both tails', () => {
    const m = model([leg({ kind: 'CE', side: 'BUY', price: 150 }), leg({ kind: 'PE', side: 'BUY', price: 140 })]);
    const e = evaluateStrategy(m);
    expect(e.netPremium).toBeCloseTo(-21_750, 2); // -(150 + 140) x 75
    expect(e.breakevens).toHaveLength(2);
    expect(e.breakevens[0]).toBeCloseTo(23_710, 6); // 24000 - 290
    expect(e.breakevens[1]).toBeCloseTo(24_290, 6); // 24000 + 290
    expect(e.maxLoss).toBeCloseTo(-21_750, 2); // at S = 24000 both legs expire worthless
    expect(e.maxProfit).toBeNull(); // the call's slope +75 on the right
    expect(e.firstExpiryMs).toBe(NEAR);
    const pop = lognormalBelow(23_710) + (1 - lognormalBelow(24_290));
    expect(e.pop).toBeGreaterThan(0);
    expect(e.pop).toBeLessThan(1);
    expect(e.pop).toBeCloseTo(pop, 12);
    expectConsistent(m, e);
  });

  it('short strangle: credit is the max profit, loss unlimited above, breakevens strike -/+ credit', () => {
    const m = model([
      leg({ kind: 'CE', side: 'SELL', strike: 24_200, price: 80 }),
      leg({ kind: 'PE', side: 'SELL', strike: 23_800, price: 70 }),
    ]);
    const e = evaluateStrategy(m);
    expect(e.netPremium).toBeCloseTo(11_250, 2); // (80 + 70) x 75
    expect(e.maxProfit).toBeCloseTo(11_250, 2); // anywhere in [23800, 24200]
    expect(e.maxLoss).toBeNull(); // the short call: slope -75 on the right
    expect(e.breakevens[0]).toBeCloseTo(23_650, 6); // 23800 - 150
    expect(e.breakevens[1]).toBeCloseTo(24_350, 6); // 24200 + 150
    expect(e.breakevens).toHaveLength(2);
    // Profitable between the breakevens: P(23650 < S < 24350).
    expect(e.pop).toBeCloseTo(lognormalBelow(24_350) - lognormalBelow(23_650), 12);
    expectConsistent(m, e);
  });

  it('bull call spread: debit 6750, max profit (200 - 90) x 75, one breakeven at 24090', () => {
    const m = model([
      leg({ kind: 'CE', side: 'BUY', strike: 24_000, price: 150 }),
      leg({ kind: 'CE', side: 'SELL', strike: 24_200, price: 60 }),
    ]);
    const e = evaluateStrategy(m);
    expect(e.netPremium).toBeCloseTo(-6_750, 2); // -(150 - 60) x 75
    expect(e.maxProfit).toBeCloseTo(8_250, 2); // (200 - 90) x 75 at and above 24200
    expect(e.maxLoss).toBeCloseTo(-6_750, 2); // at and below 24000
    expect(e.breakevens).toHaveLength(1);
    expect(e.breakevens[0]).toBeCloseTo(24_090, 6); // 24000 + 90
    expect(e.pop).toBeCloseTo(1 - lognormalBelow(24_090), 12);
    expectConsistent(m, e);
  });

  it('iron condor: credit 6375 is the max profit, wing width less credit the max loss', () => {
    const m = model([
      leg({ kind: 'PE', side: 'SELL', strike: 23_800, price: 70 }),
      leg({ kind: 'PE', side: 'BUY', strike: 23_600, price: 30 }),
      leg({ kind: 'CE', side: 'SELL', strike: 24_200, price: 80 }),
      leg({ kind: 'CE', side: 'BUY', strike: 24_400, price: 35 }),
    ]);
    const e = evaluateStrategy(m);
    expect(e.netPremium).toBeCloseTo(6_375, 2); // (70 - 30 + 80 - 35) x 75 = 85 x 75
    expect(e.maxProfit).toBeCloseTo(6_375, 2);
    expect(e.maxLoss).toBeCloseTo(-8_625, 2); // -(200 - 85) x 75, below 23600 and above 24400
    expect(e.breakevens).toHaveLength(2);
    expect(e.breakevens[0]).toBeCloseTo(23_715, 6); // 23800 - 85
    expect(e.breakevens[1]).toBeCloseTo(24_285, 6); // 24200 + 85
    expectConsistent(m, e);
  });

  it('ratio call spread: loss unlimited above, max profit at the short strike, two breakevens', () => {
    const m = model([
      leg({ kind: 'CE', side: 'BUY', strike: 24_000, price: 150 }),
      leg({ kind: 'CE', side: 'SELL', strike: 24_200, price: 60, lots: 2 }),
    ]);
    const e = evaluateStrategy(m);
    expect(e.netPremium).toBeCloseTo(-2_250, 2); // (-150 + 2 x 60) x 75 = -30 x 75
    expect(e.maxLoss).toBeNull(); // slope 75 - 150 = -75 above 24200
    expect(e.maxProfit).toBeCloseTo(12_750, 2); // (200 - 30) x 75 at S = 24200
    expect(e.breakevens).toHaveLength(2);
    expect(e.breakevens[0]).toBeCloseTo(24_030, 6); // 24000 + 30
    expect(e.breakevens[1]).toBeCloseTo(24_370, 6); // 24200 + 12750 / 75
    expectConsistent(m, e);
  });

  it('a long future: loss capped at the price (S >= 0), profit unlimited, breakeven at the price', () => {
    const m = model([leg({ kind: 'FUT', side: 'BUY', price: 24_000, strike: Number.NaN, forward: SPOT })]);
    const e = evaluateStrategy(m);
    expect(e.netPremium).toBeCloseTo(-1_800_000, 2); // -24000 x 75
    expect(e.maxProfit).toBeNull();
    expect(e.maxLoss).toBeCloseTo(-1_800_000, 2); // at S = 0
    expect(e.breakevens).toEqual([24_000]);
    expect(e.pop).toBeCloseTo(1 - lognormalBelow(24_000, SPOT), 12); // F1 = this leg's forward
  });

  it('with no time left POP is 1 or 0 from the payoff at the first forward', () => {
    const straddle = [leg({ kind: 'CE', side: 'BUY', price: 150 }), leg({ kind: 'PE', side: 'BUY', price: 140 })];
    // At 24030 the straddle is worth 30 x 75 = 2250 < 21750: a loss.
    expect(evaluateStrategy(model(straddle, { nowMs: NEAR })).pop).toBe(0);
    const short = straddle.map((l) => ({ ...l, side: 'SELL' as const }));
    expect(evaluateStrategy(model(short, { nowMs: NEAR })).pop).toBe(1);
    expect(evaluateStrategy(model(short, { atmIv: Number.NaN })).pop).toBe(1);
  });
});

describe('evaluateStrategy: a calendar, numeric figures', () => {
  const calendar = model([
    leg({ kind: 'CE', side: 'SELL', price: 150, iv: 0.13, expiryMs: NEAR, forward: NEAR_FWD }),
    leg({ kind: 'CE', side: 'BUY', price: 380, iv: 0.14, expiryMs: FAR, forward: FAR_FWD }),
  ]);

  /** The far call at the near expiry: 28 days left, forward S x (24130/24000)^(28/35) (its carry kept). */
  const farCall = (s: number): number => black76Price(s * (FAR_FWD / SPOT) ** (28 / 35), 24_000, 28 / 365, 0.14, R, true);

  it('peaks at the strike, loses the debit at most, and breaks even once on each side', () => {
    const e = evaluateStrategy(calendar);
    expect(e.netPremium).toBeCloseTo(-17_250, 2); // -(380 - 150) x 75
    expect(e.firstExpiryMs).toBe(NEAR);
    // At S = 24000 the near call expires worthless: far call value less the debit.
    const peak = farCall(24_000) * LOT - 17_250;
    expect(peak).toBeGreaterThan(0);
    expect(e.maxProfit).toBeCloseTo(peak, 2);
    // At S = 0 both calls are worth nothing: the debit is lost (the far right loses less).
    expect(e.maxLoss).toBeCloseTo(-17_250, 2);
    expect(e.breakevens).toHaveLength(2);
    const [lo, hi] = e.breakevens;
    expect(lo).toBeLessThan(24_000);
    expect(hi).toBeGreaterThan(24_000);
    expect(farCall(lo) * LOT - 17_250).toBeCloseTo(0, 4);
    expect((farCall(hi) - (hi - 24_000)) * LOT - 17_250).toBeCloseTo(0, 4);
    expect(e.pop).toBeCloseTo(lognormalBelow(hi) - lognormalBelow(lo), 6);
    expect(pnlAtExpiry(calendar, 24_100)).toBeCloseTo((farCall(24_100) - 100) * LOT - 17_250, 6);
    expectConsistent(calendar, e);
  });

  it("at the first expiry's instant the at-date curve is the at-expiry curve (each forward's carry runs off)", () => {
    const e = evaluateStrategy({ ...calendar, atDateMs: NEAR });
    e.payoffAtDate.forEach(([s, pnl], j) => {
      expect(s).toBe(e.payoffExpiry[j][0]);
      expect(pnl).toBeCloseTo(e.payoffExpiry[j][1], 6);
    });
    // One millisecond earlier the curve is within a rupee of it, not a carry's jump away.
    const before = evaluateStrategy({ ...calendar, atDateMs: NEAR - 1 });
    before.payoffAtDate.forEach(([, pnl], j) => expect(Math.abs(pnl - e.payoffExpiry[j][1])).toBeLessThan(1));
  });

  it('a calendar with an extra short near call has unlimited loss', () => {
    const m = model([...calendar.legs, leg({ kind: 'CE', side: 'SELL', strike: 24_200, price: 60 })]);
    const e = evaluateStrategy(m);
    expect(e.maxLoss).toBeNull();
    expect(e.maxProfit).not.toBeNull();
    expectConsistent(m, e);
  });
});

describe('evaluateStrategy: greeks', () => {
  it('a long call: Black-76 greeks on its forward, delta and gamma rescaled to the spot', () => {
    const e = evaluateStrategy(model([leg({ kind: 'CE', side: 'BUY', price: 150, iv: 0.13 })]));
    const g = black76Greeks({ forward: NEAR_FWD, strike: 24_000, years: 7 / 365, vol: 0.13, rate: R, isCall: true });
    const ratio = NEAR_FWD / SPOT; // dF/dS
    expect(e.greeks.delta).toBeCloseTo(g.delta * ratio * LOT, 9);
    expect(e.greeks.gamma).toBeCloseTo(g.gamma * ratio * ratio * LOT, 12);
    expect(e.greeks.theta).toBeCloseTo(g.theta * LOT, 9);
    expect(e.greeks.vega).toBeCloseTo(g.vega * LOT, 9);
    expect(e.greeks.delta).toBeGreaterThan(0);
    expect(e.greeks.theta).toBeLessThan(0);
    expect(e.greeks.vega).toBeGreaterThan(0);
  });

  it('a shifted IV values the greeks at IV + shift; an unknown IV uses the ATM IV', () => {
    const shifted = evaluateStrategy(model([leg({ kind: 'PE', side: 'SELL', price: 140, iv: 0.13 })], { ivShift: 0.02 }));
    const unknown = evaluateStrategy(model([leg({ kind: 'PE', side: 'SELL', price: 140, iv: Number.NaN })], { atmIv: 0.15 }));
    const g = black76Greeks({ forward: NEAR_FWD, strike: 24_000, years: 7 / 365, vol: 0.15, rate: R, isCall: false });
    for (const e of [shifted, unknown]) {
      expect(e.greeks.delta).toBeCloseTo(-g.delta * (NEAR_FWD / SPOT) * LOT, 9); // a short put: positive
      expect(e.greeks.vega).toBeCloseTo(-g.vega * LOT, 9);
    }
    expect(shifted.greeks.delta).toBeGreaterThan(0);
  });

  it('a long future: delta is its quantity (forward = spot), no other greek', () => {
    const e = evaluateStrategy(model([leg({ kind: 'FUT', side: 'BUY', price: 24_000, lots: 2, forward: SPOT })]));
    expect(e.greeks).toEqual({ delta: 150, gamma: 0, theta: 0, vega: 0 });
  });
});

describe('evaluateStrategy: curves', () => {
  const straddle = model([leg({ kind: 'CE', side: 'BUY', price: 150 }), leg({ kind: 'PE', side: 'BUY', price: 140 })]);

  it('gives the points asked for, evenly over the expected move by default (4 sd at the ATM IV), widened to far strikes', () => {
    const e = evaluateStrategy(straddle);
    const h = 4 * ATM_IV * Math.sqrt(7 / 365); // ~7.8%: a weekly's curve shows its strikes, not a spike
    expect(e.payoffExpiry).toHaveLength(201);
    expect(e.payoffAtDate).toHaveLength(201);
    expect(e.payoffExpiry[0][0]).toBeCloseTo(SPOT * Math.exp(-h), 6);
    expect(e.payoffExpiry[200][0]).toBeCloseTo(SPOT * Math.exp(h), 6);
    expect(e.payoffExpiry[200][0] - e.payoffExpiry[0][0]).toBeLessThan(0.2 * SPOT);
    const noIv = evaluateStrategy({ ...straddle, atmIv: Number.NaN });
    expect(noIv.payoffExpiry[0][0]).toBeCloseTo(SPOT * Math.exp(-0.2), 6);
    const far = evaluateStrategy({ ...straddle, atmIv: 3 }); // held at 50%
    expect(far.payoffExpiry[200][0]).toBeCloseTo(SPOT * Math.exp(0.5), 6);
    const wide = evaluateStrategy(model([leg({ kind: 'CE', side: 'BUY', strike: 30_000, price: 1 })], { points: 11 }));
    expect(wide.payoffExpiry).toHaveLength(11);
    expect(wide.payoffExpiry[10][0]).toBeCloseTo(30_601.02, 9); // the breakeven 30000 + 1, x 1.02
    const given = evaluateStrategy({ ...straddle, spotRange: [23_000, 25_000], points: 5 });
    expect(given.payoffExpiry.map(([s]) => s)).toEqual([23_000, 23_500, 24_000, 24_500, 25_000]);
    expect(given.payoffExpiry[2][1]).toBeCloseTo(-21_750, 2);
  });

  it('today: each leg by Black-76 at its IV; the at-date curve at the expiry instant is the at-expiry curve', () => {
    const now = evaluateStrategy({ ...straddle, spotRange: [SPOT, SPOT + 1], points: 2 });
    const today = black76Price(NEAR_FWD, 24_000, 7 / 365, 0.13, R, true) + black76Price(NEAR_FWD, 24_000, 7 / 365, 0.13, R, false);
    expect(now.payoffAtDate[0][1]).toBeCloseTo(today * LOT - 21_750, 6);
    for (const atDateMs of [NEAR, NEAR + 5 * DAY]) { // a later date is clamped to the first expiry
      const e = evaluateStrategy({ ...straddle, atDateMs, ivShift: 0.05 });
      e.payoffAtDate.forEach(([, pnl], j) => expect(pnl).toBeCloseTo(e.payoffExpiry[j][1], 9));
    }
  });

  it('a higher IV raises a long straddle today: never lower, and by its vega at the money', () => {
    const base = evaluateStrategy(straddle);
    const up = evaluateStrategy({ ...straddle, ivShift: 0.02 });
    // 20% from the strike a 7-day option has no time value left at either IV: equal there.
    up.payoffAtDate.forEach(([, pnl], j) => expect(pnl).toBeGreaterThanOrEqual(base.payoffAtDate[j][1] - 1e-6));
    const [atm, atmUp] = [base.payoffAtDate[100], up.payoffAtDate[100]]; // S = 24000
    expect(atmUp[1] - atm[1]).toBeGreaterThan(1.5 * base.greeks.vega); // ~2 points of vega
    expect(atmUp[1] - atm[1]).toBeLessThan(2.5 * base.greeks.vega);
    const down = evaluateStrategy({ ...straddle, ivShift: -1 }); // floored at 0.1%, not an error
    expect(down.payoffAtDate.every(([, pnl]) => Number.isFinite(pnl))).toBe(true);
  });
});

describe('evaluateStrategy: bad input', () => {
  const call = leg({ kind: 'CE', side: 'BUY', price: 150 });
  const cases: [string, StrategyModel, RegExp][] = [
    ['no legs', model([]), /at least one leg/],
    ['21 legs', model(Array.from({ length: 21 }, () => call)), /at most 20 legs \(got 21\)/],
    ['lots 0', model([{ ...call, lots: 0 }]), /leg 1: lots/],
    ['lots NaN', model([call, { ...call, lots: Number.NaN }]), /leg 2: lots/],
    ['lotSize 0', model([{ ...call, lotSize: 0 }]), /lotSize/],
    ['price < 0', model([{ ...call, price: -1 }]), /price/],
    ['price Infinity', model([{ ...call, price: Infinity }]), /price/],
    ['spot NaN', model([call], { spot: Number.NaN }), /spot/],
    ['forward 0', model([{ ...call, forward: 0 }]), /forward/],
    ['strike 0', model([{ ...call, strike: 0 }]), /strike/],
    ['points 1', model([call], { points: 1 }), /points/],
    ['spotRange reversed', model([call], { spotRange: [25_000, 23_000] }), /spotRange/],
  ];
  it.each(cases)('%s throws a RangeError naming it', (_name, m, message) => {
    expect(() => evaluateStrategy(m)).toThrow(RangeError);
    expect(() => evaluateStrategy(m)).toThrow(message);
  });
});
