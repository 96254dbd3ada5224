/**
 * The hot queries must be served by an index. Each repository's real prepared SQL is captured at
 * construction and run through EXPLAIN QUERY PLAN; a plan with a bare table SCAN fails.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from './database';
import { HistoryStore } from '../history/history-store';
import { createRepositories } from './index';

let db: Db;
let sources: string[];

beforeEach(() => {
  db = openDatabase(':memory:');
  sources = [];
  const prepare = db.sqlite.prepare.bind(db.sqlite);
  db.sqlite.prepare = ((source: string) => {
    sources.push(source);
    return prepare(source);
  }) as typeof db.sqlite.prepare;
  createRepositories(db);
  new HistoryStore(db);
});

afterEach(() => db.close());

function statement(pattern: RegExp): string {
  const matches = sources.filter((s) => pattern.test(s.replace(/\s+/g, ' ')));
  expect(matches, `one prepared statement matching ${pattern}`).toHaveLength(1);
  return matches[0];
}

function plan(source: string, params: unknown[]): string {
  return db.sqlite
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${source}`)
    .all(...params)
    .map((row) => row.detail)
    .join('\n');
}

function expectIndexed(text: string): void {
  expect(text).toMatch(/USING (COVERING )?INDEX|USING (INTEGER )?PRIMARY KEY/);
  for (const line of text.split('\n')) expect(line).not.toMatch(/^SCAN \w+$/);
}

describe('query plans of hot queries', () => {
  it('watchlist list by user uses the (user, added_order) index with no sort', () => {
    const text = plan(statement(/FROM watchlist WHERE user_id = \? ORDER BY added_order/), ['u1']);
    expectIndexed(text);
    expect(text).toContain('watchlist_by_user_order');
    expect(text).not.toContain('TEMP B-TREE');
  });

  it('owners are deleted by primary key', () => {
    expectIndexed(plan(statement(/DELETE FROM subscription_owners WHERE owner = \?/), ['watch:1']));
  });

  it("a watchlist entry's state is set by its unique key", () => {
    expectIndexed(plan(statement(/UPDATE watchlist SET state = \?, state_reason = \? WHERE user_id = \?/), ['ACTIVE', null, 'u', 'S', '']));
  });

  it('subscriptions are deleted and re-placed by primary key', () => {
    expectIndexed(plan(statement(/DELETE FROM subscriptions WHERE segment = \? AND security_id = \?/), ['NSE_FNO', 1]));
    expectIndexed(plan(statement(/UPDATE subscriptions SET ws_connection_id = \? WHERE segment = \? AND security_id = \?/), [1, 'NSE_FNO', 1]));
  });

  it('batched subscription deletes find each id by primary key', () => {
    const batched = sources.filter((s) => /DELETE FROM subscriptions WHERE segment = \? AND security_id IN \(/.test(s));
    expect(batched.length).toBeGreaterThan(0);
    for (const source of batched) {
      const n = (source.match(/\?/g) ?? []).length;
      expectIndexed(plan(source, ['NSE_FNO', ...Array.from({ length: n - 1 }, (_, i) => i + 1)]));
    }
  });

  it('recent log entries are read by primary key, newest first, without a sort', () => {
    const text = plan(statement(/FROM subscription_log WHERE id > \? ORDER BY id DESC LIMIT \?/), [0, 50]);
    expectIndexed(text);
    expect(text).not.toContain('TEMP B-TREE');
  });

  it("a chain's history minutes are read as a range of the primary key, in order", () => {
    const text = plan(statement(/FROM history_minutes WHERE chain_id = \? AND t >= \? AND t <= \? ORDER BY t/), [1, 0, 1e13]);
    expectIndexed(text);
    expect(text).not.toContain('TEMP B-TREE');
  });

  it('strikes at or before t, and the latest, are found by primary key without a sort', () => {
    for (const [pattern, params] of [
      [/FROM history_strikes WHERE chain_id = \? AND block_start <= \? ORDER BY block_start DESC LIMIT 2/, [1, 1e13]],
      [/FROM history_strikes WHERE chain_id = \? ORDER BY block_start DESC LIMIT 1/, [1]],
      [/FROM history_strikes WHERE chain_id = \? AND block_start = \?/, [1, 0]],
    ] as const) {
      const text = plan(statement(pattern), [...params]);
      expectIndexed(text);
      expect(text).toContain('PRIMARY KEY');
      expect(text).not.toContain('TEMP B-TREE');
    }
  });

  it('history is pruned by primary key ranges, and raw blocks found by their partial index', () => {
    expectIndexed(plan(statement(/DELETE FROM history_minutes WHERE chain_id = \? AND t < \?/), [1, 0]));
    expectIndexed(plan(statement(/DELETE FROM history_strikes WHERE chain_id = \? AND block_start < \?/), [1, 0]));
    expect(plan(statement(/FROM history_strikes WHERE deflated = 0 AND block_start < \?/), [0])).toContain('history_strikes_raw');
  });
});
