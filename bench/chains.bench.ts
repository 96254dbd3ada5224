/**
 * Instant chains and the engine's weight (issue 17), measured as a script and a trader meet them:
 * the engine is the built `out/main/serve.js` in its own process (as `npm run serve` runs it), on a
 * simulator process posing as Dhan (live mode: credentials, the simulator's URLs, the generated
 * ~289k-row master), driven over its REST API with the bearer token.
 *
 * - `watchlist/add` answer time over 50 adds in a row of F&O stocks, no `underlying_ltp` given, the
 *   first sent the moment the engine says it is ready. Targets p50 <= 100 ms, p99 <= 300 ms.
 * - Add -> every leg priced: 10 more adds at a trader's pace (the next 1.5 s after the last was
 *   priced), each polled (GET option-chain every 25 ms) until every CE and PE of the window shows
 *   a price (today's trade, or an untraded leg's previous close, as the UI shows). One quote
 *   request each; back to back they would wait for Dhan's 1 request/s instead. Target p50 <= 1.2 s.
 * - Engine RSS with the full master and 25,000 live instruments: Tier A filled to the cap with
 *   more adds, then the feed runs 20 s at 20,000 packets/s while the RSS (/proc/<pid>/status) is
 *   sampled. Target <= 250 MB. `CHAINS_BENCH_HEAP=1` also writes a heap snapshot of the engine at
 *   the end (into the printed folder, kept) for a breakdown in Chrome's memory tool.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseMasterBuffer } from '../src/core/instruments/master-parser';
import { InstrumentRegistry } from '../src/core/instruments/registry';
import { istDate } from '../src/shared/market-calendar';
import { writeMaster } from '../src/sim/master-generator';
import { percentile, round, type Benchmark, type Figure } from './harness';
import { serveArgs } from '../test/helpers/build';
import { startSimProcess } from './sim-process';

const CLIENT_ID = '1000000001';
const TOKEN = 'sim-access-token';
const FEED_RATE = 20_000;
const RUN_MS = Number(process.env.CHAINS_BENCH_RUN_MS ?? 20_000);
const HEAP = process.env.CHAINS_BENCH_HEAP === '1';

interface Engine {
  child: ChildProcessByStdio<null, Readable, Readable>;
  base: string;
  token: string;
}

async function startEngine(dir: string, master: string, feedUrl: string, apiUrl: string): Promise<Engine> {
  const tokenFile = join(dir, 'dhan-token');
  writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
  const dataDir = join(dir, 'data');
  const args = [
    ...(HEAP ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`] : []),
    ...(process.env.CHAINS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ...serveArgs(), '--port', '0', '--data-dir', dataDir, '--master', master,
    '--client-id', CLIENT_ID, '--token-file', tokenFile, '--feed-url', feedUrl, '--api-url', apiUrl,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`engine did not start: ${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /strikedesk ready: (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited (${code}): ${out}`));
    });
  });
  return { child, base, token: readFileSync(join(dataDir, 'api-token'), 'utf8').trim() };
}

async function call<T>(e: Engine, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${e.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as T };
}

/** The process's resident set, and its file-backed part (the mapped Node binary and libraries, shared with other processes). */
function rss(pid: number): { total: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) / 1024;
  return { total: kb('VmRSS'), file: kb('RssFile') };
}

type LegReply = { traded_today: boolean | null };
interface ChainReply {
  strikes_ce_pe: Record<string, { CE?: LegReply; PE?: LegReply }>;
}

/** A leg whose price is known (a snapshot or a tick): today's trade, or untraded and so its previous close. */
const shown = (l: LegReply | undefined): boolean => !l || l.traded_today !== null;
const allPriced = (c: ChainReply): boolean => Object.values(c.strikes_ce_pe).every((k) => shown(k.CE) && shown(k.PE));

export const chainsBenchmark: Benchmark = {
  name: 'chains',
  description: 'engine process on a simulator process: watchlist/add answer, add -> priced, RSS at 25,000 live',
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'strikedesk-bench-chains-'));
    const asOf = istDate(Date.now());
    const master = join(dir, 'master.csv');
    writeMaster(master, { asOf });
    // What to add: every option symbol's live expiries, F&O stocks first (nearest expiry first).
    const registry = new InstrumentRegistry(parseMasterBuffer(readFileSync(master)));
    const stocks: { symbol: string; expiry: string; type: 'STOCK_OPTION' | 'INDEX_OPTION' }[] = [];
    const later: typeof stocks = [];
    for (const symbol of [...registry.symbols()].sort()) {
      const segment = registry.optionSegments(symbol)[0];
      if (segment !== 'NSE_FNO' && segment !== 'BSE_FNO') continue;
      const expiries = registry.expiries(symbol, { segment });
      const index = registry.ladder(symbol, expiries[0]!, segment)?.indexOptions ?? false;
      const type = index ? 'INDEX_OPTION' : 'STOCK_OPTION';
      expiries.forEach((expiry, i) => (i === 0 && !index ? stocks : later).push({ symbol, expiry, type }));
    }
    const sim = await startSimProcess(['--master', master, '--token', TOKEN, '--client-id', CLIENT_ID]);
    let engine: Engine | null = null;
    try {
      engine = await startEngine(dir, master, sim.feedUrl, `${sim.baseUrl}/v2`);
      const e = engine;
      const add = async (a: (typeof stocks)[number]) => {
        const t0 = performance.now();
        const r = await call<{ success?: boolean; error?: { code: string } }>(e, 'POST', '/api/v2/watchlist/add', { user_id: 1, symbol: a.symbol, expiry: a.expiry, instrument_type: a.type });
        const ms = performance.now() - t0;
        if (r.status !== 200 && r.json.error?.code !== 'DUPLICATE') throw new Error(`add ${a.symbol} ${a.expiry}: ${r.status} ${JSON.stringify(r.json)}`);
        return ms;
      };

      // 50 adds in a row, the first right after "ready".
      const answers: number[] = [];
      for (const a of stocks.slice(0, 50)) answers.push(await add(a));

      // 10 adds, each waited on until every leg is priced (the market at its natural pace).
      const restStats = async () => ((await (await fetch(`${sim.baseUrl}/sim/stats`)).json()) as { rest: { requests: number; rateLimited: number } }).rest;
      const rest0 = await restStats();
      const priced: number[] = [];
      for (const a of stocks.slice(50, 60)) {
        await new Promise((r) => setTimeout(r, 1500));
        const t0 = performance.now();
        await add(a);
        for (;;) {
          const c = await call<ChainReply>(e, 'GET', `/api/v2/option-chain/${a.symbol}?expiry=${a.expiry}`);
          if (c.status === 200 && allPriced(c.json)) break;
          if (performance.now() - t0 > 30_000) throw new Error(`${a.symbol}: not priced after 30 s`);
          await new Promise((r) => setTimeout(r, 25));
        }
        priced.push(performance.now() - t0);
      }

      const rest1 = await restStats();
      console.log(`  add -> priced: ${priced.map((x) => Math.round(x)).join(', ')} ms; ${rest1.requests - rest0.requests} REST requests at the exchange meanwhile, ${rest1.rateLimited - rest0.rateLimited} refused (429)`);

      // Fill Tier A to the cap, then a busy market.
      await fetch(`${sim.baseUrl}/sim/rate`, { method: 'POST', body: JSON.stringify({ rate: FEED_RATE }) });
      const status = () => call<{ total_subscriptions: number; max_capacity: number; tier_b_count: number }>(e, 'GET', '/api/v2/subscriptions/status');
      for (const a of [...stocks.slice(60), ...later]) {
        const s = (await status()).json;
        if (s.total_subscriptions >= s.max_capacity - 60) break;
        await add(a);
      }
      const filled = (await status()).json;

      const samples: number[] = [];
      let file = 0;
      const end = performance.now() + RUN_MS;
      while (performance.now() < end) {
        const r = rss(e.child.pid!);
        samples.push(r.total);
        file = r.file;
        await new Promise((r) => setTimeout(r, 500));
      }
      if (HEAP) {
        e.child.kill('SIGUSR2');
        await new Promise((r) => setTimeout(r, 15_000));
        console.log(`  heap snapshot(s) in ${dir}: ${readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot')).join(', ')}`);
      }
      const p = (v: number[], q: number) => round(percentile(v, q), 1);
      return [
        { name: 'chains.add_answer_first_ms', value: round(answers[0]!, 1), unit: 'ms (first add after ready)' },
        { name: 'chains.add_answer_p50_ms', value: p(answers, 50), unit: 'ms (50 adds in a row, REST)', target: 100 },
        { name: 'chains.add_answer_p99_ms', value: p(answers, 99), unit: 'ms', target: 300 },
        { name: 'chains.add_to_priced_p50_ms', value: p(priced, 50), unit: 'ms (every leg priced, 10 adds)', target: 1200 },
        { name: 'chains.add_to_priced_max_ms', value: round(Math.max(...priced), 0), unit: 'ms' },
        { name: 'chains.live_instruments', value: filled.total_subscriptions, unit: `instruments (Tier B ${filled.tier_b_count})` },
        { name: 'chains.engine_rss_max_mb', value: round(Math.max(...samples), 0), unit: `MB (full master, ${filled.total_subscriptions} live, ${FEED_RATE / 1000}k packets/s)`, target: 250 },
        { name: 'chains.engine_rss_last_mb', value: round(samples[samples.length - 1]!, 0), unit: `MB (of which ${round(file, 0)} MB file-backed: the Node binary and libraries)` },
      ];
    } finally {
      engine?.child.kill('SIGTERM');
      sim.stop();
      if (!HEAP) rmSync(dir, { recursive: true, force: true });
    }
  },
};
