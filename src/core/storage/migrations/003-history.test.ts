import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../database';
import { runMigrations } from '../migration-runner';
import { MIGRATIONS } from '../migrations';
import { WatchlistRepo } from '../watchlist-repo';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('migration 3: session history', () => {
  it('adds the history tables to a version-2 database and keeps what it held', () => {
    dir = mkdtempSync(join(tmpdir(), 'strikedesk-mig3-'));
    const file = join(dir, 'strikedesk.db');
    const v2 = new Database(file);
    runMigrations(v2, MIGRATIONS.slice(0, 2), file);
    v2.exec(`INSERT INTO watchlist (user_id, symbol, expiry_date, instrument_type, added_at, added_order) VALUES ('u', 'NIFTY', '2026-11-26', 'INDEX_OPTION', 1, 1)`);
    v2.close();

    const db = openDatabase(file);
    try {
      expect(db.schemaVersion).toBe(MIGRATIONS.length);
      expect(new WatchlistRepo(db).listAll().map((w) => w.symbol)).toEqual(['NIFTY']);
      const tables = db.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'history_%' ORDER BY name").pluck().all();
      expect(tables).toEqual(['history_chains', 'history_minutes', 'history_strikes']);
      db.sqlite.prepare("INSERT INTO history_chains (symbol, expiry) VALUES ('NIFTY', '2026-11-26')").run();
      expect(() => db.sqlite.prepare("INSERT INTO history_chains (symbol, expiry) VALUES ('NIFTY', '2026-11-26')").run()).toThrow(/UNIQUE/);
      expect(() => db.sqlite.prepare('INSERT INTO history_minutes (chain_id, t, backfilled) VALUES (1, 0, 2)').run()).toThrow(/CHECK/);
      expect(() => db.sqlite.prepare("INSERT INTO history_strikes (chain_id, block_start, deflated, data) VALUES (1, 0, 0, 'text')").run()).toThrow(/cannot store TEXT/);
    } finally {
      db.close();
    }
  });
});
