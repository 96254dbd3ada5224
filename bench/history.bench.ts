/**
 * History benchmark (issue 18): a synthetic full day of the whole 25,000-instrument budget through
 * the real recorder and store, on a database file in a temp dir with the app's migrations.
 *
 * The day: 40 index-like chains of 101 strikes and 338 stock chains of 25 strikes (24,980 legs),
 * 375 minutes (9:16-15:30 IST). Each minute every underlying takes a random step; every leg is
 * priced by Black-76 on its smile and quoted to the 0.05 tick, OI moves on ~30% of legs by a
 * few lots, volume grows on legs that trade (near strikes nearly every minute, far ones rarely).
 * The values go into a real QuoteStore as FULL packets; the recorder then samples every chain
 * through a real AnalyticsBook (IVs solved from the prices) and writes the minute. Only
 * `recordMinute` is timed: that is the recorder's whole cost (analytics refresh, sampling,
 * encoding, the transaction).
 *
 * Figures: disk (database + WAL after a checkpoint) and bytes per leg-minute, the strikes blobs'
 * and the minute rows' shares, write ms per minute (p50/p99) and the implied share of a core
 * (mean ms per 60,000 ms), `minutes()` for an index chain's whole day (with each minute's
 * straddle volume, derived from the strikes blocks) and for one minute (the stream's read of a
 * minute just closed), and `strikesAt()` for one at random minutes. Targets: 150 MB, 3% of a
 * core, 50 ms per query.
 * HISTORY_BENCH_DEFLATE_LEVEL overrides the blocks' zlib level (default the store's).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { black76Price } from '../src/shared/black76';
import type { ChainStrike } from '../src/shared/chain';
import { IST_OFFSET_MS, istEpochMs } from '../src/shared/market-calendar';
import { SEGMENT_FEED_CODE } from '../src/shared/instruments';
import { AnalyticsBook } from '../src/core/analytics/analytics-book';
import type { ChainState } from '../src/core/chain/atm-engine';
import { FeedPacket } from '../src/core/feed/feed-codec';
import { RESPONSE_CODE } from '../src/core/feed/feed-protocol';
import { QuoteStore } from '../src/core/feed/quote-store';
import { HistoryRecorder } from '../src/core/history/history-recorder';
import { HistoryStore, MINUTE_MS } from '../src/core/history/history-store';
import { openDatabase } from '../src/core/storage/database';
import type { OpenChain } from '../src/core/subscriptions/owner-registry';
import { createRandom, type Random } from '../src/sim/seeded-random';
import { median, percentile, round, type Benchmark, type Figure } from './harness';

const DAY = '2026-11-24';
const EXPIRY = '2026-12-29';
const MINUTES = 375;
const FIRST_MINUTE = 9 * 60 + 16;
const TICK = 0.05;
const RATE = 0.065;

interface Leg {
  securityId: number;
  oi: number;
  prevOi: number;
  volume: number;
  /** Expected lots traded a minute. */
  liquidity: number;
}

interface SynthChain {
  state: ChainState;
  spot: number;
  vol: number;
  lot: number;
  underlyingId: number;
  calls: Leg[];
  puts: Leg[];
}

function gauss(r: Random): number {
  let s = 0;
  for (let k = 0; k < 6; k += 1) s += r.next();
  return (s - 3) * Math.SQRT2;
}

/** 40 index-like chains of 101 strikes, then stock chains of 25 strikes up to 25,000 legs. */
function universe(r: Random): SynthChain[] {
  const out: SynthChain[] = [];
  let nextId = 100_000;
  const make = (symbol: string, spot: number, step: number, lot: number, n: number, vol: number, peakLots: number, tradedLots: number): void => {
    const atm = Math.round(spot / step) * step;
    const calls: Leg[] = [];
    const puts: Leg[] = [];
    const strikes: ChainStrike[] = [];
    for (let i = 0; i < n; i += 1) {
      const x = (i - (n >> 1)) / (n / 6);
      const leg = (): Leg => {
        const lots = Math.max(1, Math.round(peakLots * Math.exp(-x * x / 2) * (0.5 + r.next())));
        return { securityId: nextId++, oi: Math.round(lots * (0.9 + 0.2 * r.next())) * lot, prevOi: lots * lot, volume: 0, liquidity: tradedLots * Math.exp(-3 * Math.abs(x)) };
      };
      const ce = leg();
      const pe = leg();
      calls.push(ce);
      puts.push(pe);
      strikes.push({
        strike: atm + (i - (n >> 1)) * step,
        ce: { segment: 'NSE_FNO', securityId: ce.securityId, tradingSymbol: '' },
        pe: { segment: 'NSE_FNO', securityId: pe.securityId, tradingSymbol: '' },
      });
    }
    const underlyingId = nextId++;
    const state: ChainState = {
      key: `${symbol}|${EXPIRY}`,
      chain: { symbol, segment: 'NSE_FNO', expiry: EXPIRY, ltp: spot, step, atm, lotSize: lot, underlying: { segment: 'IDX_I', securityId: underlyingId, tradingSymbol: symbol }, strikes },
      optionTokens: strikes.flatMap((s) => [`NSE_FNO:${s.ce!.securityId}`, `NSE_FNO:${s.pe!.securityId}`] as const),
      underlyingToken: `IDX_I:${underlyingId}`,
      builtAt: 0,
    };
    out.push({ state, spot, vol, lot, underlyingId, calls, puts });
  };
  for (let i = 0; i < 40; i += 1) {
    const spot = 20_000 + r.next() * 60_000;
    make(`IDX${i}`, spot, spot > 50_000 ? 100 : 50, r.pick([15, 20, 30, 65, 75]), 101, 0.14, 60_000, 400);
  }
  for (let i = 0, legs = 40 * 202; legs + 50 <= 25_000; i += 1, legs += 50) {
    const spot = 100 + r.next() * 4_900;
    const step = spot < 500 ? 5 : spot < 1_500 ? 10 : spot < 3_000 ? 20 : 50;
    make(`STK${i}`, spot, step, r.pick([250, 500, 700, 1_000, 1_500, 3_000]), 25, 0.3, 2_000, 15);
  }
  return out;
}

const quoted = (p: number): number => Math.max(TICK, Math.round(p / TICK) * TICK);

/** Moves the market one minute on and feeds every instrument to the store. */
function feedMinute(chains: SynthChain[], store: QuoteStore, t: number, r: Random, packet: FeedPacket): void {
  const years = (istEpochMs(EXPIRY, 930) - t) / (365 * 86_400_000);
  packet.ltt = Math.floor((t + IST_OFFSET_MS) / 1000) - 1;
  for (const c of chains) {
    c.spot *= Math.exp((c.vol / Math.sqrt(252 * MINUTES)) * gauss(r));
    packet.code = RESPONSE_CODE.TICKER;
    packet.segment = 'IDX_I';
    packet.segmentCode = SEGMENT_FEED_CODE.IDX_I!;
    packet.securityId = c.underlyingId;
    packet.ltp = c.spot;
    store.apply(packet);
    packet.code = RESPONSE_CODE.FULL;
    packet.segment = 'NSE_FNO';
    packet.segmentCode = SEGMENT_FEED_CODE.NSE_FNO!;
    c.state.chain.strikes.forEach((s, i) => {
      const x = Math.log(s.strike / c.spot) / Math.sqrt(years);
      const iv = c.vol * Math.min(Math.max(1 - 0.25 * x + x * x, 0.5), 3);
      for (const isCall of [true, false]) {
        const leg = (isCall ? c.calls : c.puts)[i]!;
        if (r.chance(0.3)) leg.oi = Math.max(c.lot, leg.oi + Math.round((gauss(r) * leg.prevOi * 0.004) / c.lot) * c.lot);
        if (r.chance(Math.min(1, leg.liquidity))) leg.volume += Math.max(1, Math.round(leg.liquidity * (0.5 + r.next()))) * c.lot;
        packet.securityId = leg.securityId;
        packet.ltp = quoted(black76Price(c.spot, s.strike, years, iv, RATE, isCall));
        packet.oi = leg.oi;
        packet.volume = leg.volume;
        store.apply(packet);
      }
    });
  }
}

/** The previous day's close packets: previous OI for every leg. */
function feedPrevClose(chains: SynthChain[], store: QuoteStore, packet: FeedPacket): void {
  packet.code = RESPONSE_CODE.PREV_CLOSE;
  packet.segment = 'NSE_FNO';
  packet.segmentCode = SEGMENT_FEED_CODE.NSE_FNO!;
  for (const c of chains) {
    for (const leg of [...c.calls, ...c.puts]) {
      packet.securityId = leg.securityId;
      packet.prevClose = 10;
      packet.prevOi = leg.prevOi;
      store.apply(packet);
    }
  }
}

function timeRuns(runs: number, body: (k: number) => void): number[] {
  for (let k = 0; k < 5; k += 1) body(k);
  const out: number[] = [];
  for (let k = 0; k < runs; k += 1) {
    const t0 = performance.now();
    body(k);
    out.push(performance.now() - t0);
  }
  return out;
}

export const historyBenchmark: Benchmark = {
  name: 'history',
  description: 'session recorder: a synthetic full day (24,980 legs x 375 minutes) through the recorder and store',
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'strikedesk-history-bench-'));
    const file = join(dir, 'strikedesk.db');
    const db = openDatabase(file);
    try {
      const level = process.env.HISTORY_BENCH_DEFLATE_LEVEL;
      const historyStore = new HistoryStore(db, level ? { deflateLevel: Number(level) } : {});
      let now = istEpochMs(DAY, FIRST_MINUTE - 1);
      const quotes = new QuoteStore({ now: () => now });
      const chains = universe(createRandom(18, 'history-universe'));
      const open: OpenChain[] = chains.map((c) => ({ key: c.state.key, spec: { symbol: c.state.chain.symbol, expiry: EXPIRY }, state: c.state, owners: [], tier: 'TIER_A' }));
      const analytics = new AnalyticsBook({ store: quotes, now: () => now });
      const recorder = new HistoryRecorder({
        store: historyStore, owners: { openChains: () => open }, quotes, analytics, settings: { get: () => undefined }, now: () => now, shouldRecord: () => true,
      });
      // The store's part of each minute (encode, deflate, the transaction), timed apart from sampling.
      const storeWrites: number[] = [];
      const write = historyStore.writeMinute.bind(historyStore);
      historyStore.writeMinute = (t, samples) => {
        const t0 = performance.now();
        write(t, samples);
        storeWrites.push(performance.now() - t0);
      };
      const packet = new FeedPacket();
      feedPrevClose(chains, quotes, packet);
      const r = createRandom(18, 'history-market');
      const writes: number[] = [];
      const legs = chains.reduce((n, c) => n + 2 * c.state.chain.strikes.length, 0);
      for (let m = 0; m < MINUTES; m += 1) {
        now = istEpochMs(DAY, FIRST_MINUTE + m);
        feedMinute(chains, quotes, now, r, packet);
        const t0 = performance.now();
        const written = recorder.recordMinute(now);
        writes.push(performance.now() - t0);
        if (written !== chains.length) throw new Error(`bench: ${written} of ${chains.length} chains written at minute ${m}`);
      }
      // As after the recorder's stop(): the last half-hour's blocks deflated too.
      historyStore.compact(Number.MAX_SAFE_INTEGER);
      db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      const size = (f: string): number => statSync(f, { throwIfNoEntry: false })?.size ?? 0;
      const disk = size(file) + size(`${file}-wal`);
      const blobBytes = (db.sqlite.prepare('SELECT sum(length(data)) n FROM history_strikes').get() as { n: number }).n;
      const minuteRows = (db.sqlite.prepare('SELECT count(*) n FROM history_minutes').get() as { n: number }).n;

      const index = chains[0]!.state.chain;
      const dayMinutes = timeRuns(50, () => {
        if (historyStore.minutes(index.symbol, EXPIRY)?.minutes.length !== MINUTES) throw new Error('bench: a day has 375 minutes');
      });
      // The figure is only worth something if the straddle volumes were derived: all but the first.
      const volumes = historyStore.minutes(index.symbol, EXPIRY)!.minutes.filter((m) => m.straddleVolume !== null).length;
      if (volumes < MINUTES - 1) throw new Error(`bench: ${volumes} of ${MINUTES} minutes have a straddle volume`);
      const pickMinute = createRandom(18, 'history-minute-queries');
      const oneMinute = timeRuns(200, () => {
        const t = istEpochMs(DAY, FIRST_MINUTE + pickMinute.int(1, MINUTES - 1));
        const read = historyStore.minutes(index.symbol, EXPIRY, { from: t - MINUTE_MS + 1, to: t })?.minutes;
        if (read?.length !== 1 || read[0]!.straddleVolume === null) throw new Error('bench: a minute without its straddle volume');
      });
      const pick = createRandom(18, 'history-queries');
      const at = timeRuns(200, () => {
        const t = istEpochMs(DAY, FIRST_MINUTE + pick.int(0, MINUTES - 1)) + pick.int(0, 59_999);
        const s = historyStore.strikesAt(index.symbol, EXPIRY, t);
        if (!s || Object.keys(s.strikes).length !== index.strikes.length) throw new Error('bench: strikesAt missed');
      });
      const latest = timeRuns(50, () => historyStore.strikesAt(index.symbol, EXPIRY));
      const mean = writes.reduce((a, b) => a + b, 0) / writes.length;
      const leafMinutes = legs * MINUTES;
      return [
        { name: 'history.disk_mb', value: round(disk / 1e6, 1), unit: `MB (db + WAL, ${chains.length} chains, ${legs} legs, 375 min)`, target: 150 },
        { name: 'history.bytes_per_leg_minute', value: round(disk / leafMinutes, 2), unit: 'B (whole file)' },
        { name: 'history.strike_blob_bytes_per_leg_minute', value: round(blobBytes / leafMinutes, 2), unit: 'B (deflated blocks alone)' },
        { name: 'history.minute_rows', value: minuteRows, unit: 'rows (chain-minutes)' },
        { name: 'history.record_minute_p50_ms', value: round(median(writes), 1), unit: 'ms (sample + encode + write, all chains)' },
        { name: 'history.record_minute_p99_ms', value: round(percentile(writes, 99), 1), unit: 'ms' },
        { name: 'history.store_write_p50_ms', value: round(median(storeWrites), 1), unit: 'ms (of which: encode + deflate + transaction)' },
        { name: 'history.store_write_p99_ms', value: round(percentile(storeWrites, 99), 1), unit: 'ms' },
        { name: 'history.recorder_cpu_pct', value: round((mean / 60_000) * 100, 3), unit: '% of a core (mean ms per 60,000 ms)', target: 3 },
        { name: 'history.minutes_day_p50_ms', value: round(median(dayMinutes), 2), unit: 'ms (one index chain, 375 minutes)', target: 50 },
        { name: 'history.minutes_day_max_ms', value: round(Math.max(...dayMinutes), 2), unit: 'ms', target: 50 },
        { name: 'history.minutes_one_p50_ms', value: round(median(oneMinute), 2), unit: 'ms (one minute and its straddle volume, as the stream reads a minute just closed)', target: 50 },
        { name: 'history.strikes_at_p50_ms', value: round(median(at), 2), unit: 'ms (101-strike chain, random t)', target: 50 },
        { name: 'history.strikes_at_p99_ms', value: round(percentile(at, 99), 2), unit: 'ms', target: 50 },
        { name: 'history.strikes_latest_p50_ms', value: round(median(latest), 2), unit: 'ms' },
      ];
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
