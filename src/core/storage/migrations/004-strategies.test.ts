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

const leg = (position: number, extra = '') =>
  `INSERT INTO strategy_legs (strategy_id, position, expiry, strike, option_type, side, lots, price, lot_size, segment, security_id, trading_symbol) VALUES (1, ${position}, '2026-11-26', ${extra || "25300, 'CE', 'BUY', 1, 120.5"}, 75, 'NSE_FNO', 40001, 'NIFTY-Nov2026-25300-CE')`;

describe('migration 4: saved strategies', () => {
  it('adds the strategy tables to a version-3 database and keeps what it held', () => {
    dir = mkdtempSync(join(tmpdir(), 'strikedesk-mig4-'));
    const file = join(dir, 'strikedesk.db');
    const v3 = new Database(file);
    runMigrations(v3, MIGRATIONS.slice(0, 3), file);
    v3.exec(`INSERT INTO watchlist (user_id, symbol, expiry_date, instrument_type, added_at, added_order) VALUES ('u', 'NIFTY', '2026-11-26', 'INDEX_OPTION', 1, 1)`);
    v3.close();

    const db = openDatabase(file);
    try {
      expect(db.schemaVersion).toBe(MIGRATIONS.length);
      expect(new WatchlistRepo(db).listAll().map((w) => w.symbol)).toEqual(['NIFTY']);
      const tables = db.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'strateg%' ORDER BY name").pluck().all();
      expect(tables).toEqual(['strategies', 'strategy_legs']);
      const run = (sql: string) => db.sqlite.prepare(sql).run();
      // A leg needs its strategy (foreign keys are on).
      expect(() => run(leg(0))).toThrow(/FOREIGN KEY/);
      run("INSERT INTO strategies (name, symbol, created_at) VALUES ('straddle', 'NIFTY', 1)");
      run(leg(0));
      expect(() => run(leg(0))).toThrow(/UNIQUE|PRIMARY KEY/);
      expect(() => run(leg(20))).toThrow(/CHECK/);
      expect(() => run(leg(1, "25300, 'CE', 'BUY', 0, 120.5"))).toThrow(/CHECK/); // lots 0
      expect(() => run(leg(1, "25300, 'CE', 'BUY', 1, 0"))).toThrow(/CHECK/); // price 0
      expect(() => run(leg(1, "25300, 'XX', 'BUY', 1, 1"))).toThrow(/CHECK/);
      expect(() => run(leg(1, "NULL, 'CE', 'BUY', 1, 1"))).toThrow(/CHECK/); // an option without a strike
      expect(() => run(leg(1, "25300, 'FUT', 'SELL', 1, 1"))).toThrow(/CHECK/); // a future with one
      run(leg(1, "NULL, 'FUT', 'SELL', 1, 25350"));
      expect(() => run("INSERT INTO strategies (name, symbol, created_at) VALUES ('', 'NIFTY', 1)")).toThrow(/CHECK/);
      // Deleting a strategy deletes its legs; ids are not reused.
      run('DELETE FROM strategies WHERE id = 1');
      expect(db.sqlite.prepare('SELECT COUNT(*) FROM strategy_legs').pluck().get()).toBe(0);
      expect(run("INSERT INTO strategies (name, symbol, created_at) VALUES ('again', 'NIFTY', 2)").lastInsertRowid).toBe(2);
    } finally {
      db.close();
    }
  });
});
