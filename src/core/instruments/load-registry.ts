/**
 * Loading the registry from a scrip-master file, with the warm-start cache: the parsed master is
 * kept as a binary snapshot keyed by the file's SHA-1, so a restart on the same master does not
 * parse the CSV again. The hash is remembered with the file's size and mtime, so a warm start
 * does not even read the CSV unless the file changed.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import { parseMasterBuffer, type ParsedMaster } from './master-parser';
import { InstrumentRegistry, type RegistryOptions } from './registry';
import { InstrumentSearch } from './search';
import { readSnapshot, readSnapshotSource, writeSnapshot, type SnapshotSource } from './snapshot';

export interface LoadRegistryOptions extends RegistryOptions {
  /** The master CSV (compact or detailed). */
  masterPath: string;
  /** Folder for the warm-start snapshot; no caching when absent. */
  cacheDir?: string;
  /** The master's SHA-1 when already known (e.g. recorded at download). */
  sha1?: string;
}

export interface LoadedRegistry {
  registry: InstrumentRegistry;
  search: InstrumentSearch;
  /** 'csv' when the master was parsed, 'snapshot' when the cache was used. */
  source: 'csv' | 'snapshot';
  sha1: string;
  loadMs: number;
}

/** SHA-1 of a buffer as hex. */
export function sha1Hex(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}

/** File name of the snapshot in the cache folder. */
export const SNAPSHOT_FILE = 'registry.snapshot';

/**
 * Load the registry from `masterPath`, using (and refreshing) the snapshot in `cacheDir`.
 * @throws AppError MASTER_INVALID when the file is missing, its header is unusable or it holds no
 * instruments (a master that reads nothing is refused by name, never "ready" with nothing).
 */
export function loadRegistry(options: LoadRegistryOptions): LoadedRegistry {
  const t0 = performance.now();
  const { parsed, source, sha1 } = loadParsed(options);
  return finish(parsed, source, sha1, options, t0);
}

/**
 * Check that a master file is usable before anything is started on it: it parses (or its snapshot
 * matches) and holds instruments. Writes the snapshot, so the registry's own load is then warm.
 * @throws AppError MASTER_INVALID naming the file and why.
 */
export function checkMasterFile(options: Pick<LoadRegistryOptions, 'masterPath' | 'cacheDir' | 'sha1'>): ParsedMaster['report'] {
  return loadParsed(options).parsed.report;
}

function loadParsed(options: Pick<LoadRegistryOptions, 'masterPath' | 'cacheDir' | 'sha1'>): { parsed: ParsedMaster; source: 'csv' | 'snapshot'; sha1: string } {
  let stat;
  try {
    stat = statSync(options.masterPath);
  } catch {
    throw new AppError('MASTER_INVALID', `scrip master not found: ${options.masterPath}`);
  }
  const snapshotPath = options.cacheDir ? join(options.cacheDir, SNAPSHOT_FILE) : null;
  let sha1 = options.sha1;
  if (!sha1 && snapshotPath) {
    const recorded = readSnapshotSource(snapshotPath);
    if (recorded && recorded.size === stat.size && recorded.mtimeMs === stat.mtimeMs) sha1 = recorded.sha1;
  }
  if (sha1 && snapshotPath) {
    const cached = readSnapshot(snapshotPath, sha1);
    if (cached) return { parsed: refuseEmpty(cached, options.masterPath), source: 'snapshot', sha1 };
  }
  const bytes = readFileSync(options.masterPath);
  sha1 = sha1Hex(bytes);
  if (snapshotPath) {
    const cached = readSnapshot(snapshotPath, sha1);
    if (cached) return { parsed: refuseEmpty(cached, options.masterPath), source: 'snapshot', sha1 };
  }
  let parsed: ParsedMaster;
  try {
    parsed = parseMasterBuffer(bytes);
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.code, `${options.masterPath}: ${err.message}`);
    throw err;
  }
  refuseEmpty(parsed, options.masterPath);
  if (snapshotPath) {
    const source: SnapshotSource = { sha1, size: stat.size, mtimeMs: stat.mtimeMs };
    writeSnapshot(snapshotPath, parsed, source);
  }
  return { parsed, source: 'csv', sha1 };
}

/** A master with no instruments (e.g. CR-only line endings read as one header line) is refused. */
function refuseEmpty(parsed: ParsedMaster, path: string): ParsedMaster {
  const r = parsed.report;
  if (r.instruments > 0) return parsed;
  const why = r.rowsRead === 0
    ? 'no data rows after the header (is it cut short, or are its lines ended by CR alone?)'
    : `all ${r.rowsRead} rows were skipped (${Object.entries(r.skippedReasons).map(([k, n]) => `${k}: ${n}`).join(', ')})`;
  throw new AppError('MASTER_INVALID', `scrip master ${path} has no instruments: ${why}; refused`);
}

function finish(parsed: ParsedMaster, source: 'csv' | 'snapshot', sha1: string, options: RegistryOptions, t0: number): LoadedRegistry {
  const registry = new InstrumentRegistry(parsed, options);
  const search = new InstrumentSearch(registry);
  return { registry, search, source, sha1, loadMs: performance.now() - t0 };
}
