/**
 * The one place that opens the SQLite database.
 *
 * Policy:
 * - `journal_mode=WAL` for file databases: readers never block the writer, and a crash loses at
 *   most the last uncommitted transaction. With WAL, `synchronous=NORMAL` is durable against
 *   application crashes and only risks the last commits on power loss, which a trading
 *   workstation can re-derive (subscriptions are restored from the watchlist and Tier B config).
 * - `foreign_keys=ON` on every connection (SQLite defaults it off).
 * - `busy_timeout` so a briefly locked file (a checkpoint, a second process) waits instead of
 *   failing with SQLITE_BUSY.
 * - The schema version is read BEFORE anything can write to the file: a database from a newer
 *   build is refused untouched (no WAL switch, no migration), by name.
 * - Migrations: see `migration-runner.ts`.
 * - The files are the owner's only, like the API token: the data folder is made 0700 when this
 *   creates it, and the database file is created 0600 BEFORE SQLite opens it. SQLite's unix VFS
 *   gives the `-wal` and `-shm` side files the database file's permission bits when it creates
 *   them (lazily, at the WAL switch and first write), so they come out 0600 too. A file an older
 *   build left looser (0644) is tightened on open. Changing the process umask instead would be
 *   global and racy with other threads' file creation. Windows has no POSIX modes: skipped there.
 *
 * Transactions: wrap multi-statement writes in `transaction(db, fn)` (better-sqlite3's
 * `db.transaction`). Create the wrapped function once, next to the prepared statements, and call
 * it per batch; it commits when `fn` returns and rolls back if it throws, and nested calls become
 * savepoints. `fn` must be synchronous: an `await` inside would commit early.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { type Migration, newerVersionError, readUserVersion, runMigrations, validateMigrations } from './migration-runner';
import { MIGRATIONS } from './migrations';

export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export interface OpenDatabaseOptions {
  /** The migration list to apply; defaults to the app's `MIGRATIONS`. Tests pass their own. */
  migrations?: readonly Migration[];
  /** How long a statement waits for a lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** An open, migrated database. Repositories take this, never a path. */
export interface Db {
  /** The better-sqlite3 handle, for repositories to prepare statements on. */
  readonly sqlite: Database.Database;
  /** The file path, or ':memory:'. */
  readonly file: string;
  /** The schema version after migrations (`PRAGMA user_version`). */
  readonly schemaVersion: number;
  /** Whether `close()` has not been called yet. */
  readonly isOpen: boolean;
  /** Closes the connection (checkpointing the WAL). Safe to call twice. */
  close(): void;
}

/**
 * Opens (creating if needed) the database at `file`, sets the connection pragmas and applies
 * pending migrations in one transaction.
 *
 * Throws `AppError('DB_NEWER_VERSION')` if the file's schema is newer than the migrations this
 * build knows (the file is left as it was), and `AppError('DB_ERROR')` if the file cannot be
 * opened or a migration fails (the file stays at its previous version).
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  const migrations = options.migrations ?? MIGRATIONS;
  validateMigrations(migrations);
  const inMemory = file === ':memory:';

  let sqlite: Database.Database;
  try {
    if (!inMemory) {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
      makeOwnerOnly(file);
    }
    sqlite = new Database(file);
  } catch (err) {
    throw dbError(`Cannot open database ${file}`, err);
  }

  try {
    // Connection-only settings first; none of these writes to the file.
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    const found = readUserVersion(sqlite);
    if (found > migrations.length) throw newerVersionError(file, found, migrations.length);

    sqlite.pragma('foreign_keys = ON');
    if (!inMemory) {
      const mode: unknown = sqlite.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new AppError('DB_ERROR', `Database ${file} refused WAL mode (got ${String(mode)})`);
    }
    sqlite.pragma('synchronous = NORMAL');

    const schemaVersion = runMigrations(sqlite, migrations, file);
    return wrap(sqlite, file, schemaVersion);
  } catch (err) {
    sqlite.close();
    if (err instanceof AppError) throw err;
    throw dbError(`Cannot open database ${file}`, err);
  }
}

/** The files SQLite keeps for a WAL database at `file`. */
function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

/**
 * Creates the database file 0600 when absent ('wx': an existing file is never touched) and
 * tightens the database and side files that exist with group or other bits set.
 */
function makeOwnerOnly(file: string): void {
  if (process.platform === 'win32') return;
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  for (const f of databaseFiles(file)) {
    const stat = fs.statSync(f, { throwIfNoEntry: false });
    if (stat?.isFile() && (stat.mode & 0o077) !== 0) fs.chmodSync(f, stat.mode & 0o700);
  }
}

/**
 * Wraps `fn` in a transaction (better-sqlite3's `db.transaction`): the returned function runs
 * `fn` in BEGIN/COMMIT, rolling back if it throws. Build it once and reuse it.
 */
export function transaction<Args extends unknown[], Result>(
  db: Db,
  fn: (...args: Args) => Result,
): (...args: Args) => Result {
  const wrapped = db.sqlite.transaction(fn);
  return (...args: Args): Result => wrapped(...args);
}

function wrap(sqlite: Database.Database, file: string, schemaVersion: number): Db {
  return {
    sqlite,
    file,
    schemaVersion,
    get isOpen(): boolean {
      return sqlite.open;
    },
    close(): void {
      if (!sqlite.open) return;
      try {
        // SQLite's advice for long-lived connections: refresh planner statistics on close.
        sqlite.pragma('optimize');
      } finally {
        sqlite.close();
      }
    },
  };
}

function dbError(prefix: string, err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err);
  const error = new AppError('DB_ERROR', `${prefix}: ${reason}`);
  error.cause = err;
  return error;
}
