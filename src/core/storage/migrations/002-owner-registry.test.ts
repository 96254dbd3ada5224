import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../database';
import { runMigrations } from '../migration-runner';
import { MIGRATIONS } from '../migrations';
import { SubscriptionsRepo } from '../subscriptions-repo';
import { WatchlistRepo } from '../watchlist-repo';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('migration 2: one owner registry', () => {
  it('turns version-1 owners into chain specs or lists, drops views and inactive rows, and keeps the log', () => {
    dir = mkdtempSync(join(tmpdir(), 'strikedesk-mig2-'));
    const file = join(dir, 'strikedesk.db');
    const v1 = new Database(file);
    runMigrations(v1, MIGRATIONS.slice(0, 1), file);
    v1.exec(`
      INSERT INTO subscriptions VALUES ('NSE_FNO', 1, 'RELIANCE', '2026-12-29', 1400, 'CE', 'TIER_A', 1, 1, 1);
      INSERT INTO subscriptions VALUES ('NSE_FNO', 2, 'RELIANCE', '2026-12-29', 1410, 'CE', 'TIER_A', 1, NULL, 0);
      INSERT INTO subscription_owners VALUES ('watch:u:1:RELIANCE:2026-12-29', 'TIER_A', 5, '["NSE_FNO:1"]');
      INSERT INTO subscription_owners VALUES ('watch:u:YESBANK:', 'TIER_A', 6, '["NSE_EQ:11915"]');
      INSERT INTO subscription_owners VALUES ('tierb:NIFTY:2026-12-29', 'TIER_B', 7, '["IDX_I:13"]');
      INSERT INTO subscription_owners VALUES ('tierb:fut:GOLD', 'TIER_B', 8, '["MCX_COMM:1"]');
      INSERT INTO subscription_owners VALUES ('view:script', 'TIER_A', 9, '["NSE_FNO:1"]');
      INSERT INTO subscription_log (action, segment, security_id, owner, reason, ts) VALUES ('SUBSCRIBE', 'NSE_FNO', 1, 'x', 'y', 1);
      INSERT INTO watchlist (user_id, symbol, expiry_date, instrument_type, added_at, added_order) VALUES ('u', 'RELIANCE', '2026-12-29', 'STOCK_OPTION', 1, 1);
    `);
    v1.close();

    const db = openDatabase(file);
    try {
      expect(db.sqlite.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const owners = new SubscriptionsRepo(db).listOwners();
      expect(owners.map((o) => [o.owner, o.holding])).toEqual([
        ['watch:u:1:RELIANCE:2026-12-29', { kind: 'chain', symbol: 'RELIANCE', expiry: '2026-12-29', segment: null, strikes: null }],
        ['watch:u:YESBANK:', { kind: 'instruments', tokens: ['NSE_EQ:11915'] }],
        ['tierb:NIFTY:2026-12-29', { kind: 'chain', symbol: 'NIFTY', expiry: '2026-12-29', segment: null, strikes: null }],
        ['tierb:fut:GOLD', { kind: 'instruments', tokens: ['MCX_COMM:1'] }],
      ]);
      expect(new SubscriptionsRepo(db).listAll().map((s) => s.securityId)).toEqual([1]);
      expect(new WatchlistRepo(db).listAll()).toEqual([expect.objectContaining({ symbol: 'RELIANCE', state: 'ACTIVE', stateReason: null })]);
      expect(db.sqlite.prepare('SELECT COUNT(*) n FROM subscription_log').get()).toEqual({ n: 1 });
      // The widened log accepts the admin's action; the old CHECK would have refused it.
      db.sqlite.prepare("INSERT INTO subscription_log (action, segment, security_id, owner, reason, ts) VALUES ('ADMIN_UNSUBSCRIBE', 'NSE_FNO', 1, NULL, NULL, 2)").run();
      expect(() => db.sqlite.prepare("INSERT INTO subscription_log (action, segment, security_id, owner, reason, ts) VALUES ('NOPE', 'NSE_FNO', 1, NULL, NULL, 2)").run()).toThrow(/CHECK/);
    } finally {
      db.close();
    }
  });
});
