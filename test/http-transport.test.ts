/**
 * The renderer's browser-mode transport over real loopback sockets: requests against the real
 * REST API v2 server (routes, bearer token, error envelopes), failures that are not the server's
 * (refused connection, timeout, non-JSON answers), and the event stream against a WebSocket
 * server this test controls (reconnect with backoff, views re-sent, nothing after close()).
 * Node 22's global fetch and WebSocket stand in for the browser's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { createHttpTransport, DEFAULT_RECONNECT, reconnectDelay } from '../src/renderer/src/api/http-transport';
import type { StreamState, Transport } from '../src/renderer/src/api/transport';
import { closeHttp, createHttpServer, listenHttp } from '../src/server/http-api';
import type { Api, CommandRequest } from '../src/shared/contract';
import { AppError } from '../src/shared/errors';
import type { StreamClientMessage, StreamServerMessage } from '../src/shared/events';
import { waitFor } from './helpers/wait';

const TOKEN = 'b'.repeat(64);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track(t: Transport): Transport {
  cleanups.push(() => t.close());
  return t;
}

/** The real REST server over a partial api that records what reached it. */
async function restServer(api: Partial<Api>): Promise<string> {
  const server = createHttpServer({ api: api as Api, token: TOKEN, log: () => undefined });
  const port = await listenHttp(server, 0);
  cleanups.push(() => closeHttp(server));
  return `http://127.0.0.1:${port}`;
}

/** A plain HTTP server answering every request with `handler`. */
async function plainServer(handler: Parameters<typeof createServer>[1]): Promise<{ base: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => closeHttp(server));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('http transport: commands', () => {
  it('builds GET and POST requests from the route table, with the bearer token, and unwraps answers', async () => {
    const seen: unknown[] = [];
    const base = await restServer({
      'instruments:search': async (r) => {
        seen.push(r);
        return { results: [] };
      },
      'watchlist:add': async (r) => {
        seen.push(r);
        return { success: true, message: `${r.symbol} added`, option_chain: null, strikes_subscribed: 0 };
      },
      'instruments:expiries': async (r) => ({ symbol: r.symbol, expiries: ['2026-12-29'] }),
    });
    const t = track(createHttpTransport({ baseUrl: base, token: TOKEN }));
    expect(await t.call('instruments:search', { q: 'REL', limit: 5 })).toEqual({ ok: true, value: { results: [] } });
    const add: CommandRequest<'watchlist:add'> = { user_id: 'default', symbol: 'TCS', instrument_type: 'EQUITY' };
    expect(await t.call('watchlist:add', add)).toEqual({ ok: true, value: { success: true, message: 'TCS added', option_chain: null, strikes_subscribed: 0 } });
    // A path parameter with a space survives the trip.
    expect(await t.call('instruments:expiries', { symbol: 'NIFTY EV' })).toEqual({ ok: true, value: { symbol: 'NIFTY EV', expiries: ['2026-12-29'] } });
    expect(seen).toEqual([{ q: 'REL', limit: 5 }, add]);
  });

  it('builds DELETE requests from the route table: what goes is named in the path, with no body', async () => {
    const seen: unknown[] = [];
    const base = await restServer({
      'strategies:delete': async (r) => {
        seen.push(r);
        return { success: true, message: `strategy ${r.id} deleted`, id: r.id };
      },
    });
    const t = track(createHttpTransport({ baseUrl: base, token: TOKEN }));
    expect(await t.call('strategies:delete', { id: 7 })).toEqual({ ok: true, value: { success: true, message: 'strategy 7 deleted', id: 7 } });
    expect(seen).toEqual([{ id: 7 }]);
  });

  it("passes the engine's error envelope through, and a wrong token comes back as AUTH", async () => {
    const base = await restServer({
      'watchlist:add': async () => {
        throw new AppError('CAPACITY', 'the 25,000 cap is reached');
      },
    });
    const t = track(createHttpTransport({ baseUrl: base, token: TOKEN }));
    expect(await t.call('watchlist:add', { user_id: 'default', symbol: 'INFY', instrument_type: 'STOCK_OPTION' })).toEqual({
      ok: false,
      error: { code: 'CAPACITY', message: 'the 25,000 cap is reached' },
    });
    const wrong = track(createHttpTransport({ baseUrl: base, token: 'c'.repeat(64) }));
    const r = await wrong.call('chains:list', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('AUTH');
    const none = track(createHttpTransport({ baseUrl: base, token: null }));
    const n = await none.call('chains:list', {});
    expect(n.ok === false && n.error.code).toBe('AUTH');
  });

  it('turns a refused connection and a timeout into NETWORK envelopes', async () => {
    const { base, server } = await plainServer(() => undefined); // never answers
    const slow = track(createHttpTransport({ baseUrl: base, token: TOKEN, requestTimeoutMs: 100 }));
    const r = await slow.call('settings:get', {});
    expect(r.ok === false && r.error.code).toBe('NETWORK');
    expect(r.ok === false && r.error.message).toMatch(/100 ms/);
    server.closeAllConnections();

    const refused = await plainServer(() => undefined);
    await closeHttp(refused.server);
    const down = track(createHttpTransport({ baseUrl: refused.base, token: TOKEN }));
    const d = await down.call('settings:get', {});
    expect(d.ok === false && d.error.code).toBe('NETWORK');
  });

  it('answers that are not JSON become errors mapped from the status, never a throw', async () => {
    let status = 502;
    const { base } = await plainServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    });
    const t = track(createHttpTransport({ baseUrl: base, token: TOKEN }));
    const bad = await t.call('chains:list', {});
    expect(bad).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'chains:list: HTTP 502 with an answer that is not JSON' } });
    status = 200;
    const odd = await t.call('chains:list', {});
    expect(odd.ok === false && odd.error.code).toBe('INTERNAL');
    status = 404;
    const missing = await t.call('chains:list', {});
    expect(missing.ok === false && missing.error.code).toBe('NOT_FOUND');
  });
});

/** A stand-in event stream: records every client message per connection; refuses a URL with a query (no token in URLs). */
async function streamServer(): Promise<{ base: string; connections: { socket: ServerSocket; received: StreamClientMessage[] }[]; push(m: StreamServerMessage | string): void }> {
  const { base, server } = await plainServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const connections: { socket: ServerSocket; received: StreamClientMessage[] }[] = [];
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/v2/stream' || url.search !== '') {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = { socket: ws, received: [] as StreamClientMessage[] };
      connections.push(conn);
      ws.on('message', (d) => conn.received.push(JSON.parse(String(d)) as StreamClientMessage));
    });
  });
  cleanups.push(() => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  return {
    base,
    connections,
    push(m) {
      for (const c of wss.clients) c.send(typeof m === 'string' ? m : JSON.stringify(m));
    },
  };
}

describe('http transport: stream', () => {
  it('opens the stream (never with a token in its URL), delivers messages, skips frames that are not JSON', async () => {
    const s = await streamServer();
    const logs: string[] = [];
    const t = track(createHttpTransport({ baseUrl: s.base, token: TOKEN, log: (l) => logs.push(l) }));
    const states: StreamState[] = [];
    t.onStreamState((st) => states.push(st));
    const got: StreamServerMessage[] = [];
    t.onStream((m) => got.push(m));
    t.stream({ op: 'subscribe', view: 'status', id: 'x' });
    const conn = await waitFor(() => s.connections[0], 5000, 'a connection');
    await waitFor(() => conn.received.length === 1, 5000, 'the subscribe');
    expect(conn.received).toEqual([{ op: 'subscribe', view: 'status' }]);
    expect(states).toEqual(['connecting', 'open']);
    s.push('not json');
    s.push({ type: 'subscribed', view: 'status' });
    await waitFor(() => got.length === 1, 5000, 'a message');
    expect(got).toEqual([{ type: 'subscribed', view: 'status' }]);
    expect(logs).toEqual(['stream: ignored a frame that is not JSON']);
  });

  it('reconnects after a drop and sends the views still held again, and nothing after close()', async () => {
    const s = await streamServer();
    const t = createHttpTransport({ baseUrl: s.base, token: TOKEN, reconnect: { initialMs: 20, maxMs: 40, floorMs: 5 }, random: () => 0.5 });
    let closed = false;
    cleanups.push(() => {
      if (!closed) t.close();
    });
    const states: StreamState[] = [];
    t.onStreamState((st) => states.push(st));
    t.stream({ op: 'subscribe', view: 'status' });
    t.stream({ op: 'subscribe', view: 'chain', symbol: 'NIFTY', expiry: '2026-12-01' });
    t.stream({ op: 'subscribe', view: 'chain', symbol: 'NIFTY', expiry: '2026-12-01' }); // a second panel
    t.stream({ op: 'subscribe', view: 'log' });
    const first = await waitFor(() => s.connections[0], 5000, 'a connection');
    // Made before the socket opened: each view goes once, when it opens.
    await waitFor(() => first.received.length === 3, 5000, 'the subscribes');
    expect(first.received).toEqual([
      { op: 'subscribe', view: 'status' },
      { op: 'subscribe', view: 'chain', symbol: 'NIFTY', expiry: '2026-12-01' },
      { op: 'subscribe', view: 'log' },
    ]);
    t.stream({ op: 'unsubscribe', view: 'chain', symbol: 'NIFTY', expiry: '2026-12-01' }); // one panel still holds it
    t.stream({ op: 'unsubscribe', view: 'log' });
    await waitFor(() => first.received.length === 4, 5000, 'the log unsubscribe');
    expect(first.received[3]).toEqual({ op: 'unsubscribe', view: 'log' });

    first.socket.terminate();
    const second = await waitFor(() => s.connections[1], 5000, 'a reconnection');
    await waitFor(() => second.received.length === 2, 5000, 'the views again');
    expect(second.received).toEqual([{ op: 'subscribe', view: 'status' }, { op: 'subscribe', view: 'chain', symbol: 'NIFTY', expiry: '2026-12-01' }]);
    expect(states).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);

    t.close();
    closed = true;
    second.socket.terminate();
    await new Promise((r) => setTimeout(r, 150)); // several backoff periods: no new connection may come
    expect(s.connections).toHaveLength(2);
    expect(states.at(-1)).toBe('closed');
  });
});

describe('reconnect policy', () => {
  it('grows exponentially with full jitter under a cap, above a floor', () => {
    const p = DEFAULT_RECONNECT;
    expect(reconnectDelay(p, 0, 0)).toBe(p.floorMs);
    expect(reconnectDelay(p, 0, 0.999)).toBeLessThan(p.floorMs + p.initialMs);
    expect(reconnectDelay(p, 3, 0.999)).toBeGreaterThan(p.floorMs + p.initialMs * 4);
    expect(reconnectDelay(p, 50, 0.999)).toBeLessThanOrEqual(p.floorMs + p.maxMs);
    expect(reconnectDelay(p, 50, 0.5)).toBe(p.floorMs + p.maxMs / 2);
  });
});
