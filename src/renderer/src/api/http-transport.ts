/**
 * Browser mode: the contract over the REST API v2 (fetch) and the WebSocket event stream
 * `/api/v2/stream`, both authorised by the session cookie the one-time login link set
 * (HttpOnly: this code never sees a token; see src/server/browser-session.ts). No token is ever
 * put in a URL. A caller outside a browser (a script, a test) may pass the bearer token instead:
 * it is sent as `Authorization: Bearer` on REST calls only.
 * Every POST and DELETE says `Content-Type: application/json` (the server's CSRF rule for cookie
 * sessions: a request that changes state must say so, which a cross-site form cannot).
 *
 * Policy:
 * - Every failure is an envelope, never a throw: a network failure or a timeout is NETWORK, an
 *   answer that is not JSON or not the server's error shape is mapped from its HTTP status.
 * - The stream reconnects with capped exponential backoff and full jitter (a random delay between
 *   zero and the ceiling) plus a small floor, so a restarted engine is not met by a storm. The
 *   attempt counter resets only after a connection stayed up for `minUptimeMs`, so a server that
 *   accepts and drops at once still backs off.
 * - Views are replayed from the desired set on every open (`StreamViews`), not queued: a subscribe
 *   made while disconnected is simply sent when the socket opens.
 *
 * This module uses only what browsers and Node 22 both have (fetch, WebSocket, AbortController),
 * so it is tested in Node against a real loopback server (test/http-transport.test.ts).
 */
import type { CommandName, CommandRequest, CommandResponse, Envelope } from '../../../shared/contract';
import type { ErrorCode } from '../../../shared/errors';
import type { StreamClientMessage, StreamServerMessage } from '../../../shared/events';
import { restRequest } from '../../../shared/rest-routes';
import { StreamViews } from './stream-views';
import { createStreamHub } from './stream-hub';
import type { Transport } from './transport';

export const STREAM_PATH = '/api/v2/stream';
/** `WebSocket.OPEN` (the same in every implementation). */
const OPEN = 1;

export interface ReconnectPolicy {
  /** Ceiling of the first retry's delay. */
  initialMs: number;
  /** Ceiling of any retry's delay. */
  maxMs: number;
  factor: number;
  /** Added to every delay (the jitter alone may be zero). */
  floorMs: number;
  /** A connection that stayed open this long resets the attempt counter. */
  minUptimeMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = { initialMs: 500, maxMs: 10_000, factor: 2, floorMs: 100, minUptimeMs: 5_000 };

/** The delay before reconnect attempt `attempt` (0-based), given a uniform random number in [0, 1). */
export function reconnectDelay(policy: ReconnectPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.min(attempt, 30));
  return policy.floorMs + Math.floor(random * ceiling);
}

export interface HttpTransportOptions {
  /** `http://127.0.0.1:<port>`: the engine's origin (the page's own in browser mode). */
  baseUrl: string;
  /**
   * Outside a browser only: the per-install API token, sent as `Authorization: Bearer` on REST
   * calls. Absent or null in browser mode: the session cookie authorises REST and the stream.
   */
  token?: string | null;
  reconnect?: Partial<ReconnectPolicy>;
  /** A request taking longer than this fails with NETWORK. Default 15 s. */
  requestTimeoutMs?: number;
  /** Injected for tests; default `Math.random`. */
  random?: () => number;
  /** Injected for tests; default the global `fetch`. */
  fetch?: typeof fetch;
  /** Injected for tests; default the global `WebSocket`. */
  WebSocket?: new (url: string) => WebSocket;
  /** Where unexpected stream frames are reported. Default console.warn. */
  log?: (line: string) => void;
}


/** The error code for an HTTP status when the body is not the server's error envelope. */
function codeOfStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'AUTH';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'DUPLICATE';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 400 && status < 500) return 'BAD_REQUEST';
  return 'INTERNAL';
}

function isErrorEnvelope(v: unknown): v is { ok: false; error: { code: ErrorCode; message: string } } {
  if (typeof v !== 'object' || v === null || !('ok' in v) || v.ok !== false || !('error' in v)) return false;
  const e = v.error;
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' && 'message' in e && typeof e.message === 'string';
}

/** The transport for browser mode. The stream connects at once (when there is a token). */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT, ...options.reconnect };
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const random = options.random ?? Math.random;
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const SocketCtor = options.WebSocket ?? WebSocket;
  const log = options.log ?? ((line: string) => console.warn(line));
  const token = options.token ?? null;

  const views = new StreamViews();
  const hub = createStreamHub('connecting');
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let openedAt = 0;
  let closed = false;

  const setState = hub.setState;

  const send = (message: StreamClientMessage): void => {
    if (socket && socket.readyState === OPEN) socket.send(JSON.stringify(message));
  };

  const onFrame = (data: unknown): void => {
    if (typeof data !== 'string') return log('stream: ignored a binary frame');
    let message: StreamServerMessage;
    try {
      message = JSON.parse(data) as StreamServerMessage;
    } catch {
      return log('stream: ignored a frame that is not JSON');
    }
    hub.emit(message);
  };

  const scheduleReconnect = (): void => {
    if (closed || retryTimer) return;
    const delay = reconnectDelay(policy, attempt, random());
    attempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  const connect = (): void => {
    if (closed) return;
    setState('connecting');
    // No token in the URL: the browser sends the session cookie on this same-origin upgrade.
    const url = `${base.replace(/^http/, 'ws')}${STREAM_PATH}`;
    let ws: WebSocket;
    try {
      ws = new SocketCtor(url);
    } catch (err) {
      log(`stream: cannot connect: ${err instanceof Error ? err.message : String(err)}`);
      setState('closed');
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      openedAt = Date.now();
      setState('open');
      for (const m of views.active()) send(m);
    };
    ws.onmessage = (ev) => {
      if (socket === ws) onFrame(ev.data);
    };
    // An error is always followed by a close; the close decides what happens next.
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (openedAt && Date.now() - openedAt >= policy.minUptimeMs) attempt = 0;
      openedAt = 0;
      if (closed) return;
      setState('closed');
      scheduleReconnect();
    };
  };

  const call = async <K extends CommandName>(command: K, request: CommandRequest<K>): Promise<Envelope<CommandResponse<K>>> => {
    const { method, path, body } = restRequest(command, request);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (method !== 'GET') headers['content-type'] = 'application/json';
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let status: number;
    let text: string;
    try {
      const res = await doFetch(base + path, { method, headers, body, credentials: 'same-origin', signal: abort.signal });
      status = res.status;
      text = await res.text();
    } catch (err) {
      const why = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : err instanceof Error ? err.message : String(err);
      return { ok: false, error: { code: 'NETWORK', message: `${command}: the engine cannot be reached (${why})` } };
    } finally {
      clearTimeout(timer);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const code: ErrorCode = status >= 200 && status < 300 ? 'INTERNAL' : codeOfStatus(status);
      return { ok: false, error: { code, message: `${command}: HTTP ${status} with an answer that is not JSON` } };
    }
    if (status >= 200 && status < 300) return { ok: true, value: json as CommandResponse<K> };
    if (isErrorEnvelope(json)) return { ok: false, error: { code: json.error.code, message: json.error.message } };
    return { ok: false, error: { code: codeOfStatus(status), message: `${command}: HTTP ${status}` } };
  };

  connect();

  return {
    kind: 'http',
    call,
    stream(message) {
      if (views.track(message)) send(message);
    },
    onStream: hub.onStream,
    onStreamState: hub.onStreamState,
    close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      ws?.close(1000, 'closed by the app');
      setState('closed');
      views.clear();
      hub.clear();
    },
  };
}
