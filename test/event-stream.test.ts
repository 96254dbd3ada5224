/**
 * The event stream (GET /api/v2/stream) over real sockets on 127.0.0.1, with an App on a temp
 * data folder and the simulator as the exchange: the upgrade guards, chain snapshots and
 * coalesced deltas that end on the store's latest values, the batch rate, the status and log
 * views, bad messages, and close() leaving no socket or timer behind. Every wait is bounded.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../src/core/api/create-api';
import { legQuote } from '../src/core/api/views';
import { App } from '../src/core/app';
import { attachEventStream, tooMuchBuffered, type EventStream } from '../src/server/event-stream';
import { closeHttp, createHttpServer, listenHttp } from '../src/server/http-api';
import type { StreamBatch, StreamLeg, StreamServerMessage } from '../src/shared/events';
import { type TestSim } from './helpers/sim';
import { startAppOnSim, type AppOnSim } from './helpers/app';
import { waitFor } from './helpers/wait';

const TOKEN = 'c'.repeat(64);
const INTERVAL = 100;

let s: TestSim;
let app: App;
let port: number;
let server: ReturnType<typeof createHttpServer>;
let stream: EventStream;
const logs: string[] = [];
const opened: Client[] = [];

/** A stream client recording every message. */
class Client {
  readonly messages: StreamServerMessage[] = [];
  readonly ws: WebSocket;
  constructor(query = '', headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/api/v2/stream${query}`, { headers });
    this.ws.on('message', (d: Buffer) => this.messages.push(JSON.parse(d.toString('utf8')) as StreamServerMessage));
    this.ws.on('error', () => undefined);
    opened.push(this);
  }
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }
  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  batches(): StreamBatch[] {
    return this.messages.filter((m): m is StreamBatch => m.type === 'batch');
  }
  /** The first message from index `from` on that matches. */
  next<T extends StreamServerMessage>(pred: (m: StreamServerMessage) => m is T, what: string, from = 0, ms = 5000): Promise<T> {
    return waitFor(() => this.messages.slice(from).find(pred), ms, what);
  }
}

/** The HTTP status a refused upgrade gets. */
function upgradeStatus(query: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v2/stream${query}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('error', (err) => reject(err));
  });
}

function post(path: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: 'POST', path, timeout: 10_000, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) } },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (out += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: out ? (JSON.parse(out) as Record<string, unknown>) : {} }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

const isType = <K extends StreamServerMessage['type']>(type: K) => (m: StreamServerMessage): m is Extract<StreamServerMessage, { type: K }> => m.type === type;

let env: AppOnSim;
/** While true every client counts as slow (see EventStreamOptions.isSlow). */
let slow = false;

beforeAll(async () => {
  env = await startAppOnSim({ prefix: 'strikedesk-stream-', app: { log: (l) => logs.push(l) } });
  ({ s, app } = env);
  server = createHttpServer({ api: createApi(app), token: TOKEN, log: (l) => logs.push(l) });
  stream = attachEventStream(server, { app, token: TOKEN, intervalMs: INTERVAL, log: (l) => logs.push(l), isSlow: (client) => slow || tooMuchBuffered(client) });
  port = await listenHttp(server, 0);
  await waitFor(() => app.services.pool.health().every((h) => h.state === 'open'), 10_000, 'every feed socket open');
});

afterAll(async () => {
  for (const c of opened) c.ws.terminate();
  await stream?.close();
  if (server) await closeHttp(server);
  await env?.stop();
});

describe('event stream', () => {
  it('refuses the upgrade without the token (401) or with a foreign Host (403); a Bearer header opens, a token in the URL does not', async () => {
    expect(await upgradeStatus('')).toBe(401);
    expect(await upgradeStatus(`?token=${'d'.repeat(64)}`)).toBe(401);
    expect(await upgradeStatus('?token=')).toBe(401);
    // The bearer token is never taken from a URL (it would land in logs and history).
    expect(await upgradeStatus(`?token=${TOKEN}`)).toBe(401);
    expect(await upgradeStatus('', { authorization: `Bearer ${TOKEN.slice(1)}` })).toBe(401);
    expect(await upgradeStatus('', { authorization: `Bearer ${TOKEN}`, host: 'evil.example' })).toBe(403);
    expect(await upgradeStatus('', { authorization: `Bearer ${TOKEN}` })).toBe(101);
    await waitFor(() => stream.clients === 0, 10_000, 'the probe sockets gone');
  });

  it('a chain view: NOT_FOUND until the chain is open, then a snapshot, coalesced deltas ending on the latest values, at most one batch per interval', async () => {
    const c = new Client();
    await c.open();
    c.send({ op: 'subscribe', view: 'chain', symbol: 'RELIANCE', id: 'early' });
    const early = await c.next(isType('error'), 'the NOT_FOUND error');
    expect(early).toMatchObject({ error: { code: 'NOT_FOUND' }, id: 'early' });

    const add = await post('/api/v2/watchlist/add', { user_id: 'stream', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' });
    expect(add.status, JSON.stringify(add.json)).toBe(200);
    const expiry = (add.json.option_chain as { expiry: string }).expiry;
    const key = `RELIANCE|${expiry}`;
    try {
      await chainChecks(c, key, expiry, add.json.strikes as number);
    } finally {
      s.sim.setRate(null);
      await post('/api/v2/watchlist/remove', { user_id: 'stream', symbol: 'RELIANCE', expiry });
      c.ws.close();
    }
  });

  /** The chain view's checks, on an open RELIANCE chain. */
  async function chainChecks(c: Client, key: string, expiry: string, strikesSubscribed: number): Promise<void> {
    const from = c.messages.length;
    c.send({ op: 'subscribe', view: 'chain', symbol: 'reliance', expiry, id: 'r1' });
    expect(await c.next(isType('subscribed'), 'the ack', from)).toMatchObject({ view: 'chain', key, id: 'r1' });
    const first = await c.next((m): m is StreamBatch => m.type === 'batch' && key in m.chains, 'the first batch', from);
    const snap = first.chains[key]!;
    expect(snap.snapshot).toBe(true);
    // The whole window: 25 strikes and 50 legs, fewer when the price sits near the last listed
    // strikes (a clipped window, as the REST tests note). The chain may re-centre at any time under
    // a moving market, so the window is checked against itself and the add, not a later read.
    expect(snap.strikes!.length).toBeLessThanOrEqual(25);
    expect(Math.abs(snap.strikes!.length - strikesSubscribed)).toBeLessThanOrEqual(6);
    expect(Object.keys(snap.legs)).toHaveLength(snap.strikes!.length * 2);
    expect(snap.strikes!.flatMap((r) => [r.CE, r.PE]).sort()).toEqual(Object.keys(snap.legs).sort());
    expect(snap.underlying_ltp).toBeGreaterThan(0);
    expect(snap.strikes!.map((r) => r.strike)).toContain(snap.atm_strike);

    // Ticks flow for a while: deltas arrive, never faster than one batch per interval.
    const windowMs = 2000;
    const startCount = c.batches().length;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const elapsed = performance.now() - t0;
    const inWindow = c.batches().length - startCount;
    expect(inWindow).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL) + 1);
    const deltas = c.batches().filter((b) => b.chains[key] && !b.chains[key].snapshot);
    expect(deltas.length, 'some delta batches').toBeGreaterThan(0);
    for (const b of deltas) expect(Object.keys(b.chains[key]!.legs).length).toBeLessThanOrEqual(50);
    expect(c.batches().map((b) => b.seq)).toEqual(c.batches().map((_, i) => i + 1));

    // Freeze the market, let the last batch go out, then the client's rows equal the store.
    s.sim.setRate(0);
    let quietSince = c.messages.length;
    let quietAt = performance.now();
    await waitFor(() => {
      if (c.messages.length !== quietSince) {
        quietSince = c.messages.length;
        quietAt = performance.now();
      }
      return performance.now() - quietAt > 4 * INTERVAL;
    }, 8000, 'the stream to go quiet');
    const rows = new Map<string, StreamLeg>();
    for (const b of c.batches()) {
      const part = b.chains[key];
      if (!part) continue;
      if (part.snapshot) rows.clear();
      for (const [t, leg] of Object.entries(part.legs)) rows.set(t, leg);
    }
    const state = app.services.core.owners.chain('RELIANCE', expiry)!;
    expect([...rows.keys()].sort()).toEqual([...state.optionTokens].sort());
    for (const t of state.optionTokens) expect({ t, ltp: rows.get(t)?.ltp }).toEqual({ t, ltp: legQuote(app.services, t).ltp });

    c.send({ op: 'unsubscribe', view: 'chain', symbol: 'RELIANCE', expiry });
    await c.next(isType('unsubscribed'), 'the unsubscribe ack');
  }

  it('status and log views: a watchlist add/remove brings the new tier_a_count and the SUBSCRIBE/UNSUBSCRIBE entries', async () => {
    const c = new Client();
    await c.open();
    c.send({ op: 'subscribe', view: 'status' });
    c.send({ op: 'subscribe', view: 'log' });
    const initial = await c.next((m): m is StreamBatch => m.type === 'batch' && m.status !== undefined, 'the first status');
    const tierA0 = initial.status!.tier_a_count;
    expect(initial.status!.tier_b_count).toBeGreaterThan(500);

    const add = await post('/api/v2/watchlist/add', { user_id: 'slog', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' });
    expect(add.status, JSON.stringify(add.json)).toBe(200);
    const expiry = (add.json.option_chain as { expiry: string }).expiry;
    await c.next((m): m is StreamBatch => m.type === 'batch' && (m.status?.tier_a_count ?? 0) > tierA0, 'the status after the add');
    const owner = `watch:slog:RELIANCE:${expiry}`;
    // Every leg the add subscribed has its SUBSCRIBE entry (the window may be clipped below 25 strikes).
    const legs = Object.values((add.json.option_chain as { strikes_ce_pe: Record<string, { CE?: { security_id: number }; PE?: { security_id: number } }> }).strikes_ce_pe)
      .flatMap((l) => [l.CE?.security_id, l.PE?.security_id])
      .filter((x): x is number => x !== undefined);
    expect(legs.length).toBeGreaterThan(0);
    const subscribedIds = (): Set<number> => new Set(c.batches().flatMap((b) => b.log ?? []).filter((e) => e.action === 'SUBSCRIBE' && e.owner === owner).map((e) => e.security_id));
    await waitFor(() => legs.every((id) => subscribedIds().has(id)), 5000, 'the SUBSCRIBE entries');
    // Each entry names its instrument as the master does (what the status panel shows).
    const named = c.batches().flatMap((b) => b.log ?? []).filter((e) => e.owner === owner);
    expect(named.filter((e) => e.name === null)).toEqual([]);
    const legNames = named.filter((e) => legs.includes(e.security_id)).map((e) => e.name!);
    expect(legNames.length).toBe(legs.length);
    expect(legNames.filter((n) => !/^RELIANCE .*\d (CALL|PUT)$/.test(n))).toEqual([]);

    const rm = await post('/api/v2/watchlist/remove', { user_id: 'slog', symbol: 'RELIANCE', expiry });
    expect(rm.status).toBe(200);
    await c.next((m): m is StreamBatch => m.type === 'batch' && m.status?.tier_a_count === tierA0, 'the status after the remove');
    await waitFor(() => c.batches().flatMap((b) => b.log ?? []).some((e) => e.action === 'UNSUBSCRIBE' && e.owner === owner), 5000, 'the UNSUBSCRIBE entries');
    const ids = c.batches().flatMap((b) => b.log ?? []).map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    c.ws.close();
  });

  it('a slow client skips batches and keeps its place: when it catches up, the next batch carries the latest status, no batch number lost', async () => {
    const c = new Client();
    await c.open();
    c.send({ op: 'subscribe', view: 'status' });
    const initial = await c.next((m): m is StreamBatch => m.type === 'batch' && m.status !== undefined, 'the first status');
    const tierA0 = initial.status!.tier_a_count;

    slow = true;
    try {
      // Let a batch already on the wire arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 3 * INTERVAL));
      const seen = c.batches().length;
      const lastSeq = c.batches().at(-1)!.seq;
      const add = await post('/api/v2/watchlist/add', { user_id: 'slow', symbol: 'INFY', instrument_type: 'STOCK_OPTION' });
      expect(add.status, JSON.stringify(add.json)).toBe(200);
      // Five batch intervals with the status changed: nothing is sent to the slow client.
      await new Promise((resolve) => setTimeout(resolve, 5 * INTERVAL));
      expect(c.batches().length).toBe(seen);
      slow = false;
      const next = await c.next(isType('batch'), 'the batch after catching up', c.messages.length);
      expect(next.seq).toBe(lastSeq + 1);
      const now = (await (await fetch(`http://127.0.0.1:${port}/api/v2/subscriptions/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { tier_a_count: number };
      expect(now.tier_a_count).toBeGreaterThan(tierA0);
      expect(next.status!.tier_a_count).toBe(now.tier_a_count);
    } finally {
      slow = false;
      await post('/api/v2/watchlist/remove', { user_id: 'slow', symbol: 'INFY' });
    }
    c.ws.close();
  });

  it('bad messages get an error frame and the socket stays usable', async () => {
    const c = new Client();
    await c.open();
    const bad: unknown[] = ['not json', '[1]', { op: 'watch', view: 'status' }, { op: 'subscribe', view: 'chain' }, { op: 'subscribe', view: 'chain', symbol: 'NIFTY', expiry: 'soon', id: 'e1' }, { op: 'subscribe', view: 'status', extra: 1 }];
    for (const msg of bad) {
      const from = c.messages.length;
      c.send(msg);
      const err = await c.next(isType('error'), `an error for ${JSON.stringify(msg)}`, from);
      expect(err.error.code).toBe('BAD_REQUEST');
      expect(typeof err.error.message).toBe('string');
    }
    expect(c.messages.filter(isType('error')).find((e) => e.id === 'e1')?.error.message).toMatch(/expiry/);
    const from = c.messages.length;
    c.send({ op: 'subscribe', view: 'chain', symbol: 'NOSUCHSYM' });
    expect((await c.next(isType('error'), 'unknown symbol', from)).error.code).toBe('UNKNOWN_SYMBOL');
    // Still usable: a Tier B chain (NIFTY, open at start-up) streams.
    c.send({ op: 'subscribe', view: 'chain', symbol: 'NIFTY' });
    const b = await c.next((m): m is StreamBatch => m.type === 'batch' && Object.keys(m.chains).some((k) => k.startsWith('NIFTY|')), 'a NIFTY batch');
    expect(Object.values(b.chains)[0]!.snapshot).toBe(true);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.close();
  });

  it('close() ends every client socket and the timer, leaving no socket behind', async () => {
    for (const c of opened) c.ws.terminate();
    const tcpBefore = await (async () => {
      await waitFor(() => stream.clients === 0, 10_000, 'earlier clients gone');
      return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    })();
    const clients = [new Client(), new Client(), new Client()];
    await Promise.all(clients.map((c) => c.open()));
    clients[0]!.send({ op: 'subscribe', view: 'status' });
    await clients[0]!.next(isType('batch'), 'a batch');
    expect(stream.clients).toBe(3);
    const closes = clients.map((c) => new Promise<number>((r) => c.ws.once('close', (code: number) => r(code))));
    const t0 = performance.now();
    await stream.close();
    // Within the 1 s close grace plus slack for a loaded machine; without the grace ws would wait 30 s.
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(await Promise.all(closes)).toEqual([1001, 1001, 1001]);
    expect(stream.clients).toBe(0);
    await stream.close();
    // No batch after close, and no stream socket left (each client had two: ours and the server's).
    const n = clients[0]!.messages.length;
    await new Promise((r) => setTimeout(r, 3 * INTERVAL));
    expect(clients[0]!.messages.length).toBe(n);
    await waitFor(() => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length <= tcpBefore, 10_000, 'stream sockets to close');
    // A new upgrade after close is not served (plain HTTP answers it: the REST API wants a header).
    expect(await upgradeStatus('', { authorization: `Bearer ${TOKEN}` })).not.toBe(101);
  });
});
