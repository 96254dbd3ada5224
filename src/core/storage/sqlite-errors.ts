import Database from 'better-sqlite3';

/** SQLite extended result codes for constraint failures that repositories translate. */
export type ConstraintCode =
  | 'SQLITE_CONSTRAINT_UNIQUE'
  | 'SQLITE_CONSTRAINT_PRIMARYKEY'
  | 'SQLITE_CONSTRAINT_FOREIGNKEY'
  | 'SQLITE_CONSTRAINT_CHECK'
  | 'SQLITE_CONSTRAINT_NOTNULL';

/** Whether `err` is a better-sqlite3 error with the given extended constraint code. */
export function isConstraintError(err: unknown, code: ConstraintCode): boolean {
  return err instanceof Database.SqliteError && err.code === code;
}
