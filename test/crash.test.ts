/**
 * Crash safety as a trader would meet it: `npm run serve` (pointed at a standalone simulator, the
 * way live mode points at Dhan) is killed with SIGKILL in the middle of heavy watchlist churn.
 * On the same data folder the database opens cleanly, a restart restores exactly the last
 * committed watchlists and subscriptions, and the exchange's view matches after start-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InstrumentRegistry } from '../src/core/instruments/registry';
import { parseMasterBuffer } from '../src/core/instruments/master-parser';
import { openDatabase } from '../src/core/storage/database';
import type { Segment } from '../src/shared/instruments';
import { serveArgs } from './helpers/build';
import { runningClock, startTestSim, testMaster, type TestSim } from './helpers/sim';
import { waitFor } from './helpers/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Start serve against the simulator; resolves with the API base and token once ready. */
async function serve(s: TestSim, dataDir: string, masterPath: string): Promise<{ child: ChildProcess; base: string; token: string }> {
  const child = spawn(
    process.execPath,
    [...serveArgs(), '--port', '0', '--data-dir', dataDir, '--master', masterPath, '--client-id', s.sim.clientId, '--token', s.sim.token, '--feed-url', s.sim.feedUrl, '--api-url', s.sim.apiUrl],
    { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const m = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`serve exited early:\n${out}`);
    return /strikedesk ready: (http:\/\/127\.0\.0\.1:\d+)\/login\?code=/.exec(out) ?? undefined;
  }, 60_000, 'serve to be ready');
  // The bearer token stays out of the output; scripts read it from the data folder.
  return { child, base: `${m[1]}/api/v2`, token: readFileSync(join(dataDir, 'api-token'), 'utf8').trim() };
}

interface OwnerRow {
  owner: string;
  chain_symbol: string | null;
  chain_expiry: string | null;
  chain_segment: string | null;
  tokens: string | null;
}

/**
 * The instruments an owner row holds: its explicit list, or its chain's stored window (every
 * listed CE and PE at the window's strikes, and the chain's underlying). A chain owner without a
 * stored window fails the test.
 */
function ownedTokens(registry: InstrumentRegistry, o: OwnerRow, windows: { symbol: string; expiry: string; strikes: string }[]): string[] {
  if (o.tokens !== null) return JSON.parse(o.tokens) as string[];
  const symbol = o.chain_symbol!;
  const expiry = o.chain_expiry!;
  const w = windows.find((x) => x.symbol === symbol && x.expiry === expiry);
  expect(w, `the stored window of ${o.owner}`).toBeDefined();
  const strikes = new Set(JSON.parse(w!.strikes) as number[]);
  const segment = o.chain_segment ?? registry.optionSegments(symbol)[0];
  const legs = registry.bySymbolAndExpiry(symbol, expiry).filter((i) => i.segment === segment && i.optionType !== null && i.strike !== null && strikes.has(i.strike));
  expect(legs.length, `the legs of ${o.owner}`).toBeGreaterThan(0);
  const under = registry.chainUnderlying(symbol, expiry, segment as Segment);
  return [...legs.map((i) => `${i.segment}:${i.securityId}`), ...(under ? [`${under.segment}:${under.securityId}`] : [])];
}

describe('a crash during subscription churn', () => {
  it('restarts on the same data folder with the last committed state, and the exchange agrees', async () => {
    const s = await startTestSim({ clock: runningClock(Date.parse('2026-11-25T04:30:00Z')) });
    s.sim.setRate(0); // a still market: chains stay where the churn left them
    cleanups.push(() => s.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'strikedesk-crash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const masterPath = join(dataDir, 'master.csv');
    writeFileSync(masterPath, testMaster());

    const first = await serve(s, dataDir, masterPath);
    const auth = { Authorization: `Bearer ${first.token}`, 'content-type': 'application/json' };
    const stocks = ['RELIANCE', 'TCS', 'INFY', 'SBIN', 'HDFCBANK', 'ICICIBANK', 'ITC', 'AXISBANK'];
    let done = 0;
    // Churn: adds and removes back to back, no waiting between them; SIGKILL lands mid-stream.
    const churn = (async () => {
      for (let i = 0; i < 400; i++) {
        const symbol = stocks[i % stocks.length]!;
        const path = i % 3 === 2 ? '/watchlist/remove' : '/watchlist/add';
        const body = path === '/watchlist/add' ? { user_id: `u${i % 3}`, symbol, instrument_type: 'STOCK_OPTION', underlying_ltp: 1000 + (i % 7) * 100 } : { user_id: `u${(i - 2) % 3}`, symbol: stocks[(i - 2) % stocks.length]! };
        try {
          await fetch(`${first.base}${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
          done++;
        } catch {
          return; // the server is gone
        }
      }
    })();
    await waitFor(() => done >= 40, 30_000, 'churn under way');
    first.child.kill('SIGKILL');
    await churn;
    await waitFor(() => first.child.signalCode === 'SIGKILL', 5000, 'the process to die');

    // The database opens cleanly and holds a consistent committed state.
    const db = openDatabase(join(dataDir, 'strikedesk.db'));
    expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    const watch = (db.sqlite.prepare('SELECT user_id, symbol, expiry_date FROM watchlist ORDER BY user_id, symbol').all() as { user_id: string; symbol: string; expiry_date: string }[]).map((r) => `${r.user_id}/${r.symbol}/${r.expiry_date}`);
    const subs = (db.sqlite.prepare('SELECT segment, security_id FROM subscriptions').all() as { segment: string; security_id: number }[]).map((r) => `${r.segment}:${r.security_id}`).sort();
    const owners = db.sqlite.prepare('SELECT owner, chain_symbol, chain_expiry, chain_segment, tokens FROM subscription_owners').all() as OwnerRow[];
    const windows = db.sqlite.prepare('SELECT symbol, expiry, strikes FROM atm_cache').all() as { symbol: string; expiry: string; strikes: string }[];
    db.close();
    expect(watch.length).toBeGreaterThan(0); // the churn really committed watchlist entries
    expect(owners.filter((o) => o.owner.startsWith('watch:')).length).toBe(watch.length);
    // Every committed watchlist entry owns its chain, every chain owner's window is stored, and
    // what the owners hold (chain windows read against the master, explicit lists) is exactly
    // what is subscribed.
    const registry = new InstrumentRegistry(parseMasterBuffer(testMaster()), { now: () => Date.parse('2026-11-25T04:30:00Z') });
    const owned = new Set(owners.flatMap((o) => ownedTokens(registry, o, windows)));
    expect([...owned].sort()).toEqual(subs);
    for (const w of watch) {
      const [user, symbol, expiry] = w.split('/');
      expect(owners.some((o) => o.owner === `watch:${user}:${symbol}:${expiry}` && o.chain_symbol === symbol && o.chain_expiry === expiry), w).toBe(true);
    }

    // Restart: the same watchlists and subscriptions come back, and the exchange agrees.
    const second = await serve(s, dataDir, masterPath);
    const auth2 = { Authorization: `Bearer ${second.token}` };
    const lists = await Promise.all(['u0', 'u1', 'u2'].map(async (u) => ((await (await fetch(`${second.base}/watchlist/${u}`, { headers: auth2 })).json()) as { entries: { symbol: string; expiry_date: string }[] }).entries.map((e) => `${u}/${e.symbol}/${e.expiry_date}`)));
    expect(lists.flat().sort()).toEqual(watch.sort());
    const active = ((await (await fetch(`${second.base}/subscriptions/active`, { headers: auth2 })).json()) as { subscriptions: { token: string }[] }).subscriptions.map((x) => x.token).sort();
    expect(active).toEqual(subs);
    await waitFor(() => {
      const view = new Set(s.sim.view().sockets.flatMap((k) => k.instruments.map((i) => `${i.segment}:${i.securityId}`)));
      return view.size === subs.length && subs.every((t) => view.has(t));
    }, 15_000, "the simulator's view to match the restored set");
    second.child.kill('SIGTERM');
    await waitFor(() => second.child.exitCode !== null, 15_000, 'a clean stop');
    expect(second.child.exitCode).toBe(0);
  }, 120_000);
});
