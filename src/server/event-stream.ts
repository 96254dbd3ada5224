/**
 * The contract's events over a WebSocket: `GET /api/v2/stream` on the REST API's own HTTP server
 * (same loopback port). Streams never go through request/response; this is the pushed half.
 *
 * Guards on the upgrade, before the WebSocket handshake:
 * - Host must be 127.0.0.1 or localhost (the REST API's guard, `loopbackHost`): 403 otherwise.
 * - `Authorization: Bearer <per-install token>` (scripts), compared in constant time (both sides
 *   hashed), or the browser session cookie of the login link (browser-session.ts; browsers send
 *   it on a same-origin upgrade) with an `Origin` of `http://<Host>`: 401 otherwise (403 for a
 *   cookie from another origin). The token is never taken from the URL (`?token=` is refused).
 *   Every refusal carries `Referrer-Policy: no-referrer`.
 * - Other upgrade paths: 404. Client frames are at most 64 KB.
 *
 * Messages are JSON text frames (types in src/shared/events.ts):
 * - client -> server
 *   `{ "op": "subscribe"|"unsubscribe", "view": "chain", "symbol": "NIFTY", "expiry"?: "YYYY-MM-DD", "id"?: s }`
 *   `{ "op": "subscribe"|"unsubscribe", "view": "status"|"log", "id"?: s }`
 *   `{ "op": "subscribe"|"unsubscribe", "view": "strategy", "strategy_id": n, "id"?: s }` (a saved strategy)
 *   answered with `{ "type": "subscribed"|"unsubscribed", "view", "key"?, "id"? }`, or
 *   `{ "type": "error", "error": { "code": "BAD_REQUEST"|"NOT_FOUND"|"UNKNOWN_SYMBOL", "message" }, "id"? }`
 *   (the socket stays open). Without `expiry` a chain view takes the symbol's nearest expiry.
 * - server -> client
 *   `{ "type": "batch", "seq": n, "at": epochMs,
 *      "chains": { "<SYMBOL>|<expiry>": { "snapshot"?: true, "atm_strike", "strike_step", "underlying_ltp",
 *                  "strikes"?: [{ "strike", "CE": token|null, "PE": token|null }],
 *                  "legs": { "<token>": { ltp, prev_close, change, traded_today, last_trade_time, oi, oi_change,
 *                                         volume, bid, ask, stale, iv, iv_reason, delta, gamma, theta, vega } } } },
 *      "status"?: { ...GET /api/v2/subscriptions/status... },
 *      "log"?: [{ id, action, segment, security_id, owner, reason, ts }], "log_truncated"?: true,
 *      "strategy"?: { "<strategy id>": { id, pnl, net_premium, greeks, legs: [{ token, ltp, mark, pnl }], t } } }`
 *
 * Delivery policy:
 * - One timer per stream server (not per client) fires every `intervalMs`; a client gets a batch
 *   only when something changed for its views. Never a message per tick.
 * - Coalescing: each chain view keeps a cursor into QuoteStore's change sequence; a batch carries
 *   each changed leg once, with its latest values. Nothing inside a window is dropped: the latest
 *   value always arrives.
 * - Snapshots: the first batch after a chain subscribe, and any batch where the chain's token set
 *   changed (a re-centre), carry the whole chain with `snapshot: true` and `strikes`, so the
 *   client rebuilds its rows. Subscribing a chain again re-sends a snapshot (a resync).
 * - A chain view is only for a chain that is open (a Tier B or Tier A owner): otherwise NOT_FOUND,
 *   the client opens it through the REST API first (watchlist/add, option-chain/subscribe). If the
 *   chain later closes, the view stays and is silent; it resumes (with a snapshot) if it reopens.
 * - status: sent when it differs from what this client last got. log: entries newer than the
 *   client's cursor (set at subscribe: only what is written after it), at most 1000 per batch.
 * - Slow clients (more than 1 MB still buffered) skip a batch and their cursors do not advance,
 *   so the next batch they take still carries the latest values.
 *
 * Per-client limits (a client that never reads must not grow the server's memory):
 * - Replies (acks and errors) obey the same slow-client rule (`isSlow`, by default more than
 *   SLOW_CLIENT_BYTES queued), but are never skipped silently: a client that is slow when a reply
 *   is due is closed instead (1008, "not reading"). It asked for something and is not reading the answer, so it is broken or
 *   hostile; a live client drains a megabyte long before its next subscribe. So what is queued
 *   for one client stays at about 1 MB plus one frame.
 * - Flooding: each client has a token bucket of FLOOD_BURST messages refilled at
 *   FLOOD_PER_SECOND per second (the renderer sends a handful on each (re)connect and one per view
 *   change). A message over the budget closes the client with 1008 ("flooding: ...") and nothing
 *   more it sends is read. A closed client gets a close frame, and is terminated after 1 s if it
 *   does not answer it (a paused reader never does).
 * - `id` is echoed on an ack or an error only when it is a string of 1-100 characters (the
 *   schema's limit, checked here before echoing, also for messages the schema refused); any
 *   other `id` is left out of the reply. Error messages are cut to 300 characters.
 * - `stale` is as of the leg's last change: a leg going stale with no tick is not pushed on its own.
 *
 * `close()` stops the timer, detaches from the server and ends every client socket (a close
 * handshake, then terminate after 1 s). Call it before closing the HTTP server: upgraded sockets
 * would otherwise hold `server.close()` open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ApiEngine } from '../core/api/engine';
import { StreamSession } from '../core/api/stream-session';
import { statusView } from '../core/api/views';
import type { StreamErrorMessage, StreamServerMessage } from '../shared/events';
import { parseStreamMessage } from '../shared/validate';
import { BrowserSessions, sameOrigin, sessionFromCookie } from './browser-session';
import { loopbackHost } from './http-api';

export const STREAM_PATH = '/api/v2/stream';
/** A client with more than this still buffered skips a batch. */
export const SLOW_CLIENT_BYTES = 1024 * 1024;
const MAX_CLIENT_FRAME = 64 * 1024;
const CLOSE_GRACE_MS = 1000;
/** Messages a client may send at once (a full bucket). */
export const FLOOD_BURST = 200;
/** The sustained rate a client may send at, messages per second. */
export const FLOOD_PER_SECOND = 50;
/** The longest `id` echoed back (the schema's limit). */
export const MAX_ECHO_ID = 100;
const MAX_ERROR_MESSAGE = 300;
/** WebSocket close code for a client breaking the limits (policy violation). */
export const CLOSE_POLICY = 1008;

/** The id to echo: a string of 1-MAX_ECHO_ID characters, else none. */
export function echoId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return undefined;
  const id = (raw as { id: unknown }).id;
  return typeof id === 'string' && id.length >= 1 && id.length <= MAX_ECHO_ID ? id : undefined;
}

/** The default slow-client test: more than SLOW_CLIENT_BYTES still waiting to be sent. */
export function tooMuchBuffered(client: { readonly bufferedAmount: number }): boolean {
  return client.bufferedAmount > SLOW_CLIENT_BYTES;
}

export interface EventStreamOptions {
  app: ApiEngine;
  /** The per-install bearer token (the REST API's). */
  token: string;
  /** Batch interval, ms (default 100). */
  intervalMs?: number;
  /** Where internal errors are logged. Default console.error. */
  log?: (line: string) => void;
  /**
   * Whether a client is too slow for the next batch. Default: tooMuchBuffered. A test sets its own so a client can be slow without filling megabytes of
   * loopback buffers first.
   */
  isSlow?: (client: { readonly bufferedAmount: number }) => boolean;
  /** Browser sessions (the REST server's, `server.sessions`); none: bearer only. */
  sessions?: BrowserSessions;
}

export interface EventStream {
  /** Stop the timer and end every client socket. Safe to call twice. */
  close(): Promise<void>;
  /** Connected clients (for tests and status). */
  readonly clients: number;
  /** Bytes still queued for each connected client (ws's bufferedAmount), for tests and status. */
  queuedBytes(): number[];
}

interface Client {
  ws: WebSocket;
  session: StreamSession;
  /** Messages it may still send now (token bucket, see FLOOD_*). */
  budget: number;
  /** When the bucket was last refilled (ms). */
  refilledAt: number;
  /** Set once the server closed it for breaking a limit: nothing more it sends is read. */
  dropped: boolean;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The token from `Authorization: Bearer`, checked in constant time. */
function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  const given = m?.[1] ?? null;
  // Compare even when nothing was given, so timing does not tell the cases apart.
  return timingSafeEqual(digest(given ?? ''), expected) && given !== null;
}

/** Answer a refused upgrade with a plain HTTP response and drop the socket. */
function refuse(socket: Duplex, status: number, reason: string, code: string, message: string, extra = ''): void {
  const body = JSON.stringify({ ok: false, error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nreferrer-policy: no-referrer\r\n${extra}\r\n${body}`,
  );
  socket.destroy();
}

/**
 * Serve the event stream on `server` (the REST API's HTTP server, listening or not).
 * Attach after `app.start()`.
 */
export function attachEventStream(server: Server, options: EventStreamOptions): EventStream {
  const { app } = options;
  const intervalMs = options.intervalMs ?? 100;
  const isSlow = options.isSlow ?? tooMuchBuffered;
  if (!(intervalMs >= 10)) throw new Error(`intervalMs must be at least 10, got ${intervalMs}`);
  if (options.token.length < 16) throw new Error('the API token is too short');
  const expected = digest(options.token);
  const log = options.log ?? ((line: string) => console.error(line));
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME, perMessageDeflate: false });
  const clients = new Set<Client>();
  let closed = false;

  const send = (c: Client, msg: StreamServerMessage): void => {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(JSON.stringify(msg));
  };
  /** Close a client that broke a limit: a close frame, then terminate if it does not answer. */
  const drop = (c: Client, reason: string): void => {
    if (c.dropped) return;
    c.dropped = true;
    log(`stream: closed a client: ${reason}`);
    const force = setTimeout(() => c.ws.terminate(), CLOSE_GRACE_MS);
    force.unref();
    c.ws.once('close', () => clearTimeout(force));
    c.ws.close(CLOSE_POLICY, reason);
  };
  /** An ack or error reply: the client is closed instead when it is not reading (see the header). */
  const reply = (c: Client, msg: StreamServerMessage): void => {
    if (c.dropped || c.ws.readyState !== WebSocket.OPEN) return;
    if (isSlow(c.ws)) return drop(c, 'not reading: too much queued for it');
    send(c, msg);
  };
  const fail = (c: Client, code: StreamErrorMessage['error']['code'], message: string, id?: string): void => {
    const text = message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message;
    reply(c, { type: 'error', error: { code, message: text }, ...(id !== undefined ? { id } : {}) });
  };
  /** Take one message from the client's budget; false (and the client closed) when it is spent. */
  const withinBudget = (c: Client): boolean => {
    const now = Date.now();
    c.budget = Math.min(FLOOD_BURST, c.budget + ((now - c.refilledAt) / 1000) * FLOOD_PER_SECOND);
    c.refilledAt = now;
    if (c.budget < 1) {
      drop(c, `flooding: over ${FLOOD_PER_SECOND} messages per second`);
      return false;
    }
    c.budget -= 1;
    return true;
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (closed) return refuse(socket, 503, 'Service Unavailable', 'INTERNAL', 'the stream is stopping');
    if (!loopbackHost(req.headers.host)) return refuse(socket, 403, 'Forbidden', 'AUTH', 'requests must be addressed to 127.0.0.1 or localhost');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== STREAM_PATH) return refuse(socket, 404, 'Not Found', 'NOT_FOUND', `no stream at ${url.pathname}`);
    if (!authorized(req, expected)) {
      if (!options.sessions?.valid(sessionFromCookie(req))) {
        return refuse(socket, 401, 'Unauthorized', 'AUTH', 'missing or wrong bearer token (Authorization: Bearer), or no browser session', 'www-authenticate: Bearer\r\n');
      }
      if (!sameOrigin(req, true)) return refuse(socket, 403, 'Forbidden', 'AUTH', 'a browser session opens the stream from its own origin only');
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws));
  };

  const connect = (ws: WebSocket): void => {
    const c: Client = { ws, session: new StreamSession(app), budget: FLOOD_BURST, refilledAt: Date.now(), dropped: false };
    clients.add(c);
    ws.on('message', (data: RawData, isBinary: boolean) => onMessage(c, data, isBinary));
    ws.on('close', () => {
      clients.delete(c);
      // REST views bound to this client (a chain subscribe naming their view_id) close with it.
      c.session.dispose();
    });
    ws.on('error', () => ws.terminate());
  };

  const onMessage = (c: Client, data: RawData, isBinary: boolean): void => {
    if (c.dropped || !withinBudget(c)) return;
    if (isBinary) return fail(c, 'BAD_REQUEST', 'messages are JSON text frames');
    let raw: unknown;
    try {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data));
      raw = JSON.parse(buf.toString('utf8'));
    } catch {
      return fail(c, 'BAD_REQUEST', 'message is not valid JSON');
    }
    const parsed = parseStreamMessage(raw);
    // The schema's error echoes any string id: re-check it here before echoing.
    if (!parsed.ok) return fail(c, parsed.error.error.code, parsed.error.error.message, echoId(raw));
    try {
      reply(c, c.session.handle(parsed.message));
    } catch (err) {
      log(`stream: ${err instanceof Error ? err.message : String(err)}`);
      fail(c, 'INTERNAL', 'internal error', echoId(parsed.message));
    }
  };

  /** Build and send one client's batch; cursors advance only when it is sent. */
  const flush = (c: Client, at: number, status: () => string): void => {
    if (c.dropped || c.ws.readyState !== WebSocket.OPEN || isSlow(c.ws)) return;
    const pending = c.session.build(at, status);
    if (!pending) return;
    pending.commit();
    send(c, pending.batch);
  };

  const tick = (): void => {
    if (!clients.size) return;
    const at = Date.now();
    let statusJson: string | undefined;
    const status = (): string => (statusJson ??= JSON.stringify(statusView(app)));
    for (const c of clients) {
      try {
        flush(c, at, status);
      } catch (err) {
        log(`stream batch: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  server.on('upgrade', onUpgrade);
  const timer = setInterval(tick, intervalMs);
  timer.unref();

  return {
    get clients() {
      return clients.size;
    },
    queuedBytes() {
      return [...clients].map((c) => c.ws.bufferedAmount);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      server.off('upgrade', onUpgrade);
      await Promise.all(
        [...clients].map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.ws.readyState === WebSocket.CLOSED) return resolve();
              const force = setTimeout(() => c.ws.terminate(), CLOSE_GRACE_MS);
              c.ws.once('close', () => {
                clearTimeout(force);
                resolve();
              });
              c.ws.close(1001, 'server stopping');
            }),
        ),
      );
      clients.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
