/**
 * The analytics against the simulator's own option model: the sim prices every option with
 * Black-76 off its forward at sigma(K) from a configured smile (src/sim/market-pricing.ts). Fed
 * those prices and nothing else (no forward, no vols), the analytics must find the sim's forward
 * by parity and its smile by IV, at the sim's rate and its 365-day year.
 */
import { describe, expect, it } from 'vitest';
import { tokenOf, type Segment } from '../../shared/instruments';
import { istEpochMs } from '../../shared/market-calendar';
import { MarketModel, type SimInstrument } from '../../sim/market-model';
import { ChainAnalytics } from './chain-analytics';
import { expiryInstant } from './expiry-time';

const MONTHLY = '2026-02-24';
const WEEKLY = '2026-02-17';
const CRUDE_OPT = '2026-02-17';
const START = istEpochMs('2026-02-10', 600); // Tuesday 10:00 IST

let nextId = 60_000;
function make(p: Partial<SimInstrument> & Pick<SimInstrument, 'segment' | 'kind' | 'symbol'>): SimInstrument {
  return { securityId: nextId++, tradingSymbol: p.symbol, expiry: null, strike: null, optionType: null, lotSize: 1, tickSize: 0.05, ...p };
}

interface SimChain { segment: Segment; expiry: string; strikes: { strike: number; ce: SimInstrument; pe: SimInstrument }[] }

function chainOf(segment: Segment, kind: 'OPTIDX' | 'OPTFUT', symbol: string, expiry: string, from: number, to: number, step: number): SimChain {
  const strikes = [];
  for (let k = from; k <= to; k += step) {
    const leg = (optionType: 'CE' | 'PE'): SimInstrument => make({ segment, kind, symbol, expiry, strike: k, optionType });
    strikes.push({ strike: k, ce: leg('CE'), pe: leg('PE') });
  }
  return { segment, expiry, strikes };
}

const NIFTY = make({ segment: 'IDX_I', securityId: 13, kind: 'INDEX', symbol: 'NIFTY' });
const NIFTY_FUT = make({ segment: 'NSE_FNO', kind: 'FUTIDX', symbol: 'NIFTY', expiry: MONTHLY, tickSize: 0.1 });
const CRUDE_FUT = make({ segment: 'MCX_COMM', kind: 'FUTCOM', symbol: 'CRUDEOIL', expiry: '2026-02-19', tickSize: 1 });
const NIFTY_MONTHLY = chainOf('NSE_FNO', 'OPTIDX', 'NIFTY', MONTHLY, 21_000, 30_500, 50);
const NIFTY_WEEKLY = chainOf('NSE_FNO', 'OPTIDX', 'NIFTY', WEEKLY, 21_000, 30_500, 50);
const CRUDE = chainOf('MCX_COMM', 'OPTFUT', 'CRUDEOIL', CRUDE_OPT, 3_000, 8_000, 50);
const INSTRUMENTS = [NIFTY, NIFTY_FUT, CRUDE_FUT, ...[NIFTY_MONTHLY, NIFTY_WEEKLY, CRUDE].flatMap((c) => c.strikes.flatMap((s) => [s.ce, s.pe]))];

interface Recovered {
  analytics: ChainAnalytics;
  /** Per leg: solved IV (null if none), the sim's smile vol, log-moneyness. */
  legs: { iv: number | null; vol: number; x: number }[];
  simForward: number;
}

/**
 * Runs the analytics on the 101 strikes (or fewer) around the money of `chain`, fed the sim's
 * prices (rounded to `tick` with a one-tick floor, as quoted, when given).
 */
function recover(m: MarketModel, chain: SimChain, options: { tick?: number; window?: number; spot?: number; future?: number } = {}): Recovered {
  const fair = (i: SimInstrument) => {
    const f = m.fair(tokenOf(i));
    if (!f) throw new Error('no fair value');
    return f;
  };
  const simForward = fair(chain.strikes[0]!.ce).forward;
  const atm = chain.strikes.reduce((best, s, i) => (Math.abs(s.strike - simForward) < Math.abs(chain.strikes[best]!.strike - simForward) ? i : best), 0);
  const half = Math.floor((options.window ?? 101) / 2);
  const window = chain.strikes.slice(Math.max(0, atm - half), atm + half + 1);
  const a = new ChainAnalytics({ rate: fair(chain.strikes[0]!.ce).rate });
  a.setChain(window.map((s) => s.strike), expiryInstant(chain.expiry, chain.segment));
  const quote = (price: number): number => (options.tick ? Math.max(Math.round(price / options.tick) * options.tick, options.tick) : price);
  window.forEach((s, i) => {
    a.setLeg(i, true, quote(fair(s.ce).price), 0, 0, 0);
    a.setLeg(i, false, quote(fair(s.pe).price), 0, 0, 0);
  });
  a.setUnderlying(options.spot ?? Number.NaN, options.future ?? Number.NaN);
  a.update(m.now);
  const legs = window.flatMap((s, i) => [true, false].map((isCall) => ({
    iv: a.leg(i, isCall).iv, vol: fair(isCall ? s.ce : s.pe).vol, x: Math.log(s.strike / simForward),
  })));
  return { analytics: a, legs, simForward };
}

describe("the simulator's smile, recovered from its own prices", () => {
  it('NIFTY monthly: the forward to 1e-9 and every solvable leg to 1e-6 of the smile', () => {
    const m = new MarketModel({ instruments: INSTRUMENTS, seed: 21, startMs: START });
    const r = recover(m, NIFTY_MONTHLY);
    expect(r.analytics.forward.source).toBe('parity');
    expect(Math.abs(r.analytics.forward.forward / r.simForward - 1)).toBeLessThan(1e-9);
    const solved = r.legs.filter((l) => l.iv !== null);
    expect(solved.length).toBeGreaterThanOrEqual(190); // of 202; deep ITM legs can sit at intrinsic
    for (const l of solved) expect(Math.abs((l.iv ?? 0) - l.vol)).toBeLessThan(1e-6);
    // The smile is there: 5% below the money is dearer than the money, which is dearer than 5% above.
    const near = (x: number): number => r.legs.filter((l) => l.iv !== null).sort((a, b) => Math.abs(a.x - x) - Math.abs(b.x - x))[0]!.iv ?? 0;
    expect(near(-0.05)).toBeGreaterThan(near(0) + 0.005);
  });

  it('NIFTY monthly quoted to the tick: the smile near the money within half a vol point', () => {
    const m = new MarketModel({ instruments: INSTRUMENTS, seed: 22, startMs: START });
    const spot = m.fair(tokenOf(NIFTY))?.spot ?? 0;
    const r = recover(m, NIFTY_MONTHLY, { tick: 0.05, spot });
    expect(r.analytics.forward.source).toBe('parity');
    expect(Math.abs(r.analytics.forward.forward / r.simForward - 1)).toBeLessThan(2e-6); // a tick or two of parity noise
    const near = r.legs.filter((l) => Math.abs(l.x) < 0.04);
    expect(near.length).toBeGreaterThan(40);
    for (const l of near) {
      expect(l.iv).not.toBeNull();
      expect(Math.abs((l.iv ?? 0) - l.vol)).toBeLessThan(0.005);
    }
  });

  it('NIFTY weekly one hour before expiry, to the tick: near-the-money smile within a vol point', () => {
    const m = new MarketModel({ instruments: INSTRUMENTS, seed: 23, startMs: istEpochMs(WEEKLY, 870) });
    const exact = recover(m, NIFTY_WEEKLY);
    for (const l of exact.legs.filter((x) => x.iv !== null)) expect(Math.abs((l.iv ?? 0) - l.vol)).toBeLessThan(1e-6);
    expect(exact.legs.filter((l) => l.iv !== null && Math.abs(l.x) < 0.01).length).toBeGreaterThan(10);
    const quoted = recover(m, NIFTY_WEEKLY, { tick: 0.05 });
    // An hour out, sigma sqrt(T) is ~0.3%: only strikes within ~0.5% carry enough time value to read.
    const near = quoted.legs.filter((l) => Math.abs(l.x) < 0.004);
    expect(near.length).toBeGreaterThan(6);
    for (const l of near) expect(Math.abs((l.iv ?? 0) - l.vol)).toBeLessThan(0.01);
  });

  it('CRUDEOIL options on the MCX future: forward = the future, smile recovered, 23:30 IST expiry', () => {
    const m = new MarketModel({ instruments: INSTRUMENTS, seed: 24, startMs: START });
    const future = m.fair(tokenOf(CRUDE_FUT))?.price ?? 0;
    const r = recover(m, CRUDE, { window: 41, future });
    expect(r.analytics.forward.source).toBe('parity');
    expect(r.analytics.forward.forward).toBeCloseTo(future, 6);
    expect(r.simForward).toBeCloseTo(future, 6);
    const solved = r.legs.filter((l) => l.iv !== null);
    expect(solved.length).toBeGreaterThanOrEqual(78);
    for (const l of solved) expect(Math.abs((l.iv ?? 0) - l.vol)).toBeLessThan(1e-6);
  });
});
