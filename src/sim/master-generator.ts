/**
 * Generates a Dhan-style compact scrip master (DHAN-PROTOCOL.md §4) for the simulator: the
 * universe's real indices and stocks with their real ids, derivatives with expiries relative to
 * asOf, and synthetic filler, in the exact text format of the real file (16 columns, LF, no BOM,
 * no quotes, no trailing newline).
 *
 * Policy: output is a pure function of (asOf, rows, seed): a seeded PRNG, never Math.random or the
 * clock. The requested row count is met by searching the one scale factor that sizes strike depth
 * and filler (master-plan.ts), then topping up the equity filler; below about 18k rows the floors
 * that keep the master complete win and the master comes out larger than asked.
 */
import { writeFileSync } from 'node:fs';
import { AppError } from '../shared/errors';
import { parseDate } from '../shared/market-calendar';
import { IdAllocator } from './id-allocator';
import type { SegmentIds } from './master-blocks';
import { NAMED_BSE_ROWS, NAMED_NSE_ROWS, NAMED_STOCKS, renderEquities, renderIndices, type EquityPlan } from './master-equities';
import { MASTER_HEADER } from './master-format';
import { buildSchedule, derivativeBlocks, ScalePlan, type Schedule } from './master-plan';
import { createRandom } from './seeded-random';
import { ETFS, INDICES } from './universe';

export interface MasterOptions {
  /** "Today", `YYYY-MM-DD` (IST). Expiries are on or after it, except the deliberately expired currency rows. */
  asOf: string;
  /** Data rows wanted (header excluded); met within a few rows from about 20,000 up. */
  rows?: number;
  seed?: number;
}

/** Default size: the real Feb-2026 master had 273,027 rows; files of 220k-290k are normal. */
export const DEFAULT_MASTER_ROWS = 289_000;

const FIXED_ROWS = NAMED_NSE_ROWS + NAMED_BSE_ROWS + INDICES.length;

interface Sized {
  equity: EquityPlan;
  blocks: ReturnType<typeof derivativeBlocks>;
  total: number;
}

function sizeAt(schedule: Schedule, s: number): Sized {
  const plan = new ScalePlan(s);
  const equity = plan.equity();
  const blocks = derivativeBlocks(schedule, plan);
  const total = FIXED_ROWS + equity.nseFiller + equity.bseFiller + blocks.reduce((sum, b) => sum + b.rows, 0);
  return { equity, blocks, total };
}

/** The largest scale whose master fits in `rows`, with the remainder given to the equity filler. */
function fit(schedule: Schedule, rows: number): Sized {
  let lo = 0;
  let hi = 1;
  while (sizeAt(schedule, hi).total < rows && hi < 64) hi *= 2;
  for (let i = 0; i < 24; i += 1) {
    const mid = (lo + hi) / 2;
    if (sizeAt(schedule, mid).total <= rows) lo = mid;
    else hi = mid;
  }
  const best = sizeAt(schedule, lo);
  const spare = rows - best.total;
  if (spare <= 0) return best;
  const toNse = Math.round(spare * 0.4);
  return {
    blocks: best.blocks,
    equity: { nseFiller: best.equity.nseFiller + toNse, bseFiller: best.equity.bseFiller + spare - toNse },
    total: rows,
  };
}

function segmentIds(seed: number): SegmentIds {
  const allocator = (segment: string, base: number, spread: number, gapChance: number, maxGap: number, reserved?: ReadonlySet<number>): IdAllocator => {
    const start = base + createRandom(seed, `ids-start:${segment}`).int(0, spread);
    return new IdAllocator(start, createRandom(seed, `ids:${segment}`), reserved, gapChance, maxGap);
  };
  const nseReserved = new Set([...NAMED_STOCKS.map((s) => s.nseId), ...ETFS.map((e) => e.securityId)]);
  const bseReserved = new Set(NAMED_STOCKS.flatMap((s) => (s.bseId ? [s.bseId] : [])));
  return {
    NSE_EQ: allocator('NSE_EQ', 12, 20, 0.45, 3, nseReserved),
    BSE_EQ: allocator('BSE_EQ', 500_000, 20, 0.5, 4, bseReserved),
    NSE_FNO: allocator('NSE_FNO', 35_000, 5_000, 0.05, 20),
    BSE_FNO: allocator('BSE_FNO', 820_000, 5_000, 0.05, 30),
    MCX_COMM: allocator('MCX_COMM', 440_000, 5_000, 0.05, 10),
    NSE_COMM: allocator('NSE_COMM', 120_000, 2_000, 0.02, 3),
    NSE_CURRENCY: allocator('NSE_CURRENCY', 1_000, 500, 0.3, 2),
    BSE_CURRENCY: allocator('BSE_CURRENCY', 1_020_000, 5_000, 0.05, 3),
  };
}

function masterLines(options: MasterOptions): string[] {
  const { asOf, rows = DEFAULT_MASTER_ROWS, seed = 1 } = options;
  parseDate(asOf);
  if (!Number.isInteger(rows) || rows < 1) throw new AppError('BAD_REQUEST', `rows must be a positive integer, got ${rows}`);
  if (!Number.isInteger(seed)) throw new AppError('BAD_REQUEST', `seed must be an integer, got ${seed}`);
  const sized = fit(buildSchedule(asOf), rows);
  const ids = segmentIds(seed);
  const out: string[] = [MASTER_HEADER];
  renderEquities(out, sized.equity, seed, ids.NSE_EQ, ids.BSE_EQ);
  renderIndices(out);
  for (const block of sized.blocks) block.render(out, ids);
  return out;
}

/**
 * The whole compact master as text: header, LF-separated rows, no trailing newline.
 * Deterministic: the same options always give byte-identical output.
 */
export function generateMaster(options: MasterOptions): string {
  return masterLines(options).join('\n');
}

export interface WrittenMaster {
  /** Data rows written (header excluded). */
  rows: number;
  bytes: number;
}

/** Generates the master and writes it to `path` (UTF-8, no BOM). */
export function writeMaster(path: string, options: MasterOptions): WrittenMaster {
  const lines = masterLines(options);
  const text = lines.join('\n');
  writeFileSync(path, text, 'utf8');
  return { rows: lines.length - 1, bytes: Buffer.byteLength(text, 'utf8') };
}
