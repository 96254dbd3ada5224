/**
 * The history's storage: one repository over migration 3's tables, statements prepared once.
 *
 * Policy:
 * - A recorded minute is written for every chain in ONE transaction (`writeMinute`), never per
 *   chain or leg. It replaces whatever that minute held (a restart that records a minute again,
 *   or a back-filled minute the live recorder caught after all).
 * - A back-filled minute never replaces a live one: `writeBackfilled` fills gaps only.
 * - Strikes are kept per chain in 30-minute blocks (strike-codec.ts). The block being recorded
 *   is held in memory (its raw bytes and its last minute), so recording a minute appends to it:
 *   no read-back per minute. It is stored raw while it grows and deflated once, when the chain's
 *   next block starts (or the chain stops being recorded): deflating the growing block every
 *   minute was 2/3 of the recorder's time in the bench. Raw blocks a stop left behind are
 *   deflated by `compact` (the recorder calls it at start and daily). A minute that is not the
 *   block's latest (a back-fill, a clock that stepped back) rebuilds the block from the stored
 *   one; back-filled blocks older than the live one are stored deflated at once. If a write
 *   fails, the blocks held in memory are dropped (the database rolled back; they are read again).
 * - Times are whole minutes: a `t` is floored to its minute.
 * - A minute's straddle volume is derived when read, from the blocks (straddle-volumes.ts).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import type { Db } from '../storage/database';
import type { BackfillMinute, ChainMinute, HistoryMinute, HistoryMinutes, HistoryStrikes, MinuteSummary } from './history-types';
import { straddleVolumes, type RawBlock } from './straddle-volumes';
import { BlockBuilder, copyColumns, decodeBlock, MINUTE_MS, strikeColumns, type BlockMinute, type StrikeColumns } from './strike-codec';
import { columnsOf, strikesOf } from './strike-records';
import { istDate, istEpochMs } from '../../shared/market-calendar';

export { MINUTE_MS };
/** Length of a strikes block; divides an IST day (IST midnight is a whole half hour in UTC). */
export const BLOCK_MS = 30 * MINUTE_MS;

export interface HistoryStoreOptions {
  /** zlib level of the stored blocks (default 6; see the bench for size and time per level). */
  deflateLevel?: number;
}

interface MinuteRow {
  t: number;
  underlying: number | null;
  atm_strike: number | null;
  straddle: number | null;
  pcr: number | null;
  pcr_volume: number | null;
  atm_iv: number | null;
  ce_oi: number | null;
  pe_oi: number | null;
  forward: number | null;
  backfilled: number;
}

type MinuteParams = [number, number, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number | null, number];

/** The strikes block being written for one chain. */
interface OpenBlock {
  start: number;
  builder: BlockBuilder;
  /** Offset of the block's last minute, -1 when empty. */
  lastOffset: number;
  last: StrikeColumns;
}

const floorTo = (t: number, step: number): number => t - (((t % step) + step) % step);
const COLUMNS = 't, underlying, atm_strike, straddle, pcr, pcr_volume, atm_iv, ce_oi, pe_oi, forward, backfilled';

export class HistoryStore {
  private readonly level: number;
  private readonly ids = new Map<string, number>();
  private readonly blocks = new Map<number, OpenBlock>();
  private readonly selectChain: Database.Statement<[string, string], { id: number }>;
  private readonly insertChain: Database.Statement<[string, string]>;
  private readonly listChains: Database.Statement<[], { id: number; symbol: string; expiry: string }>;
  private readonly upsertMinute: Database.Statement<MinuteParams>;
  private readonly fillMinute: Database.Statement<MinuteParams>;
  private readonly selectLatest: Database.Statement<[number], { t: number | null }>;
  private readonly selectMinutes: Database.Statement<[number, number, number], MinuteRow>;
  private readonly selectBlock: Database.Statement<[number, number], BlockRow>;
  private readonly upsertBlock: Database.Statement<[number, number, number, Uint8Array]>;
  private readonly blocksAtOrBefore: Database.Statement<[number, number], BlockRow>;
  private readonly blocksBetween: Database.Statement<[number, number, number], BlockRow>;
  private readonly latestBlocks: Database.Statement<[number], BlockRow>;
  private readonly rawBlocksBefore: Database.Statement<[number], BlockRow & { chain_id: number }>;
  private readonly deleteMinutes: Database.Statement<[number, number]>;
  private readonly deleteBlocks: Database.Statement<[number, number]>;
  private readonly deleteEmptyChain: Database.Statement<[number, number, number]>;
  private readonly writeAll: (t: number, chains: readonly ChainMinute[]) => void;
  private readonly fillAll: (id: number, minutes: readonly BackfillMinute[]) => number;
  private readonly pruneAll: (cutoff: number) => { minutes: number; blocks: number; chains: number };
  private readonly compactAll: (before: number) => number;
  /** Start of the block of the latest minute recorded live: that block is the one stored raw. */
  private liveBlock = Number.NEGATIVE_INFINITY;
  /** Live blocks that finished (their half-hour ended), stored raw, still to deflate: [chain id, start]. */
  private readonly finished: [number, number][] = [];
  private readonly deflateSome: (blocks: readonly [number, number][]) => void;

  constructor(db: Db, options: HistoryStoreOptions = {}) {
    const sql = db.sqlite;
    this.level = options.deflateLevel ?? 6;
    this.selectChain = sql.prepare('SELECT id FROM history_chains WHERE symbol = ? AND expiry = ?');
    this.insertChain = sql.prepare('INSERT INTO history_chains (symbol, expiry) VALUES (?, ?)');
    this.listChains = sql.prepare('SELECT id, symbol, expiry FROM history_chains');
    const values = `INSERT INTO history_minutes (chain_id, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    const update = COLUMNS.split(', ').filter((c) => c !== 't').map((c) => `${c} = excluded.${c}`).join(', ');
    this.upsertMinute = sql.prepare(`${values} ON CONFLICT (chain_id, t) DO UPDATE SET ${update}`);
    this.fillMinute = sql.prepare(`${values} ON CONFLICT (chain_id, t) DO UPDATE SET ${update} WHERE history_minutes.backfilled = 1`);
    this.selectLatest = sql.prepare('SELECT max(t) AS t FROM history_minutes WHERE chain_id = ?');
    this.selectMinutes = sql.prepare(`SELECT ${COLUMNS} FROM history_minutes WHERE chain_id = ? AND t >= ? AND t <= ? ORDER BY t`);
    this.selectBlock = sql.prepare('SELECT block_start, deflated, data FROM history_strikes WHERE chain_id = ? AND block_start = ?');
    this.upsertBlock = sql.prepare(
      `INSERT INTO history_strikes (chain_id, block_start, deflated, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (chain_id, block_start) DO UPDATE SET deflated = excluded.deflated, data = excluded.data`,
    );
    this.blocksAtOrBefore = sql.prepare(
      'SELECT block_start, deflated, data FROM history_strikes WHERE chain_id = ? AND block_start <= ? ORDER BY block_start DESC LIMIT 2',
    );
    this.blocksBetween = sql.prepare(
      'SELECT block_start, deflated, data FROM history_strikes WHERE chain_id = ? AND block_start >= ? AND block_start <= ? ORDER BY block_start',
    );
    this.latestBlocks = sql.prepare('SELECT block_start, deflated, data FROM history_strikes WHERE chain_id = ? ORDER BY block_start DESC LIMIT 1');
    this.rawBlocksBefore = sql.prepare('SELECT chain_id, block_start, deflated, data FROM history_strikes WHERE deflated = 0 AND block_start < ?');
    this.deleteMinutes = sql.prepare('DELETE FROM history_minutes WHERE chain_id = ? AND t < ?');
    this.deleteBlocks = sql.prepare('DELETE FROM history_strikes WHERE chain_id = ? AND block_start < ?');
    this.deleteEmptyChain = sql.prepare(
      `DELETE FROM history_chains WHERE id = ?
         AND NOT EXISTS (SELECT 1 FROM history_minutes WHERE chain_id = ?)
         AND NOT EXISTS (SELECT 1 FROM history_strikes WHERE chain_id = ?)`,
    );

    this.writeAll = sql.transaction((t: number, chains: readonly ChainMinute[]) => {
      this.liveBlock = Math.max(this.liveBlock, floorTo(t, BLOCK_MS));
      for (const c of chains) {
        const id = this.chainId(c.symbol, c.expiry);
        this.upsertMinute.run(...minuteParams(id, t, c.summary, false));
        if (c.strikes && c.strikes.count > 0) this.putStrikes(id, t, c.strikes);
      }
      // Blocks of earlier half-hours are finished (a chain whose next block started, or that was
      // not recorded this minute): complete and raw in the database already, they are let go here
      // and deflated later, a few at a time (`compactFinished`), so no minute pays for them all.
      for (const [id, b] of this.blocks) {
        if (b.start >= this.liveBlock) continue;
        this.finished.push([id, b.start]);
        this.blocks.delete(id);
      }
    });
    this.fillAll = sql.transaction((id: number, minutes: readonly BackfillMinute[]) => {
      let written = 0;
      for (const m of minutes) {
        const t = floorTo(m.t, MINUTE_MS);
        if (this.fillMinute.run(...minuteParams(id, t, m, true)).changes === 0) continue;
        written += 1;
        if (m.strikes) this.putStrikes(id, t, columnsOf(m.strikes));
      }
      return written;
    });
    this.pruneAll = sql.transaction((cutoff: number) => {
      let minutes = 0;
      let blocks = 0;
      let chains = 0;
      for (const c of this.listChains.all()) {
        minutes += this.deleteMinutes.run(c.id, cutoff).changes;
        blocks += this.deleteBlocks.run(c.id, cutoff).changes;
        if (this.deleteEmptyChain.run(c.id, c.id, c.id).changes > 0) {
          chains += 1;
          this.ids.delete(`${c.symbol}|${c.expiry}`);
        }
      }
      return { minutes, blocks, chains };
    });
    this.deflateSome = sql.transaction((blocks: readonly [number, number][]) => {
      for (const [id, start] of blocks) {
        const row = this.selectBlock.get(id, start);
        if (row && row.deflated === 0) this.upsertBlock.run(id, start, 1, deflateRawSync(row.data, { level: this.level }));
      }
    });
    this.compactAll = sql.transaction((before: number) => {
      let n = 0;
      for (const row of this.rawBlocksBefore.all(before)) {
        if (this.blocks.get(row.chain_id)?.start === row.block_start) this.blocks.delete(row.chain_id);
        this.upsertBlock.run(row.chain_id, row.block_start, 1, deflateRawSync(row.data, { level: this.level }));
        n += 1;
      }
      return n;
    });
  }

  /**
   * Writes minute `t` of every chain in `chains` in one transaction, replacing what that minute
   * held. The strikes columns are read here and not kept.
   */
  writeMinute(t: number, chains: readonly ChainMinute[]): void {
    const minute = floorTo(t, MINUTE_MS);
    this.guarded(() => this.writeAll(minute, chains));
    this.writeCount.live += 1;
  }

  /**
   * How many writes went in since this store was made: live minutes, and back-fills (which land
   * behind minutes already recorded). A reader that saw the same counts has nothing new to read.
   */
  get writes(): { readonly live: number; readonly backfills: number } {
    return this.writeCount;
  }

  /**
   * Writes back-filled minutes of one chain (marked `backfilled`), in one transaction. A minute
   * already recorded live is left as it is. Returns how many minutes were written.
   */
  writeBackfilled(symbol: string, expiry: string, minutes: readonly BackfillMinute[]): number {
    const written = this.guarded(() => this.fillAll(this.chainId(symbol, expiry), minutes));
    if (written > 0) this.writeCount.backfills += 1;
    return written;
  }

  /**
   * The chain's minutes with `from <= t <= to`, in time order, each with its straddle volume
   * (from the blocks of the range and of the minute before it); null when the chain has no
   * history. Without `from`, one day: from the IST midnight of `to`'s day, or of the latest
   * recorded minute's day (the session so far, or the last one before today's opens), never
   * every retained day.
   */
  minutes(symbol: string, expiry: string, range: { from?: number; to?: number } = {}): HistoryMinutes | null {
    const id = this.knownChainId(symbol, expiry);
    if (id === undefined) return null;
    const to = range.to ?? Number.MAX_SAFE_INTEGER;
    let from = range.from;
    if (from === undefined) {
      const last = range.to ?? this.selectLatest.get(id)?.t ?? null;
      from = last === null ? Number.MIN_SAFE_INTEGER : istEpochMs(istDate(last));
    }
    const minutes = this.selectMinutes.all(id, from, to).map(minuteOf);
    if (minutes.length > 0) {
      const volumes = straddleVolumes(minutes, this.rawBlocks(id, minutes[0]!.t - MINUTE_MS, minutes[minutes.length - 1]!.t));
      minutes.forEach((m, i) => (m.straddleVolume = volumes[i]!));
    }
    return { symbol, expiry, minutes };
  }

  /** The chain's blocks holding minutes `from..to`, inflated one at a time, in time order. */
  private *rawBlocks(id: number, from: number, to: number): Generator<RawBlock> {
    for (const row of this.blocksBetween.iterate(id, floorTo(from, BLOCK_MS), to)) yield { start: row.block_start, raw: rawOf(row) };
  }

  /**
   * The chain's strikes at the latest minute at or before `t` (default: the latest recorded), or
   * null when there is none.
   */
  strikesAt(symbol: string, expiry: string, t?: number): HistoryStrikes | null {
    const id = this.knownChainId(symbol, expiry);
    if (id === undefined) return null;
    const rows = t === undefined ? this.latestBlocks.all(id) : this.blocksAtOrBefore.all(id, t);
    for (const row of rows) {
      const until = t === undefined ? Infinity : Math.floor((t - row.block_start) / MINUTE_MS);
      const minutes = decodeBlock(rawOf(row), until);
      const last = minutes[minutes.length - 1];
      if (last) return { symbol, expiry, t: row.block_start + last.offset * MINUTE_MS, strikes: strikesOf(last.columns) };
    }
    return null;
  }

  /**
   * Deletes every minute before `cutoff` (epoch ms, floored to a block start), and chains left
   * with nothing. Returns what went.
   */
  pruneBefore(cutoff: number): { minutes: number; blocks: number; chains: number } {
    return this.guarded(() => this.pruneAll(floorTo(cutoff, BLOCK_MS)));
  }

  /**
   * Deflates the raw blocks that started before `before` (epoch ms): blocks a stop or a crash
   * left raw. Returns how many. The recorder calls it with the current block's start.
   */
  compact(before: number): number {
    return this.guarded(() => this.compactAll(floorTo(before, BLOCK_MS)));
  }

  private readonly writeCount = { live: 0, backfills: 0 };

  /** Finished blocks still raw (see `compactFinished`). */
  get pendingCompaction(): number {
    return this.finished.length;
  }

  /**
   * Deflates up to `max` of the blocks that finished since the last call (one transaction);
   * returns how many are still waiting. The recorder calls it in slices after a half-hour ends.
   */
  compactFinished(max: number): number {
    const batch = this.finished.splice(0, Math.max(1, max));
    if (batch.length) this.guarded(() => this.deflateSome(batch));
    return this.finished.length;
  }

  /** Runs a write; on failure the blocks held in memory no longer match the database: drop them. */
  private guarded<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      this.blocks.clear();
      this.ids.clear();
      throw err;
    }
  }

  private knownChainId(symbol: string, expiry: string): number | undefined {
    return this.ids.get(`${symbol}|${expiry}`) ?? this.selectChain.get(symbol, expiry)?.id;
  }

  private chainId(symbol: string, expiry: string): number {
    const key = `${symbol}|${expiry}`;
    let id = this.ids.get(key) ?? this.selectChain.get(symbol, expiry)?.id;
    if (id === undefined) id = Number(this.insertChain.run(symbol, expiry).lastInsertRowid);
    this.ids.set(key, id);
    return id;
  }

  /** Puts minute `t`'s strikes into its block and writes the block. */
  private putStrikes(id: number, t: number, columns: StrikeColumns): void {
    const start = floorTo(t, BLOCK_MS);
    const offset = (t - start) / MINUTE_MS;
    let block = this.blocks.get(id);
    if (!block || block.start !== start) {
      block = this.loadBlock(id, start);
      this.blocks.set(id, block);
    }
    if (offset > block.lastOffset) {
      block.builder.append(offset, columns, block.lastOffset >= 0 ? block.last : null);
      block.last = copyColumns(columns, block.last);
      block.lastOffset = offset;
    } else {
      const minutes = decodeBlock(block.builder.bytes).filter((m) => m.offset !== offset);
      minutes.push({ offset, columns: copyColumns(columns) });
      minutes.sort((a, b) => a.offset - b.offset);
      rebuild(block, minutes);
    }
    if (start >= this.liveBlock) this.upsertBlock.run(id, start, 0, block.builder.bytes);
    else {
      // A back-fill into a finished block: store it deflated and do not hold it.
      this.storeBlock(id, block);
      this.blocks.delete(id);
    }
  }

  /** Writes a finished block, deflated. */
  private storeBlock(id: number, block: OpenBlock): void {
    this.upsertBlock.run(id, block.start, 1, deflateRawSync(block.builder.bytes, { level: this.level }));
  }

  private loadBlock(id: number, start: number): OpenBlock {
    const held = this.blocks.get(id);
    // The chain's previous block is finished now (complete and raw in the database): deflate it later.
    if (held && held.start < start) this.finished.push([id, held.start]);
    const block: OpenBlock = { start, builder: new BlockBuilder(), lastOffset: -1, last: strikeColumns(0) };
    const row = this.selectBlock.get(id, start);
    if (row) rebuild(block, decodeBlock(rawOf(row)));
    return block;
  }
}

interface BlockRow {
  block_start: number;
  deflated: number;
  data: Uint8Array;
}

/** A stored block's raw bytes. */
const rawOf = (row: BlockRow): Uint8Array => (row.deflated === 1 ? inflateRawSync(row.data) : row.data);

/** Re-encodes `block` from its minutes (ascending offsets). */
function rebuild(block: OpenBlock, minutes: readonly BlockMinute[]): void {
  block.builder.reset();
  let prev: StrikeColumns | null = null;
  for (const m of minutes) {
    block.builder.append(m.offset, m.columns, prev);
    prev = m.columns;
  }
  block.lastOffset = minutes.length ? minutes[minutes.length - 1]!.offset : -1;
  block.last = prev ? copyColumns(prev) : strikeColumns(0);
}

const orNull = (v: number | null): number | null => (v === null || Number.isFinite(v) ? v : null);

function minuteParams(id: number, t: number, s: Omit<MinuteSummary, 't'>, backfilled: boolean): MinuteParams {
  return [
    id, t, orNull(s.underlying), orNull(s.atmStrike), orNull(s.straddle), orNull(s.pcr), orNull(s.pcrVolume), orNull(s.atmIv),
    orNull(s.ceOi), orNull(s.peOi), orNull(s.forward), backfilled ? 1 : 0,
  ];
}

function minuteOf(r: MinuteRow): HistoryMinute {
  return {
    t: r.t, underlying: r.underlying, atmStrike: r.atm_strike, straddle: r.straddle, pcr: r.pcr, pcrVolume: r.pcr_volume,
    atmIv: r.atm_iv, ceOi: r.ce_oi, peOi: r.pe_oi, forward: r.forward, straddleVolume: null, backfilled: r.backfilled === 1,
  };
}
