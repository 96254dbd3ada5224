import { describe, expect, it } from 'vitest';
import { atmAt, daySeries, HistoryDay, smileOn, strikePicture } from './history-model';
import { minute, strikesView, T0 } from './history-test-data';

describe('HistoryDay', () => {
  it('takes a snapshot whole, sorted, and merges later minutes by time', () => {
    const day = new HistoryDay();
    expect(day.apply({ snapshot: true, minutes: [minute(2), minute(0), minute(1)] })).toBe(true);
    expect(day.minutes.map((m) => m.t)).toEqual([T0, T0 + 60_000, T0 + 120_000]);
    day.apply({ minutes: [minute(3)] });
    // A minute recorded again replaces the old one; a back-filled earlier minute slots in order.
    day.apply({ minutes: [minute(1, { straddle: 999 })] });
    expect(day.minutes.map((m) => m.t)).toEqual([T0, T0 + 60_000, T0 + 120_000, T0 + 180_000]);
    expect(day.minutes[1]!.straddle).toBe(999);
    expect(day.apply({ minutes: [] })).toBe(false);
    // A later snapshot (after a back-fill) replaces the day.
    day.apply({ snapshot: true, minutes: [minute(5)] });
    expect(day.minutes.map((m) => m.t)).toEqual([T0 + 300_000]);
  });

  it('inserts an earlier minute between two it falls between', () => {
    const day = new HistoryDay();
    day.apply({ snapshot: true, minutes: [minute(0), minute(4)] });
    day.apply({ minutes: [minute(2)] });
    expect(day.minutes.map((m) => (m.t - T0) / 60_000)).toEqual([0, 2, 4]);
  });
});

describe('daySeries', () => {
  it("computes the straddle's VWAP from the ATM pair's volume in each minute", () => {
    // Straddle 200 on 100 contracts, 199 on 300, then a minute with no volume known: VWAP holds.
    const s = daySeries([minute(0, { straddle_volume: null }), minute(1, { straddle: 200, straddle_volume: 100 }), minute(2, { straddle: 196, straddle_volume: 300 }), minute(3, { straddle_volume: null })]);
    expect(s.t).toEqual([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120, T0 / 1000 + 180]);
    expect(s.vwap[0]).toBeNull(); // no volume yet: a gap, not an average of prices
    expect(s.vwap[1]).toBe(200);
    expect(s.vwap[2]).toBeCloseTo((200 * 100 + 196 * 300) / 400, 10); // 197
    expect(s.vwap[3]).toBeCloseTo(197, 10);
    expect(s.straddle).toEqual([200, 200, 196, 197]);
    expect(s.atmIv[0]).toBeCloseTo(15, 10); // percent
  });

  it('keeps unknown values as gaps and marks back-filled minutes', () => {
    const s = daySeries([minute(0, { pcr: null, atm_iv: null, backfilled: true }), minute(1)]);
    expect(s.pcr[0]).toBeNull();
    expect(s.atmIv[0]).toBeNull();
    expect(s.backfilled).toEqual([true, false]);
  });
});

describe('strikePicture', () => {
  it('shows the strikes around the ATM with OI, OI change, the OTM smile and max pain', () => {
    const p = strikePicture(strikesView(T0), 25_500, 1);
    expect(p.strikes).toEqual([25_400, 25_500, 25_600]);
    expect(p.ceOi).toEqual([200, 300, 400]);
    expect(p.peOi).toEqual([400, 300, 200]);
    expect(p.ceOiChange).toEqual([1, 2, 3]);
    expect(p.peOiChange).toEqual([-1, -2, -3]);
    // Below the ATM the put's IV, at and above it the call's, in percent.
    expect(p.smile[0]).toBeCloseTo(19, 10);
    expect(p.smile[1]).toBeCloseTo(16, 10);
    expect(p.smile[2]).toBeCloseTo(17, 10);
    expect(p.atm).toBe(25_500);
    // Max pain over all five strikes: CE OI 100..500 rising, PE OI 500..100 falling -> 25,500
    // (at 25,500: calls 25,300/25,400 pay 200x100+100x200 = 40,000, puts 25,600/25,700 the same).
    expect(p.maxPain).toBe(25_500);
    expect(p.t).toBe(T0);
  });

  it('centres on the middle strike when the ATM is unknown and has no strikes when nothing is recorded', () => {
    expect(strikePicture(strikesView(T0), null, 0).strikes).toEqual([25_500]);
    const none = strikePicture({ symbol: 'NIFTY', expiry: '2026-12-08', t: null, strikes: {} }, null);
    expect(none.strikes).toEqual([]);
    expect(none.maxPain).toBeNull();
    expect(none.atm).toBeNull();
  });

  it("puts an earlier minute's smile on the strikes shown now", () => {
    const now = strikePicture(strikesView(T0 + 60_000), 25_500, 1);
    const earlier = strikePicture(strikesView(T0, 0.05), 25_600, 1); // 25,500..25,700
    const on = smileOn(now, earlier);
    expect(on[0]).toBeNull(); // 25,400 was not in the earlier picture
    expect(on[1]).toBeCloseTo(23, 10); // 25,500 was below that minute's ATM (25,600): PE 0.18 + 0.05
    expect(on[2]).toBeCloseTo(22, 10); // 25,600, at that ATM: CE 0.17 + 0.05
  });
});

describe('atmAt', () => {
  it('is the ATM recorded at or before the minute, the latest when none is given', () => {
    const minutes = [minute(0, { atm_strike: 25_400 }), minute(1, { atm_strike: null }), minute(2, { atm_strike: 25_600 })];
    expect(atmAt(minutes, T0 + 60_000)).toBe(25_400);
    expect(atmAt(minutes, null)).toBe(25_600);
    expect(atmAt(minutes, T0 - 1)).toBeNull();
  });
});
