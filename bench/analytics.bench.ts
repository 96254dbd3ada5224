/**
 * Option-analytics benchmark: IV and greeks for a 101-strike (202-leg) NIFTY chain priced with the
 * simulator's smile and quoted to the 0.05 tick, as ChainAnalytics holds it in the core. Figures:
 * a full recompute (every strike solved, what a forward move costs) at two weeks and at one hour
 * to expiry, an incremental recompute with ~10% of strikes repriced (forward unchanged), and the
 * adapter's refresh from a QuoteStore. Target (issue 8): <= 0.2 ms per full recompute.
 */
import { black76Price } from '../src/shared/black76';
import { istEpochMs } from '../src/shared/market-calendar';
import { ChainAnalytics } from '../src/core/analytics/chain-analytics';
import { refreshChainAnalytics } from '../src/core/analytics/chain-adapter';
import { expiryInstant, YEAR_MS } from '../src/core/analytics/expiry-time';
import type { ChainState } from '../src/core/chain/atm-engine';
import { QuoteStore } from '../src/core/feed/quote-store';
import { createRandom } from '../src/sim/seeded-random';
import { median, percentile, round, type Benchmark, type Figure } from './harness';

const EXPIRY = '2026-02-24';
const EXPIRY_MS = expiryInstant(EXPIRY, 'NSE_FNO');
const FORWARD = 25_843.5;
const STRIKES = Array.from({ length: 101 }, (_, i) => 23_350 + 50 * i);
const TICK = 0.05;
const WARMUP = 2_000;
const RUNS = 10_000;

/** The simulator's smile shape for an index (market-pricing.ts): atm * (1 + skew x + curvature x^2), x in root-time units. */
function smile(K: number, years: number): number {
  const x = Math.log(K / FORWARD) / Math.sqrt(Math.max(years, 2 / 365));
  return 0.14 * Math.min(Math.max(1 - 0.25 * x + 1 * x * x, 0.5), 3);
}

const quoted = (price: number): number => Math.max(Math.round(price / TICK) * TICK, TICK);

function legPrice(i: number, isCall: boolean, years: number): number {
  return quoted(black76Price(FORWARD, STRIKES[i]!, years, smile(STRIKES[i]!, years), 0.065, isCall));
}

function chainAt(nowMs: number): ChainAnalytics {
  const years = (EXPIRY_MS - nowMs) / YEAR_MS;
  const a = new ChainAnalytics();
  a.setChain(STRIKES, EXPIRY_MS);
  STRIKES.forEach((_, i) => {
    a.setLeg(i, true, legPrice(i, true, years), 10_000, 9_000, 500);
    a.setLeg(i, false, legPrice(i, false, years), 12_000, 11_000, 400);
  });
  a.setUnderlying(25_700, Number.NaN);
  a.update(nowMs);
  return a;
}

function time(runs: number, body: (k: number) => void): number[] {
  for (let k = 0; k < WARMUP; k++) body(k);
  const out: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    body(k);
    out.push(performance.now() - t0);
  }
  return out;
}

/** Full recomputes of the chain at `nowMs`; also returns how many legs had an IV. */
function fullRecompute(nowMs: number): { times: number[]; solved: number } {
  const a = chainAt(nowMs);
  const times = time(RUNS, () => {
    if (a.recomputeAll(nowMs) !== STRIKES.length) throw new Error('bench: not a full recompute');
  });
  let solved = 0;
  for (let i = 0; i < a.size; i++) solved += (a.leg(i, true).iv === null ? 0 : 1) + (a.leg(i, false).iv === null ? 0 : 1);
  return { times, solved };
}

/** ~10% of strikes (10) repriced by a tick per update, away from the parity pair so the forward holds. */
function incremental(nowMs: number): number[] {
  const a = chainAt(nowMs);
  const pair = a.indexOf(a.forward.pairStrike ?? -1);
  const candidates = STRIKES.map((_, i) => i).filter((i) => Math.abs(i - pair) > 1);
  const rnd = createRandom(5, 'analytics-bench');
  const years = (EXPIRY_MS - nowMs) / YEAR_MS;
  const base = STRIKES.map((_, i) => [legPrice(i, true, years), legPrice(i, false, years)] as const);
  const picks = Array.from({ length: WARMUP + RUNS }, () => Array.from({ length: 10 }, () => candidates[Math.floor(rnd.next() * candidates.length)]!));
  return time(RUNS, (k) => {
    const up = k % 2 === 0 ? TICK : 0;
    for (const i of picks[k]!) {
      a.setLeg(i, true, base[i]![0] + up, 10_000 + k, 9_000, 500 + k);
      a.setLeg(i, false, base[i]![1] + up, 12_000, 11_000, 400);
    }
    if (a.update(nowMs) > 10) throw new Error('bench: the forward moved');
  });
}

/** The adapter's path: read 202 legs + the underlying from a QuoteStore, then update. */
function adapterRefresh(nowMs: number): number[] {
  const store = new QuoteStore({ now: () => nowMs, capacity: 512 });
  const years = (EXPIRY_MS - nowMs) / YEAR_MS;
  const strikes = STRIKES.map((strike, i) => ({
    strike,
    ce: { segment: 'NSE_FNO' as const, securityId: 40_000 + 2 * i, tradingSymbol: '' },
    pe: { segment: 'NSE_FNO' as const, securityId: 40_001 + 2 * i, tradingSymbol: '' },
  }));
  strikes.forEach((s, i) => {
    store.seed(`NSE_FNO:${s.ce.securityId}`, { ltp: legPrice(i, true, years), oi: 10_000, prevOi: 9_000, volume: 500 });
    store.seed(`NSE_FNO:${s.pe.securityId}`, { ltp: legPrice(i, false, years), oi: 12_000, prevOi: 11_000, volume: 400 });
  });
  store.seed('IDX_I:13', { ltp: 25_700 });
  const state: ChainState = {
    key: `NIFTY|${EXPIRY}`,
    chain: {
      symbol: 'NIFTY', segment: 'NSE_FNO', expiry: EXPIRY, ltp: 25_700, step: 50, atm: 25_850, lotSize: 65,
      underlying: { segment: 'IDX_I', securityId: 13, tradingSymbol: 'NIFTY' }, strikes,
    },
    optionTokens: strikes.flatMap((s) => [`NSE_FNO:${s.ce.securityId}`, `NSE_FNO:${s.pe.securityId}`]),
    underlyingToken: 'IDX_I:13',
    builtAt: nowMs,
  };
  const a = new ChainAnalytics();
  return time(RUNS / 5, () => refreshChainAnalytics(a, state, store, nowMs));
}

export const analyticsBenchmark: Benchmark = {
  name: 'analytics',
  description: 'IV + greeks for a 101-strike (202-leg) chain: full and ~10% incremental recompute',
  async run(): Promise<Figure[]> {
    const twoWeeks = istEpochMs('2026-02-10', 600);
    const hourLeft = istEpochMs(EXPIRY, 870);
    const full = fullRecompute(twoWeeks);
    const nearExpiry = fullRecompute(hourLeft);
    const inc = incremental(twoWeeks);
    const adapter = adapterRefresh(twoWeeks);
    const perLegUs = (median(full.times) * 1000) / (2 * STRIKES.length);
    return [
      { name: 'analytics.full_recompute_p50_ms', value: round(median(full.times), 4), unit: `ms (202 legs, 14 d, ${full.solved} IVs)`, target: 0.2 },
      { name: 'analytics.full_recompute_p99_ms', value: round(percentile(full.times, 99), 4), unit: 'ms' },
      { name: 'analytics.per_leg_us', value: round(perLegUs, 3), unit: 'us (IV + greeks, p50)' },
      { name: 'analytics.full_recompute_1h_p50_ms', value: round(median(nearExpiry.times), 4), unit: `ms (1 h to expiry, ${nearExpiry.solved} IVs)`, target: 0.2 },
      { name: 'analytics.full_recompute_1h_p99_ms', value: round(percentile(nearExpiry.times, 99), 4), unit: 'ms' },
      { name: 'analytics.incremental_10pct_p50_ms', value: round(median(inc), 4), unit: 'ms (10 strikes repriced)' },
      { name: 'analytics.incremental_10pct_p99_ms', value: round(percentile(inc, 99), 4), unit: 'ms' },
      { name: 'analytics.adapter_refresh_p50_ms', value: round(median(adapter), 4), unit: 'ms (QuoteStore read + update)' },
    ];
  },
};
