/**
 * Benchmark harness: each benchmark returns named figures with a unit and (optionally) a target;
 * the runner prints them and merges them into bench/out/latest.json. Figures are measured, never
 * asserted: these machines are shared, so pass/fail belongs to a human reading the table.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The target, if the issue sets one. */
  target?: number;
  /** 'max' when the value must stay at or below the target (default), 'min' when at or above. */
  better?: 'max' | 'min';
}

export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<Figure[]>;
}

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0-100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Whether a figure meets its target ('-' when it has none). */
export function verdict(f: Figure): string {
  if (f.target === undefined) return '-';
  const ok = f.better === 'min' ? f.value >= f.target : f.value <= f.target;
  return ok ? 'ok' : 'MISSED';
}
