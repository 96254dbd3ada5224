/**
 * Issue 15, the simulator's part: every chain the model quotes is arbitrage-free across strikes.
 * A property over every option chain of a generated master (every underlying with options, every
 * expiry it lists that is still live), each widened with far strikes on both wings so the smile's
 * tails are tested too, in several states: the start, later the same day, after market moves, the
 * next day (records roll their previous close), and an expiry day. In each state:
 * - fair values (unrounded): calls non-increasing and puts non-decreasing in strike, convex
 *   (butterflies >= 0), within Black's no-arbitrage bounds;
 * - quoted prices printed at one instant (every record re-prints at a `move`): the same order
 *   (ties allowed, no inversion), convex within rounding (1.5 ticks: a price is at most half a tick
 *   below its fair value and at most one tick above it), within the bounds on the tick grid;
 * - previous closes: the unrounded values at the close mark obey all of the above exactly, the
 *   printed previous closes keep their order and are convex within rounding.
 */
import { describe, expect, it } from 'vitest';
import { isOptionKind, tokenOf } from '../shared/instruments';
import { istEpochMs } from '../shared/market-calendar';
import { MarketModel, type FairValue, type SimInstrument } from './market-model';
import { generateMaster } from './master-generator';
import { buildSimUniverse } from './sim-instruments';

const AS_OF = '2026-11-24';
const START = istEpochMs(AS_OF, 600);
const HOUR = 3_600_000;

/** One side of one chain: legs in ascending strike. */
interface Side {
  key: string;
  symbol: string;
  isCall: boolean;
  expiryMs: number;
  legs: SimInstrument[];
}

/** The master's chains, each widened by far strikes (0.25x to 4x the base price), as sides. */
function buildChains(): { instruments: SimInstrument[]; sides: Side[] } {
  const universe = buildSimUniverse(Buffer.from(generateMaster({ asOf: AS_OF, rows: 20_000, seed: 5 }), 'utf8'), AS_OF);
  const instruments = [...universe.instruments];
  const byChain = new Map<string, SimInstrument[]>();
  for (const inst of universe.instruments) {
    if (!isOptionKind(inst.kind) || inst.strike === null || inst.optionType === null || inst.expiry === null) continue;
    const key = `${inst.segment}|${inst.symbol}|${inst.expiry}`;
    const list = byChain.get(key);
    if (list) list.push(inst);
    else byChain.set(key, [inst]);
  }
  let nextId = 90_000_000;
  const sides: Side[] = [];
  for (const [key, legs] of byChain) {
    const strikes = legs.map((l) => l.strike!).sort((a, b) => a - b);
    const mid = strikes[Math.floor(strikes.length / 2)]!;
    const template = legs[0]!;
    const step = Math.max(template.tickSize, strikes.length > 1 ? strikes[1]! - strikes[0]! : mid / 100);
    const far = [0.25, 0.4, 0.55, 0.7, 1.4, 1.8, 2.5, 4].map((x) => Math.max(step, Math.round((mid * x) / step) * step));
    for (const strike of far) {
      if (strikes.includes(strike)) continue;
      for (const optionType of ['CE', 'PE'] as const) {
        const extra: SimInstrument = { ...template, securityId: nextId++, strike, optionType, tradingSymbol: `${template.tradingSymbol}-W${strike}${optionType}` };
        instruments.push(extra);
        legs.push(extra);
      }
    }
    for (const isCall of [true, false]) {
      const side = legs.filter((l) => (l.optionType === 'CE') === isCall).sort((a, b) => a.strike! - b.strike!);
      sides.push({ key: `${key}|${isCall ? 'CE' : 'PE'}`, symbol: template.symbol, isCall, expiryMs: istEpochMs(template.expiry!, 930), legs: side });
    }
  }
  return { instruments, sides };
}

const { instruments, sides } = buildChains();
const symbols = [...new Set(sides.map((s) => s.symbol))];

/** Problems found, capped so a broken model prints a readable report. */
class Findings {
  readonly list: string[] = [];
  count = 0;
  add(message: string): void {
    this.count += 1;
    if (this.list.length < 12) this.list.push(message);
  }
}

/** Checks prices (one per leg, at one instant) against order, convexity and bounds. */
function checkSide(
  out: Findings, label: string, side: Side, prices: readonly number[], values: readonly FairValue[],
  slack: { butterfly: number; bound: number },
): void {
  const { legs, isCall } = side;
  const eps = 1e-9 * Math.max(1, values[0]!.forward);
  for (let j = 0; j < legs.length; j += 1) {
    const v = values[j]!;
    const k = legs[j]!.strike!;
    const df = Math.exp(-v.rate * v.years);
    const lower = df * Math.max(isCall ? v.forward - k : k - v.forward, 0);
    const upper = df * (isCall ? v.forward : k);
    const p = prices[j]!;
    if (!(p >= lower - slack.bound - eps && p <= upper + slack.bound + eps)) out.add(`${label} ${side.key} ${k}: ${p} outside [${lower}, ${upper}]`);
    if (j === 0) continue;
    const step = isCall ? prices[j - 1]! - p : p - prices[j - 1]!;
    if (step < -eps) out.add(`${label} ${side.key} ${legs[j - 1]!.strike}->${k}: ${prices[j - 1]} then ${p} (wrong way)`);
    if (j + 1 >= legs.length) continue;
  }
  for (let j = 1; j + 1 < legs.length; j += 1) {
    const k0 = legs[j - 1]!.strike!;
    const k1 = legs[j]!.strike!;
    const k2 = legs[j + 1]!.strike!;
    // The butterfly per unit of the middle leg: convexity says it is >= 0.
    const fly = (prices[j - 1]! * (k2 - k1) + prices[j + 1]! * (k1 - k0)) / (k2 - k0) - prices[j]!;
    if (fly < -slack.butterfly - eps) out.add(`${label} ${side.key} ${k0}/${k1}/${k2}: butterfly ${fly}`);
  }
}

interface Coverage {
  sides: number;
  legs: number;
}

/** The property at the model's clock, over every live side; `printed` also checks last prices. */
function checkState(m: MarketModel, label: string, printed: boolean): { findings: Findings; coverage: Coverage } {
  const findings = new Findings();
  const coverage: Coverage = { sides: 0, legs: 0 };
  for (const side of sides) {
    if (!(m.now < side.expiryMs)) continue;
    coverage.sides += 1;
    coverage.legs += side.legs.length;
    const tokens = side.legs.map(tokenOf);
    const tick = side.legs[0]!.tickSize;
    const fair = tokens.map((t) => m.fair(t)!);
    checkSide(findings, `${label} fair`, side, fair.map((v) => v.price), fair, { butterfly: 0, bound: 0 });
    const close = tokens.map((t) => m.prevCloseFair(t)!);
    checkSide(findings, `${label} close value`, side, close.map((v) => v.price), close, { butterfly: 0, bound: 0 });
    const prev = tokens.map((t) => m.quote(t)!.prevClose);
    checkSide(findings, `${label} prev close`, side, prev, close, { butterfly: 1.5 * tick, bound: 0 });
    prev.forEach((p, j) => {
      if (Math.abs(p - close[j]!.price) > tick + 1e-9) findings.add(`${label} prev close ${side.key} ${side.legs[j]!.strike}: ${p} vs value ${close[j]!.price}`);
    });
    if (!printed) continue;
    const ltp = tokens.map((t) => m.quote(t)!);
    ltp.forEach((q, j) => {
      if (q.lastTradeMs !== m.now) findings.add(`${label} ${side.key} ${side.legs[j]!.strike}: not printed at the move`);
      if (Math.abs(q.ltp - fair[j]!.price) > tick + 1e-9) findings.add(`${label} ltp ${side.key} ${side.legs[j]!.strike}: ${q.ltp} vs fair ${fair[j]!.price}`);
    });
    checkSide(findings, `${label} ltp`, side, ltp.map((q) => q.ltp), fair, { butterfly: 1.5 * tick, bound: 0 });
  }
  return { findings, coverage };
}

/** Moves every underlying with options: each records re-prints at the model clock. */
function moveAll(m: MarketModel, pct: number): void {
  for (const symbol of symbols) expect(m.move(symbol, pct)).toBeDefined();
}

describe('the market model is arbitrage-free across strikes on every chain', () => {
  it('covers every chain of the master, widened to far wings', () => {
    expect(new Set(sides.map((s) => s.key.split('|')[0])).size).toBeGreaterThanOrEqual(5); // NSE/BSE F&O, MCX, currency...
    expect(symbols).toEqual(expect.arrayContaining(['NIFTY', 'BANKNIFTY', 'SENSEX', 'RELIANCE', 'CRUDEOIL', 'USDINR']));
    expect(sides.length).toBeGreaterThan(1_000);
  });

  it('in fair values, printed prices and previous closes, through the day, moves, a day roll and an expiry day', () => {
    const m = new MarketModel({ instruments, seed: 11, startMs: START });
    const report: string[] = [];
    const run = (label: string, printed: boolean): Coverage => {
      const { findings, coverage } = checkState(m, label, printed);
      if (findings.count > 0) report.push(`${label}: ${findings.count} problems`, ...findings.list);
      return coverage;
    };
    const start = run('start', false);
    m.advance(START + 4 * HOUR);
    moveAll(m, 3);
    run('14:00, after +3%', true);
    moveAll(m, -6);
    run('after -6%', true);
    // The next day: every record rolls its previous close from the close mark at midnight.
    m.advance(istEpochMs('2026-11-25', 615));
    run('next day', false);
    moveAll(m, 0);
    run('next day, re-printed', true);
    // The nearest expiry day, 25 minutes before the close: weeklies at their steepest.
    m.advance(istEpochMs('2026-12-01', 905));
    moveAll(m, 1);
    const expiryDay = run('expiry day, +1%', true);
    expect(report).toEqual([]);
    expect(start.sides).toBe(sides.length);
    expect(start.legs).toBeGreaterThan(25_000);
    expect(expiryDay.sides).toBeLessThan(start.sides);
  });

  it("in 'clock' session mode too (closes marked at the exchange's close)", () => {
    const m = new MarketModel({ instruments, seed: 12, startMs: START, session: 'clock' });
    // Touch every leg on the first day, move in hours, then check the rolled next day.
    for (const side of sides) for (const leg of side.legs) m.quote(tokenOf(leg));
    moveAll(m, 2);
    m.advance(istEpochMs('2026-11-25', 700));
    const { findings } = checkState(m, 'next day', false);
    const report = findings.count > 0 ? [`${findings.count} problems`, ...findings.list] : [];
    // MCX trades at 16:00 and NSE does not: a move re-prints only what is open.
    m.advance(istEpochMs('2026-11-25', 960));
    moveAll(m, 0);
    const mcx = sides.filter((s) => s.key.startsWith('MCX_COMM|') && m.now < s.expiryMs);
    expect(mcx.length).toBeGreaterThan(0);
    for (const side of mcx) for (const leg of side.legs) expect(m.quote(tokenOf(leg))!.lastTradeMs).toBe(m.now);
    for (const side of sides.filter((s) => s.key.startsWith('NSE_FNO|'))) expect(m.quote(tokenOf(side.legs[0]!))!.lastTradeMs).toBeLessThan(m.now);
    expect(report).toEqual([]);
  });
});
