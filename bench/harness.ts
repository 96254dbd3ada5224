/**
 * Benchmark harness: each benchmark returns named figures with a unit and (optionally) a target;
 * the runner prints them and merges them into bench/out/latest.json. Figures are measured, never
 * asserted: these machines are shared, so pass/fail belongs to a human reading the table.
 */
import Database from 'better-sqlite3';

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

// ---- reference workload ----------------------------------------------------------------------

/**
 * A fixed in-process reference workload, so a figure can also be printed as a ratio to it and
 * compared across machines (a slower machine slows both). It is a small, deterministic mix of what
 * the hot paths of the engine do, in roughly a chain add's proportions:
 *
 * - typed arrays: 32 passes of multiply-add over a 4,096-element Float64Array;
 * - maps: 2,000 string keys (`NSE_FNO:<id>`) inserted into a Map, looked up twice, deleted;
 * - allocation: 5,000 small objects `{ token, socket, tier }` built into an array, then summed;
 * - SQLite (better-sqlite3, `:memory:`, opened once per measurement): one transaction of 200
 *   upserts into a WITHOUT ROWID table keyed by (segment, security_id), 200 appends to a log
 *   table, then 200 deletes, with prepared statements reused.
 *
 * `measureReference` runs it 5 times to warm up, then times `samples` runs and reports the
 * median. Nothing in it depends on the code under test, so it moves only with the machine (and
 * the Node and SQLite versions). Run to run on one machine its median varies by about 5%.
 */

/**
 * The reference's median on the calibration machine, in ms: the 2-core development machine of
 * issue 17 (Node 22.23, better-sqlite3 13.2.0), five runs of 2.55-2.65 ms. A target set in ms on
 * that machine is `ms / REFERENCE_CALIBRATION_MS` as a ratio.
 */
export const REFERENCE_CALIBRATION_MS = 2.6;

export interface ReferenceTiming {
  /** Median of the timed runs, in ms. */
  ms: number;
  samples: number[];
}

/** Runs the reference workload `samples` times (after 5 untimed runs) and returns the median. */
export function measureReference(samples = 21): ReferenceTiming {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE TABLE ref_sub (segment TEXT NOT NULL, security_id INTEGER NOT NULL, symbol TEXT NOT NULL,
               tier TEXT NOT NULL, socket INTEGER, PRIMARY KEY (segment, security_id)) STRICT, WITHOUT ROWID;
             CREATE TABLE ref_log (id INTEGER PRIMARY KEY, action TEXT NOT NULL, segment TEXT NOT NULL,
               security_id INTEGER NOT NULL, reason TEXT, ts INTEGER NOT NULL) STRICT;`);
    const upsert = db.prepare(`INSERT INTO ref_sub VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (segment, security_id) DO UPDATE SET symbol = excluded.symbol, tier = excluded.tier, socket = excluded.socket`);
    const append = db.prepare('INSERT INTO ref_log (action, segment, security_id, reason, ts) VALUES (?, ?, ?, ?, ?)');
    const remove = db.prepare('DELETE FROM ref_sub WHERE segment = ? AND security_id = ?');
    const tx = db.transaction((base: number) => {
      for (let i = 0; i < 200; i++) {
        upsert.run('NSE_FNO', base + i, 'REF', 'TIER_A', (i % 5) + 1);
        append.run('SUBSCRIBE', 'NSE_FNO', base + i, 'reference', i);
      }
      for (let i = 0; i < 200; i++) remove.run('NSE_FNO', base + i);
    });
    const numbers = new Float64Array(4096);
    let sink = 0;
    const once = (): void => {
      for (let i = 0; i < numbers.length; i++) numbers[i] = (i * 7919) % 1000;
      for (let pass = 0; pass < 32; pass++) {
        for (let i = 0; i < numbers.length; i++) numbers[i] = numbers[i]! * 1.0001 + pass;
      }
      sink += numbers[4095]!;
      const map = new Map<string, number>();
      for (let i = 0; i < 2000; i++) map.set(`NSE_FNO:${100_000 + i}`, i);
      for (let k = 0; k < 2; k++) for (let i = 0; i < 2000; i++) sink += map.get(`NSE_FNO:${100_000 + i}`)!;
      for (let i = 0; i < 2000; i++) map.delete(`NSE_FNO:${100_000 + i}`);
      const objects: { token: string; socket: number; tier: string }[] = [];
      for (let i = 0; i < 5000; i++) objects.push({ token: `t${i}`, socket: (i % 5) + 1, tier: i & 1 ? 'TIER_A' : 'TIER_B' });
      for (const o of objects) sink += o.socket;
      tx(100_000);
    };
    for (let i = 0; i < 5; i++) once();
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      once();
      times.push(performance.now() - t0);
    }
    if (Number.isNaN(sink)) throw new Error('reference workload: impossible result');
    return { ms: median(times), samples: times };
  } finally {
    db.close();
  }
}
