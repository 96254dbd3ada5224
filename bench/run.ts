/**
 * `npm run bench [-- <name>...]`: runs the benchmarks (all, or those named), prints a table and
 * merges every figure into bench/out/latest.json as { "<figure>": { value, unit, target } }.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verdict, type Benchmark, type Figure } from './harness';
import { analyticsBenchmark } from './analytics.bench';
import { chainsBenchmark } from './chains.bench';
import { chartsBenchmark } from './charts.bench';
import { chaosBenchmark } from './chaos.bench';
import { codecBenchmark } from './codec.bench';
import { feedBenchmark } from './feed.bench';
import { historyBenchmark } from './history.bench';
import { registryBenchmark } from './registry.bench';
import { simBenchmark } from './sim.bench';
import { startupBenchmark } from './startup.bench';
import { subscriptionsBenchmark } from './subscriptions.bench';
import { uiBenchmark } from './ui.bench';

const BENCHMARKS: Benchmark[] = [
  registryBenchmark, subscriptionsBenchmark, codecBenchmark, simBenchmark, feedBenchmark, startupBenchmark, chainsBenchmark, analyticsBenchmark, uiBenchmark, chartsBenchmark, chaosBenchmark, historyBenchmark,
];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const chosen = wanted.length ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;
  const all: Figure[] = [];
  for (const b of chosen) {
    console.log(`# ${b.name}: ${b.description}`);
    const figures = await b.run();
    all.push(...figures);
    const w = Math.max(...figures.map((f) => f.name.length));
    for (const f of figures) {
      const target = f.target === undefined ? '' : `target ${f.better === 'min' ? '>=' : '<='} ${f.target}`;
      console.log(`${f.name.padEnd(w)}  ${String(f.value).padStart(10)} ${f.unit.padEnd(26)} ${target.padEnd(18)} ${verdict(f)}`);
    }
  }
  const outDir = join(__dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'latest.json');
  const merged: Record<string, { value: number; unit: string; target?: number }> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  for (const f of all) merged[f.name] = { value: f.value, unit: f.unit, ...(f.target !== undefined ? { target: f.target } : {}) };
  writeFileSync(file, JSON.stringify(merged, null, 2) + '\n');
  console.log(`figures written to ${file}`);
}

void main();
