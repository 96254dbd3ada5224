/** `master generate`: a simulated compact scrip master for the simulator, tests and benchmarks. */
import { writeMaster } from '../sim/master-generator';
import { istDate } from '../shared/market-calendar';
import { UsageError, type CliIo } from './io';

export interface GenerateArgs {
  out?: string;
  asOf?: string;
  rows?: string;
  seed?: string;
}

function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

export function generateCommand(args: GenerateArgs, io: CliIo): void {
  if (!args.out) throw new UsageError('master generate needs --out <file>');
  if (args.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(args.asOf)) throw new UsageError(`--as-of must be a date YYYY-MM-DD, got "${args.asOf}"`);
  const asOf = args.asOf ?? istDate(Date.now());
  const rows = wholeNumber(args.rows, '--rows', 1000, 2_000_000);
  const seed = wholeNumber(args.seed, '--seed', 0, 2 ** 31 - 1);
  const t0 = performance.now();
  const written = writeMaster(args.out, { asOf, ...(rows !== undefined ? { rows } : {}), ...(seed !== undefined ? { seed } : {}) });
  const ms = Math.round(performance.now() - t0);
  io.out(`wrote ${args.out}: ${written.rows} rows for ${asOf} (seed ${seed ?? 1}) in ${ms} ms`);
}
