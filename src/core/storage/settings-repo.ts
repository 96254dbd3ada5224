/**
 * Key-value settings stored as JSON. Values are parsed but not validated here: the caller owns
 * each setting's shape and should check it (zod) before trusting it.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Db } from './database';

export class SettingsRepo {
  private readonly selectOne: Database.Statement<[string], { value: string }>;
  private readonly upsert: Database.Statement<[string, string, number]>;
  private readonly deleteOne: Database.Statement<[string]>;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    const sql = db.sqlite;
    this.selectOne = sql.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsert = sql.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.deleteOne = sql.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The JSON-parsed value, or undefined if unset. The type is the caller's claim: validate it. */
  get<T>(key: string): T | undefined {
    const row = this.selectOne.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  /** Stores `value` as JSON. Throws `BAD_REQUEST` for values JSON cannot represent. */
  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) throw new AppError('BAD_REQUEST', `Setting ${key}: value is not JSON-serialisable`);
    this.upsert.run(key, json, this.now());
  }

  /** Removes a setting; returns whether it existed. */
  delete(key: string): boolean {
    return this.deleteOne.run(key).changes > 0;
  }
}
