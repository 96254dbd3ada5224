/**
 * A record of each scrip master the registry loaded (source, path, SHA-1, date, rows), so a warm
 * start can tell whether its binary snapshot still matches today's master.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Db } from './database';

export const MASTER_SOURCES = ['download', 'generated', 'file'] as const;
export type MasterSource = (typeof MASTER_SOURCES)[number];

export interface NewMasterFile {
  source: MasterSource;
  path: string;
  /** SHA-1 of the file, lower-case hex. */
  sha1: string;
  /** `YYYY-MM-DD`: the trading day the master is for. */
  masterDate: string;
  rows: number;
  /** Epoch milliseconds. */
  loadedAt: number;
}

export interface MasterFile extends NewMasterFile {
  id: number;
}

interface MasterFileRecord {
  id: number;
  source: MasterSource;
  path: string;
  sha1: string;
  master_date: string;
  rows: number;
  loaded_at: number;
}

const COLUMNS = 'id, source, path, sha1, master_date, rows, loaded_at';

export class MasterFilesRepo {
  private readonly insert: Database.Statement<[NewMasterFile], MasterFileRecord>;
  private readonly selectLatest: Database.Statement<[], MasterFileRecord>;
  private readonly selectLatestOf: Database.Statement<[string], MasterFileRecord>;
  private readonly deleteOlder: Database.Statement<[number]>;

  constructor(db: Db) {
    const sql = db.sqlite;
    this.insert = sql.prepare<[NewMasterFile], MasterFileRecord>(
      `INSERT INTO master_files (source, path, sha1, master_date, rows, loaded_at)
       VALUES (@source, @path, @sha1, @masterDate, @rows, @loadedAt) RETURNING ${COLUMNS}`,
    );
    this.selectLatest = sql.prepare(`SELECT ${COLUMNS} FROM master_files ORDER BY id DESC LIMIT 1`);
    this.selectLatestOf = sql.prepare(
      `SELECT ${COLUMNS} FROM master_files WHERE source = ? ORDER BY id DESC LIMIT 1`,
    );
    this.deleteOlder = sql.prepare(
      'DELETE FROM master_files WHERE id NOT IN (SELECT id FROM master_files ORDER BY id DESC LIMIT ?)',
    );
  }

  /** Records a loaded master and returns the stored row. */
  record(file: NewMasterFile): MasterFile {
    const record = this.insert.get({
      source: file.source,
      path: file.path,
      sha1: file.sha1,
      masterDate: file.masterDate,
      rows: file.rows,
      loadedAt: file.loadedAt,
    });
    if (record === undefined) throw new AppError('DB_ERROR', 'INSERT ... RETURNING returned no row');
    return toMasterFile(record);
  }

  /** The most recently recorded master, optionally of one source. */
  latest(source?: MasterSource): MasterFile | undefined {
    const record = source === undefined ? this.selectLatest.get() : this.selectLatestOf.get(source);
    return record === undefined ? undefined : toMasterFile(record);
  }

  /** Keeps only the newest `keep` records; returns how many were removed. */
  prune(keep: number): number {
    return this.deleteOlder.run(Math.max(0, Math.trunc(keep))).changes;
  }
}

function toMasterFile(record: MasterFileRecord): MasterFile {
  return {
    id: record.id,
    source: record.source,
    path: record.path,
    sha1: record.sha1,
    masterDate: record.master_date,
    rows: record.rows,
    loadedAt: record.loaded_at,
  };
}
