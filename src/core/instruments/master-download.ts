/**
 * The daily scrip master in live mode: downloaded from Dhan's public URL at most once per IST day,
 * with progress reported as it arrives.
 *
 * Acceptance policy. A download is streamed to a temporary file in the data folder, parsed there,
 * and accepted only when it passes the sanity check below; only then is it renamed (atomically, in
 * the same folder) to today's name and recorded as the last good copy (`masters/last-good.json`:
 * date, size, mtime and instruments per segment). A body that fails (an HTML error page from the
 * CDN, a truncated CSV, a file with a segment missing) is deleted and never takes today's name.
 * A file already carrying today's name counts as downloaded only if it is the recorded last good
 * copy or passes the same check now (an older version renamed any HTTP 200 body into place): a
 * bad one is moved aside to `<name>.refused` and the download is tried again.
 *
 * Sanity band (SanityRule, DEFAULT_SANITY). The header must be recognised and the file must hold
 * instruments. Against the last good copy: every segment present there keeps at least 50% of its
 * count, and the total stays within 50%-200% of the previous total. With no previous copy the file
 * must hold at least 10,000 F&O instruments (NSE_FNO + BSE_FNO + MCX_COMM; a real file has ~180k).
 *
 * Fallback. When today's download fails or is refused, the last good copy is used and the result
 * carries a dated warning ("instrument master is from <date>: today's download was refused:
 * <reason>"); with no good copy at all the start fails with MASTER_INVALID naming both reasons.
 * `retryDailyMaster` then tries again later in the day (see RETRY_DELAYS_MS).
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/errors';
import { SEGMENTS, type Segment } from '../../shared/instruments';
import { istDate } from '../../shared/market-calendar';
import { parseMasterStream } from './master-parser';

/** Dhan's compact master (DHAN-PROTOCOL.md §4). */
export const DHAN_MASTER_URL = 'https://images.dhan.co/api-data/api-scrip-master.csv';

/** Instruments per segment; a segment absent from the file is absent here. */
export type SegmentCounts = Partial<Record<Segment, number>>;

/** The band a new master must fall in, relative to the last good copy (see the header). */
export interface SanityRule {
  /** Each segment present in the last good copy keeps at least this share of its count. */
  minSegmentShare: number;
  /** The total stays within [minTotalRatio, maxTotalRatio] x the previous total. */
  minTotalRatio: number;
  maxTotalRatio: number;
  /** With no previous copy: at least this many instruments in FNO_SEGMENTS. */
  minFnoWithoutPrevious: number;
}

export const DEFAULT_SANITY: Readonly<SanityRule> = { minSegmentShare: 0.5, minTotalRatio: 0.5, maxTotalRatio: 2, minFnoWithoutPrevious: 10_000 };
/** The derivative segments counted by the no-previous-copy minimum. */
export const FNO_SEGMENTS: readonly Segment[] = ['NSE_FNO', 'BSE_FNO', 'MCX_COMM'];

export interface MasterDownloadOptions {
  dataDir: string;
  url?: string;
  now?: () => number;
  fetch?: typeof fetch;
  /** Bytes received so far and the total if the server said (Content-Length). */
  onProgress?: (received: number, total: number | null) => void;
  timeoutMs?: number;
  /** Overrides of DEFAULT_SANITY (tests use small fixtures). */
  sanity?: Partial<SanityRule>;
}

export interface MasterDownloadResult {
  path: string;
  /** IST date of the copy in use. */
  date: string;
  /** 'downloaded' today, 'cached' (already today's), or 'stale' (download failed or refused, older copy used). */
  status: 'downloaded' | 'cached' | 'stale';
  /** Why a stale copy is in use ("instrument master is from <date>: ..."). */
  warning?: string;
}

/** The last master that passed the sanity check, as recorded in `masters/last-good.json`. */
export interface LastGoodMaster {
  date: string;
  path: string;
  size: number;
  mtimeMs: number;
  instruments: number;
  segments: SegmentCounts;
}

const FILE_PREFIX = 'api-scrip-master-';
const LAST_GOOD_FILE = 'last-good.json';
/** How many older dated files are examined when there is no record of a good one. */
const MAX_LEGACY_CANDIDATES = 3;

/** The master file of an IST date in the data folder. */
export function masterPathFor(dataDir: string, date: string): string {
  return join(dataDir, 'masters', `${FILE_PREFIX}${date}.csv`);
}

/** The newest master file already downloaded, if any (not necessarily a good one: see readLastGood). */
export function latestDownloadedMaster(dataDir: string): { path: string; date: string } | null {
  return datedMasters(dataDir)[0] ?? null;
}

/** Dated master files in the folder, newest first. */
function datedMasters(dataDir: string): Array<{ path: string; date: string }> {
  const dir = join(dataDir, 'masters');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((n) => /^api-scrip-master-(\d{4}-\d{2}-\d{2})\.csv$/.exec(n)?.[1])
    .filter((d): d is string => !!d)
    .sort()
    .reverse()
    .map((date) => ({ path: masterPathFor(dataDir, date), date }));
}

/** The recorded last good copy, if its file is still there unchanged. */
export function readLastGood(dataDir: string): LastGoodMaster | null {
  let rec: LastGoodMaster;
  try {
    rec = JSON.parse(readFileSync(join(dataDir, 'masters', LAST_GOOD_FILE), 'utf8')) as LastGoodMaster;
  } catch {
    return null;
  }
  try {
    const st = statSync(rec.path);
    return st.size === rec.size && st.mtimeMs === rec.mtimeMs ? rec : null;
  } catch {
    return null;
  }
}

function writeLastGood(dataDir: string, date: string, path: string, vetted: Vetted): LastGoodMaster {
  const st = statSync(path);
  const rec: LastGoodMaster = { date, path, size: st.size, mtimeMs: st.mtimeMs, instruments: vetted.instruments, segments: vetted.segments };
  const file = join(dataDir, 'masters', LAST_GOOD_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(rec, null, 1));
  renameSync(`${file}.tmp`, file);
  return rec;
}

/**
 * Why a master with these counts is refused against the previous good copy, or null when it
 * passes. Policy in the file header.
 */
export function sanityProblem(counts: SegmentCounts, previous: SegmentCounts | null, rule: SanityRule = DEFAULT_SANITY): string | null {
  const total = sum(counts);
  if (total === 0) return 'it holds no instruments';
  if (!previous || sum(previous) === 0) {
    const fno = FNO_SEGMENTS.reduce((n, s) => n + (counts[s] ?? 0), 0);
    return fno < rule.minFnoWithoutPrevious ? `only ${fno} F&O instruments (at least ${rule.minFnoWithoutPrevious} expected)` : null;
  }
  const short: string[] = [];
  for (const seg of SEGMENTS) {
    const before = previous[seg] ?? 0;
    const now = counts[seg] ?? 0;
    if (before > 0 && now < before * rule.minSegmentShare) short.push(now === 0 ? `${seg} missing (had ${before})` : `${seg} ${now} of ${before}`);
  }
  if (short.length) return `too few instruments in ${short.join(', ')}`;
  const before = sum(previous);
  if (total < before * rule.minTotalRatio || total > before * rule.maxTotalRatio) {
    return `${total} instruments against ${before} in the last good copy (outside ${rule.minTotalRatio * 100}%-${rule.maxTotalRatio * 100}%)`;
  }
  return null;
}

function sum(counts: SegmentCounts): number {
  let n = 0;
  for (const v of Object.values(counts)) n += v ?? 0;
  return n;
}

interface Vetted {
  instruments: number;
  segments: SegmentCounts;
  /** Why the file is refused, or null. */
  problem: string | null;
}

/** Parse a master file and judge it against the previous counts. Never throws for a bad file. */
async function vet(path: string, previous: SegmentCounts | null, rule: SanityRule): Promise<Vetted> {
  try {
    const parsed = await parseMasterStream(createReadStream(path, { highWaterMark: 1 << 20 }));
    const col = parsed.table.cols.segment;
    const by = new Array<number>(SEGMENTS.length).fill(0);
    for (let r = 0; r < parsed.table.count; r++) by[col[r]!]!++;
    const segments: SegmentCounts = {};
    SEGMENTS.forEach((s, i) => {
      if (by[i]) segments[s] = by[i];
    });
    return { instruments: parsed.report.instruments, segments, problem: sanityProblem(segments, previous, rule) };
  } catch (err) {
    return { instruments: 0, segments: {}, problem: err instanceof Error ? err.message : String(err) };
  }
}

/** Today's master: the copy already downloaded today, a fresh download, or the last good copy. */
export async function ensureDailyMaster(options: MasterDownloadOptions): Promise<MasterDownloadResult> {
  const rule: SanityRule = { ...DEFAULT_SANITY, ...options.sanity };
  const today = istDate((options.now ?? Date.now)());
  const target = masterPathFor(options.dataDir, today);
  mkdirSync(join(options.dataDir, 'masters'), { recursive: true });
  let last = readLastGood(options.dataDir);
  if (last && last.path === target) return { path: target, date: today, status: 'cached' };
  if (last && last.date >= today) last = null; // a record from a clock that ran ahead: judge afresh
  const previous = last?.segments ?? null;

  let reason: string;
  let refused = false;
  if (existsSync(target)) {
    // Today's name without today's record: an older version's download, or a crash before the
    // record was written. Trust it only if it passes now.
    const vetted = await vet(target, previous, rule);
    if (!vetted.problem) {
      writeLastGood(options.dataDir, today, target, vetted);
      return { path: target, date: today, status: 'cached' };
    }
    rmSync(`${target}.refused`, { force: true });
    renameSync(target, `${target}.refused`);
  }
  try {
    const tmp = await download(options, target);
    try {
      const vetted = await vet(tmp, previous, rule);
      if (vetted.problem) {
        refused = true;
        throw new Error(vetted.problem);
      }
      renameSync(tmp, target);
      writeLastGood(options.dataDir, today, target, vetted);
      return { path: target, date: today, status: 'downloaded' };
    } finally {
      rmSync(tmp, { force: true });
    }
  } catch (err) {
    reason = err instanceof Error ? err.message : String(err);
  }
  const fallback = last ?? (await legacyGoodCopy(options.dataDir, today, rule));
  const what = refused ? `was refused: ${reason}` : `failed (${reason})`;
  if (!fallback) throw new AppError('MASTER_INVALID', `the instrument master could not be downloaded: today's download ${what}, and no earlier copy passed the checks`);
  return { path: fallback.path, date: fallback.date, status: 'stale', warning: `instrument master is from ${fallback.date}: today's download ${what}` };
}

/**
 * No record of a good copy (first run of this version): the newest older dated file that passes
 * the no-previous-copy check becomes the last good one.
 */
async function legacyGoodCopy(dataDir: string, today: string, rule: SanityRule): Promise<LastGoodMaster | null> {
  const older = datedMasters(dataDir).filter((m) => m.date < today).slice(0, MAX_LEGACY_CANDIDATES);
  for (const m of older) {
    const vetted = await vet(m.path, null, rule);
    if (!vetted.problem) return writeLastGood(dataDir, m.date, m.path, vetted);
  }
  return null;
}

/** Download into a temporary file beside the target; returns its path (the caller removes it). */
async function download(options: MasterDownloadOptions, target: string): Promise<string> {
  const tmp = `${target}.${process.pid}-${Date.now()}.part`;
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
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}

/** Timers for the retry; tests pass their own and fire them by hand. */
export interface RetryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Retry policy after a stale start: 5, 10, 20, then every 40 minutes (the last delay repeats)
 * until a good master arrives. Dhan's CDN error pages are short-lived; the cap keeps a bad day
 * from hammering it yet picks up a fixed file within the hour.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5, 10, 20, 40].map((m) => m * 60_000);

export interface MasterRetryOptions extends MasterDownloadOptions {
  /** Called once, with the good master (status 'downloaded' or 'cached'); retrying stops. */
  onGood: (result: MasterDownloadResult) => void | Promise<void>;
  /** Called after each attempt that still gave no good master (its warning or error). */
  onStillStale?: (warning: string, nextInMs: number) => void;
  delaysMs?: readonly number[];
  timers?: RetryTimers;
}

const REAL_TIMERS: RetryTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // a pending retry never keeps the process alive
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Try again for today's master with backoff until a good one arrives. Returns the disposer. */
export function retryDailyMaster(options: MasterRetryOptions): { dispose(): void } {
  const timers = options.timers ?? REAL_TIMERS;
  const delays = options.delaysMs?.length ? options.delaysMs : RETRY_DELAYS_MS;
  let attempt = 0;
  let handle: unknown = null;
  let disposed = false;
  const schedule = (): void => {
    const ms = delays[Math.min(attempt, delays.length - 1)]!;
    handle = timers.setTimeout(() => void run(), ms);
  };
  const run = async (): Promise<void> => {
    handle = null;
    attempt++;
    let problem: string;
    try {
      const r = await ensureDailyMaster(options);
      if (disposed) return;
      if (r.status !== 'stale') {
        disposed = true;
        try {
          await options.onGood(r);
        } catch {
          // onGood reports its own failures (the engine logs a reload that failed).
        }
        return;
      }
      problem = r.warning ?? 'stale';
    } catch (err) {
      if (disposed) return;
      problem = err instanceof Error ? err.message : String(err);
    }
    schedule();
    options.onStillStale?.(problem, delays[Math.min(attempt, delays.length - 1)]!);
  };
  schedule();
  return {
    dispose: () => {
      disposed = true;
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
    },
  };
}
