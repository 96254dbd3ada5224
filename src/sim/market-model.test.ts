import { describe, expect, it } from 'vitest';
import { impliedVol } from '../shared/black76';
import { tokenOf } from '../shared/instruments';
import { istEpochMs } from '../shared/market-calendar';
import { MarketModel, type QuoteState, type SimInstrument } from './market-model';

/** 2026-02-10 (a Tuesday) 10:00 IST. */
const START = istEpochMs('2026-02-10', 600);
const MONTHLY = '2026-02-24';

let nextId = 40_000;
function make(p: Partial<SimInstrument> & Pick<SimInstrument, 'segment' | 'kind' | 'symbol'>): SimInstrument {
  return { securityId: nextId++, tradingSymbol: p.symbol, expiry: null, strike: null, optionType: null, lotSize: 1, tickSize: 0.05, ...p };
}

const NIFTY = make({ segment: 'IDX_I', securityId: 13, kind: 'INDEX', symbol: 'NIFTY' });
const NIFTY_FUT = make({ segment: 'NSE_FNO', kind: 'FUTIDX', symbol: 'NIFTY', expiry: MONTHLY, lotSize: 65, tickSize: 0.1 });
const RELIANCE = make({ segment: 'NSE_EQ', securityId: 2885, kind: 'EQUITY', symbol: 'RELIANCE', tickSize: 0.1 });
const RELIANCE_BSE = make({ segment: 'BSE_EQ', securityId: 500325, kind: 'EQUITY', symbol: 'RELIANCE' });
const MYSTERY = make({ segment: 'NSE_EQ', kind: 'EQUITY', symbol: 'ZZMYSTERY' });
const CRUDE_FUT = make({ segment: 'MCX_COMM', kind: 'FUTCOM', symbol: 'CRUDEOIL', expiry: '2026-02-19', tickSize: 1 });
const CRUDE_CE = make({ segment: 'MCX_COMM', kind: 'OPTFUT', symbol: 'CRUDEOIL', expiry: '2026-02-17', strike: 5600, optionType: 'CE', tickSize: 0.1 });

/** NIFTY monthly options from 15,000 to 39,950 every 50: 500 strikes, 1,000 contracts. */
const CHAIN: { strike: number; ce: SimInstrument; pe: SimInstrument }[] = [];
for (let k = 15_000; k < 40_000; k += 50) {
  const leg = (optionType: 'CE' | 'PE'): SimInstrument =>
    make({ segment: 'NSE_FNO', kind: 'OPTIDX', symbol: 'NIFTY', expiry: MONTHLY, strike: k, optionType, lotSize: 65 });
  CHAIN.push({ strike: k, ce: leg('CE'), pe: leg('PE') });
}
const OPTIONS = CHAIN.flatMap((s) => [s.ce, s.pe]);
const INSTRUMENTS = [NIFTY, NIFTY_FUT, RELIANCE, RELIANCE_BSE, MYSTERY, CRUDE_FUT, CRUDE_CE, ...OPTIONS];
const tok = (i: SimInstrument): string => tokenOf(i);
const leg = (strike: number, side: 'ce' | 'pe'): SimInstrument => {
  const s = CHAIN.find((c) => c.strike === strike);
  if (!s) throw new Error(`no strike ${strike}`);
  return s[side];
};

const model = (seed = 7, startMs = START): MarketModel => new MarketModel({ instruments: INSTRUMENTS, seed, startMs });
const isTickMultiple = (price: number, tick: number): boolean => Math.abs(price / tick - Math.round(price / tick)) < 1e-6;

/** Runs `due` in `stepMs` steps for `ms`, collecting what traded. */
function run(m: MarketModel, ms: number, stepMs: number, onTrade?: (index: number) => void): number {
  let total = 0;
  const end = m.now + ms;
  for (let t = m.now + stepMs; t <= end + 1e-9; t += stepMs) total += m.due(t, onTrade ?? (() => undefined));
  return total;
}

describe('MarketModel determinism', () => {
  const snapshot = (m: MarketModel): string => JSON.stringify(INSTRUMENTS.map((i) => m.quote(tok(i))));
  const session = (seed: number): MarketModel => {
    const m = model(seed);
    m.subscribe([tok(NIFTY), tok(NIFTY_FUT), tok(RELIANCE), ...OPTIONS.slice(150, 350).map(tok)]);
    m.setAggregateRate(5_000);
    run(m, 3_000, 50);
    return m;
  };

  it('gives identical quotes for the same seed and call sequence, different ones for another seed', () => {
    const a = snapshot(session(11));
    expect(snapshot(session(11))).toBe(a);
    expect(snapshot(session(12))).not.toBe(a);
  });
});

describe('MarketModel underlyings', () => {
  it('realises the configured volatility over daily and one-second steps', () => {
    for (const [steps, stepMs] of [[2_000, 86_400_000], [20_000, 1_000]] as const) {
      const m = model(3);
      const vol = m.fair(tok(NIFTY))?.vol ?? 0;
      expect(vol).toBeGreaterThanOrEqual(0.13);
      expect(vol).toBeLessThanOrEqual(0.16);
      let last = m.fair(tok(NIFTY))?.spot ?? 0;
      let sum = 0;
      let sumSq = 0;
      for (let k = 0; k < steps; k += 1) {
        m.advance(m.now + stepMs);
        const spot = m.fair(tok(NIFTY))?.spot ?? 0;
        const r = Math.log(spot / last);
        sum += r;
        sumSq += r * r;
        last = spot;
      }
      const variance = sumSq / steps - (sum / steps) ** 2;
      const realised = Math.sqrt((variance * 365 * 86_400_000) / stepMs);
      expect(realised / vol).toBeGreaterThan(0.9);
      expect(realised / vol).toBeLessThan(1.1);
    }
  });

  it('prices futures at spot carried to expiry, MCX options off their future, BSE stocks like NSE', () => {
    const m = model();
    const fut = m.fair(tok(NIFTY_FUT));
    const spot = m.fair(tok(NIFTY))?.spot ?? 0;
    expect(spot).toBeGreaterThan(25_800 * 0.9);
    expect(spot).toBeLessThan(25_800 * 1.1);
    expect(fut && fut.price / (spot * Math.exp(0.065 * fut.years))).toBeCloseTo(1, 2);
    expect(m.fair(tok(CRUDE_CE))?.forward).toBeCloseTo(m.fair(tok(CRUDE_FUT))?.price ?? 0, 6);
    expect(m.fair(tok(RELIANCE_BSE))?.spot).toBe(m.fair(tok(RELIANCE))?.spot);
    // Unknown symbols still get a stable, plausible price.
    const mystery = m.quote(tok(MYSTERY))?.ltp ?? 0;
    expect(mystery).toBeGreaterThanOrEqual(50);
    expect(mystery).toBeLessThanOrEqual(5_000);
    expect(model(99).quote(tok(MYSTERY))?.prevClose).toBe(m.quote(tok(MYSTERY))?.prevClose);
  });
});

describe('MarketModel options', () => {
  it('satisfies put-call parity: exactly in fair value, within a tick in quoted prices', () => {
    const m = model();
    m.advance(START + 3_600_000);
    const points: [number, number][] = [];
    for (const { strike, ce, pe } of CHAIN.filter((s) => s.strike >= 23_000 && s.strike <= 29_000)) {
      const c = m.fair(tok(ce));
      const p = m.fair(tok(pe));
      if (!c || !p) throw new Error('no fair value');
      expect(c.price - p.price).toBeCloseTo(Math.exp(-c.rate * c.years) * (c.forward - strike), 6);
      // Untraded quotes show previous closes, all valued at one instant: C - P must be linear in K.
      points.push([strike, (m.quote(tok(ce))?.ltp ?? 0) - (m.quote(tok(pe))?.ltp ?? 0)]);
    }
    const n = points.length;
    const mk = points.reduce((a, [k]) => a + k, 0) / n;
    const md = points.reduce((a, [, d]) => a + d, 0) / n;
    const slope = points.reduce((a, [k, d]) => a + (k - mk) * (d - md), 0) / points.reduce((a, [k]) => a + (k - mk) ** 2, 0);
    expect(-slope).toBeGreaterThan(0.99); // the discount factor
    expect(-slope).toBeLessThanOrEqual(1);
    // Each leg is rounded by at most half a tick; allow a little for the fitted line's own error.
    for (const [k, d] of points) expect(Math.abs(d - (md + slope * (k - mk)))).toBeLessThanOrEqual(0.06);
  });

  it('trades near fair value with a smile: higher IV for low strikes, the configured sigma(K) near the money', () => {
    const m = model(5);
    m.subscribe(OPTIONS.map(tok));
    m.setAggregateRate(20_000);
    const ivs = new Map<number, { iv: number; model: number }[]>();
    run(m, 1_000, 1, (i) => {
      const inst = m.instrumentAt(i);
      const q = m.quoteAt(i);
      const f = m.fair(tok(inst));
      if (!f || inst.strike === null) throw new Error('option without strike');
      expect(isTickMultiple(q.ltp, inst.tickSize)).toBe(true);
      expect(q.ltp).toBeGreaterThanOrEqual(inst.tickSize);
      // Fair value rounded to the tick, give or take the underlying's move in under 1 ms.
      if (f.price > inst.tickSize) expect(Math.abs(q.ltp - f.price)).toBeLessThan(inst.tickSize / 2 + 0.1);
      if (Math.abs(Math.log(inst.strike / f.forward)) > 0.04) return;
      const iv = impliedVol(q.ltp, f.forward, inst.strike, f.years, f.rate, inst.optionType === 'CE');
      const list = ivs.get(inst.strike) ?? [];
      list.push({ iv, model: f.vol });
      ivs.set(inst.strike, list);
    });
    expect(ivs.size).toBeGreaterThan(20);
    for (const list of ivs.values()) for (const { iv, model: sigma } of list) expect(Math.abs(iv - sigma)).toBeLessThan(0.005);
    const spot = m.fair(tok(NIFTY))?.spot ?? 0;
    const mean = (strike: number): number => {
      const list = ivs.get(strike) ?? [];
      return list.reduce((a, b) => a + b.iv, 0) / list.length;
    };
    const atm = Math.round(spot / 50) * 50;
    const low = atm - 800;
    const high = atm + 800;
    expect(mean(low)).toBeGreaterThan(mean(atm) + 0.005);
    expect(mean(low)).toBeGreaterThan(mean(high));
  });

  it('never quotes a live option below one tick, even deep out of the money near expiry', () => {
    const m = model(1, istEpochMs(MONTHLY, 925)); // five minutes before the expiry-day close
    const deep = [leg(15_000, 'pe'), leg(39_950, 'ce'), leg(20_000, 'pe'), leg(32_000, 'ce')];
    m.subscribe(deep.map(tok));
    m.setAggregateRate(400);
    const n = run(m, 60_000, 100, (i) => expect(m.quoteAt(i).ltp).toBe(0.05));
    expect(n).toBeGreaterThan(1_000);
    for (const i of deep) expect(m.quote(tok(i))?.ltp).toBe(0.05);
  });

  it('stops trading contracts at their expiry', () => {
    const m = model(1, istEpochMs(MONTHLY, 929));
    m.subscribe([tok(NIFTY_FUT), tok(leg(25_800, 'ce'))]);
    m.setAggregateRate(1_000);
    const before = run(m, 60_000, 100);
    const after = run(m, 60_000, 100);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(0);
  });
});

describe('MarketModel tick rates', () => {
  it('counts instruments quoted before they were subscribed (aggregate set first, then subscribe)', () => {
    const m = model();
    for (const i of OPTIONS.slice(0, 100)) m.quote(tok(i)); // records created by a snapshot read
    m.setAggregateRate(10_000);
    m.subscribe(OPTIONS.slice(0, 100).map(tok));
    expect(m.expectedTicksPerSecond).toBeCloseTo(10_000, 3);
    let total = 0;
    const out = new Int32Array(50_000);
    for (let t = START + 10; t <= START + 1_000; t += 10) total += m.due(t, out);
    expect(total).toBeGreaterThan(9_000);
    m.unsubscribe(OPTIONS.slice(0, 100).map(tok));
    expect(m.subscribedCount).toBe(0);
  });

  it('meets an aggregate rate: 1,000 instruments at 50,000/s give ~100,000 ticks in 2 s', () => {
    const m = model();
    expect(m.subscribe(OPTIONS.map(tok))).toEqual([]);
    expect(m.subscribedCount).toBe(1_000);
    expect(m.expectedTicksPerSecond).toBeGreaterThan(200);
    m.setAggregateRate(50_000);
    expect(m.expectedTicksPerSecond).toBeCloseTo(50_000, 3);
    const out = new Int32Array(100_000);
    let total = 0;
    for (let t = START + 10; t <= START + 2_000; t += 10) total += m.due(t, out);
    expect(total).toBeGreaterThan(90_000);
    expect(total).toBeLessThan(110_000);
  });

  it('ticks an at-the-money option far more often than a deep out-of-the-money one', () => {
    const m = model();
    const spot = m.fair(tok(NIFTY))?.spot ?? 0;
    const atm = leg(Math.round(spot / 50) * 50, 'ce');
    const otm = leg(Math.round((spot * 1.15) / 50) * 50, 'ce');
    m.subscribe([tok(atm), tok(otm), tok(NIFTY)]);
    const counts = new Map<number, number>();
    run(m, 600_000, 250, (i) => counts.set(i, (counts.get(i) ?? 0) + 1));
    const count = (inst: SimInstrument): number => counts.get(m.indexOf(tok(inst))) ?? 0;
    expect(count(atm)).toBeGreaterThan(600);
    expect(count(otm)).toBeLessThan(30);
    expect(count(atm)).toBeGreaterThan(20 * Math.max(count(otm), 1));
    // The index ticks about once a second.
    expect(count(NIFTY)).toBeGreaterThan(450);
    expect(count(NIFTY)).toBeLessThan(750);
  });
});

describe('MarketModel quotes', () => {
  it('fills every packet field plausibly as trades happen', () => {
    const m = model();
    const watched = [NIFTY_FUT, RELIANCE, CRUDE_FUT, ...CHAIN.filter((s) => s.strike % 500 === 0).flatMap((s) => [s.ce, s.pe])];
    m.subscribe(watched.map(tok));
    m.setAggregateRate(2_000);
    const lastVolume = new Map<number, number>();
    const problems: string[] = [];
    let trades = 0;
    run(m, 5_000, 20, (i) => {
      trades += 1;
      const inst = m.instrumentAt(i);
      const q: Readonly<QuoteState> = m.quoteAt(i);
      const check = (ok: boolean, what: string): void => {
        if (!ok && problems.length < 10) problems.push(`${inst.tradingSymbol} ${inst.strike ?? ''}: ${what} ${JSON.stringify(q)}`);
      };
      check(q.ltt === Math.floor(q.lastTradeMs / 1000) + 19_800, 'ltt');
      check(q.close === 0, 'close');
      check(q.ltq > 0 && q.ltq % inst.lotSize === 0 && q.ltq <= 65_535, 'ltq');
      check(q.volume >= (lastVolume.get(i) ?? 0) + q.ltq, 'volume');
      lastVolume.set(i, q.volume);
      check(q.low <= q.ltp && q.ltp <= q.high && q.low > 0, 'high/low');
      check(q.atp >= q.low - 0.01 && q.atp <= q.high + 0.01, 'atp');
      check(q.oiDayHigh >= q.oi && q.oi >= q.oiDayLow, 'oi range');
      check(inst.kind === 'EQUITY' ? q.oi === 0 : q.oi > 0, 'oi');
      check(q.totalBuyQty > 0 && q.totalSellQty > 0, 'totals');
      check([q.bidPrice, q.bidQty, q.bidOrders, q.askPrice, q.askQty, q.askOrders].every((side) => side.length === 5), 'levels');
      check(q.bidPrice[0] <= q.ltp && q.ltp <= q.askPrice[0], 'ltp inside the touch');
      for (let l = 0; l < 5; l += 1) {
        check(q.askPrice[l] > q.bidPrice[0], 'crossed book');
        check(isTickMultiple(q.askPrice[l], inst.tickSize) && isTickMultiple(q.bidPrice[l], inst.tickSize), 'tick multiple');
        check(q.askQty[l] % inst.lotSize === 0 && q.bidQty[l] % inst.lotSize === 0, 'lot multiple');
        check(q.askOrders[l] >= 1 && q.askOrders[l] <= q.askQty[l] / inst.lotSize, 'orders');
        if (l > 0) check(q.askPrice[l] > q.askPrice[l - 1], 'asks ascend');
        if (l > 0 && q.bidPrice[l] > 0) check(q.bidPrice[l] < q.bidPrice[l - 1], 'bids descend');
      }
    });
    expect(problems).toEqual([]);
    expect(trades).toBeGreaterThan(8_000);
    // IST wall clock: formatting LTT as UTC shows the IST time, 10:00.
    const q = m.quote(tok(NIFTY_FUT));
    expect(new Date((q?.ltt ?? 0) * 1000).toISOString().slice(11, 16)).toBe('10:00');
  });

  it('gives untraded instruments a full quote: previous close as LTP, a book, previous OI', () => {
    const m = model();
    const atm = leg(25_800, 'pe');
    const q = m.quote(tok(atm));
    expect(q?.tradeCount).toBe(0);
    expect(q?.ltp).toBe(q?.prevClose);
    expect(q?.ltp ?? 0).toBeGreaterThan(50);
    expect(q?.ltt).toBe(0);
    expect(q?.volume).toBe(0);
    expect(q?.bidPrice[0] ?? 0).toBeGreaterThan(0);
    expect(q?.askPrice[4] ?? 0).toBeGreaterThan(q?.bidPrice[0] ?? 0);
    expect(q?.oi).toBe(q?.prevOi);
    expect((q?.prevOi ?? 0) % 65).toBe(0);
    expect(q?.prevOi ?? 0).toBeGreaterThan(0);
    expect(m.prevClose(tok(atm))).toEqual({ price: q?.prevClose, oi: q?.prevOi });
    expect(m.quote(tok(NIFTY))?.ltp).toBe(25_800);
    expect(m.quote(tok(NIFTY))?.bidPrice).toEqual([0, 0, 0, 0, 0]);
  });

  it('rolls the day at IST midnight: previous close becomes the value at the close mark, volume restarts', () => {
    const m = model();
    const put = leg(25_800, 'pe');
    m.subscribe([tok(RELIANCE)]);
    m.quote(tok(put)); // created on day one, never traded
    run(m, 60_000, 1_000);
    const before = JSON.parse(JSON.stringify(m.quote(tok(RELIANCE)))) as QuoteState;
    expect(before.volume).toBeGreaterThan(0);
    // 'always' mode: the day closes at IST midnight; the walk's price then is every record's close.
    m.advance(istEpochMs('2026-02-11'));
    const atClose = m.fair(tok(RELIANCE))!.spot;
    const putAtClose = m.fair(tok(put))!.price;
    let traded = 0;
    m.due(istEpochMs('2026-02-11', 600), (i) => {
      traded += m.quoteAt(i).ltq;
    });
    const after = m.quote(tok(RELIANCE));
    expect(traded).toBeGreaterThan(0);
    expect(after?.prevClose).toBe(Math.round(atClose * 10) / 10);
    expect(after?.prevClose).not.toBe(before.ltp); // the walk went on after the last trade
    expect(after?.volume).toBe(traded);
    // An untraded record rolls on read: its previous close (and last price) move to the new close.
    const q = m.quote(tok(put))!;
    expect(q.prevClose).toBe(Math.round(putAtClose * 20) / 20);
    expect(q.ltp).toBe(q.prevClose);
    expect(m.prevCloseFair(tok(put))!.price).toBeCloseTo(putAtClose, 9);
  });
});

describe("MarketModel market hours ('clock' session)", () => {
  it('trades only while the venue is open, resumes at the open with the night as a gap, and closes days at 15:30', () => {
    const evening = istEpochMs('2026-02-10', 1_020); // 17:00 IST: NSE closed, MCX open
    const m = new MarketModel({ instruments: INSTRUMENTS, seed: 7, startMs: evening, session: 'clock' });
    expect(m.session).toBe('clock');
    m.subscribe([tok(NIFTY), tok(RELIANCE), tok(NIFTY_FUT), tok(CRUDE_FUT)]);
    m.setAggregateRate(400);
    const seen = new Map<string, number>();
    run(m, 30_000, 100, (i) => seen.set(m.instrumentAt(i).symbol, (seen.get(m.instrumentAt(i).symbol) ?? 0) + 1));
    expect([...seen.keys()]).toEqual(['CRUDEOIL']);
    // A move outside NSE hours jumps the index (fair values follow) but prints nothing.
    const ltp = m.quote(tok(NIFTY_FUT))!.ltp;
    const moved = m.move('NIFTY', 2, () => {
      throw new Error('no trade outside hours');
    });
    expect(moved!.after / moved!.before).toBeCloseTo(1.02, 12);
    expect(m.quote(tok(NIFTY_FUT))!.ltp).toBe(ltp);
    expect(m.fair(tok(NIFTY_FUT))!.price / moved!.futures[0]!.before).toBeCloseTo(1.02, 12);
    // Through the night to 09:15 the next day: only MCX trades (until 23:55, again from 09:00).
    const open = istEpochMs('2026-02-11', 555);
    seen.clear();
    for (let t = m.now + 60_000; t < open; t += 60_000) m.due(t, (i) => expect(m.instrumentAt(i).segment).toBe('MCX_COMM'));
    m.due(open - 1, (i) => expect(m.instrumentAt(i).segment).toBe('MCX_COMM'));
    run(m, 20_000, 100, (i) => {
      const inst = m.instrumentAt(i);
      seen.set(inst.symbol, (seen.get(inst.symbol) ?? 0) + 1);
      expect(m.quoteAt(i).lastTradeMs).toBeGreaterThanOrEqual(open);
    });
    expect(seen.get('NIFTY')).toBeGreaterThan(0);
    expect(seen.get('RELIANCE')).toBeGreaterThan(0);
    // Previous closes come from 15:30 on the 10th (the model started after it: the universe price
    // is the 9th's close, the walk to the 10th's 15:30 is the 10th's close).
    const close = m.prevCloseFair(tok(RELIANCE))!;
    expect(m.quote(tok(RELIANCE))!.prevClose).toBe(Math.round(close.price * 10) / 10);
    expect(m.quote(tok(NIFTY))!.prevClose).not.toBe(25_800);
  });

  it('previous closes at the start are the universe prices, marked at the last session close', () => {
    const m = new MarketModel({ instruments: INSTRUMENTS, seed: 7, startMs: START, session: 'clock' });
    expect(m.quote(tok(NIFTY))!.prevClose).toBe(25_800);
    expect(m.prevCloseFair(tok(NIFTY))!.spot).toBe(25_800);
    // Monday's previous close is Friday's: the walk over the weekend is Monday's gap.
    const monday = new MarketModel({ instruments: INSTRUMENTS, seed: 7, startMs: istEpochMs('2026-02-16', 600), session: 'clock' });
    expect(monday.quote(tok(NIFTY))!.prevClose).toBe(25_800);
    const friday = monday.prevCloseFair(tok(NIFTY_FUT))!;
    expect(friday.years * 365).toBeCloseTo((istEpochMs(MONTHLY, 930) - istEpochMs('2026-02-13', 930)) / 86_400_000, 9);
  });
});

describe('MarketModel subscriptions', () => {
  it('refcounts, reports unknown tokens and never ticks an unsubscribed instrument', () => {
    const m = model();
    const a = tok(leg(25_800, 'ce'));
    const b = tok(leg(25_800, 'pe'));
    expect(m.subscribe([a, b, a, 'NSE_FNO:999999999', 'NOPE:1'])).toEqual(['NSE_FNO:999999999', 'NOPE:1']);
    expect(m.subscribedCount).toBe(2);
    expect(m.unsubscribe([b, 'BSE_FNO:1'])).toEqual(['BSE_FNO:1']);
    m.unsubscribe([a]);
    const seen = new Set<string>();
    const out: string[] = [];
    for (let t = START + 100; t <= START + 30_000; t += 100) {
      m.due(t, out);
      for (const token of out) seen.add(token);
    }
    expect(seen).toEqual(new Set([a]));
    m.unsubscribe([a]);
    expect(m.subscribedCount).toBe(0);
    expect(m.due(START + 60_000, out)).toBe(0);
    expect(out).toEqual([]);
  });

  it('keeps the rest of a full Int32Array batch due for the next call', () => {
    const m = model();
    m.subscribe(OPTIONS.slice(400, 600).map(tok));
    m.setAggregateRate(10_000);
    const small = new Int32Array(100);
    expect(m.due(START + 1_000, small)).toBe(100);
    let total = 100;
    for (let k = 0; k < 200; k += 1) total += m.due(START + 1_000, small);
    expect(total).toBeGreaterThan(9_000);
    expect(m.due(START + 1_000, small)).toBe(0);
  });
});

describe('MarketModel move', () => {
  it('jumps spot, futures and options at once and re-prints what is priced off the underlying, spot first', () => {
    const m = model();
    const ce = leg(25_800, 'ce');
    const pe = leg(25_800, 'pe');
    m.subscribe([tok(NIFTY), tok(NIFTY_FUT), tok(ce)]);
    m.quote(tok(pe)); // touched by a snapshot read, never subscribed
    run(m, 2_000, 50);
    const spot = m.fair(tok(NIFTY))!.spot;
    const fut = m.fair(tok(NIFTY_FUT))!;
    const call = m.fair(tok(ce))!;
    const put = m.fair(tok(pe))!;

    const seen: number[] = [];
    const r = m.move('NIFTY', 3, (i) => seen.push(i));
    if (!r) throw new Error('NIFTY not found');
    expect(r.underlyings).toEqual(['index:NIFTY']);
    expect(r.before).toBeCloseTo(spot, 6);
    expect(r.after / r.before).toBeCloseTo(1.03, 12);
    expect(m.fair(tok(NIFTY))!.spot / spot).toBeCloseTo(1.03, 12);
    expect(m.fair(tok(NIFTY_FUT))!.price / fut.price).toBeCloseTo(1.03, 12);
    expect(r.futures).toHaveLength(1);
    expect(r.futures[0]).toMatchObject({ segment: 'NSE_FNO', securityId: NIFTY_FUT.securityId, expiry: MONTHLY });
    expect(r.futures[0]!.before).toBeCloseTo(fut.price, 6);
    expect(r.futures[0]!.after / r.futures[0]!.before).toBeCloseTo(1.03, 12);

    // Options follow through their forward: calls up, puts down, C - P up by the discounted forward move.
    const callAfter = m.fair(tok(ce))!;
    const putAfter = m.fair(tok(pe))!;
    expect(callAfter.forward / call.forward).toBeCloseTo(1.03, 12);
    expect(callAfter.price).toBeGreaterThan(call.price);
    expect(putAfter.price).toBeLessThan(put.price);
    const parityMove = callAfter.price - putAfter.price - (call.price - put.price);
    expect(parityMove).toBeCloseTo(Math.exp(-call.rate * call.years) * call.forward * 0.03, 6);

    // Subscribers hear spot first; every live record (subscribed or not) now shows the new level.
    expect(seen).toEqual([NIFTY, NIFTY_FUT, ce].map((i) => m.indexOf(tok(i))));
    expect(Math.abs(m.quote(tok(NIFTY))!.ltp - r.after)).toBeLessThanOrEqual(0.025 + 1e-9);
    expect(Math.abs(m.quote(tok(NIFTY_FUT))!.ltp - r.futures[0]!.after)).toBeLessThanOrEqual(0.05 + 1e-9);
    for (const [inst, fair] of [[ce, callAfter], [pe, putAfter]] as const) {
      const q = m.quote(tok(inst))!;
      expect(q.lastTradeMs).toBe(m.now);
      expect(Math.abs(q.ltp - fair.price)).toBeLessThanOrEqual(0.025 + 1e-9);
    }

    // The walk goes on from the new level.
    run(m, 1_000, 50);
    expect(Math.abs(m.fair(tok(NIFTY))!.spot / r.after - 1)).toBeLessThan(0.01);
  });

  it('moves MCX futures and their options, NSE and BSE listings together; refuses unknown symbols and bad percentages', () => {
    const m = model();
    const fut = m.fair(tok(CRUDE_FUT))!.price;
    const call = m.fair(tok(CRUDE_CE))!;
    const crude = m.move('CRUDEOIL', -5);
    expect(crude?.underlyings).toEqual(['commodity:CRUDEOIL']);
    expect(crude!.after / crude!.before).toBeCloseTo(0.95, 12);
    expect(crude!.futures.map((f) => f.securityId)).toEqual([CRUDE_FUT.securityId]);
    expect(crude!.futures[0]!.after / fut).toBeCloseTo(0.95, 12);
    expect(m.fair(tok(CRUDE_CE))!.forward / call.forward).toBeCloseTo(0.95, 12);
    expect(m.fair(tok(CRUDE_CE))!.price).toBeLessThan(call.price);
    // Untouched before the move, the future was created and re-printed at the new level.
    expect(Math.abs(m.quote(tok(CRUDE_FUT))!.ltp - crude!.futures[0]!.after)).toBeLessThanOrEqual(0.5);

    const reliance = m.move('reliance', 10); // upper-cased when the exact spelling names nothing
    expect(reliance?.symbol).toBe('reliance');
    expect(reliance!.futures).toEqual([]);
    for (const listing of [RELIANCE, RELIANCE_BSE]) {
      expect(m.fair(tok(listing))!.spot).toBeCloseTo(reliance!.after, 9);
      expect(Math.abs(m.quote(tok(listing))!.ltp - reliance!.after)).toBeLessThanOrEqual(0.05 + 1e-9);
    }

    expect(m.move('NOSUCH', 1)).toBeUndefined();
    for (const pct of [-100, -150, 1000.5, Number.NaN, Infinity]) expect(() => m.move('NIFTY', pct)).toThrow(RangeError);
    expect(m.move('NIFTY', 1000)?.after).toBeGreaterThan(0);
  });

  it('is deterministic: the same calls with a move in the middle give the same quotes', () => {
    const session = (): string => {
      const m = model(4);
      m.subscribe([tok(NIFTY), tok(NIFTY_FUT), ...OPTIONS.slice(200, 260).map(tok)]);
      m.setAggregateRate(2_000);
      run(m, 500, 50);
      m.move('NIFTY', -2);
      run(m, 500, 50);
      return JSON.stringify(INSTRUMENTS.map((i) => m.quote(tok(i))));
    };
    expect(session()).toBe(session());
  });
});
