import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { type Db, openDatabase, transaction } from './database';
import type { Migration } from './migration-runner';
import { validateMigrations } from './migration-runner';
import { MIGRATIONS } from './migrations';
import { WatchlistRepo } from './watchlist-repo';

const TABLES = [
  'atm_cache', 'history_chains', 'history_minutes', 'history_strikes', 'master_files', 'settings', 'strategies', 'strategy_legs', 'subscription_log', 'subscription_owners', 'subscriptions', 'watchlist',
];

let dir: string;
const open: Db[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strikedesk-db-'));
});

afterEach(() => {
  for (const db of open.splice(0)) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openTracked(file: string, migrations?: readonly Migration[]): Db {
  const db = openDatabase(file, migrations === undefined ? {} : { migrations });
  open.push(db);
  return db;
}

function tables(db: Database.Database | Db): string[] {
  const sqlite = 'sqlite' in db ? db.sqlite : db;
  return sqlite
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((r) => r.name);
}

function sha1(file: string): string {
  return crypto.createHash('sha1').update(fs.readFileSync(file)).digest('hex');
}

function expectAppError(fn: () => unknown, code: string): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    return err as AppError;
  }
  throw new Error(`expected AppError ${code}, nothing was thrown`);
}

const addEntry = (db: Db, symbol: string) =>
  new WatchlistRepo(db).add({ userId: 'u1', symbol, expiryDate: '', instrumentType: 'EQUITY', addedAt: 1 });

describe('openDatabase: migrations', () => {
  it('migrates an empty database to the latest version with every table', () => {
    const db = openTracked(':memory:');
    expect(db.sqlite.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(TABLES);
  });

  it('creates the parent folder of a file path', () => {
    const file = path.join(dir, 'a', 'b', 'app.db');
    openTracked(file);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('re-opens an existing file without re-running migrations and keeps its data', () => {
    const file = path.join(dir, 'app.db');
    let runs = 0;
    const counted: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'counted', up: () => { runs += 1; } },
    ];
    const first = openDatabase(file, { migrations: counted });
    addEntry(first, 'RELIANCE');
    first.close();

    const second = openTracked(file, counted);
    expect(runs).toBe(1);
    expect(second.schemaVersion).toBe(counted.length);
    expect(new WatchlistRepo(second).list('u1').map((e) => e.symbol)).toEqual(['RELIANCE']);
  });

  it('refuses a database from a newer version by name, leaving the file untouched', () => {
    const file = path.join(dir, 'future.db');
    const raw = new Database(file);
    raw.exec("CREATE TABLE future_thing (x TEXT); INSERT INTO future_thing VALUES ('keep me');");
    raw.pragma(`user_version = ${MIGRATIONS.length + 3}`);
    raw.close();
    const before = sha1(file);

    const err = expectAppError(() => openDatabase(file), 'DB_NEWER_VERSION');
    expect(err.message).toContain(file);
    expect(err.message).toContain(String(MIGRATIONS.length + 3));
    expect(err.message).toContain(String(MIGRATIONS.length));

    expect(sha1(file)).toBe(before);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 3);
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(tables(check)).toEqual(['future_thing']);
    check.close();
  });

  it('rolls every pending migration back when one throws', () => {
    const file = path.join(dir, 'app.db');
    const base: Migration = { version: 1, name: 'base', up: 'CREATE TABLE t1 (x INTEGER);' };
    const v1 = openDatabase(file, { migrations: [base] });
    v1.sqlite.prepare('INSERT INTO t1 VALUES (42)').run();
    v1.close();

    const broken: Migration[] = [
      base,
      { version: 2, name: 'adds t2', up: 'CREATE TABLE t2 (y INTEGER); INSERT INTO t1 VALUES (43);' },
      { version: 3, name: 'broken', up: () => { throw new Error('boom'); } },
    ];
    const err = expectAppError(() => openDatabase(file, { migrations: broken }), 'DB_ERROR');
    expect(err.message).toContain('Migration 3 (broken)');
    expect(err.message).toContain('boom');

    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(check)).toEqual(['t1']);
    expect(check.prepare('SELECT x FROM t1').pluck().all()).toEqual([42]);
    check.close();
  });

  it('leaves a fresh database at version 0 when the first migrations fail', () => {
    const file = path.join(dir, 'fresh.db');
    const broken: Migration[] = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'bad sql', up: 'CREATE TABLE nonsense (' },
    ];
    expectAppError(() => openDatabase(file, { migrations: broken }), 'DB_ERROR');
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(0);
    expect(tables(check)).toEqual([]);
    check.close();
  });

  it('refuses a migration list that is not numbered 1..n', () => {
    expect(() => validateMigrations(MIGRATIONS)).not.toThrow();
    const gap: Migration[] = [
      { version: 1, name: 'one', up: '' },
      { version: 3, name: 'three', up: '' },
    ];
    expectAppError(() => openDatabase(':memory:', { migrations: gap }), 'INTERNAL');
    expectAppError(() => validateMigrations([{ version: 1, name: ' ', up: '' }]), 'INTERNAL');
  });

  it('reports a file that is not a database as DB_ERROR', () => {
    const file = path.join(dir, 'junk.db');
    fs.writeFileSync(file, 'this is not sqlite, just text long enough to have a header'.repeat(10));
    expectAppError(() => openDatabase(file), 'DB_ERROR');
  });
});

describe('openDatabase: pragmas', () => {
  it('turns on WAL, foreign keys and synchronous=NORMAL for a file database', () => {
    const file = path.join(dir, 'app.db');
    const db = openTracked(file);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);

    // Foreign keys are enforced, not just reported (for tables that declare them).
    db.sqlite.exec('CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY); CREATE TEMP TABLE child (p INTEGER REFERENCES parent (id));');
    expect(() => db.sqlite.prepare('INSERT INTO child VALUES (1)').run()).toThrow(/FOREIGN KEY/);

    // WAL is persistent: another connection sees it too.
    const other = new Database(file, { readonly: true });
    expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    other.close();
  });

  it('turns on foreign keys for an in-memory database', () => {
    const db = openTracked(':memory:');
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('close() is idempotent and reports isOpen', () => {
    const db = openDatabase(path.join(dir, 'app.db'));
    expect(db.isOpen).toBe(true);
    db.close();
    db.close();
    expect(db.isOpen).toBe(false);
  });
});

// Owner-only files, like the API token. POSIX only: Windows has no permission bits to check.
describe.skipIf(process.platform === 'win32')('openDatabase: file permissions', () => {
  let savedUmask: number;
  beforeEach(() => {
    // The usual desktop umask, under which a plain create comes out 0644: the test must not
    // pass because of a strict umask on the machine running it.
    savedUmask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(savedUmask);
  });

  const modeOf = (f: string): number => fs.statSync(f).mode & 0o777;

  it('creates the database and its -wal and -shm files 0600 in a folder that already exists', () => {
    const file = path.join(dir, 'strikedesk.db');
    const db = openTracked(file);
    db.sqlite.exec('CREATE TABLE probe (x INTEGER)');
    db.sqlite.prepare('INSERT INTO probe VALUES (1)').run();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), path.basename(f)).toBe(0o600);
  });

  it('creates a missing data folder 0700', () => {
    const folder = path.join(dir, 'data');
    openTracked(path.join(folder, 'strikedesk.db'));
    expect(modeOf(folder)).toBe(0o700);
  });

  it('tightens a database and side files an older build left 0644, keeping the data', () => {
    const file = path.join(dir, 'strikedesk.db');
    const first = openDatabase(file);
    first.sqlite.exec('CREATE TABLE probe (x INTEGER); INSERT INTO probe VALUES (7)');
    // A second connection holds the WAL open so the side files outlive the first close.
    const holder = new Database(file);
    holder.prepare('SELECT count(*) FROM probe').get();
    first.close();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.chmodSync(f, 0o644);

    const db = openTracked(file);
    holder.close();
    expect(db.sqlite.prepare('SELECT x FROM probe').pluck().get()).toBe(7);
    db.sqlite.prepare('INSERT INTO probe VALUES (8)').run();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), path.basename(f)).toBe(0o600);
  });
});

describe('transaction', () => {
  it('commits when the function returns and rolls back when it throws', () => {
    const db = openTracked(':memory:');
    const repo = new WatchlistRepo(db);
    const addBoth = transaction(db, (a: string, b: string) => {
      addEntry(db, a);
      addEntry(db, b);
      return 2;
    });
    expect(addBoth('TCS', 'INFY')).toBe(2);
    expect(() => addBoth('HDFCBANK', 'TCS')).toThrow(AppError); // TCS is a duplicate
    expect(repo.list('u1').map((e) => e.symbol)).toEqual(['TCS', 'INFY']);
  });
});
