/**
 * Registry benchmark on the generated ~289k-row master: cold load (read + parse + registry index;
 * the search index is built by the first query since issue 17, timed as search_first_ms), warm
 * start from the snapshot, retained memory (search index included), chain build, search latency.
 * Targets (issue 2): cold <= 1.0 s, warm <= 0.15 s, retained heap <= 120 MB, search p99 <= 5 ms.
 *
 * The machine is shared and noisy, so issue 17 states the cold load as a ratio to Python reading
 * the same file in the same run: `csv.DictReader` (target <= 0.5x) and plain `csv.reader` (the
 * mark to beat, <= 1.0x). Python runs only when `python3` is on the PATH; otherwise the ratios are
 * left out with a note.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/**
 * Python reads the whole file with csv.DictReader and with csv.reader, each `runs` times, timing
 * inside Python (interpreter start-up excluded); returns the medians in ms, or why it could not.
 */
const PYTHON_READERS = `
import csv, sys, time, statistics
path, runs = sys.argv[1], int(sys.argv[2])
def timed(make):
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with open(path, newline='', encoding='utf-8') as f:
            n = 0
            for _row in make(f):
                n += 1
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out), n
d, dn = timed(csv.DictReader)
r, rn = timed(csv.reader)
print(f'{d} {r} {dn} {rn}')
`;

function pythonReaders(path: string, runs: number): { dictReaderMs: number; readerMs: number } | string {
  const res = spawnSync('python3', ['-c', PYTHON_READERS, path, String(runs)], { encoding: 'utf8', timeout: 120_000 });
  if (res.error) return `python3 not run (${res.error.message})`;
  if (res.status !== 0) return `python3 failed: ${res.stderr.trim().split('\n').pop() ?? res.status}`;
  const [dictReaderMs, readerMs] = res.stdout.trim().split(' ').map(Number);
  if (!(dictReaderMs! > 0 && readerMs! > 0)) return `python3 said "${res.stdout.trim()}"`;
  return { dictReaderMs: dictReaderMs!, readerMs: readerMs! };
}

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
        const search = new InstrumentSearch(registry);
        search.search('reliance', { asOf: AS_OF }); // the search index is built by the first query: count it
        return { registry, search };
      })();
      gc();
      const retainedMb = (memory() - before) / MB;
      const instruments = held.registry.size;
      const format = held.registry.report.format;
      held = null;
      gc();

      // Cold load: read + parse + registry indexes + search (whose index is built by the first
      // query, timed apart as search_first_ms: that is when a trader first types).
      // Python runs between our runs (one of each reader per round), so a burst of load from
      // elsewhere on this shared machine falls on both sides of the ratio alike.
      const cold: number[] = [];
      const firstSearch: number[] = [];
      const pyDict: number[] = [];
      const pyReader: number[] = [];
      let pythonProblem: string | null = null;
      for (let i = 0; i < 5; i++) {
        if (pythonProblem === null) {
          const py = pythonReaders(master, 1);
          if (typeof py === 'string') pythonProblem = py;
          else {
            pyDict.push(py.dictReaderMs);
            pyReader.push(py.readerMs);
          }
        }
        const t0 = performance.now();
        const registry = new InstrumentRegistry(parseMasterBuffer(readFileSync(master)), { now });
        const search = new InstrumentSearch(registry);
        const t1 = performance.now();
        search.search('reliance', { asOf: AS_OF });
        cold.push(t1 - t0);
        firstSearch.push(performance.now() - t1);
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

      const coldMs = median(cold);
      console.log(`registry: ${format}-format master (the format Dhan's api-scrip-master.csv and the fixture excerpt use), ${round(statSync(master).size / MB, 1)} MB`);
      const pythonFigures: Figure[] = [];
      if (pythonProblem !== null) {
        console.log(`registry: python ratios skipped: ${pythonProblem}`);
      } else {
        const dictMs = median(pyDict);
        const readerMs = median(pyReader);
        pythonFigures.push(
          { name: 'registry.python_dictreader_ms', value: round(dictMs, 0), unit: 'ms (median of 5)' },
          { name: 'registry.python_reader_ms', value: round(readerMs, 0), unit: 'ms (median of 5)' },
          { name: 'registry.cold_load_vs_python_dictreader', value: round(coldMs / dictMs, 2), unit: 'x (cold / DictReader)', target: 0.5 },
          { name: 'registry.cold_load_vs_python_reader', value: round(coldMs / readerMs, 2), unit: 'x (cold / csv.reader)', target: 1.0 },
        );
      }

      return [
        { name: 'registry.master_rows', value: written.rows, unit: 'rows' },
        { name: 'registry.instruments', value: instruments, unit: 'instruments' },
        { name: 'registry.generate_ms', value: round(genMs, 0), unit: 'ms' },
        { name: 'registry.cold_load_first_ms', value: round(cold[0]!, 0), unit: 'ms', target: 1000 },
        { name: 'registry.cold_load_ms', value: round(coldMs, 0), unit: 'ms (median of 5)', target: 1000 },
        ...pythonFigures,
        { name: 'registry.search_first_ms', value: round(median(firstSearch), 1), unit: 'ms (builds the index, median of 5)' },
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
