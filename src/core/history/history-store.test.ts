import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { istEpochMs } from '../../shared/market-calendar';
import { openDatabase, type Db } from '../storage/database';
import { HistoryStore, MINUTE_MS } from './history-store';
import type { ChainMinute } from './history-types';
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

describe('history store', () => {
  it('reads back a day of minutes in order, within a range, and marks none back-filled', () => {
    const { store } = open();
    for (let m = 0; m < 75; m += 1) store.writeMinute(at(m) + 1_234, [nifty(m)]); // floored to the minute
    const day = store.minutes('NIFTY', '2026-11-26')!;
    expect(day.minutes).toHaveLength(75);
    expect(day.minutes[0]).toEqual({ t: at(0), underlying: 26_000, atmStrike: 26_000, straddle: 191, pcr: 1.2, pcrVolume: null, atmIv: 0.15, ceOi: 195_000, peOi: 292_500, forward: 26_010, backfilled: false });
    expect(store.minutes('NIFTY', '2026-11-26', { from: at(10), to: at(12) })!.minutes.map((m) => m.underlying)).toEqual([26_010, 26_011, 26_012]);
    expect(store.minutes('NIFTY', '2026-12-31')).toBeNull();
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
});
