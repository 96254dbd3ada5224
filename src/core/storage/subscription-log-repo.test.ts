import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from './database';
import { type SubscriptionLogInput, SubscriptionLogRepo } from './subscription-log-repo';

let dir: string;
let db: Db;
let repo: SubscriptionLogRepo;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strikedesk-log-'));
  db = openDatabase(path.join(dir, 'app.db'));
  repo = new SubscriptionLogRepo(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const entry = (action: SubscriptionLogInput['action'], securityId: number, ts = 1_000): SubscriptionLogInput => ({
  action,
  segment: 'NSE_FNO',
  securityId,
  owner: 'watchlist:1',
  reason: null,
  ts,
});

describe('SubscriptionLogRepo', () => {
  it('appends a batch in one transaction and counts by action', () => {
    const batch = [
      ...Array.from({ length: 250 }, (_, i) => entry('SUBSCRIBE', i)),
      ...Array.from({ length: 40 }, (_, i) => entry('RATE_LIMIT_EVICT', i)),
      entry('UNSUBSCRIBE', 7),
    ];
    const before = db.sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM subscription_log');

    // A reader on its own connection sees the batch all at once: never a part of it.
    const reader = new Database(path.join(dir, 'app.db'), { readonly: true });
    const seen = reader.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM subscription_log');
    expect(seen.get()?.n).toBe(0);
    expect(repo.appendMany(batch)).toBe(291);
    expect(seen.get()?.n).toBe(291);
    reader.close();

    expect(before.get()?.n).toBe(291);
    expect(repo.countByAction()).toEqual({ SUBSCRIBE: 250, UNSUBSCRIBE: 1, RATE_LIMIT_EVICT: 40, EOD_CLEANUP: 0, ADMIN_UNSUBSCRIBE: 0 });
  });

  it('writes nothing when any entry of the batch is invalid', () => {
    const bad = { ...entry('SUBSCRIBE', 3), action: 'EXPLODE' } as unknown as SubscriptionLogInput;
    expect(() => repo.appendMany([entry('SUBSCRIBE', 1), entry('SUBSCRIBE', 2), bad])).toThrow(/CHECK/);
    expect(repo.recent(10)).toEqual([]);
    expect(repo.countByAction().SUBSCRIBE).toBe(0);
  });

  it('returns recent entries newest first, optionally only those after an id', () => {
    repo.appendMany([1, 2, 3, 4, 5].map((id) => entry('SUBSCRIBE', id, id * 10)));
    repo.appendMany([{ action: 'EOD_CLEANUP', segment: 'BSE_FNO', securityId: 9, ts: 60 }]);

    const latest = repo.recent(3);
    expect(latest.map((e) => e.securityId)).toEqual([9, 5, 4]);
    expect(latest[0]).toMatchObject({ action: 'EOD_CLEANUP', segment: 'BSE_FNO', owner: null, reason: null, ts: 60 });

    const sinceId = latest[1].id; // the entry for security 5
    expect(repo.recent(10, sinceId).map((e) => e.securityId)).toEqual([9]);
    expect(repo.recent(0)).toEqual([]);
  });

  it('prunes entries older than a time', () => {
    repo.appendMany([1, 2, 3].map((id) => entry('SUBSCRIBE', id, id * 100)));
    expect(repo.deleteBefore(250)).toBe(2);
    expect(repo.recent(10).map((e) => e.ts)).toEqual([300]);
  });
});
