/**
 * Watchlist rows: one per (user, symbol, expiry). `added_order` is assigned in the same INSERT
 * (max + 1 for the user), so ordering and uniqueness hold without a read-then-write race.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Db } from './database';
import { isConstraintError } from './sqlite-errors';

export const WATCHLIST_INSTRUMENT_TYPES = ['EQUITY', 'STOCK_OPTION', 'INDEX_OPTION'] as const;
export type WatchlistInstrumentType = (typeof WATCHLIST_INSTRUMENT_TYPES)[number];

/** What a caller supplies to add an entry. `expiryDate` is `YYYY-MM-DD`, or '' for EQUITY. */
export interface NewWatchlistEntry {
  userId: string;
  symbol: string;
  expiryDate: string;
  instrumentType: WatchlistInstrumentType;
  /** Epoch milliseconds. */
  addedAt: number;
}

/**
 * ACTIVE: the entry wants to be live (and is subscribed again after a restart or at the next
 * session); EVICTED: pushed out at the cap; RELEASED: unsubscribed by "unsubscribe all Tier A".
 * Whether it is live right now is the owner registry's to say, not this row's.
 */
export const WATCHLIST_STATES = ['ACTIVE', 'EVICTED', 'RELEASED'] as const;
export type WatchlistState = (typeof WATCHLIST_STATES)[number];

export interface WatchlistEntry extends NewWatchlistEntry {
  id: number;
  /** 1, 2, 3, ... per user, in the order entries were added. */
  addedOrder: number;
  state: WatchlistState;
  /** Why the entry is EVICTED or RELEASED (null when ACTIVE). */
  stateReason: string | null;
}

interface WatchlistRecord {
  id: number;
  user_id: string;
  symbol: string;
  expiry_date: string;
  instrument_type: WatchlistInstrumentType;
  added_at: number;
  added_order: number;
  state: WatchlistState;
  state_reason: string | null;
}

const COLUMNS = 'id, user_id, symbol, expiry_date, instrument_type, added_at, added_order, state, state_reason';

export class WatchlistRepo {
  private readonly insert: Database.Statement<[NewWatchlistEntry], WatchlistRecord>;
  private readonly selectOne: Database.Statement<[string, string, string], WatchlistRecord>;
  private readonly deleteOne: Database.Statement<[string, string, string]>;
  private readonly selectByUser: Database.Statement<[string], WatchlistRecord>;
  private readonly selectAll: Database.Statement<[], WatchlistRecord>;
  private readonly deleteByUser: Database.Statement<[string]>;
  private readonly deleteAll: Database.Statement<[]>;
  private readonly updateState: Database.Statement<[WatchlistState, string | null, string, string, string]>;
  private readonly releaseActive: Database.Statement<[string]>;

  constructor(db: Db) {
    const sql = db.sqlite;
    this.insert = sql.prepare<[NewWatchlistEntry], WatchlistRecord>(
      `INSERT INTO watchlist (user_id, symbol, expiry_date, instrument_type, added_at, added_order)
       VALUES (@userId, @symbol, @expiryDate, @instrumentType, @addedAt,
         (SELECT COALESCE(MAX(added_order), 0) + 1 FROM watchlist WHERE user_id = @userId))
       RETURNING ${COLUMNS}`,
    );
    this.selectOne = sql.prepare(
      `SELECT ${COLUMNS} FROM watchlist WHERE user_id = ? AND symbol = ? AND expiry_date = ?`,
    );
    this.deleteOne = sql.prepare('DELETE FROM watchlist WHERE user_id = ? AND symbol = ? AND expiry_date = ?');
    this.selectByUser = sql.prepare(`SELECT ${COLUMNS} FROM watchlist WHERE user_id = ? ORDER BY added_order`);
    this.selectAll = sql.prepare(`SELECT ${COLUMNS} FROM watchlist ORDER BY user_id, added_order`);
    this.deleteByUser = sql.prepare('DELETE FROM watchlist WHERE user_id = ?');
    this.deleteAll = sql.prepare('DELETE FROM watchlist');
    this.updateState = sql.prepare('UPDATE watchlist SET state = ?, state_reason = ? WHERE user_id = ? AND symbol = ? AND expiry_date = ?');
    this.releaseActive = sql.prepare("UPDATE watchlist SET state = 'RELEASED', state_reason = ? WHERE state = 'ACTIVE'");
  }

  /** Every ACTIVE entry becomes RELEASED (the admin's "unsubscribe all Tier A"); returns how many. */
  releaseAllActive(reason: string): number {
    return this.releaseActive.run(reason).changes;
  }

  /** Set an entry's state (and why); returns whether the entry exists. */
  setState(userId: string, symbol: string, expiryDate: string, state: WatchlistState, reason: string | null = null): boolean {
    return this.updateState.run(state, state === 'ACTIVE' ? null : reason, userId, symbol, expiryDate).changes > 0;
  }

  /**
   * Adds an entry at the end of the user's list and returns the stored row. Throws
   * `AppError('DUPLICATE')` if the user already has this symbol and expiry; nothing is changed.
   * The message names the entry, not the user: the caller knows whose list it asked about, and
   * the desktop's internal user id (`default`) means nothing to a trader.
   */
  add(entry: NewWatchlistEntry): WatchlistEntry {
    try {
      const record = this.insert.get({
        userId: entry.userId,
        symbol: entry.symbol,
        expiryDate: entry.expiryDate,
        instrumentType: entry.instrumentType,
        addedAt: entry.addedAt,
      });
      if (record === undefined) throw new AppError('DB_ERROR', 'INSERT ... RETURNING returned no row');
      return toEntry(record);
    } catch (err) {
      if (isConstraintError(err, 'SQLITE_CONSTRAINT_UNIQUE')) {
        const what = entry.expiryDate === '' ? entry.symbol : `${entry.symbol} ${entry.expiryDate}`;
        throw new AppError('DUPLICATE', `${what} is already on the watchlist`);
      }
      throw err;
    }
  }

  /** The entry for this user, symbol and expiry, if present. */
  get(userId: string, symbol: string, expiryDate: string): WatchlistEntry | undefined {
    const record = this.selectOne.get(userId, symbol, expiryDate);
    return record === undefined ? undefined : toEntry(record);
  }

  /** Removes one entry; returns whether it existed. */
  remove(userId: string, symbol: string, expiryDate: string): boolean {
    return this.deleteOne.run(userId, symbol, expiryDate).changes > 0;
  }

  /** The user's entries in the order they were added. */
  list(userId: string): WatchlistEntry[] {
    return this.selectByUser.all(userId).map(toEntry);
  }

  /** Every user's entries, by user then added order. */
  listAll(): WatchlistEntry[] {
    return this.selectAll.all().map(toEntry);
  }

  /** Removes all of one user's entries; returns how many were removed. */
  clearUser(userId: string): number {
    return this.deleteByUser.run(userId).changes;
  }

  /** Removes every entry of every user (end of day); returns how many were removed. */
  clearAll(): number {
    return this.deleteAll.run().changes;
  }
}

function toEntry(record: WatchlistRecord): WatchlistEntry {
  return {
    id: record.id,
    userId: record.user_id,
    symbol: record.symbol,
    expiryDate: record.expiry_date,
    instrumentType: record.instrument_type,
    addedAt: record.added_at,
    addedOrder: record.added_order,
    state: record.state,
    stateReason: record.state_reason,
  };
}
