import { describe, expect, it } from 'vitest';
import { tokenOf } from '../shared/instruments';
import { istEpochMs } from '../shared/market-calendar';
import { IntradayHistory, type BarColumns } from './intraday-history';
import type { SessionMode } from './market-hours';
import { MarketModel, type SimInstrument } from './market-model';

const DAY = '2026-02-10'; // a Tuesday, NSE open
const MONTHLY = '2026-02-24';
const MIN = 60_000;

let nextId = 70_000;
function make(p: Partial<SimInstrument> & Pick<SimInstrument, 'segment' | 'kind' | 'symbol'>): SimInstrument {
  return { securityId: nextId++, tradingSymbol: p.symbol, expiry: null, strike: null, optionType: null, lotSize: 1, tickSize: 0.05, ...p };
}
const NIFTY = make({ segment: 'IDX_I', securityId: 13, kind: 'INDEX', symbol: 'NIFTY' });
const FUT = make({ segment: 'NSE_FNO', kind: 'FUTIDX', symbol: 'NIFTY', expiry: MONTHLY, lotSize: 65, tickSize: 0.1 });
const RELIANCE = make({ segment: 'NSE_EQ', securityId: 2885, kind: 'EQUITY', symbol: 'RELIANCE', tickSize: 0.1 });
const CE = make({ segment: 'NSE_FNO', kind: 'OPTIDX', symbol: 'NIFTY', expiry: MONTHLY, strike: 25_800, optionType: 'CE', lotSize: 65 });
const PE = make({ segment: 'NSE_FNO', kind: 'OPTIDX', symbol: 'NIFTY', expiry: MONTHLY, strike: 25_800, optionType: 'PE', lotSize: 65 });
const QUIET = make({ segment: 'NSE_EQ', kind: 'EQUITY', symbol: 'ZZQUIET' });
const TRADED = [NIFTY, FUT, RELIANCE, CE, PE];

/** A model started at `start` (IST minutes of DAY) with TRADED subscribed, stepped a second at a time to `until`. */
function market(session: SessionMode, seed = 5, start = 600) {
  const model = new MarketModel({ instruments: [...TRADED, QUIET], seed, startMs: istEpochMs(DAY, start), session });
  model.subscribe(TRADED.map(tokenOf));
  const history = new IntradayHistory({ market: model, seed, session });
  const run = (untilMinutes: number): number => {
    const until = istEpochMs(DAY, untilMinutes);
    for (let t = model.now + 1000; t <= until; t += 1000) model.due(t, () => undefined);
    return until;
  };
  return { model, history, run };
}

function checkBars(b: BarColumns, tick: number): void {
  const n = b.timestamp.length;
  for (const col of [b.open, b.high, b.low, b.close, b.volume, b.openInterest]) expect(col).toHaveLength(n);
  for (let i = 0; i < n; i++) {
    if (i > 0) expect(b.timestamp[i]).toBeGreaterThan(b.timestamp[i - 1]!);
    expect(b.low[i]).toBeLessThanOrEqual(Math.min(b.open[i]!, b.close[i]!));
    expect(b.high[i]).toBeGreaterThanOrEqual(Math.max(b.open[i]!, b.close[i]!));
    for (const p of [b.open[i]!, b.high[i]!, b.low[i]!, b.close[i]!]) expect(Math.abs(p / tick - Math.round(p / tick))).toBeLessThan(1e-6);
  }
}

describe('intraday history from the market model', () => {
  it("'clock': one bar a minute from 09:15 to the last trade, closing at the LTP; nothing before the open", () => {
    const { model, history, run } = market('clock', 5, 8 * 60);
    expect(history.bars(NIFTY, 1, 0, run(9 * 60)).timestamp).toEqual([]);
    const now = run(10 * 60 + 30);
    const b = history.bars(NIFTY, 1, 0, now);
    const q = model.quote(tokenOf(NIFTY))!;
    expect(b.timestamp[0]).toBe(istEpochMs(DAY, 9 * 60 + 15));
    expect(b.timestamp.at(-1)).toBe(Math.floor(q.lastTradeMs / MIN) * MIN);
    expect(b.timestamp.every((t, i) => t === b.timestamp[0]! + i * MIN)).toBe(true);
    expect(b.close.at(-1)).toBe(q.ltp);
    checkBars(b, NIFTY.tickSize);
    // The day's first bar opens near the previous close (an overnight gap, not a new level).
    expect(Math.abs(b.open[0]! / q.prevClose - 1)).toBeLessThan(0.03);
  });

  it("'always': the day runs from IST midnight; an instrument that has not traded has no bars", () => {
    const { history, run } = market('always');
    const now = run(10 * 60 + 5);
    const b = history.bars(NIFTY, 1, 0, now);
    expect(b.timestamp[0]).toBe(istEpochMs(DAY, 0));
    expect(history.bars(QUIET, 1, 0, now).timestamp).toEqual([]);
  });

  it('options and futures follow the underlying; volume sums to the day volume, OI ends at the quote', () => {
    const { model, history, run } = market('clock');
    const now = run(10 * 60 + 20);
    const idx = history.bars(NIFTY, 1, 0, now);
    for (const inst of [FUT, CE, PE]) {
      const b = history.bars(inst, 1, 0, now);
      const q = model.quote(tokenOf(inst))!;
      checkBars(b, inst.tickSize);
      expect(b.close.at(-1)).toBe(q.ltp);
      expect(b.volume.reduce((x, y) => x + y, 0)).toBe(q.volume);
      expect(b.volume.every((v) => v % inst.lotSize === 0 || v === b.volume.at(-1))).toBe(true);
      expect(b.openInterest.at(-1)).toBe(q.oi);
      expect(b.openInterest[0]).toBeGreaterThan(0);
      // Minute moves against the index's: a future and a call go with it, a put against it.
      const sign = inst === PE ? -1 : 1;
      let agree = 0;
      let moves = 0;
      for (let i = 1; i < Math.min(b.close.length, idx.close.length) - 1; i++) {
        const di = idx.close[i]! - idx.close[i - 1]!;
        const d = b.close[i]! - b.close[i - 1]!;
        if (Math.abs(di) < 3 || d === 0) continue;
        moves++;
        if (Math.sign(d) === sign * Math.sign(di)) agree++;
      }
      expect(moves).toBeGreaterThan(10);
      expect(agree / moves).toBeGreaterThan(0.9);
    }
  });

  it('minutes already served never change; five-minute bars are the one-minute bars added up', () => {
    const { history, run } = market('clock');
    const first = history.bars(CE, 1, 0, run(10 * 60 + 10));
    const later = history.bars(CE, 1, 0, run(10 * 60 + 40));
    const whole = first.timestamp.length - 1; // the last was unfinished
    expect(later.timestamp.slice(0, whole)).toEqual(first.timestamp.slice(0, whole));
    expect(later.close.slice(0, whole)).toEqual(first.close.slice(0, whole));
    expect(later.volume.slice(0, whole)).toEqual(first.volume.slice(0, whole));
    const now = run(10 * 60 + 41);
    const one = history.bars(CE, 1, 0, now);
    const five = history.bars(CE, 5, istEpochMs(DAY, 9 * 60 + 30), now);
    expect(five.timestamp[0]).toBe(istEpochMs(DAY, 9 * 60 + 30));
    for (let j = 0; j < five.timestamp.length; j++) {
      const inBar = one.timestamp.map((t, i) => [t, i] as const).filter(([t]) => t >= five.timestamp[j]! && t < five.timestamp[j]! + 5 * MIN).map(([, i]) => i);
      expect(five.open[j]).toBe(one.open[inBar[0]!]);
      expect(five.close[j]).toBe(one.close[inBar.at(-1)!]);
      expect(five.high[j]).toBe(Math.max(...inBar.map((i) => one.high[i]!)));
      expect(five.low[j]).toBe(Math.min(...inBar.map((i) => one.low[i]!)));
      expect(five.volume[j]).toBe(inBar.reduce((s, i) => s + one.volume[i]!, 0));
      expect(five.openInterest[j]).toBe(one.openInterest[inBar.at(-1)!]);
    }
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const draw = (seed: number): BarColumns => {
      const { history, run } = market('clock', seed);
      const now = run(10 * 60 + 15);
      history.bars(RELIANCE, 1, 0, now);
      return history.bars(CE, 1, 0, now);
    };
    expect(draw(11)).toEqual(draw(11));
    expect(draw(12).close).not.toEqual(draw(11).close);
  });
});
