/**
 * The REST API v2 over real HTTP on 127.0.0.1, with an App on a temp data folder and the
 * simulator as the exchange: every endpoint's shape and status, the guards (token, Host, body),
 * refused requests changing nothing, and a watchlist add/remove reaching the exchange.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../src/core/api/create-api';
import { App } from '../src/core/app';
import { closeHttp, createHttpServer, listenHttp } from '../src/server/http-api';
import { AppError } from '../src/shared/errors';
import type { Api } from '../src/shared/contract';
import { type TestSim } from './helpers/sim';
import { startAppOnSim, type AppOnSim } from './helpers/app';
import { waitFor } from './helpers/wait';

const TOKEN = 'a'.repeat(64);

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // The JSON answer; tests read fields dynamically.
  json: Record<string, unknown> & { ok?: boolean; error?: { code: string; message: string } };
}

let s: TestSim;
let app: App;
let port: number;
let server: ReturnType<typeof createHttpServer>;
const logs: string[] = [];

/** One raw HTTP request (node:http, so Host and the body are exactly what the test says). */
function call(method: string, path: string, o: { body?: string | object; token?: string | null; host?: string; port?: number; headers?: Record<string, string> } = {}): Promise<Reply> {
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  const headers: Record<string, string> = { host: o.host ?? `127.0.0.1:${o.port ?? port}`, ...o.headers };
  const token = o.token === undefined ? TOKEN : o.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: o.port ?? port, method, path, headers, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : {} }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** POST a JSON body. */
const post = (path: string, body: object): Promise<Reply> => call('POST', path, { body });

function exchangeTokens(): Set<string> {
  return new Set(s.sim.view().sockets.flatMap((k) => k.instruments.map((i) => `${i.segment}:${i.securityId}`)));
}

/**
 * What a refused request could have changed: the owners of subscriptions and every watchlist
 * entry. (Instrument counts are not compared: a chain re-centres on its own when the simulator's
 * price moves a full strike step, which can happen between two reads.)
 */
const counts = async (): Promise<unknown> => {
  const st = await call('GET', '/api/v2/subscriptions/status');
  expect(st.status).toBe(200);
  return {
    owners: app.services.core.owners.listOwners().map((o) => `${o.owner}/${o.tier}`).sort(),
    watch: app.services.core.repos.watchlist.listAll().map((e) => `${e.userId}/${e.symbol}/${e.expiryDate}`),
  };
};

let env: AppOnSim;

beforeAll(async () => {
  // A still market: no trades, so no chain re-centres under the assertions (prices still come
  // from the REST snapshots and the prev-close packets).
  env = await startAppOnSim({ still: true, prefix: 'strikedesk-server-', app: { log: (l) => logs.push(l) } });
  ({ s, app } = env);
  server = createHttpServer({ api: createApi(app), token: TOKEN, log: (l) => logs.push(l) });
  port = await listenHttp(server, 0);
});

afterAll(async () => {
  if (server) await closeHttp(server);
  await env?.stop();
});

describe('REST API v2 endpoints', () => {
  it('subscriptions/status and admin/ws-status report Tier B', async () => {
    const st = await call('GET', '/api/v2/subscriptions/status');
    expect(st.status).toBe(200);
    expect(st.headers['content-type']).toMatch(/application\/json/);
    expect(st.json).toMatchObject({ tier_a_count: 0, max_capacity: 25_000 });
    expect(st.json.tier_b_count).toBeGreaterThan(500);
    expect(st.json.total_subscriptions).toBe(st.json.tier_b_count);
    expect(typeof st.json.utilization_percent).toBe('number');
    expect(Object.values(st.json.ws_usage as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(st.json.total_subscriptions);

    await waitFor(() => app.services.pool.health().every((h) => h.state === 'open'), 10_000, 'every feed socket open');
    const ws = await call('GET', '/api/v2/admin/ws-status');
    expect(ws.status).toBe(200);
    expect(ws.json).toMatchObject({ total_connections: 5, connected_connections: 5, max_capacity: 25_000 });
    // Tier B chains re-centre by themselves when an index moves a full step, so the totals of two
    // reads may differ by a few clipped strikes.
    expect(Math.abs((ws.json.total_subscriptions as number) - (st.json.total_subscriptions as number))).toBeLessThanOrEqual(24);
    expect(ws.json.per_connection).toHaveLength(5);
    const rebalance = await call('POST', '/api/v2/admin/rebalance-ws');
    expect(rebalance.status).toBe(200);
    expect(typeof rebalance.json.moved).toBe('number');
  });

  it('option-chain/{symbol} gives the NIFTY chain; instruments/{symbol}/expiries lists expiries', async () => {
    const ex = await call('GET', '/api/v2/instruments/NIFTY/expiries');
    expect(ex.status).toBe(200);
    const expiries = ex.json.expiries as string[];
    expect(ex.json.symbol).toBe('NIFTY');
    expect(expiries.length).toBeGreaterThan(1);
    expect(expiries.every((e) => /^\d{4}-\d{2}-\d{2}$/.test(e))).toBe(true);

    const chain = await call('GET', `/api/v2/option-chain/NIFTY?expiry=${expiries[0]}`);
    expect(chain.status).toBe(200);
    expect(chain.json).toMatchObject({ symbol: 'NIFTY', expiry: expiries[0], strike_step: 50 });
    expect(chain.json.underlying_ltp).toBeGreaterThan(0);
    const strikes = chain.json.strikes as number[];
    expect(strikes).toContain(chain.json.atm_strike);
    expect(strikes.length).toBeGreaterThan(50);
    const legs = chain.json.strikes_ce_pe as Record<string, { CE?: { token: string }; PE?: { token: string } }>;
    expect(legs[String(chain.json.atm_strike)]?.CE?.token).toMatch(/^NSE_FNO:\d+$/);
    expect(legs[String(chain.json.atm_strike)]?.PE?.token).toMatch(/^NSE_FNO:\d+$/);

    const plain = await call('GET', '/api/v2/option-chain/nifty');
    expect(plain.status).toBe(200);
    expect(plain.json.expiry).toBe(expiries[0]);
  });

  it('option-chain/subscribe opens a view; option-chain/unsubscribe closes it', async () => {
    const r = await post('/api/v2/option-chain/subscribe', { symbol: 'BANKNIFTY', view_id: 'sheet-1' });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json).toMatchObject({ symbol: 'BANKNIFTY', view_id: 'sheet-1', strike_step: 100 });
    expect(typeof r.json.subscribed).toBe('number');
    expect(app.services.core.owners.hasOwner('view:sheet-1')).toBe(true);
    const closed = await post('/api/v2/option-chain/unsubscribe', { view_id: 'sheet-1' });
    expect(closed.status, JSON.stringify(closed.json)).toBe(200);
    expect(closed.json).toMatchObject({ success: true, view_id: 'sheet-1' });
    expect(app.services.core.owners.hasOwner('view:sheet-1')).toBe(false);
    const again = await post('/api/v2/option-chain/unsubscribe', { view_id: 'sheet-1' });
    expect(again.status).toBe(404);
    expect(again.json).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('instruments/search puts RELIANCE first and honours limit', async () => {
    const r = await call('GET', '/api/v2/instruments/search?q=reliance&limit=5');
    expect(r.status).toBe(200);
    const results = r.json.results as { symbol: string; trading_symbol: string; kind: string }[];
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThanOrEqual(5);
    expect(results[0]).toMatchObject({ symbol: 'RELIANCE', trading_symbol: 'RELIANCE' });
    const abc = await call('GET', '/api/v2/instruments/search?q=reliance&limit=abc');
    expect(abc.status).toBe(400);
    expect(abc.json).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: 'limit: "abc" is not a number' } });
    expect((await call('GET', '/api/v2/instruments/search?q=reliance&limit=0')).status).toBe(400);
  });

  it('a watchlist add reaches the exchange, is listed, is a 409 twice, and remove releases it', async () => {
    const add = await post('/api/v2/watchlist/add', { user_id: 'flow', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', underlying_ltp: 1400 });
    expect(add.status, JSON.stringify(add.json)).toBe(200);
    // The seed's count: 25 strikes x CE+PE; `strikes` beside it.
    expect(add.json).toMatchObject({ success: true, strikes_subscribed: 50, strikes: 25 });
    expect(typeof add.json.message).toBe('string');
    const chain = add.json.option_chain as { symbol: string; expiry: string; strikes: number[]; strikes_ce_pe: Record<string, { CE?: { token: string }; PE?: { token: string } }> };
    expect(chain.symbol).toBe('RELIANCE');
    expect(chain.strikes).toHaveLength(25);
    const legTokens = Object.values(chain.strikes_ce_pe).flatMap((l) => [l.CE?.token, l.PE?.token]).filter((t): t is string => t !== undefined);
    expect(legTokens).toHaveLength(50);
    const eq = app.services.loaded.registry.bySymbol('RELIANCE').find((i) => i.kind === 'EQUITY')!;
    const underlying = `${eq.segment}:${eq.securityId}`;
    await waitFor(() => [...legTokens, underlying].every((t) => exchangeTokens().has(t)), 10_000, 'the RELIANCE chain and its underlying at the exchange');

    const list = await call('GET', '/api/v2/watchlist/flow');
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ user_id: 'flow', entries: [expect.objectContaining({ symbol: 'RELIANCE', expiry_date: chain.expiry, instrument_type: 'STOCK_OPTION', status: 'live', status_reason: null })] });

    const one = await call('GET', `/api/v2/subscriptions/${encodeURIComponent(legTokens[0]!)}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ token: legTokens[0], tier: 'TIER_A', symbol: 'RELIANCE' });
    expect((one.json.owners as string[]).some((o) => o.startsWith('watch:flow:RELIANCE'))).toBe(true);
    const active = await call('GET', '/api/v2/subscriptions/active?tier=TIER_A');
    expect(active.status).toBe(200);
    const activeTokens = (active.json.subscriptions as { token: string; tier: string }[]).map((x) => x.token);
    expect(activeTokens).toEqual(expect.arrayContaining(legTokens));
    // Two reads: a chain may re-centre in between (a clipped window changes its size by a few strikes).
    const all = (await call('GET', '/api/v2/subscriptions/active')).json.subscriptions as unknown[];
    const total = (await call('GET', '/api/v2/subscriptions/status')).json.total_subscriptions as number;
    expect(Math.abs(all.length - total)).toBeLessThanOrEqual(24);
    expect(all.length).toBeGreaterThan(1000);

    const before = await counts();
    const dup = await post('/api/v2/watchlist/add', { user_id: 'flow', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', underlying_ltp: 1400 });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ ok: false, error: { code: 'DUPLICATE' } });
    expect(await counts()).toEqual(before);

    // What the entry holds now (the chain may have re-centred since the add, clipping its window).
    // RELIANCE itself stays: it is Tier B's too (every F&O underlying is always live).
    const held = app.services.core.owners.tokensOf(`watch:flow:RELIANCE:${chain.expiry}`).filter((t) => app.services.core.owners.ownersOf(t).length === 1);
    expect(held).not.toContain('NSE_EQ:2885');
    const rm = await post('/api/v2/watchlist/remove', { user_id: 'flow', symbol: 'RELIANCE', expiry: chain.expiry });
    expect(rm.status).toBe(200);
    expect(rm.json).toMatchObject({ success: true });
    expect(rm.json.unsubscribed).toBe(held.length);
    expect(exchangeTokens().has('NSE_EQ:2885')).toBe(true);
    await waitFor(() => [...legTokens, ...held].every((t) => !exchangeTokens().has(t)), 10_000, 'the RELIANCE options gone from the exchange');
    expect((await call('GET', '/api/v2/watchlist/flow')).json.entries).toEqual([]);
    const gone = await call('GET', `/api/v2/subscriptions/${encodeURIComponent(legTokens[0]!)}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('admin/unsubscribe-all-tier-a releases every Tier A instrument and keeps Tier B', async () => {
    const add = await post('/api/v2/watchlist/add', { user_id: 'adm', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', underlying_ltp: 1400 });
    expect(add.status).toBe(200);
    const tierB = (await call('GET', '/api/v2/subscriptions/status')).json.tier_b_count;
    const r = await post('/api/v2/admin/unsubscribe-all-tier-a', {});
    expect(r.status).toBe(200);
    expect(r.json.unsubscribed).toBeGreaterThan(0);
    const after = await call('GET', '/api/v2/subscriptions/status');
    expect(after.json).toMatchObject({ tier_a_count: 0, tier_b_count: tierB });
    // The entry stays on the watchlist, released (it does not come back until added again).
    const list = await call('GET', '/api/v2/watchlist/adm');
    expect(list.json.entries).toEqual([expect.objectContaining({ symbol: 'RELIANCE', status: 'released' })]);
  });
});

describe('REST API v2 refusals', () => {
  it('bad bodies are 400 (or 413) with the envelope, and nothing changes', async () => {
    const before = await counts();
    const bad: [string | object, number, RegExp][] = [
      [{ user_id: 'u1', instrument_type: 'STOCK_OPTION' }, 400, /symbol/],
      [{ user_id: 'u1', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', underlying_ltp: '1400' }, 400, /underlying_ltp/],
      [{ user_id: 'u1', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', underlying_ltp: 1400, extra: 1 }, 400, /extra|unrecognized/i],
      [{ user_id: 'u1', symbol: 'RELIANCE', instrument_type: 'FUTURES' }, 400, /instrument_type/],
      ['{"user_id": "u1", ', 400, /JSON/],
      ['[1, 2]', 400, /object/],
      ['null', 400, /object/],
      ['"text"', 400, /object/],
      [`{"pad": "${'x'.repeat(1024 * 1024)}"}`, 413, /body/],
    ];
    for (const [body, status, message] of bad) {
      const r = await call('POST', '/api/v2/watchlist/add', { body });
      expect(r.status, JSON.stringify(r.json)).toBe(status);
      expect(r.json.ok).toBe(false);
      expect(r.json.error?.code).toBe('BAD_REQUEST');
      expect(r.json.error?.message).toMatch(message);
    }
    expect((await call('GET', '/api/v2/subscriptions/status?verbose=1')).status).toBe(400);
    expect((await call('GET', '/api/v2/subscriptions/active?tier=TIER_C')).status).toBe(400);
    expect((await call('GET', '/api/v2/subscriptions/not-a-token')).status).toBe(400);
    expect((await call('POST', '/api/v2/admin/rebalance-ws?x=1')).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('unknown symbols are 404', async () => {
    const ex = await call('GET', '/api/v2/instruments/NOSUCHSYM/expiries');
    expect(ex.status).toBe(404);
    expect(ex.json).toEqual({ ok: false, error: { code: 'UNKNOWN_SYMBOL', message: expect.stringContaining('NOSUCHSYM') } });
    const before = await counts();
    const add = await post('/api/v2/watchlist/add', { user_id: 'u1', symbol: 'NOSUCHSYM', instrument_type: 'STOCK_OPTION', underlying_ltp: 100 });
    expect(add.status, JSON.stringify(add.json)).toBe(404);
    expect(add.json.error?.code).toBe('UNKNOWN_SYMBOL');
    expect(await counts()).toEqual(before);
  });

  it('no token or a wrong token is 401; a foreign Host is 403; unknown routes 404; wrong methods 405', async () => {
    for (const token of [null, 'b'.repeat(64), TOKEN.slice(1), '']) {
      const r = await call('GET', '/api/v2/subscriptions/status', { token });
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    }
    expect((await call('GET', '/api/v2/subscriptions/status', { token: null, headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    const before = await counts();
    const unauth = await call('POST', '/api/v2/watchlist/add', { token: null, body: { user_id: 'u1', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', underlying_ltp: 1400 } });
    expect(unauth.status).toBe(401);
    expect(await counts()).toEqual(before);

    for (const host of ['evil.example', 'evil.example:8787', `127.0.0.1.evil.example:${port}`, '[::1]']) {
      const r = await call('GET', '/api/v2/subscriptions/status', { host });
      expect({ host, status: r.status }).toEqual({ host, status: 403 });
    }
    expect((await call('GET', '/api/v2/subscriptions/status', { host: `localhost:${port}` })).status).toBe(200);
    // HTTP/1.0 without any Host header (node's client always adds one, so write it raw).
    const raw = await new Promise<string>((resolve, reject) => {
      const sock = connect(port, '127.0.0.1', () => sock.end(`GET /api/v2/subscriptions/status HTTP/1.0\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`));
      let text = '';
      sock.on('data', (c: Buffer) => (text += c.toString()));
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.[01] 403 /);

    const none = await call('GET', '/api/v2/nothing-here');
    expect(none.status).toBe(404);
    expect(none.json).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await call('GET', '/')).status).toBe(404);
    // A literal path owns itself: GET watchlist/add is the wrong method, not the list of user "add".
    const wrong = await call('GET', '/api/v2/watchlist/add');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(wrong.json).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringContaining('/api/v2/watchlist/add') } });
    const del = await call('DELETE', '/api/v2/subscriptions/status');
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET');
    expect((await call('GET', '/api/v2/admin/rebalance-ws')).status).toBe(405);
  });

  it('errors map to statuses; internal errors never leak their detail', async () => {
    const real = createApi(app);
    const failing: Api = {
      ...real,
      'subscriptions:status': async () => {
        throw new Error('boom at /home/trader/.strikedesk secret-dhan-token');
      },
      'admin:ws-status': async () => {
        throw new AppError('RATE_LIMITED', 'Dhan quote API: slow down');
      },
      'admin:rebalance-ws': async () => {
        throw new AppError('AUTH', 'Dhan /marketfeed/ltp failed (HTTP 401): token expired');
      },
      'instruments:search': async () => {
        throw new AppError('DB_ERROR', 'SQLITE_CORRUPT: /home/trader/.strikedesk/strikedesk.db');
      },
    };
    const other = createHttpServer({ api: failing, token: TOKEN, log: (l) => logs.push(l) });
    const otherPort = await listenHttp(other, 0);
    try {
      const r500 = await call('GET', '/api/v2/subscriptions/status', { port: otherPort });
      expect(r500.status).toBe(500);
      expect(r500.json).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
      expect(JSON.stringify(r500.json)).not.toMatch(/secret|boom|home|\bat /);
      const db = await call('GET', '/api/v2/instruments/search?q=x', { port: otherPort });
      expect(db.status).toBe(500);
      expect(db.json.error?.message).not.toMatch(/SQLITE|home/);
      expect(logs.some((l) => l.includes('secret-dhan-token'))).toBe(true);
      expect((await call('GET', '/api/v2/admin/ws-status', { port: otherPort })).status).toBe(429);
      const upstream = await call('POST', '/api/v2/admin/rebalance-ws', { port: otherPort });
      expect(upstream.status).toBe(502);
      expect(upstream.json.error?.code).toBe('AUTH');
    } finally {
      await closeHttp(other);
    }
  });

  it('refuses to listen anywhere but loopback', () => {
    expect(() => createHttpServer({ api: createApi(app), token: TOKEN, host: '0.0.0.0' })).toThrow(/loopback/);
  });
});

describe('static files (browser mode)', () => {
  it('never follows a symlink out of the served folder (404), but serves a link that stays inside', async () => {
    const base = mkdtempSync(join(tmpdir(), 'strikedesk-static-'));
    const ui = join(base, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>strikedesk</title>');
    writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(base, 'secret.txt'), 'TOP-SECRET-SYMLINK-4711');
    mkdirSync(join(base, 'outside'));
    writeFileSync(join(base, 'outside', 'x.js'), 'TOP-SECRET-SYMLINK-4711');
    symlinkSync(join(base, 'secret.txt'), join(ui, 'leak.txt'));
    symlinkSync(join(base, 'outside'), join(ui, 'linked-dir'));
    symlinkSync(join(ui, 'assets', 'app.js'), join(ui, 'inside.js'));
    const other = createHttpServer({ api: {} as unknown as Api, token: TOKEN, staticDir: ui, log: () => undefined });
    const otherPort = await listenHttp(other, 0);
    const get = (path: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: otherPort, path, headers: { host: `127.0.0.1:${otherPort}` } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      for (const path of ['/leak.txt', '/linked-dir/x.js']) {
        const r = await get(path);
        expect(r.status, path).toBe(404);
        expect(r.body, path).not.toContain('TOP-SECRET-SYMLINK-4711');
      }
      expect(await get('/inside.js')).toMatchObject({ status: 200, body: 'console.log(1)' });
      expect((await get('/')).status).toBe(200);
    } finally {
      await closeHttp(other);
      rmSync(base, { recursive: true, force: true });
    }
  });
});
