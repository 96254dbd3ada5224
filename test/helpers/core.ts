/** A subscription core over a generated master and a real SQLite database, for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstrumentRegistry } from '../../src/core/instruments/registry';
import { openDatabase, type Db } from '../../src/core/storage/database';
import { createSubscriptionCore, type SubscriptionCore, type SubscriptionCoreOptions } from '../../src/core/subscriptions/index';
import { generateMaster } from '../../src/sim/master-generator';
import { FNO_STOCKS, INDICES } from '../../src/sim/universe';
import { parseText } from './fixtures';

export const AS_OF = '2026-11-24';
/** 10:00 IST on AS_OF. */
export const T0 = Date.parse(`${AS_OF}T04:30:00Z`);

let cached: InstrumentRegistry | null = null;

/** The generated master (40k rows, seed 7) for AS_OF, parsed once per test file. */
export function testRegistry(): InstrumentRegistry {
  cached ??= new InstrumentRegistry(parseText(generateMaster({ asOf: AS_OF, rows: 40_000, seed: 7 })), { now: () => T0 });
  return cached;
}

/** Base price of an index or F&O stock in the simulated universe. */
export function basePrice(symbol: string): number {
  const idx = INDICES.find((i) => i.symbol === symbol);
  if (idx) return idx.price;
  const stock = FNO_STOCKS.find((s) => s.symbol === symbol);
  if (!stock) throw new Error(`no base price for ${symbol}`);
  return stock.price;
}

/** A manual clock: `tick()` moves it on by one millisecond per call unless given a step. */
export function manualClock(start = T0): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export interface TestCore extends SubscriptionCore {
  db: Db;
  dir: string;
  file: string;
  clock: { now: () => number; advance(ms: number): void };
  dispose(): void;
}

/** A core on a database file in a fresh temp dir. */
export function makeCore(options: Partial<SubscriptionCoreOptions> & { dir?: string; clock?: TestCore['clock'] } = {}): TestCore {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'strikedesk-core-'));
  const file = join(dir, 'strikedesk.db');
  const db = openDatabase(file);
  const clock = options.clock ?? manualClock();
  const core = createSubscriptionCore({ registry: testRegistry(), db, now: clock.now, ...options });
  return {
    ...core,
    db,
    dir,
    file,
    clock,
    dispose() {
      db.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
