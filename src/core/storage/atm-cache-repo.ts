/**
 * The last ATM window computed per (underlying symbol, expiry), so a restart can rebuild chains
 * without waiting for a first tick. Strikes are stored as a JSON array.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Segment } from '../../shared/instruments';
import type { Db } from './database';

export interface AtmCacheEntry {
  symbol: string;
  /** `YYYY-MM-DD`. */
  expiry: string;
  /** Segment of the underlying's quote. */
  segment: Segment;
  underlyingLtp: number;
  atmStrike: number;
  strikeStep: number;
  /** The window's strikes, ascending. */
  strikes: number[];
  /** Epoch milliseconds. */
  updatedAt: number;
}

interface AtmCacheRecord {
  symbol: string;
  expiry: string;
  segment: Segment;
  underlying_ltp: number;
  atm_strike: number;
  strike_step: number;
  strikes: string;
  updated_at: number;
}

const COLUMNS = 'symbol, expiry, segment, underlying_ltp, atm_strike, strike_step, strikes, updated_at';

export class AtmCacheRepo {
  private readonly upsert: Database.Statement<[AtmCacheRecord]>;
  private readonly selectOne: Database.Statement<[string, string], AtmCacheRecord>;
  private readonly selectAll: Database.Statement<[], AtmCacheRecord>;
  private readonly deleteOne: Database.Statement<[string, string]>;
  private readonly deleteBefore: Database.Statement<[string]>;

  constructor(db: Db) {
    const sql = db.sqlite;
    this.upsert = sql.prepare<[AtmCacheRecord]>(
      `INSERT INTO atm_cache (${COLUMNS})
       VALUES (@symbol, @expiry, @segment, @underlying_ltp, @atm_strike, @strike_step, @strikes, @updated_at)
       ON CONFLICT (symbol, expiry) DO UPDATE SET
         segment = excluded.segment, underlying_ltp = excluded.underlying_ltp,
         atm_strike = excluded.atm_strike, strike_step = excluded.strike_step,
         strikes = excluded.strikes, updated_at = excluded.updated_at`,
    );
    this.selectOne = sql.prepare(`SELECT ${COLUMNS} FROM atm_cache WHERE symbol = ? AND expiry = ?`);
    this.selectAll = sql.prepare(`SELECT ${COLUMNS} FROM atm_cache ORDER BY symbol, expiry`);
    this.deleteOne = sql.prepare('DELETE FROM atm_cache WHERE symbol = ? AND expiry = ?');
    this.deleteBefore = sql.prepare('DELETE FROM atm_cache WHERE expiry < ?');
  }

  /** Stores (or replaces) the window for `entry.symbol` and `entry.expiry`. */
  put(entry: AtmCacheEntry): void {
    this.upsert.run({
      symbol: entry.symbol,
      expiry: entry.expiry,
      segment: entry.segment,
      underlying_ltp: entry.underlyingLtp,
      atm_strike: entry.atmStrike,
      strike_step: entry.strikeStep,
      strikes: JSON.stringify(entry.strikes),
      updated_at: entry.updatedAt,
    });
  }

  /** The cached window, if any. */
  get(symbol: string, expiry: string): AtmCacheEntry | undefined {
    const record = this.selectOne.get(symbol, expiry);
    return record === undefined ? undefined : toEntry(record);
  }

  /** Every cached window, by symbol and expiry. */
  list(): AtmCacheEntry[] {
    return this.selectAll.all().map(toEntry);
  }

  /** Removes one window; returns whether it existed. */
  delete(symbol: string, expiry: string): boolean {
    return this.deleteOne.run(symbol, expiry).changes > 0;
  }

  /** Removes windows whose expiry (`YYYY-MM-DD`) is before `beforeDate`; returns how many. */
  deleteExpired(beforeDate: string): number {
    return this.deleteBefore.run(beforeDate).changes;
  }
}

function toEntry(record: AtmCacheRecord): AtmCacheEntry {
  const strikes: unknown = JSON.parse(record.strikes);
  if (!Array.isArray(strikes) || !strikes.every((s): s is number => typeof s === 'number')) {
    throw new AppError('DB_ERROR', `atm_cache ${record.symbol} ${record.expiry}: strikes is not a number array`);
  }
  return {
    symbol: record.symbol,
    expiry: record.expiry,
    segment: record.segment,
    underlyingLtp: record.underlying_ltp,
    atmStrike: record.atm_strike,
    strikeStep: record.strike_step,
    strikes,
    updatedAt: record.updated_at,
  };
}
