/**
 * The chaos driver (issue 16), shared by `npm run bench -- chaos` and test/chaos.test.ts: the app
 * as `npm run serve` in a child process, in live mode against the simulator in its own process
 * (`--feed-url/--api-url/--client-id`, the Dhan token in STRIKEDESK_DHAN_TOKEN), all on loopback.
 *
 * What happens, in steps run one after another:
 * - a fault step: a fault from the simulator's control API is injected while the churn runs (one
 *   REST call at a time: watchlist add/remove, option-chain view subscribe/unsubscribe); when the
 *   fault clears (its hold ends and `clear` is posted, or the new token is given after 807) the churn
 *   pauses and the run waits for the simulator's subscriptions (`GET /sim/subscriptions`) to equal
 *   the app's (`GET /api/v2/subscriptions/active`), every instrument once: the recovery time.
 * - a restart step: the churn runs, the engine gets SIGKILL mid-churn, is started again on the same
 *   data folder, and every acknowledged add not removed since must be on the watchlist (live or
 *   evicted), every acknowledged remove must stay removed; then the same convergence check.
 *
 * Fault kinds as the simulator names them: drop, mute, garbage, truncated, stacked, latency,
 * disconnect 805 (one random socket, as Dhan kicks the oldest), disconnect 807 (all sockets) then
 * `POST /api/v2/admin/credentials`, and refuse-upgrade. The simulator accepts one token only
 * (it has no `/sim/token`), so the "new" token given after 807 is that same valid token: what is
 * proved is that sockets stopped for an expired token resume on a credentials call. refuse-upgrade
 * alone touches no open socket, so every socket is dropped as it starts and the reconnects meet it;
 * its HTTP code is 503 or 429.
 *
 * Recovery bounds: 30 s after the fault clears; faults that the feed client answers with its
 * documented hard backoff (805 and HTTP 429: at least 60 s, up to 90 s with jitter, so Dhan is not
 * stormed) get 30 s + 90 s. A miss is a failed check, logged with the difference, never hidden.
 *
 * Randomness: one seeded PRNG (the simulator's createRandom, `seed`) picks the order of the fault bag, the restart
 * points, hold times, socket targets, churn operations and their pacing; timing still varies from
 * run to run, so a seed reproduces the script, not the interleaving. Every fault in `faults` runs
 * once; with `randomMs` > 0, random faults follow until that much time has passed since the start.
 *
 * Also measured all along: connection attempts at the simulator (opened + refused + failed auth,
 * from `/sim/stats` each second; per wall-clock minute of the run and the worst sliding 60 s), and
 * the engine's RSS (VmRSS from /proc/<pid>/status each second). Bounded: every wait has a deadline,
 * every process started here is stopped (SIGTERM, then SIGKILL) and the data folder removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { istDate } from '../../src/shared/market-calendar';
import { generateMaster } from '../../src/sim/master-generator';
import { FNO_STOCK_ROWS } from '../../src/sim/universe-stocks';
import { serveArgs } from './build';
import { READY_LINE } from './serve-process';
import { createRandom } from '../../src/sim/seeded-random';

const ROOT = resolve(__dirname, '..', '..');
const CLIENT_ID = '1000000001';
const DHAN_TOKEN = 'sim-access-token';

export type ChaosFault =
  | 'drop' | 'mute' | 'garbage' | 'truncated' | 'stacked' | 'latency'
  | 'disconnect-805' | 'disconnect-807' | 'refuse-upgrade';

export const ALL_FAULTS: readonly ChaosFault[] = ['drop', 'mute', 'garbage', 'truncated', 'stacked', 'latency', 'disconnect-805', 'disconnect-807', 'refuse-upgrade'];

export interface ChaosOptions {
  seed: number;
  /** Each runs once, in a seeded order. */
  faults: readonly ChaosFault[];
  /** SIGKILL + restart steps, spread among the faults. */
  restarts: number;
  /** After the bag, random faults until this long after the start (0: none). */
  randomMs: number;
  /** refuse-upgrade's HTTP codes to draw from (default 503 and 429). */
  refuseCodes?: readonly number[];
  /** How long a held fault holds, ms [min, max] (mute is held at least 12 s to outlast the 10-15 s stale rule). */
  holdMs: [number, number];
  /** Master rows (default: the generator's full size). */
  masterRows?: number;
  /** The simulator's aggregate packets/s (keeps the 2 cores for the engine). */
  rate: number;
  log?: (line: string) => void;
}

export interface Recovery {
  step: string;
  ms: number;
  boundMs: number;
  ok: boolean;
}

export interface ChaosReport {
  seed: number;
  durationMs: number;
  steps: string[];
  faultsInjected: number;
  faultsSurvived: number;
  restarts: number;
  checksPassed: number;
  checksFailed: number;
  failures: string[];
  recoveries: Recovery[];
  /** Worst recovery among the 30 s class and among the hard-backoff class (805, 429); -1 if none. */
  worstRecoveryMs: number;
  worstHardRecoveryMs: number;
  attemptsPerMinute: number[];
  maxAttemptsPerMinute: number;
  /** Over any 60 s window. */
  maxAttemptsPer60s: number;
  /** Engine RSS: `first` is the first sample 20 s after the first start (warmed up), then the last and the most. */
  rssMB: { first: number; last: number; max: number };
  ops: { adds: number; removes: number; viewsOpened: number; viewsClosed: number; errors: number };
  watchlistEntriesChecked: number;
}


/** How long after the first start the engine's memory is taken as its baseline (Tier B subscribed and painted). */
const WARM_UP_MS = 20_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A child's output, tail only (diagnostics without unbounded memory). */
class Tail {
  text = '';
  add(c: Buffer): void {
    this.text += c.toString();
    if (this.text.length > 64_000) this.text = this.text.slice(-32_000);
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((res) => {
    const timer = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      res(true);
    });
  });
}

/** Wait for `re` in the child's output; reject on exit or after `ms`. */
async function waitOutput(child: ChildProcess, tail: Tail, re: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
  const deadline = performance.now() + ms;
  for (;;) {
    const m = tail.text.match(re);
    if (m) return m;
    if (exited(child)) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before ready:\n${tail.text.slice(-4000)}`);
    if (performance.now() > deadline) throw new Error(`${what} not ready within ${ms} ms:\n${tail.text.slice(-4000)}`);
    await sleep(25);
  }
}

interface Serve {
  child: ChildProcess;
  tail: Tail;
  api: string;
  bearer: string;
}

interface HttpAnswer {
  status: number;
  body: unknown;
}

async function http(method: 'GET' | 'POST', url: string, bearer?: string, body?: unknown, ms = 10_000): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(ms),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

/** Watchlist symbols (stocks with options) and view symbols, with their list prices as LTP hints. */
const WATCH_SYMBOLS = ['RELIANCE', 'TCS', 'INFY', 'SBIN', 'HDFCBANK', 'ICICIBANK', 'ITC', 'AXISBANK'];
const VIEW_SYMBOLS = ['LT', 'MARUTI', 'WIPRO', 'HCLTECH', 'BHARTIARTL', 'KOTAKBANK'];
const USERS = ['u0', 'u1', 'u2'];
const PRICE = new Map(FNO_STOCK_ROWS.map((r) => [r[0], r[3]]));

type Expect = 'present' | 'absent' | 'unknown';

/** Run the chaos script; resolves with the report (never throws for a failed invariant). */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => undefined);
  const random = createRandom(o.seed, 'chaos');
  const rnd = (): number => random.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const between = (a: number, b: number): number => Math.round(a + rnd() * (b - a));
  const t0 = performance.now();
  const since = (): number => performance.now() - t0;
  const stamp = (): string => `${(since() / 1000).toFixed(1).padStart(6)}s`;

  const dir = mkdtempSync(join(tmpdir(), 'strikedesk-chaos-'));
  const dataDir = join(dir, 'data');
  const masterPath = join(dir, 'master.csv');
  writeFileSync(masterPath, generateMaster({ asOf: istDate(Date.now()), seed: 7, ...(o.masterRows ? { rows: o.masterRows } : {}) }));

  const failures: string[] = [];
  let checksPassed = 0;
  const fail = (what: string): void => {
    failures.push(`${stamp()} ${what}`);
    log(`FAILED ${what}`);
  };
  const pass = (what: string): void => {
    checksPassed++;
    log(`ok     ${what}`);
  };

  // The simulator, in its own process.
  const simTail = new Tail();
  const sim = spawn(process.execPath, ['--import', 'tsx', 'src/sim/bin.ts', '--port', '0', '--master', masterPath, '--seed', String(o.seed), '--rate', String(o.rate)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  sim.stdout.on('data', (c: Buffer) => simTail.add(c));
  sim.stderr.on('data', (c: Buffer) => simTail.add(c));
  let serve: Serve | null = null;
  const timers: NodeJS.Timeout[] = [];

  const stopAll = async (): Promise<void> => {
    for (const t of timers) clearInterval(t);
    if (serve && !exited(serve.child)) {
      serve.child.kill('SIGTERM');
      if (!(await waitExit(serve.child, 15_000))) serve.child.kill('SIGKILL');
    }
    if (!exited(sim)) {
      sim.kill('SIGTERM');
      if (!(await waitExit(sim, 10_000))) sim.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const m = await waitOutput(sim, simTail, /feed\s+(ws:\/\/127\.0\.0\.1:\d+)/, 120_000, 'the simulator');
    const feedUrl = m[1]!;
    const simBase = feedUrl.replace(/^ws:/, 'http:');

    const startServe = async (): Promise<Serve> => {
      const env: NodeJS.ProcessEnv = { ...process.env, STRIKEDESK_DHAN_TOKEN: DHAN_TOKEN };
      delete env.STRIKEDESK_DHAN_CLIENT_ID;
      const child = spawn(
        process.execPath,
        [...serveArgs(), '--port', '0', '--data-dir', dataDir, '--master', masterPath, '--client-id', CLIENT_ID, '--feed-url', feedUrl, '--api-url', `${simBase}/v2`],
        { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const tail = new Tail();
      child.stdout!.on('data', (c: Buffer) => tail.add(c));
      child.stderr!.on('data', (c: Buffer) => tail.add(c));
      const ready = await waitOutput(child, tail, READY_LINE, 120_000, 'serve');
      return { child, tail, api: `${ready[1]}/api/v2`, bearer: readFileSync(join(dataDir, 'api-token'), 'utf8').trim() };
    };

    // Samplers: attempts at the simulator, the engine's RSS.
    const attempts: { t: number; n: number }[] = [];
    // RSS samples with their time; the baseline is the first one after the engine warmed up.
    const rss: { t: number; mb: number }[] = [];
    let warmFrom = Infinity;
    const sampleAttempts = async (): Promise<void> => {
      try {
        const s = (await http('GET', `${simBase}/sim/stats`, undefined, undefined, 5000)).body as { authFailures: number; refusedUpgrades: number; feed: { connectionsOpened: number } };
        attempts.push({ t: since(), n: s.feed.connectionsOpened + s.refusedUpgrades + s.authFailures });
      } catch {
        // the next sample will do
      }
    };
    const sampleRss = (): void => {
      const pid = serve?.child.pid;
      if (!pid || !serve || exited(serve.child)) return;
      try {
        const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (kb) rss.push({ t: since(), mb: Number(kb[1]) / 1024 });
      } catch {
        // the process just went
      }
    };
    await sampleAttempts();
    timers.push(setInterval(() => void sampleAttempts(), 1000));
    timers.push(setInterval(sampleRss, 1000));

    serve = await startServe();
    warmFrom = since() + WARM_UP_MS;
    log(`${stamp()} serve ready (pid ${serve.child.pid}); simulator ${simBase}`);
    sampleRss();
    const app = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpAnswer> => http(method, `${serve!.api}${path}`, serve!.bearer, body);
    const control = async (body: unknown): Promise<void> => {
      const r = await http('POST', `${simBase}/sim/faults`, undefined, body);
      if (r.status !== 200) throw new Error(`fault ${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
    };

    // Watchlist entries name their expiry: a remove without one looks for an expiry-less entry
    // (an equity's), not the nearest expiry an add without one takes (see the report).
    const today = istDate(Date.now());
    const expiryOf = new Map<string, string>();
    for (const symbol of WATCH_SYMBOLS) {
      const r = await app('GET', `/instruments/${symbol}/expiries`);
      const e = ((r.body as { expiries?: string[] }).expiries ?? []).filter((x) => x >= today).sort()[0];
      if (!e) throw new Error(`no live expiry for ${symbol}: ${JSON.stringify(r.body)}`);
      expiryOf.set(symbol, e);
    }

    // The churn: one call at a time while `churning`.
    const expect = new Map<string, Expect>();
    const views = new Set<string>();
    const ops = { adds: 0, removes: 0, viewsOpened: 0, viewsClosed: 0, errors: 0 };
    let viewSeq = 0;
    const churnOnce = async (): Promise<void> => {
      const r = rnd();
      const user = pick(USERS);
      try {
        if (r < 0.55) {
          const symbol = pick(WATCH_SYMBOLS);
          const key = `${user}|${symbol}`;
          const a = await app('POST', '/watchlist/add', { user_id: user, symbol, expiry: expiryOf.get(symbol), instrument_type: 'STOCK_OPTION', underlying_ltp: PRICE.get(symbol) ?? 1000 }).catch((e: unknown) => {
            expect.set(key, 'unknown');
            throw e;
          });
          if (a.status === 200 || a.status === 409) expect.set(key, 'present');
          if (a.status === 200) ops.adds++;
          else if (a.status !== 409) ops.errors++;
        } else if (r < 0.8) {
          const present = [...expect.entries()].filter(([, v]) => v !== 'absent').map(([k]) => k);
          if (present.length === 0) return;
          const key = pick(present);
          const [u, symbol] = key.split('|') as [string, string];
          const a = await app('POST', '/watchlist/remove', { user_id: u, symbol, expiry: expiryOf.get(symbol) }).catch((e: unknown) => {
            expect.set(key, 'unknown');
            throw e;
          });
          if (a.status === 200 || a.status === 404) expect.set(key, 'absent');
          if (a.status === 200) ops.removes++;
          else if (a.status !== 404) ops.errors++;
        } else if (r < 0.92 || views.size === 0) {
          const symbol = pick(VIEW_SYMBOLS);
          const viewId = `chaos-${++viewSeq}`;
          const a = await app('POST', '/option-chain/subscribe', { symbol, view_id: viewId, underlying_ltp: PRICE.get(symbol) ?? 1000 });
          if (a.status === 200) {
            views.add(viewId);
            ops.viewsOpened++;
          } else ops.errors++;
        } else {
          const viewId = pick([...views]);
          views.delete(viewId);
          const a = await app('POST', '/option-chain/unsubscribe', { view_id: viewId });
          if (a.status === 200) ops.viewsClosed++;
          else ops.errors++;
        }
      } catch {
        ops.errors++; // the engine is down (a kill) or slow: the state above says what is known
      }
    };
    let churning = false;
    let churnDone: Promise<void> = Promise.resolve();
    const startChurn = (): void => {
      churning = true;
      churnDone = (async () => {
        while (churning) {
          await churnOnce();
          await sleep(between(50, 250));
        }
      })();
    };
    const stopChurn = async (): Promise<void> => {
      churning = false;
      await churnDone;
    };

    /** Poll until the simulator's view equals the app's active set; the ms taken, or -1 at `boundMs`. */
    const converge = async (step: string, boundMs: number): Promise<Recovery> => {
      const start = performance.now();
      let last = '';
      for (;;) {
        try {
          const [a, s] = await Promise.all([app('GET', '/subscriptions/active'), http('GET', `${simBase}/sim/subscriptions`)]);
          const mine = ((a.body as { subscriptions: { token: string }[] }).subscriptions ?? []).map((x) => x.token);
          const theirs = (s.body as { sockets: { instruments: { segment: string; securityId: number }[] }[] }).sockets.flatMap((k) => k.instruments.map((i) => `${i.segment}:${i.securityId}`));
          const want = new Set(mine);
          const got = new Set(theirs);
          const missing = mine.filter((t) => !got.has(t));
          const extra = [...got].filter((t) => !want.has(t));
          const dupes = theirs.length - got.size;
          if (a.status === 200 && missing.length === 0 && extra.length === 0 && dupes === 0) {
            const ms = Math.round(performance.now() - start);
            pass(`${step}: simulator = app (${mine.length} instruments) after ${ms} ms`);
            return { step, ms, boundMs, ok: true };
          }
          last = `app ${mine.length}, simulator ${theirs.length} (${missing.length} missing, e.g. ${missing.slice(0, 3).join(' ')}; ${extra.length} extra, e.g. ${extra.slice(0, 3).join(' ')}; ${dupes} on two sockets)`;
        } catch (err) {
          last = `no answer: ${err instanceof Error ? err.message : String(err)}`;
        }
        if (performance.now() - start > boundMs) {
          fail(`${step}: simulator != app ${boundMs / 1000} s after the fault cleared: ${last}`);
          return { step, ms: Math.round(performance.now() - start), boundMs, ok: false };
        }
        await sleep(250);
      }
    };

    /** Every acknowledged add not removed is listed (live or evicted); every acknowledged remove stays removed. */
    let entriesChecked = 0;
    const checkWatchlists = async (step: string): Promise<void> => {
      const listed = new Map<string, string>();
      for (const u of USERS) {
        const r = await app('GET', `/watchlist/${u}`);
        for (const e of (r.body as { entries: { symbol: string; status: string }[] }).entries) listed.set(`${u}|${e.symbol}`, e.status);
      }
      const bad: string[] = [];
      for (const [key, want] of expect) {
        const status = listed.get(key);
        if (want === 'present') {
          entriesChecked++;
          if (status !== 'live' && status !== 'evicted') bad.push(`${key} acknowledged but ${status ?? 'missing'}`);
        } else if (want === 'absent') {
          entriesChecked++;
          if (status !== undefined) bad.push(`${key} removed but back (${status})`);
        } else {
          expect.set(key, status === undefined ? 'absent' : 'present'); // an answer lost in the kill: now known
        }
      }
      for (const key of listed.keys()) if (!expect.has(key)) bad.push(`${key} listed but never added`);
      if (bad.length) fail(`${step}: watchlists: ${bad.join('; ')}`);
      else pass(`${step}: watchlists hold every acknowledged add and no removed entry (${[...expect.values()].filter((v) => v === 'present').length} entries)`);
    };

    // The script.
    const bag = [...o.faults];
    for (let i = bag.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [bag[i], bag[j]] = [bag[j]!, bag[i]!];
    }
    const steps: string[] = [...bag];
    for (let k = 1; k <= o.restarts; k++) steps.splice(Math.round((k * (bag.length + k - 1)) / (o.restarts + 1)), 0, 'restart');
    const recoveries: Recovery[] = [];
    let faultsInjected = 0;
    let restarts = 0;
    const done: string[] = [];
    const holdFor = (): number => between(o.holdMs[0], o.holdMs[1]);

    // A baseline: the app converged with the simulator before the weather starts.
    startChurn();
    await sleep(holdFor());
    await stopChurn();
    recoveries.push(await converge('baseline', 30_000));

    const runFault = async (kind: ChaosFault): Promise<void> => {
      faultsInjected++;
      const sockets = ((await http('GET', `${simBase}/sim/subscriptions`)).body as { sockets: { id: number }[] }).sockets.map((s) => s.id);
      const target = (): number | 'all' => (sockets.length && rnd() < 0.4 ? pick(sockets) : 'all');
      let label: string = kind;
      let bound = 30_000;
      startChurn();
      switch (kind) {
        case 'drop': {
          const socket = target();
          label = `drop ${socket}`;
          await control({ fault: 'drop', socket });
          await sleep(holdFor());
          break;
        }
        case 'mute':
        case 'garbage':
        case 'truncated':
        case 'stacked': {
          const hold = kind === 'mute' ? Math.max(12_000, holdFor()) : holdFor();
          label = `${kind} all ${hold} ms`;
          await control({ fault: kind, socket: 'all', seconds: hold / 1000 });
          await sleep(hold);
          await control({ fault: 'clear' });
          break;
        }
        case 'latency': {
          const hold = holdFor();
          const ms = between(100, 3000);
          label = `latency ${ms} ms all ${hold} ms`;
          await control({ fault: 'latency', socket: 'all', ms, seconds: hold / 1000 });
          await sleep(hold);
          await control({ fault: 'clear' });
          break;
        }
        case 'disconnect-805': {
          const socket = sockets.length ? pick(sockets) : 'all';
          label = `disconnect 805 socket ${socket}`;
          bound = 120_000;
          await control({ fault: 'disconnect', socket, code: 805 });
          await sleep(holdFor());
          break;
        }
        case 'disconnect-807': {
          label = 'disconnect 807 all, then a new token';
          await control({ fault: 'disconnect', socket: 'all', code: 807 });
          await sleep(holdFor());
          const r = await app('POST', '/admin/credentials', { client_id: CLIENT_ID, access_token: DHAN_TOKEN });
          if (r.status !== 200) fail(`${label}: admin/credentials answered ${r.status} ${JSON.stringify(r.body)}`);
          break;
        }
        case 'refuse-upgrade': {
          const code = pick(o.refuseCodes ?? [503, 429]);
          const hold = holdFor();
          label = `refuse-upgrade ${code} ${hold} ms (all sockets dropped)`;
          if (code === 429) bound = 120_000;
          await control({ fault: 'refuse-upgrade', code, seconds: hold / 1000 });
          await control({ fault: 'drop', socket: 'all' });
          await sleep(hold);
          await control({ fault: 'clear' });
          break;
        }
      }
      await stopChurn();
      log(`${stamp()} fault: ${label} (cleared)`);
      done.push(label);
      recoveries.push(await converge(label, bound));
    };

    const runRestart = async (): Promise<void> => {
      restarts++;
      startChurn();
      await sleep(between(300, 1500));
      const old = serve!;
      old.child.kill('SIGKILL');
      await waitExit(old.child, 10_000);
      await stopChurn();
      log(`${stamp()} SIGKILL engine pid ${old.child.pid} (mid-churn); restarting on the same data folder`);
      views.clear(); // a view does not survive a restart
      const started = performance.now();
      serve = await startServe();
    warmFrom = since() + WARM_UP_MS;
      sampleRss();
      log(`${stamp()} serve ready again (pid ${serve.child.pid}) in ${Math.round(performance.now() - started)} ms`);
      done.push('restart');
      const rec = await converge('restart (SIGKILL)', 30_000);
      recoveries.push(rec);
      await checkWatchlists('restart (SIGKILL)');
    };

    for (const step of steps) {
      if (step === 'restart') await runRestart();
      else await runFault(step as ChaosFault);
    }
    while (since() < o.randomMs) await runFault(pick(ALL_FAULTS));
    await checkWatchlists('end');

    // Figures.
    const minutes: number[] = [];
    const base = attempts[0]?.n ?? 0;
    for (let k = 0; ; k++) {
      const inMinute = attempts.filter((a) => a.t < (k + 1) * 60_000);
      if (inMinute.length === 0 || k * 60_000 > since()) break;
      const before = attempts.filter((a) => a.t < k * 60_000).at(-1)?.n ?? base;
      minutes.push(inMinute.at(-1)!.n - before);
    }
    let per60 = 0;
    for (let i = 0, j = 0; i < attempts.length; i++) {
      while (attempts[i]!.t - attempts[j]!.t > 60_000) j++;
      per60 = Math.max(per60, attempts[i]!.n - (j > 0 ? attempts[j - 1]!.n : base));
    }
    const faultRecoveries = recoveries.filter((r) => r.step !== 'baseline' && !r.step.startsWith('restart'));
    const soft = recoveries.filter((r) => r.boundMs <= 30_000 && r.step !== 'baseline');
    const hard = recoveries.filter((r) => r.boundMs > 30_000);
    return {
      seed: o.seed,
      durationMs: Math.round(since()),
      steps: done,
      faultsInjected,
      faultsSurvived: faultRecoveries.filter((r) => r.ok).length,
      restarts,
      checksPassed,
      checksFailed: failures.length,
      failures,
      recoveries,
      worstRecoveryMs: soft.length ? Math.max(...soft.map((r) => r.ms)) : -1,
      worstHardRecoveryMs: hard.length ? Math.max(...hard.map((r) => r.ms)) : -1,
      attemptsPerMinute: minutes,
      maxAttemptsPerMinute: minutes.length ? Math.max(...minutes) : 0,
      maxAttemptsPer60s: per60,
      rssMB: { first: Math.round((rss.find((r) => r.t >= warmFrom) ?? rss[0])?.mb ?? 0), last: Math.round(rss.at(-1)?.mb ?? 0), max: Math.round(rss.length ? Math.max(...rss.map((r) => r.mb)) : 0) },
      ops,
      watchlistEntriesChecked: entriesChecked,
    };
  } catch (err) {
    const tail = serve ? `\nserve output:\n${serve.tail.text.slice(-4000)}` : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}${tail}`);
  } finally {
    await stopAll();
  }
}
