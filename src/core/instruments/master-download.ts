/**
 * The daily scrip master in live mode: downloaded from Dhan's public URL at most once per IST
 * day, streamed to a temporary file and renamed into place only when complete, with progress
 * reported as it arrives. If the download fails, the last good copy is used and the result says
 * how old it is, so the UI can warn "master is from <date>" instead of failing to start.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/errors';
import { istDate } from '../../shared/market-calendar';

/** Dhan's compact master (DHAN-PROTOCOL.md §4). */
export const DHAN_MASTER_URL = 'https://images.dhan.co/api-data/api-scrip-master.csv';

export interface MasterDownloadOptions {
  dataDir: string;
  url?: string;
  now?: () => number;
  fetch?: typeof fetch;
  /** Bytes received so far and the total if the server said (Content-Length). */
  onProgress?: (received: number, total: number | null) => void;
  timeoutMs?: number;
}

export interface MasterDownloadResult {
  path: string;
  /** IST date of the copy in use. */
  date: string;
  /** 'downloaded' today, 'cached' (already today's), or 'stale' (download failed, older copy used). */
  status: 'downloaded' | 'cached' | 'stale';
  /** Why a stale copy is in use. */
  warning?: string;
}

const FILE_PREFIX = 'api-scrip-master-';

/** The master file of an IST date in the data folder. */
export function masterPathFor(dataDir: string, date: string): string {
  return join(dataDir, 'masters', `${FILE_PREFIX}${date}.csv`);
}

/** The newest master file already downloaded, if any. */
export function latestDownloadedMaster(dataDir: string): { path: string; date: string } | null {
  const dir = join(dataDir, 'masters');
  if (!existsSync(dir)) return null;
  const names = readdirSync(dir);
  const dates = names.map((n) => /^api-scrip-master-(\d{4}-\d{2}-\d{2})\.csv$/.exec(n)?.[1]).filter((d): d is string => !!d).sort();
  const date = dates.at(-1);
  return date ? { path: masterPathFor(dataDir, date), date } : null;
}

/** Today's master: the copy already downloaded today, a fresh download, or the last good copy. */
export async function ensureDailyMaster(options: MasterDownloadOptions): Promise<MasterDownloadResult> {
  const today = istDate((options.now ?? Date.now)());
  const target = masterPathFor(options.dataDir, today);
  if (existsSync(target) && statSync(target).size > 0) return { path: target, date: today, status: 'cached' };
  try {
    await download(options, target);
    return { path: target, date: today, status: 'downloaded' };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const last = latestDownloadedMaster(options.dataDir);
    if (!last) throw new AppError('MASTER_INVALID', `the instrument master could not be downloaded (${reason}) and no earlier copy exists`);
    return { path: last.path, date: last.date, status: 'stale', warning: `master is from ${last.date}: today's download failed (${reason})` };
  }
}

async function download(options: MasterDownloadOptions, target: string): Promise<void> {
  mkdirSync(join(options.dataDir, 'masters'), { recursive: true });
  const tmp = `${target}.part`;
  const res = await (options.fetch ?? fetch)(options.url ?? DHAN_MASTER_URL, { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  const total = Number(res.headers.get('content-length')) || null;
  let received = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    options.onProgress?.(received, total);
  });
  try {
    await pipeline(body, createWriteStream(tmp));
    if (received === 0) throw new Error('empty response');
    if (total !== null && received !== total) throw new Error(`truncated: ${received} of ${total} bytes`);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
