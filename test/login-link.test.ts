/**
 * The one-time login link of browser mode (src/server/browser-session.ts) over real sockets on
 * 127.0.0.1, through startLocalApi as `npm run serve` wires it: the code works once (then 401),
 * expires, the session cookie (HttpOnly, SameSite=Strict, Path=/) authorises REST and the event
 * stream, the bearer header still does, the CSRF rules for the cookie (Origin, JSON content type),
 * `Referrer-Policy: no-referrer` on every response, and the bearer token in no Location or URL.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../src/core/api/create-api';
import { BrowserSessions } from '../src/server/browser-session';
import { startLocalApi, type LocalApi } from '../src/server/local-api';
import { startAppOnSim, type AppOnSim } from './helpers/app';

const TOKEN = 'f'.repeat(64);
let env: AppOnSim;
let local: LocalApi;
let base: string;
let uiDir: string;
/** Every HTTP answer this file got: its status and headers. */
const answers: { path: string; status: number; headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  env = await startAppOnSim({ still: true, prefix: 'strikedesk-login-' });
  uiDir = mkdtempSync(join(tmpdir(), 'strikedesk-login-ui-'));
  mkdirSync(join(uiDir, 'assets'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>strikedesk</title>');
  local = await startLocalApi({ app: env.app, api: createApi(env.app), token: TOKEN, port: 0, log: () => undefined, staticDir: uiDir });
  base = `http://127.0.0.1:${local.port}`;
}, 60_000);

afterAll(async () => {
  await local?.close();
  await env?.stop();
  rmSync(uiDir, { recursive: true, force: true });
});

/** One raw request (node:http: headers exactly as given, redirects not followed). */
function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: local.port, method, path, headers: { host: `127.0.0.1:${local.port}`, ...headers }, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const a = { status: res.statusCode ?? 0, headers: res.headers, body: text };
        answers.push({ path, ...a });
        resolve(a);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The `name=value` of a fresh session, from a new login link. */
async function login(): Promise<string> {
  const link = new URL(local.loginLink());
  const r = await call('GET', link.pathname + link.search);
  expect(r.status).toBe(303);
  const set = String(r.headers['set-cookie']);
  return set.split(';')[0]!;
}

/** The upgrade's status: 101 when the stream opened. */
function upgrade(headers: Record<string, string>, query = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${local.port}/api/v2/stream${query}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      answers.push({ path: '/api/v2/stream', status: res.statusCode ?? 0, headers: res.headers, body: '' });
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('error', reject);
  });
}

describe('the one-time login link', () => {
  it('works once: a session cookie and a redirect to /; a second use, an unknown or an empty code is 401', async () => {
    const link = local.loginLink();
    expect(link).toMatch(new RegExp(`^${base}/login\\?code=[A-Za-z0-9_-]{43}$`));
    expect(link).not.toContain(TOKEN);
    const path = new URL(link).pathname + new URL(link).search;
    const first = await call('GET', path);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['cache-control']).toBe('no-store');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^strikedesk_session_${local.port}=[A-Za-z0-9_-]{43}; `));
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toContain(TOKEN);
    expect((await call('GET', path)).status).toBe(401);
    expect((await call('GET', '/login?code=' + 'A'.repeat(43))).status).toBe(401);
    expect((await call('GET', '/login')).status).toBe(401);
    expect((await call('POST', path)).status).toBe(405);
  });

  it('a code expires after its time, and is gone once spent', () => {
    let now = 1_000_000;
    const s = new BrowserSessions({ now: () => now, codeTtlMs: 60_000, sessionTtlMs: 3_600_000 });
    const late = s.issueCode();
    now += 60_000;
    expect(s.redeem(late)).toBeNull();
    const code = s.issueCode();
    const id = s.redeem(code);
    expect(id).not.toBeNull();
    expect(s.valid(id!)).toBe(true);
    expect(s.redeem(code)).toBeNull();
    now += 3_600_000;
    expect(s.valid(id!)).toBe(false);
  });

  it('the cookie authorises REST, with the CSRF rules; the bearer header still works', async () => {
    const cookie = await login();
    expect((await call('GET', '/api/v2/subscriptions/status')).status).toBe(401);
    expect((await call('GET', '/api/v2/subscriptions/status', { cookie: 'strikedesk_session_1=x' })).status).toBe(401);
    expect((await call('GET', '/api/v2/subscriptions/status', { cookie })).status).toBe(200);
    expect((await call('GET', '/api/v2/subscriptions/status', { cookie, origin: base })).status).toBe(200);
    expect((await call('GET', '/api/v2/subscriptions/status', { cookie, origin: 'http://127.0.0.1:3000' })).status).toBe(403);
    expect((await call('GET', '/api/v2/subscriptions/status', { cookie, origin: 'null' })).status).toBe(403);
    // A state-changing request with the cookie must be JSON (a cross-site form cannot send that).
    const body = JSON.stringify({ user_id: 'default', symbol: 'NOPE-NOT-LISTED', instrument_type: 'EQUITY' });
    const form = await call('POST', '/api/v2/watchlist/add', { cookie, origin: base, 'content-type': 'text/plain' }, body);
    expect(form.status).toBe(415);
    const json = await call('POST', '/api/v2/watchlist/add', { cookie, origin: base, 'content-type': 'application/json' }, body);
    // Past the CSRF gate: the api answers (the symbol is unknown).
    expect([400, 404]).toContain(json.status);
    expect((await call('POST', '/api/v2/watchlist/add', { cookie, origin: 'http://evil.example', 'content-type': 'application/json' }, body)).status).toBe(403);
    // Scripts keep the bearer header (no content-type rule for them).
    expect((await call('GET', '/api/v2/subscriptions/status', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await call('POST', '/api/v2/admin/rebalance-ws', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('the cookie opens the event stream from its own origin only; the bearer header still does; never ?token=', async () => {
    const cookie = await login();
    expect(await upgrade({ cookie, origin: base })).toBe(101);
    expect(await upgrade({ cookie, origin: `http://localhost:${local.port}` })).toBe(403);
    expect(await upgrade({ cookie, origin: 'http://127.0.0.1:3000' })).toBe(403);
    expect(await upgrade({ origin: base })).toBe(401);
    expect(await upgrade({ authorization: `Bearer ${TOKEN}` })).toBe(101);
    expect(await upgrade({ origin: base }, `?token=${TOKEN}`)).toBe(401);
  });

  it('a fresh link is minted with the bearer token only', async () => {
    const r = await call('POST', '/api/v2/session/login-link', { authorization: `Bearer ${TOKEN}` });
    expect(r.status).toBe(200);
    const { url } = JSON.parse(r.body) as { url: string };
    expect(url).toMatch(new RegExp(`^${base}/login\\?code=`));
    expect(url).not.toContain(TOKEN);
    const cookie = await login();
    expect((await call('POST', '/api/v2/session/login-link', { cookie, origin: base, 'content-type': 'application/json' })).status).toBe(401);
    const u = new URL(url);
    expect((await call('GET', u.pathname + u.search)).status).toBe(303);
  });

  it('every response has Referrer-Policy: no-referrer, and none carries the token in a Location or a body', async () => {
    await call('GET', '/');
    await call('GET', '/assets/missing.js');
    await call('GET', '/', { host: 'evil.example' });
    await call('GET', '/api/v2/nothing-here', { authorization: `Bearer ${TOKEN}` });
    expect(answers.length).toBeGreaterThan(20);
    for (const a of answers) {
      expect(a.headers['referrer-policy'], `${a.status} ${a.path}`).toBe('no-referrer');
      expect(String(a.headers.location ?? ''), a.path).not.toContain(TOKEN);
      expect(JSON.stringify(a.headers), a.path).not.toContain(TOKEN);
      expect(a.body, a.path).not.toContain(TOKEN);
    }
  });
});
