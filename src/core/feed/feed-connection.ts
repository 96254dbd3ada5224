/**
 * One reconnecting connection to Dhan's live feed (or the simulator: only the URL differs).
 *
 * Policy, all in one options object with defaults:
 * - Credentials are asked for on every connect, because Dhan's token rolls over daily.
 * - The desired set of instruments is the truth; on every open it is subscribed again in full
 *   (at most 100 per message), later additions and removals are sent as they happen, removals as
 *   real unsubscribe messages. Subscriptions never come from a snapshot taken at connect time.
 * - An instrument is live only once its socket is open and its subscribe has been sent.
 * - Reconnect with capped exponential backoff and full jitter; the attempt counter resets only
 *   after the connection stayed up `minUptimeMs`.
 * - Liveness, one rule: the client sends a WebSocket ping every `pingIntervalMs` (2.5 s) on its own
 *   schedule, whatever the traffic; a ping that `staleAfterMs` (8 s) later is still unanswered --
 *   nothing at all (no pong, no ping from Dhan, no frame) arrived since it went out -- makes the
 *   socket stale: it is terminated and reconnected with the usual backoff. Life is anything heard,
 *   never ticks: a quiet market sends no ticks, but the server answers pings (and Dhan pings every
 *   10 s), so a quiet socket is never stale. A dead TCP path drops everything, pongs included, and
 *   is replaced `staleAfterMs` to `staleAfterMs + pingIntervalMs` after it went silent (8-10.5 s
 *   with the defaults, about 10 s; the old 30 s silence rule checked every 10 s took up to 40 s).
 *   A pong on loopback or to Dhan comes in milliseconds, so 8 s unanswered is no quiet market.
 * - Disconnect code 805 (too many connections) backs off hard: at least `hardBackoffMs`, plus up
 *   to half again as jitter, so a kicked socket never storms and sockets refused together do not
 *   return together. HTTP 429 on the upgrade is treated like 805.
 * - 806-810 and an HTTP 401/403 on the upgrade stop reconnecting with a reason the trader can act
 *   on (read from the refusal's body when it names a Dhan code), until `resume()` (new token).
 * - 804 (too many instruments) keeps the socket: the server keeps what fitted, and reconnecting
 *   would only send the same set again. The reason is published in `lastError`.
 * - The socket is `ws` (kept by many, used against TLS servers like Dhan's wss://), its reads
 *   paced by `readPacingMs` (2 ms) through read-pacing.ts: at one packet per frame, frames gathered
 *   into one read roughly halved the client's CPU per packet (bench/feed.bench.ts).
 */
import WebSocket from 'ws';
import { parseToken, type InstrumentRef, type InstrumentToken } from '../../shared/instruments';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { FeedDecoder, type FeedPacket } from './feed-codec';
import { DISCONNECT_REASON, FATAL_DISCONNECTS, RESPONSE_CODE, type FeedMode } from './feed-protocol';
import { encodeDisconnectRequest, encodeSubscriptionMessages } from './feed-requests';
import { ReadPacer } from './read-pacing';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

export interface FeedCredentials {
  clientId: string;
  token: string;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  random: () => Math.random(),
};

export interface FeedConnectionOptions {
  id: number;
  /** Feed URL without query, e.g. `wss://api-feed.dhan.co` or the simulator's `ws://127.0.0.1:port/`. */
  url: string;
  credentials: () => FeedCredentials | null;
  /** Packet mode per instrument: default ticker for indices, full otherwise. */
  modeFor?: (ref: InstrumentRef) => FeedMode;
  backoff?: BackoffPolicy;
  /** Least delay after an 805 or an HTTP 429 (up to half again is added as jitter). */
  hardBackoffMs?: number;
  minUptimeMs?: number;
  connectTimeoutMs?: number;
  /** How long a ping may go unanswered (nothing heard since it was sent) before the socket is stale. */
  staleAfterMs?: number;
  /** The client's own ping schedule while open. */
  pingIntervalMs?: number;
  /** After a socket read, leave the socket unread this long so frames gather (0: off; see read-pacing.ts). */
  readPacingMs?: number;
  timers?: Timers;
  onPacket?: (packet: FeedPacket, connection: FeedConnection) => void;
  onState?: (state: ConnectionState, connection: FeedConnection) => void;
}

export interface ConnectionHealth {
  id: number;
  state: ConnectionState;
  instruments: number;
  frames: number;
  packets: number;
  /** ms since the last frame, ping or pong; null before the first. */
  lastFrameAgeMs: number | null;
  /** WebSocket pings this connection sent, and pongs it got back (all sockets so far). */
  pingsSent: number;
  pongs: number;
  reconnects: number;
  connectAttempts: number;
  lastError: string | null;
  decodeErrors: number;
}

const defaultMode = (ref: InstrumentRef): FeedMode => (ref.segment === 'IDX_I' ? 'ticker' : 'full');

/**
 * The largest message accepted. Dhan's packets are at most a few hundred bytes and a frame carries a
 * few; ws's default (100 MiB) would let a broken server make the client buffer that much.
 */
const MAX_MESSAGE_BYTES = 1024 * 1024;

const TOO_MANY_INSTRUMENTS = 804;
const TOO_MANY_CONNECTIONS = 805;

/** The Dhan error code a refused upgrade's JSON body names (`{"data":{"807":"..."}}`), or null. */
function dhanCodeIn(body: string): number | null {
  try {
    const parsed: unknown = JSON.parse(body);
    const data = typeof parsed === 'object' && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
    if (typeof data !== 'object' || data === null) return null;
    const code = Object.keys(data).map(Number).find((n) => Number.isInteger(n) && n >= 800 && n < 900);
    return code ?? null;
  } catch {
    return null;
  }
}

export class FeedConnection {
  readonly id: number;
  private readonly o: Required<Omit<FeedConnectionOptions, 'onPacket' | 'onState'>> & Pick<FeedConnectionOptions, 'onPacket' | 'onState'>;
  private readonly t: Timers;
  private ws: WebSocket | null = null;
  /** The current socket's read pacing. */
  private pacer: ReadPacer | null = null;
  private _state: ConnectionState = 'idle';
  private readonly desired = new Map<InstrumentToken, InstrumentRef>();
  /** Instruments whose subscribe went out on the current socket. */
  private readonly sent = new Set<InstrumentToken>();
  private readonly decoder = new FeedDecoder();
  private attempt = 0;
  private openedAt = 0;
  /** When anything (frame, ping, pong) was last heard. */
  private lastFrameAt: number | null = null;
  /** When the oldest ping not yet answered went out (null: none outstanding). */
  private unansweredPingAt: number | null = null;
  private nextPingAt = 0;
  /** A stale verdict waits one turn of the event loop to be confirmed (see onWatchdog). */
  private verdictPending = false;
  private pingsSent = 0;
  private pongs = 0;
  private reconnects = 0;
  private connectAttempts = 0;
  private lastError: string | null = null;
  private retryTimer: unknown = null;
  private watchdog: unknown = null;
  private connectTimer: unknown = null;
  private nextDelayFloorMs = 0;

  constructor(options: FeedConnectionOptions) {
    this.id = options.id;
    this.t = options.timers ?? realTimers;
    this.o = {
      modeFor: defaultMode,
      backoff: DEFAULT_BACKOFF,
      hardBackoffMs: 60_000,
      minUptimeMs: 10_000,
      connectTimeoutMs: 10_000,
      staleAfterMs: 8_000,
      pingIntervalMs: 2_500,
      readPacingMs: 2,
      timers: this.t,
      ...options,
    };
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** True once `token`'s socket is open and its subscribe was sent. */
  isLive(token: InstrumentToken): boolean {
    return this._state === 'open' && this.sent.has(token);
  }

  desiredTokens(): InstrumentToken[] {
    return [...this.desired.keys()];
  }

  health(): ConnectionHealth {
    return {
      id: this.id,
      state: this._state,
      instruments: this.desired.size,
      frames: this.decoder.stats.frames,
      packets: this.decoder.stats.packets,
      lastFrameAgeMs: this.lastFrameAt === null ? null : this.t.now() - this.lastFrameAt,
      pingsSent: this.pingsSent,
      pongs: this.pongs,
      reconnects: this.reconnects,
      connectAttempts: this.connectAttempts,
      lastError: this.lastError,
      decodeErrors: this.decoder.stats.truncated + this.decoder.stats.malformed + this.decoder.stats.oversized + this.decoder.stats.unknown + this.decoder.stats.badSegment,
    };
  }

  /** Start connecting (no-op unless idle, closed or failed). */
  start(): void {
    if (this._state === 'connecting' || this._state === 'open' || this._state === 'reconnecting') return;
    this.attempt = 0;
    this.connect();
  }

  /** After a fatal stop (bad token, plan): try again, e.g. with a new token. */
  resume(): void {
    if (this._state === 'failed' || this._state === 'closed' || this._state === 'idle') {
      this.lastError = null;
      this.start();
    }
  }

  /** Close for good: disposes every timer and the socket. */
  stop(): void {
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    this.pacer?.stop();
    this.pacer = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      if (ws.readyState === WebSocket.OPEN) {
        try {
          ws.send(encodeDisconnectRequest());
        } catch {
          // closing anyway
        }
      }
      ws.terminate();
    }
    this.sent.clear();
    this.openedAt = 0;
    this.setState('closed');
  }

  /** Add instruments to this socket's desired set; subscribed now if open, else on open. */
  add(refs: readonly InstrumentRef[]): void {
    const fresh: InstrumentRef[] = [];
    for (const r of refs) {
      const token = `${r.segment}:${r.securityId}`;
      if (this.desired.has(token)) continue;
      this.desired.set(token, r);
      fresh.push(r);
    }
    if (fresh.length && this._state === 'open') this.sendSubscriptions(fresh, 'subscribe');
  }

  /** Remove instruments; a real unsubscribe goes out for those already subscribed. */
  remove(tokens: readonly InstrumentToken[]): void {
    const leaving: InstrumentRef[] = [];
    for (const token of tokens) {
      const ref = this.desired.get(token) ?? parseToken(token);
      if (!this.desired.delete(token) || !ref) continue;
      if (this.sent.delete(token)) leaving.push(ref);
    }
    if (leaving.length && this._state === 'open') this.sendSubscriptions(leaving, 'unsubscribe');
  }

  private sendSubscriptions(refs: readonly InstrumentRef[], action: 'subscribe' | 'unsubscribe'): void {
    const byMode = new Map<FeedMode, InstrumentRef[]>();
    for (const r of refs) {
      const mode = this.o.modeFor(r);
      const list = byMode.get(mode) ?? [];
      list.push(r);
      byMode.set(mode, list);
    }
    let allSent = true;
    for (const [mode, list] of byMode) {
      for (const msg of encodeSubscriptionMessages(mode, list, action)) allSent = this.send(msg) && allSent;
    }
    // Live means the subscribe went out on an open socket; one that could not is replayed on open.
    if (action === 'subscribe' && allSent) for (const r of refs) this.sent.add(`${r.segment}:${r.securityId}`);
  }

  /**
   * Send when the socket is open (true). Nothing is queued otherwise (false): the desired set is
   * the truth and is replayed in full on every open, so a held message could only be stale.
   */
  private send(msg: string): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(msg);
    return true;
  }

  private connect(): void {
    this.clearTimers();
    const creds = this.o.credentials();
    if (!creds) {
      this.fail('no Dhan credentials: set the client id and access token');
      return;
    }
    this.connectAttempts++;
    this.setState(this.reconnects > 0 || this.attempt > 0 ? 'reconnecting' : 'connecting');
    const url = `${this.o.url.replace(/\/?$/, '/')}?version=2&token=${encodeURIComponent(creds.token)}&clientId=${encodeURIComponent(creds.clientId)}&authType=2`;
    let ws: WebSocket;
    let pacer: ReadPacer;
    try {
      pacer = new ReadPacer(url, this.o.readPacingMs);
      ws = new WebSocket(url, {
        handshakeTimeout: this.o.connectTimeoutMs,
        createConnection: pacer.createConnection,
        perMessageDeflate: false,
        // Binary frames are all the feed sends; text (never expected) is not looked at.
        skipUTF8Validation: true,
        maxPayload: MAX_MESSAGE_BYTES,
      });
    } catch (err) {
      this.fail(`cannot open the feed at ${this.o.url}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.ws = ws;
    this.pacer = pacer;
    /** This socket's own error, so a close is never explained by an older socket's failure. */
    let socketError: string | null = null;
    ws.binaryType = 'nodebuffer';
    this.connectTimer = this.t.setTimeout(() => {
      if (ws.readyState !== WebSocket.OPEN) this.dropAndRetry(ws, 'connect timed out');
    }, this.o.connectTimeoutMs);
    ws.on('open', () => {
      pacer.start();
      this.onOpen(ws);
    });
    ws.on('message', (data, isBinary) => {
      this.lastFrameAt = this.t.now();
      if (isBinary) this.onFrame(ws, data as Buffer);
    });
    ws.on('ping', () => (this.lastFrameAt = this.t.now()));
    ws.on('pong', () => {
      this.lastFrameAt = this.t.now();
      this.pongs++;
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      // Read a little of the body: Dhan names the reason there (e.g. {"data":{"807":...}}).
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on('error', () => undefined);
      let decided = false;
      const decide = (): void => {
        if (decided || this.ws !== ws) return;
        decided = true;
        this.onRefusedUpgrade(ws, status, body);
      };
      res.on('end', decide);
      res.on('close', decide);
    });
    ws.on('error', (err) => {
      socketError = err.message;
    });
    ws.on('close', (code) => {
      this.dropAndRetry(ws, socketError ?? `connection closed by the server (code ${code})`);
    });
  }

  private onRefusedUpgrade(ws: WebSocket, status: number, body: string): void {
    const named = dhanCodeIn(body);
    if (status === 401 || status === 403) {
      const why = named !== null && FATAL_DISCONNECTS.has(named) ? `${DISCONNECT_REASON[named]} (code ${named})` : 'check the client id and access token';
      this.fail(`Dhan refused the connection (HTTP ${status}): ${why}`, ws);
    } else if (status === 429) {
      this.dropAndRetry(ws, 'Dhan answered HTTP 429: data plan inactive or too many connections; waiting before the next try', true);
    } else {
      this.dropAndRetry(ws, `feed upgrade refused with HTTP ${status}`);
    }
  }

  private onOpen(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.t.clearTimeout(this.connectTimer);
    this.openedAt = this.t.now();
    this.lastFrameAt = this.openedAt;
    this.unansweredPingAt = null;
    this.verdictPending = false;
    this.nextPingAt = this.openedAt + this.o.pingIntervalMs;
    this.sent.clear();
    // Subscribe first, then announce: whoever hears 'open' sees every desired instrument live,
    // and what it adds in that callback goes out once, not twice.
    const all = [...this.desired.values()];
    if (all.length) this.sendSubscriptions(all, 'subscribe');
    this.scheduleWatchdog();
    this.setState('open');
  }

  /** The socket whose frame is being decoded (lets one bound handler serve every frame). */
  private framing: WebSocket | null = null;

  private onFrame(ws: WebSocket, frame: Buffer): void {
    this.framing = ws;
    this.decoder.decode(frame, this.handlePacket);
    this.framing = null;
  }

  /** Bound once: no closure per frame on the hot path. */
  private readonly handlePacket = (p: FeedPacket): void => {
    const ws = this.framing;
    if (ws === null || this.ws !== ws) return; // a disconnect packet earlier in this frame ended the socket
    if (p.code === RESPONSE_CODE.DISCONNECT) {
      this.onDisconnectPacket(ws, p.disconnectReason);
      return;
    }
    this.o.onPacket?.(p, this);
  };

  private onDisconnectPacket(ws: WebSocket, reason: number): void {
    const text = `${DISCONNECT_REASON[reason] ?? 'disconnected by the server'} (code ${reason})`;
    if (FATAL_DISCONNECTS.has(reason)) this.fail(`${text}: the feed is stopped until this is fixed`, ws);
    else if (reason === TOO_MANY_INSTRUMENTS) this.lastError = text;
    else this.dropAndRetry(ws, text, reason === TOO_MANY_CONNECTIONS);
  }

  /**
   * Liveness (the rule is in the header): one timer per open socket, due at the next ping or at
   * the deadline of the oldest unanswered ping, whichever comes first. Nothing is done per frame:
   * a frame only stamps `lastFrameAt`, and a ping counts as answered when something was heard at
   * or after the moment it went out. A stale verdict is confirmed one timer turn later: timers run
   * before socket reads in Node's event loop, so after a stall (GC, a busy engine) a pong already
   * waiting in the socket's buffer is read first and no false alarm is raised.
   */
  private scheduleWatchdog(): void {
    const now = this.t.now();
    const deadline = this.unansweredPingAt === null ? Infinity : this.unansweredPingAt + this.o.staleAfterMs;
    this.watchdog = this.t.setTimeout(this.onWatchdog, Math.max(0, Math.min(this.nextPingAt, deadline) - now));
  }

  /** Bound once: the watchdog's tick. */
  private readonly onWatchdog = (): void => {
    this.watchdog = null;
    const ws = this.ws;
    if (!ws || this._state !== 'open') return;
    const now = this.t.now();
    const heard = this.lastFrameAt ?? this.openedAt;
    if (this.unansweredPingAt !== null && heard >= this.unansweredPingAt) this.unansweredPingAt = null;
    if (this.unansweredPingAt !== null && now - this.unansweredPingAt >= this.o.staleAfterMs) {
      if (!this.verdictPending) {
        this.verdictPending = true;
        this.pacer?.readNow(); // a pong waiting out a read pause is read before the verdict, too
        this.watchdog = this.t.setTimeout(this.onWatchdog, 0);
        return;
      }
      const silent = now - heard;
      const fmt = (ms: number): string => (ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);
      this.dropAndRetry(ws, `no data, ping or pong for ${fmt(silent)} (a ping unanswered for ${fmt(now - this.unansweredPingAt)}): reconnecting`);
      return;
    }
    this.verdictPending = false;
    if (now >= this.nextPingAt) {
      try {
        ws.ping();
        this.pingsSent++;
        this.unansweredPingAt ??= now;
      } catch {
        // a failing ping shows up as a close
      }
      this.nextPingAt = now + this.o.pingIntervalMs;
    }
    this.scheduleWatchdog();
  };

  private dropAndRetry(ws: WebSocket, reason: string, hard = false): void {
    if (this.ws !== ws) return;
    this.lastError = reason;
    const uptime = this.openedAt ? this.t.now() - this.openedAt : 0;
    if (this.openedAt && uptime >= this.o.minUptimeMs) this.attempt = 0;
    this.detach(ws);
    if (this._state === 'failed' || this._state === 'closed') return;
    const r = this.t.random();
    const soft = backoffDelay(this.o.backoff, this.attempt, r);
    const delay = hard ? Math.max(soft, this.o.hardBackoffMs + Math.floor((r * this.o.hardBackoffMs) / 2)) : soft;
    this.attempt++;
    this.reconnects++;
    this.nextDelayFloorMs = delay;
    this.setState('reconnecting');
    this.retryTimer = this.t.setTimeout(() => this.connect(), delay);
  }

  private fail(reason: string, ws?: WebSocket): void {
    this.lastError = reason;
    if (ws) this.detach(ws);
    this.clearTimers();
    this.setState('failed');
  }

  private detach(ws: WebSocket): void {
    ws.removeAllListeners();
    ws.on('error', () => undefined);
    ws.terminate();
    if (this.ws === ws) {
      this.ws = null;
      this.pacer?.stop();
      this.pacer = null;
    }
    this.openedAt = 0;
    this.sent.clear();
    this.t.clearTimeout(this.watchdog);
    this.t.clearTimeout(this.connectTimer);
  }

  private clearTimers(): void {
    this.t.clearTimeout(this.retryTimer);
    this.t.clearTimeout(this.watchdog);
    this.t.clearTimeout(this.connectTimer);
    this.retryTimer = this.watchdog = this.connectTimer = null;
  }

  private setState(state: ConnectionState): void {
    if (state === this._state) return;
    this._state = state;
    this.o.onState?.(state, this);
  }

  /** The delay chosen for the pending reconnect (for health and tests). */
  get pendingRetryMs(): number {
    return this.nextDelayFloorMs;
  }
}
