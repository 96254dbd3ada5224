/**
 * Schema migrations, tracked by `PRAGMA user_version`.
 *
 * Policy: migrations form an explicit list numbered 1..n with no gaps; a database at version v
 * has had exactly migrations 1..v applied. All pending migrations run inside ONE immediate
 * transaction together with the `user_version` bump, so a failure anywhere rolls the file back to
 * the version it had before: a database is never left half-migrated. Migrations are history:
 * once shipped, a migration's SQL never changes; a schema change is a new migration.
 *
 * Inside that transaction `PRAGMA foreign_keys` cannot be toggled (SQLite ignores it there), so a
 * migration that rebuilds a table must keep the data consistent itself; the runner checks
 * `PRAGMA foreign_key_check` before committing.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';

/** One numbered schema step. `up` is SQL run with `exec`, or a function for data moves. */
export interface Migration {
  version: number;
  name: string;
  up: string | ((db: Database.Database) => void);
}

/**
 * Checks that a migration list is numbered 1..n in order, without gaps or duplicates, and that
 * every entry has a name. Throws an `AppError('INTERNAL')` naming the first problem.
 */
export function validateMigrations(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const expected = index + 1;
    if (migration.version !== expected) {
      throw new AppError(
        'INTERNAL',
        `Migration list is not numbered 1..${migrations.length}: entry ${index} has version ` +
          `${migration.version}, expected ${expected}`,
      );
    }
    if (migration.name.trim() === '') {
      throw new AppError('INTERNAL', `Migration ${migration.version} has no name`);
    }
  });
}

/** Reads the schema version recorded in the database header. */
export function readUserVersion(db: Database.Database): number {
  const version: unknown = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number') {
    throw new AppError('DB_ERROR', `PRAGMA user_version returned ${String(version)}`);
  }
  return version;
}

/** The error for a database written by a newer build than this one. */
export function newerVersionError(file: string, found: number, known: number): AppError {
  return new AppError(
    'DB_NEWER_VERSION',
    `Database ${file} is at schema version ${found}, but this build of the app knows only up to ` +
      `version ${known}. It was written by a newer version: update the app, or use another ` +
      `data folder. The file was not modified.`,
  );
}

/**
 * Applies every migration above the database's current `user_version`, all in one immediate
 * transaction, and returns the resulting version. The list must already be validated.
 * Throws `DB_NEWER_VERSION` if the database is ahead of the list, and `DB_ERROR` (with the
 * original error as `cause`) if a migration fails; in both cases nothing is changed.
 */
export function runMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
  file: string,
): number {
  const known = migrations.length;
  const migrate = db.transaction((): number => {
    // Re-read under the write lock: another connection may have migrated since we looked.
    const current = readUserVersion(db);
    if (current > known) throw newerVersionError(file, current, known);
    for (const migration of migrations.slice(current)) {
      try {
        if (typeof migration.up === 'string') db.exec(migration.up);
        else migration.up(db);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        const error = new AppError(
          'DB_ERROR',
          `Migration ${migration.version} (${migration.name}) failed on ${file}: ${reason}. ` +
            `The database was left at schema version ${current}.`,
        );
        error.cause = err;
        throw error;
      }
    }
    const violations = db.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new AppError(
        'DB_ERROR',
        `Migrations to version ${known} on ${file} left ${violations.length} foreign key ` +
          `violation(s); rolled back to schema version ${current}.`,
      );
    }
    // user_version is part of the database header, so this write commits or rolls back with
    // the migrations. The value is an integer we own, never user input.
    if (known !== current) db.pragma(`user_version = ${known}`);
    return known;
  });
  return migrate.immediate();
}
