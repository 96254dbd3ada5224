import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { istEpochMs } from '../../shared/market-calendar';
import { openDatabase, type Db } from '../storage/database';
import { HistoryStore, MINUTE_MS } from './history-store';
import type { ChainMinute, HistoryMinute } from './history-types';
import { strikeColumns } from './strike-codec';

const T = istEpochMs('2026-11-24', 9 * 60 + 16);
const at = (m: number): number => T + m * MINUTE_MS;

let dir: string | undefined;
const dbs: Db[] = [];
afterEach(() => {
  dbs.splice(0).forEach((d) => d.close());
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function open(file = ':memory:'): { db: Db; store: HistoryStore } {
  const db = openDatabase(file);
  dbs.push(db);
  return { db, store: new HistoryStore(db) };
}

/** NIFTY at minute `m`: three strikes whose CE LTP is 100 + m (so a minute can be told apart). */
function nifty(m: number, strikes = [25_950, 26_000, 26_050]): ChainMinute {
  const c = strikeColumns(strikes.length);
  c.count = strikes.length;
  strikes.forEach((k, i) => {
    c.strikes[i] = k;
    c.ceLtp[i] = 100 + m;
    c.peLtp[i] = 90 + i;
    c.ceOi[i] = 65 * (1_000 + m);
    c.peOi[i] = 65 * 1_500;
    c.ceOiChange[i] = 65 * m;
    c.ceVolume[i] = 65 * 10 * m;
    c.ceIv[i] = 0.15;
  });
  return {
    symbol: 'NIFTY', expiry: '2026-11-26', strikes: c,
    summary: { underlying: 26_000 + m, atmStrike: 26_000, straddle: 191 + m, pcr: 1.2, pcrVolume: null, atmIv: 0.15, ceOi: 195_000, peOi: 292_500, forward: 26_010 },
  };
}

/**
 * NIFTY at minute `m` with day volumes that differ by strike: CE 100 x m x (i + 1), PE 7 x m^2 at
 * strike index i, so the pair at index i trades 100 (i + 1) + 7 (2m - 1) in minute m.
 */
function traded(m: number, atmStrike: number | null, strikes = [25_950, 26_000, 26_050]): ChainMinute {
  const c = nifty(m, strikes);
  const s = c.strikes!;
  strikes.forEach((_, i) => {
    s.ceVolume[i] = 100 * m * (i + 1);
    s.peVolume[i] = 7 * m * m;
  });
  return { ...c, summary: { ...c.summary, atmStrike } };
}
const pairTraded = (m: number, i: number): number => 100 * (i + 1) + 7 * (2 * m - 1);
const volumes = (minutes: HistoryMinute[] | undefined) => (minutes ?? []).map((m) => [(m.t - T) / MINUTE_MS, m.straddleVolume]);

describe('history store', () => {
  it('reads back a day of minutes in order, within a range, and marks none back-filled', () => {
    const { store } = open();
    for (let m = 0; m < 75; m += 1) store.writeMinute(at(m) + 1_234, [nifty(m)]); // floored to the minute
    const day = store.minutes('NIFTY', '2026-11-26')!;
    expect(day.minutes).toHaveLength(75);
    expect(day.minutes[0]).toEqual({ t: at(0), underlying: 26_000, atmStrike: 26_000, straddle: 191, pcr: 1.2, pcrVolume: null, atmIv: 0.15, ceOi: 195_000, peOi: 292_500, forward: 26_010, straddleVolume: null, backfilled: false });
    expect(store.minutes('NIFTY', '2026-11-26', { from: at(10), to: at(12) })!.minutes.map((m) => m.underlying)).toEqual([26_010, 26_011, 26_012]);
    expect(store.minutes('NIFTY', '2026-12-31')).toBeNull();
  });

  it('reads one day by default: the latest recorded day, or the day of `to`, never every retained day', () => {
    const { store } = open();
    const yesterday = istEpochMs('2026-11-23', 9 * 60 + 16);
    for (let m = 0; m < 3; m += 1) store.writeMinute(yesterday + m * MINUTE_MS, [nifty(m)]);
    for (let m = 0; m < 2; m += 1) store.writeMinute(at(m), [nifty(m)]);
    expect(store.minutes('NIFTY', '2026-11-26')!.minutes.map((m) => m.t)).toEqual([at(0), at(1)]);
    expect(store.minutes('NIFTY', '2026-11-26', { to: yesterday + 10 * MINUTE_MS })!.minutes).toHaveLength(3);
    expect(store.minutes('NIFTY', '2026-11-26', { from: 0 })!.minutes).toHaveLength(5);
  });

  it('strikesAt shows the minute at or before t, across blocks, and the latest by default', () => {
    const { store } = open();
    for (const m of [0, 1, 2, 40, 41]) store.writeMinute(at(m), [nifty(m)]); // 41 minutes: two 30-minute blocks
    const ceLtp = (t?: number) => store.strikesAt('NIFTY', '2026-11-26', t)?.strikes['26000']?.CE.ltp;
    expect(ceLtp(at(1))).toBe(101);
    expect(ceLtp(at(1) + 59_999)).toBe(101);
    expect(ceLtp(at(39))).toBe(102); // the gap shows the last minute before it, in the earlier block
    expect(store.strikesAt('NIFTY', '2026-11-26', at(39))!.t).toBe(at(2));
    expect(ceLtp()).toBe(141);
    expect(store.strikesAt('NIFTY', '2026-11-26', at(0) - 1)).toBeNull();
    const s = store.strikesAt('NIFTY', '2026-11-26', at(40))!;
    expect(Object.keys(s.strikes)).toEqual(['25950', '26000', '26050']);
    expect(s.strikes['26050']).toEqual({
      CE: { ltp: 140, oi: 65 * 1_040, oiChange: 65 * 40, volume: 65 * 400, iv: 0.15 },
      PE: { ltp: 92, oi: 65 * 1_500, oiChange: null, volume: null, iv: null },
    });
  });

  it('a finished half-hour is deflated later, a few blocks at a time, and reads back the same', () => {
    const { db, store } = open();
    const chains = (m: number) => ['NIFTY', 'BANKNIFTY', 'FINNIFTY'].map((symbol) => ({ ...nifty(m), symbol }));
    // 9:16 .. 9:59 (the block of 9:30 starts at minute 14): the first block finishes at minute 14.
    for (let m = 0; m < 20; m += 1) store.writeMinute(at(m), chains(m));
    const raw = () => (db.sqlite.prepare('SELECT COUNT(*) AS n FROM history_strikes WHERE deflated = 0').get() as { n: number }).n;
    // The minute that opened the new block left the three finished ones raw, to deflate later.
    expect(store.pendingCompaction).toBe(3);
    expect(raw()).toBe(6);
    expect(store.compactFinished(2)).toBe(1);
    expect(raw()).toBe(4);
    expect(store.compactFinished(2)).toBe(0);
    expect(raw()).toBe(3); // the live blocks only
    expect(store.strikesAt('FINNIFTY', '2026-11-26', at(13))).toMatchObject({ t: at(13), strikes: { '26000': { CE: { ltp: 113 } } } });
    expect(store.strikesAt('FINNIFTY', '2026-11-26', at(19))!.strikes['26000']!.CE.ltp).toBe(119);
  });

  it('a minute written again replaces it, also out of order inside a block', () => {
    const { store } = open();
    for (let m = 0; m < 5; m += 1) store.writeMinute(at(m), [nifty(m)]);
    store.writeMinute(at(2), [nifty(77)]);
    expect(store.strikesAt('NIFTY', '2026-11-26', at(2))!.strikes['26000']!.CE.ltp).toBe(177);
    expect(store.strikesAt('NIFTY', '2026-11-26', at(3))!.strikes['26000']!.CE.ltp).toBe(103);
    expect(store.minutes('NIFTY', '2026-11-26')!.minutes.map((m) => m.straddle)).toEqual([191, 192, 268, 194, 195]);
  });

  it('back-filled minutes read back marked, fill gaps only, and carry their strikes', () => {
    const { store } = open();
    store.writeMinute(at(5), [nifty(5)]);
    const filled = store.writeBackfilled('NIFTY', '2026-11-26', [0, 1, 5].map((m) => ({
      ...nifty(m).summary, t: at(m), straddle: 500 + m,
      strikes: { '26000': { CE: { ltp: 300 + m, oi: 10 }, PE: { ltp: 200 } } },
    })));
    expect(filled).toBe(2); // minute 5 was recorded live: kept
    expect(store.minutes('NIFTY', '2026-11-26')!.minutes.map((m) => [m.t, m.straddle, m.backfilled])).toEqual([
      [at(0), 500, true], [at(1), 501, true], [at(5), 196, false],
    ]);
    expect(store.strikesAt('NIFTY', '2026-11-26', at(1))!.strikes).toEqual({
      '26000': { CE: { ltp: 301, oi: 10, oiChange: null, volume: null, iv: null }, PE: { ltp: 200, oi: null, oiChange: null, volume: null, iv: null } },
    });
    expect(store.strikesAt('NIFTY', '2026-11-26', at(6))!.strikes['26000']!.CE.ltp).toBe(105);
    // A live minute replaces a back-filled one.
    store.writeMinute(at(1), [nifty(1)]);
    expect(store.minutes('NIFTY', '2026-11-26', { from: at(1), to: at(1) })!.minutes[0]!.backfilled).toBe(false);
  });

  it('a new store on the same file goes on with the block a stop left, raw or deflated', () => {
    dir = mkdtempSync(join(tmpdir(), 'strikedesk-history-'));
    const file = join(dir, 'strikedesk.db');
    const first = open(file);
    for (let m = 0; m < 3; m += 1) first.store.writeMinute(at(m), [nifty(m)]);
    first.db.close();
    const second = open(file);
    for (let m = 3; m < 6; m += 1) second.store.writeMinute(at(m), [nifty(m)]);
    expect(second.store.compact(Number.MAX_SAFE_INTEGER)).toBe(1);
    second.store.writeMinute(at(6), [nifty(6)]);
    const ltps = [0, 1, 2, 3, 4, 5, 6].map((m) => second.store.strikesAt('NIFTY', '2026-11-26', at(m))!.strikes['26000']!.CE.ltp);
    expect(ltps).toEqual([100, 101, 102, 103, 104, 105, 106]);
    expect(second.store.minutes('NIFTY', '2026-11-26')!.minutes).toHaveLength(7);
  });

  it('pruning deletes minutes and blocks before the cutoff, and chains left empty', () => {
    const { db, store } = open();
    const yesterday = istEpochMs('2026-11-23', 9 * 60 + 16);
    store.writeMinute(yesterday, [nifty(0), { ...nifty(0), expiry: '2026-11-24' }]);
    store.writeMinute(at(0), [nifty(1)]);
    expect(store.pruneBefore(istEpochMs('2026-11-24'))).toEqual({ minutes: 2, blocks: 2, chains: 1 });
    expect(store.minutes('NIFTY', '2026-11-26')!.minutes.map((m) => m.t)).toEqual([at(0)]);
    expect(store.minutes('NIFTY', '2026-11-24')).toBeNull();
    expect(store.strikesAt('NIFTY', '2026-11-26', at(0) - 1)).toBeNull();
    expect(db.sqlite.prepare('SELECT count(*) n FROM history_strikes').get()).toEqual({ n: 1 });
  });

  it("a minute's straddle volume is the pair traded in it at its own ATM, read once for a day and for one minute alike", () => {
    const { store } = open();
    // 9:16.. ; the 9:30 block starts at minute 14. ATM 26,000, then 26,050 from minute 2; no minute 4.
    for (const m of [0, 1, 2, 3, 5, 12, 13, 14, 15]) store.writeMinute(at(m), [traded(m, m < 2 ? 26_000 : 26_050)]);
    const day = store.minutes('NIFTY', '2026-11-26')!.minutes;
    expect(volumes(day)).toEqual([
      [0, null], // the first minute: nothing before it
      [1, pairTraded(1, 1)],
      [2, pairTraded(2, 2)], // at 26,050 (the minute's ATM), though the minute before was at 26,000
      [3, pairTraded(3, 2)],
      [5, null], // minute 4 was not recorded
      [12, null],
      [13, pairTraded(13, 2)],
      [14, pairTraded(14, 2)], // the minute before is in the previous block
      [15, pairTraded(15, 2)],
    ]);
    // A read of one minute (the stream's, from its last minute + 1) reads the minute before it too.
    for (const m of [1, 2, 5, 14]) {
      const one = store.minutes('NIFTY', '2026-11-26', { from: at(m - 1) + 1, to: at(m) })!.minutes;
      expect(volumes(one)).toEqual(volumes(day.filter((d) => d.t === at(m))));
    }
    // Finished blocks deflated: the same.
    store.compact(Number.MAX_SAFE_INTEGER);
    expect(volumes(store.minutes('NIFTY', '2026-11-26')!.minutes)).toEqual(volumes(day));
  });

  it('a straddle volume is null, never 0, when a count is unknown or goes back', () => {
    const { store } = open();
    store.writeMinute(at(0), [traded(5, 26_000)]);
    store.writeMinute(at(1), [traded(3, 26_000)]); // the day volume went back (a restart): unknown
    store.writeMinute(at(2), [traded(4, null)]); // no ATM
    store.writeMinute(at(3), [traded(5, 26_000)]); // from day volumes 4 and 5 (the minute before had no ATM, but its counts)
    const unknownPut = traded(6, 26_000);
    unknownPut.strikes!.peVolume[1] = Number.NaN;
    store.writeMinute(at(4), [unknownPut]);
    store.writeMinute(at(5), [traded(7, 26_000)]); // the minute before had no PE volume at the ATM
    store.writeMinute(at(6), [traded(7, 26_000)]); // nothing traded: 0, known
    store.writeMinute(at(7), [traded(8, 25_000)]); // an ATM outside the strikes held
    store.writeMinute(at(8), [{ ...traded(9, 26_000), strikes: null }]); // nothing heard of the legs
    expect(volumes(store.minutes('NIFTY', '2026-11-26')!.minutes)).toEqual([
      [0, null], [1, null], [2, null], [3, pairTraded(5, 1)], [4, null], [5, null], [6, 0], [7, null], [8, null],
    ]);
  });

  it('back-filled minutes get their straddle volume from the legs they carry', () => {
    const { store } = open();
    const filled = (m: number, atm: number, legs: Record<string, { ce: number; pe: number }>) => ({
      ...nifty(m).summary, t: at(m), atmStrike: atm,
      strikes: Object.fromEntries(Object.entries(legs).map(([k, v]) => [k, { CE: { ltp: 100, volume: v.ce }, PE: { volume: v.pe } }])),
    });
    expect(store.writeBackfilled('NIFTY', '2026-11-26', [
      filled(0, 26_000, { '26000': { ce: 1_000, pe: 500 }, '26050': { ce: 300, pe: 200 } }), // holds the next minute's ATM too
      filled(1, 26_050, { '26050': { ce: 450, pe: 260 } }),
      filled(2, 26_000, { '26000': { ce: 1_200, pe: 700 } }), // its ATM moved back: minute 1 does not hold 26,000
    ])).toBe(3);
    store.writeMinute(at(3), [traded(3, 26_000)]); // live: CE 600, PE 63 at 26,000 (index 1)
    expect(volumes(store.minutes('NIFTY', '2026-11-26')!.minutes)).toEqual([[0, null], [1, 210], [2, null], [3, null]]);
    store.writeMinute(at(4), [traded(4, 26_000)]);
    expect(store.minutes('NIFTY', '2026-11-26', { from: at(4) })!.minutes[0]!.straddleVolume).toBe(pairTraded(4, 1));
  });

  it("reads a range's blocks as a range of the primary key", () => {
    const db = openDatabase(':memory:');
    dbs.push(db);
    const sources: string[] = [];
    const prepare = db.sqlite.prepare.bind(db.sqlite);
    db.sqlite.prepare = ((source: string) => (sources.push(source), prepare(source))) as typeof db.sqlite.prepare;
    new HistoryStore(db);
    const sql = sources.find((q) => /FROM history_strikes WHERE chain_id = \? AND block_start >= \? AND block_start <= \?/.test(q))!;
    const plan = db.sqlite.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(1, 0, 1e13).map((r) => r.detail).join('\n');
    expect(plan).toMatch(/SEARCH history_strikes USING PRIMARY KEY \(chain_id=\? AND block_start>\? AND block_start<\?\)/);
  });
});
