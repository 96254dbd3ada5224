/**
 * Registry benchmark on the generated ~289k-row master: cold load (read + parse + index + search
 * index), warm start from the snapshot, retained memory, chain build, and search latency.
 * Targets (issue 2): cold <= 1.0 s, warm <= 0.15 s, retained heap <= 120 MB, search p99 <= 5 ms.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../src/core/instruments/load-registry';
import { parseMasterBuffer } from '../src/core/instruments/master-parser';
import { InstrumentRegistry } from '../src/core/instruments/registry';
import { InstrumentSearch } from '../src/core/instruments/search';
import { writeMaster } from '../src/sim/master-generator';
import { median, percentile, round, type Benchmark, type Figure } from './harness';

const AS_OF = '2026-11-24';
const MB = 1024 * 1024;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run the benchmarks with node --expose-gc (npm run bench does)');
  g();
  g();
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const QUERIES = [
  'reliance', 'nifty 25300 ce', 'banknifty fut', 'crude', 'relaince', 'tcs', 'hdfc', 'infy 1500 pe', 'sensex', 'gold',
  'nifty', 'bank', 'tata', 'sbin fut', 'midcpnifty 13000 ce', 'natural', 'silver fut', 'usdinr', 'icici bank', 'niftt',
  'adani', 'axis', 'nifty feb 26000 pe', 'finnifty', 'bajaj', 'maruti 12000 ce', 'copper', 'itc', 'wipro', 'zzzz',
];

export const registryBenchmark: Benchmark = {
  name: 'registry',
  description: 'scrip master: cold load, warm start, retained memory, chain, search',
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'strikedesk-bench-'));
    try {
      const master = join(dir, 'master.csv');
      const gen0 = performance.now();
      const written = writeMaster(master, { asOf: AS_OF });
      const genMs = performance.now() - gen0;
      const now = () => Date.parse(`${AS_OF}T05:00:00Z`);

      // Retained memory first, while nothing else is alive.
      gc();
      const before = memory();
      let held: { registry: InstrumentRegistry; search: InstrumentSearch } | null = (() => {
        const registry = new InstrumentRegistry(parseMasterBuffer(readFileSync(master)), { now });
        return { registry, search: new InstrumentSearch(registry) };
      })();
      gc();
      const retainedMb = (memory() - before) / MB;
      const instruments = held.registry.size;
      held = null;
      gc();

      const cold: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const registry = new InstrumentRegistry(parseMasterBuffer(readFileSync(master)), { now });
        new InstrumentSearch(registry);
        cold.push(performance.now() - t0);
      }

      const cache = join(dir, 'cache');
      loadRegistry({ masterPath: master, cacheDir: cache, now }); // writes the snapshot
      const warm: number[] = [];
      let loaded = loadRegistry({ masterPath: master, cacheDir: cache, now });
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        loaded = loadRegistry({ masterPath: master, cacheDir: cache, now });
        if (loaded.source !== 'snapshot') throw new Error('warm start did not use the snapshot');
        warm.push(performance.now() - t0);
      }

      const { registry, search } = loaded;
      const chainTimes: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = performance.now();
        registry.optionChain({ symbol: i % 2 ? 'NIFTY' : 'RELIANCE', ltp: i % 2 ? 25_800 + i : 1_400 + i, asOf: AS_OF });
        chainTimes.push(performance.now() - t0);
      }

      for (const q of QUERIES) search.search(q, { asOf: AS_OF }); // warm the JIT
      const times: number[] = [];
      for (let round_ = 0; round_ < 30; round_++) {
        for (const q of QUERIES) {
          const t0 = performance.now();
          search.search(q, { asOf: AS_OF });
          times.push(performance.now() - t0);
        }
      }

      return [
        { name: 'registry.master_rows', value: written.rows, unit: 'rows' },
        { name: 'registry.instruments', value: instruments, unit: 'instruments' },
        { name: 'registry.generate_ms', value: round(genMs, 0), unit: 'ms' },
        { name: 'registry.cold_load_first_ms', value: round(cold[0]!, 0), unit: 'ms', target: 1000 },
        { name: 'registry.cold_load_ms', value: round(median(cold), 0), unit: 'ms (median of 5)', target: 1000 },
        { name: 'registry.warm_start_ms', value: round(median(warm), 1), unit: 'ms (median of 5)', target: 150 },
        { name: 'registry.retained_mb', value: round(retainedMb, 1), unit: 'MB (heap + typed arrays)', target: 120 },
        { name: 'registry.chain_build_p50_ms', value: round(median(chainTimes), 3), unit: 'ms' },
        { name: 'registry.search_p50_ms', value: round(percentile(times, 50), 3), unit: 'ms' },
        { name: 'registry.search_p99_ms', value: round(percentile(times, 99), 3), unit: 'ms', target: 5 },
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
