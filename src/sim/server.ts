/**
 * The simulator's composition: one `http.Server` on loopback carrying Dhan's live feed
 * (WebSocket at `/`), Dhan's data REST API (`/v2/...`) and the simulator's control API
 * (`/sim/...`: subscriptions, stats, faults, rate, market moves).
 *
 * Upgrade policy: wrong path -> 404; a refuse-upgrade fault -> its HTTP code; `version` other
 * than 2 -> 400; bad credentials -> a code-50 packet (807 for the configured expired token, 809
 * for a missing token, else 808) then close, or HTTP 401 when `authFailure: 'http'`. A connection
 * past `maxConnections` for one client id disconnects that client's oldest socket with 805.
 *
 * Emit loop: every `tickIntervalMs` the market says which subscribed instruments ticked; each
 * tick is encoded once into a scratch record and written by every socket that subscribed it, in
 * its modes (see feed-session.ts for buffers, backpressure and faults). A market move runs an
 * emit round first (trades due before the jump keep their place), then writes the jump's ticks
 * and flushes them at once rather than waiting for the next round.
 *
 * Market hours: `session: 'clock'` trades each instrument only while its exchange is open by the
 * calendar (REST quotes still answer, with the last prices); 'always' (the default, so the product
 * and its tests run at any hour) trades around the clock. Either way `status()` (`GET /sim/status`,
 * and a `simulator` field on `/v2/profile` that Dhan's own profile never has) says plainly when
 * the market shown is a simulated session outside market hours.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PacketFields } from '../core/feed/feed-encoder';
import { istDate } from '../shared/market-calendar';
import { MAX_INSTRUMENTS_PER_MESSAGE, MAX_INSTRUMENTS_PER_SOCKET } from '../shared/product';
import { applyFault, FaultBoard, handleControl, type Fault } from './faults';
import { FeedSession, newFeedStats, refuseSocket, type SessionHost, type FeedStats, type Subscription, type SubscriptionView } from './feed-session';
import { venueStatus, type SessionMode, type VenueStatus } from './market-hours';
import { MarketModel } from './market-model';
import type { MarketModelOptions, MoveResult } from './market-types';
import { RestApi, sendJson, type RestStats } from './rest-api';
import { createRandom, type Random } from './seeded-random';
import { buildSimUniverse, fillPacketFields, loadMaster, newPacketFields, type SimMarket, type SimMarketFactory, type SimUniverse } from './sim-instruments';

export type { SimMarket, SimMarketFactory };

export interface SimulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `1000000001`. */
  clientId?: string;
  /** Default `sim-access-token`. */
  token?: string;
  /** A token that authenticates as expired (807). Default `expired-token`. */
  expiredToken?: string;
  /** The scrip master as bytes or a file path; default: generated for `asOf`. */
  master?: Buffer | string;
  /** "Today" (`YYYY-MM-DD`, IST); default: the clock's IST date. */
  asOf?: string;
  seed?: number;
  /** Aggregate feed packets per second across the market (the model's default when absent). */
  rate?: number;
  /** Market time, rate limits and fault expiry; default Date. */
  clock?: { now(): number };
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  maxInstrumentsPerSocket?: number;
  maxInstrumentsPerMessage?: number;
  maxConnections?: number;
  /** Emit-loop period. */
  tickIntervalMs?: number;
  /** How bad feed credentials are answered. Default 'packet'. */
  authFailure?: 'packet' | 'http';
  /** The market behind the feed and REST (tests may inject one); default the market model. */
  market?: SimMarketFactory;
  /**
   * 'always' (default): a simulated session at any hour, as before market hours existed.
   * 'clock': instruments trade only in their exchange's market hours (IST calendar).
   */
  session?: SessionMode;
  /**
   * Benchmarks only: write each trade's send time (process.hrtime in microseconds, modulo 2^32)
   * into the volume field of quote and full packets, so a client can measure delivery latency.
   */
  latencyStamp?: boolean;
}

/** What kind of session the simulator is running (also `GET /sim/status`). */
export interface SimStatus {
  session: SessionMode;
  /** The simulator's clock (epoch ms). */
  now: number;
  /** Each venue by the exchange calendar at `now`, and whether the simulator trades it anyway. */
  venues: (VenueStatus & { simulated: boolean })[];
  /** True when something trades that the calendar says is closed: a simulated session outside market hours. */
  simulatedOutsideHours: boolean;
  /** One plain sentence for a status bar. */
  note: string;
}

/** The status at `now` for a session mode. */
export function simStatus(session: SessionMode, now: number): SimStatus {
  const venues = venueStatus(now).map((v) => ({ ...v, simulated: session === 'always' && !v.open }));
  const simulatedOutsideHours = venues.some((v) => v.simulated);
  const nse = venues[0]!;
  const closed = venues.filter((v) => !v.open).map((v) => v.venue);
  const note = simulatedOutsideHours
    ? `simulated session outside market hours (${closed.join(', ')} closed by the calendar)`
    : session === 'always'
      ? 'simulated session in market hours'
      : nse.open
        ? 'simulated market, trading in market hours'
        : `simulated market closed by the calendar${closed.length < venues.length ? ` (open: ${venues.filter((v) => v.open).map((v) => v.venue).join(', ')})` : ''}`;
  return { session, now, venues, simulatedOutsideHours, note };
}

/** The inspectable subscription state (also `GET /sim/subscriptions`). */
export interface SimView {
  sockets: { id: number; clientId: string; instruments: SubscriptionView[] }[];
}

export interface SimStats {
  connections: number;
  subscribedInstruments: number;
  instruments: number;
  ticks: number;
  authFailures: number;
  refusedUpgrades: number;
  feed: FeedStats;
  rest: RestStats;
}

export interface RunningSimulator {
  /** WebSocket base URL; clients add `?version=2&token=&clientId=&authType=2`. */
  feedUrl: string;
  /** REST base, ending in `/v2`. */
  apiUrl: string;
  /** Control API base, ending in `/sim`. */
  controlUrl: string;
  port: number;
  clientId: string;
  token: string;
  /** Close every socket, clear every timer, close the server. */
  stop(): Promise<void>;
  view(): SimView;
  /** Inject (or clear) a fault; throws AppError BAD_REQUEST for an unknown socket. */
  fault(f: Fault): void;
  stats(): SimStats;
  /** Set (or with null, clear) the aggregate packet rate, as `--rate` does. */
  setRate(packetsPerSecond: number | null): void;
  /**
   * Jump an underlying by `pct` percent now (also `POST /sim/move`): spot, futures and options
   * move, subscribers get the ticks at once. Undefined for an unknown symbol; throws RangeError
   * unless -100 < pct <= 1000.
   */
  move(symbol: string, pct: number): MoveResult | undefined;
  /** The session mode and whether the market shown trades outside market hours (also `GET /sim/status`). */
  status(): SimStatus;
}

/** Dhan's data-API wording of the auth failures (annexure). */
const AUTH_MESSAGES: Readonly<Record<number, string>> = {
  807: 'Access token is expired',
  808: 'Authentication Failed - Client ID or Token invalid',
  809: 'Access token is invalid',
};

/** Start a simulator; resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clock = options.clock ?? Date;
  const now = (): number => clock.now();
  const clientId = options.clientId ?? '1000000001';
  const token = options.token ?? 'sim-access-token';
  const expiredToken = options.expiredToken ?? 'expired-token';
  const asOf = options.asOf ?? istDate(now());
  const seed = options.seed ?? 1;
  const pingIntervalMs = options.pingIntervalMs ?? 10_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 40_000;
  const maxConnections = options.maxConnections ?? 5;

  const universe = buildSimUniverse(await loadMaster(options.master, asOf, seed), asOf);
  const session = options.session ?? 'always';
  const market = (options.market ?? ((o: MarketModelOptions) => new MarketModel(o)))({ instruments: universe.instruments, seed, startMs: now(), session });
  const board = new FaultBoard(now);
  const hub = new FeedHub(universe, market, board, now, createRandom(seed, 'faults'), options.maxInstrumentsPerMessage ?? MAX_INSTRUMENTS_PER_MESSAGE, options.maxInstrumentsPerSocket ?? MAX_INSTRUMENTS_PER_SOCKET);
  hub.latencyStamp = options.latencyStamp ?? false;
  hub.setAggregateRate(options.rate ?? null);
  const status = (): SimStatus => simStatus(session, now());
  const rest = new RestApi({
    universe, market, clientId, token, expiredToken, now, session, seed,
    simulator: () => {
      const s = status();
      return { session: s.session, simulatedOutsideHours: s.simulatedOutsideHours, note: s.note };
    },
  });
  const counters = { authFailures: 0, refusedUpgrades: 0 };
  let nextId = 1;

  const wss = new WebSocketServer({ noServer: true, autoPong: false, clientTracking: true, perMessageDeflate: false });
  const rawSockets = new Set<Duplex>();

  const view = (): SimView => ({
    sockets: hub.sessions.map((s) => ({ id: s.id, clientId: s.clientId, instruments: s.subscriptions() })),
  });
  const stats = (): SimStats => ({
    connections: hub.sessions.length,
    subscribedInstruments: hub.instrumentCount,
    instruments: universe.size,
    ticks: hub.ticks,
    ...counters,
    feed: { ...hub.stats },
    rest: { ...rest.stats },
  });
  const fault = (f: Fault): void => {
    applyFault(f, board, hub.sessions);
    hub.refreshFaults();
  };
  const setRate = (pps: number | null): void => hub.setAggregateRate(pps);
  const move = (symbol: string, pct: number): MoveResult | undefined => hub.move(symbol, pct);
  const sim = { view, stats, fault, setRate, move, status };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const done = path.startsWith('/v2/') ? rest.handle(req, res, path) : path.startsWith('/sim/') ? handleControl(sim, req, res, path) : null;
    if (done === null) return sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `no route ${path}` } });
    done.catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'INTERNAL', message: String(err) } });
      else res.destroy();
    });
  });

  const refuse = (socket: Duplex, status: number, body: object): void => {
    const text = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://sim');
    const refusal = board.refusalCode();
    if (url.pathname !== '/') return refuse(socket, 404, { error: 'no such feed endpoint' });
    if (refusal !== null) {
      counters.refusedUpgrades++;
      return refuse(socket, refusal, { data: { '805': 'Too many requests or connections' }, status: 'failed' });
    }
    if (url.searchParams.get('version') !== '2') return refuse(socket, 400, { error: 'version=2 is required' });
    const q = url.searchParams;
    const who = q.get('clientId') ?? '';
    const given = q.get('token') ?? '';
    const reason = who === clientId && given === token ? 0 : !given ? 809 : given === expiredToken && who === clientId ? 807 : 808;
    if (reason !== 0) counters.authFailures++;
    if (reason !== 0 && options.authFailure === 'http') {
      return refuse(socket, 401, { data: { [String(reason)]: AUTH_MESSAGES[reason] }, status: 'failed' });
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      rawSockets.delete(socket);
      if (reason !== 0) return refuseSocket(ws, reason);
      hub.open(nextId++, who, ws);
      const mine = hub.sessions.filter((s) => s.clientId === who);
      if (mine.length > maxConnections) mine[0]!.disconnect(805);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator: no TCP address');
  const port = address.port;
  const host = options.host ?? '127.0.0.1';

  const tickTimer = setInterval(() => hub.tick(), options.tickIntervalMs ?? 10);
  const pingTimer = setInterval(() => hub.keepAlive(pingIntervalMs, pongTimeoutMs), pingIntervalMs);

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(tickTimer);
      clearInterval(pingTimer);
      hub.stop();
      for (const ws of wss.clients) ws.terminate();
      for (const s of rawSockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    })();
    return stopping;
  };

  return {
    feedUrl: `ws://${host}:${port}`,
    apiUrl: `http://${host}:${port}/v2`,
    controlUrl: `http://${host}:${port}/sim`,
    port,
    clientId,
    token,
    stop,
    view,
    fault,
    stats,
    setRate,
    move,
    status,
  };
}


/**
 * Trades applied per emit tick. Past it the rest stay due for the next tick, so an overloaded
 * simulator stays responsive (pings, REST, control) and sheds load through the model's catch-up
 * limit instead of blocking the event loop for a whole backlog.
 */
const MAX_TRADES_PER_TICK = 4000;

interface Entry {
  subs: Subscription[];
  lastOi: number;
}

/**
 * Every socket of the feed and the per-instrument index of who subscribed what; runs the emit
 * loop. The market is subscribed to an instrument while at least one socket holds it.
 */
class FeedHub implements SessionHost {
  readonly sessions: FeedSession[] = [];
  readonly stats = newFeedStats();
  ticks = 0;
  private count = 0;
  private aggregate: number | null = null;
  /** By universe index. */
  private readonly entries: (Entry | undefined)[];
  /** The one record every packet of a trade is written from. */
  private readonly fields = newPacketFields();
  /** See SimulatorOptions.latencyStamp. */
  latencyStamp = false;
  /** The market calls this right after each trade (bound once: no allocation per tick). */
  private readonly onTrade = (index: number): void => {
    const e = this.entries[index];
    if (!e) return;
    const q = this.market.quoteAt(index);
    const oiChanged = q.oi !== e.lastOi;
    e.lastOi = q.oi;
    const f = fillPacketFields(q, this.fields);
    // CLOCK_MONOTONIC is one clock for every process on the machine, unlike performance.timeOrigin.
    if (this.latencyStamp) f.volume = Number((process.hrtime.bigint() / 1000n) % 4294967296n);
    const subs = e.subs;
    for (let k = 0; k < subs.length; k++) subs[k]!.session.emit(subs[k]!, f, oiChanged);
  };

  constructor(
    readonly universe: SimUniverse,
    private readonly market: SimMarket,
    private readonly board: FaultBoard,
    private readonly now: () => number,
    readonly random: Random,
    readonly maxPerMessage: number,
    readonly maxPerSocket: number,
  ) {
    this.entries = new Array<Entry | undefined>(universe.size);
  }

  /** Distinct instruments subscribed by at least one socket. */
  get instrumentCount(): number {
    return this.count;
  }

  open(id: number, clientId: string, ws: WebSocket): FeedSession {
    const session = new FeedSession(id, clientId, ws, this);
    this.board.resolve(id, session.faults);
    this.sessions.push(session);
    this.stats.connectionsOpened++;
    return session;
  }

  closed(session: FeedSession): void {
    const i = this.sessions.indexOf(session);
    if (i >= 0) this.sessions.splice(i, 1);
    this.board.forget(session.id);
  }

  attach(subs: readonly Subscription[]): void {
    const fresh: string[] = [];
    for (const sub of subs) {
      let e = this.entries[sub.index];
      if (!e) {
        e = { subs: [], lastOi: 0 };
        this.entries[sub.index] = e;
        this.count++;
        fresh.push(sub.token);
      }
      sub.slot = e.subs.length;
      e.subs.push(sub);
    }
    if (fresh.length === 0) return;
    this.stats.unknownInstruments += this.market.subscribe(fresh).length;
    this.rescale();
    for (const sub of subs) this.entries[sub.index]!.lastOi = this.market.quoteAt(sub.index).oi;
  }

  detach(subs: readonly Subscription[]): void {
    const gone: string[] = [];
    for (const sub of subs) {
      const e = this.entries[sub.index];
      if (!e || e.subs[sub.slot] !== sub) continue;
      const last = e.subs.pop()!;
      if (last !== sub) {
        e.subs[sub.slot] = last;
        last.slot = sub.slot;
      }
      sub.slot = -1;
      if (e.subs.length === 0) {
        this.entries[sub.index] = undefined;
        this.count--;
        gone.push(sub.token);
      }
    }
    if (gone.length > 0) {
      this.market.unsubscribe(gone);
      this.rescale();
    }
  }

  /** Hold the market's total tick rate at `pps` (null: natural rates) whatever is subscribed. */
  setAggregateRate(pps: number | null): void {
    this.aggregate = pps;
    this.market.setAggregateRate(pps);
  }

  /**
   * Re-apply the aggregate rate after the subscribed set changed: the model recomputes its rate
   * sum there, and an instrument's first subscription does not always reach that sum (as of this
   * writing the model seeds a new instrument's rate before adding it), so the target would drift.
   */
  private rescale(): void {
    if (this.aggregate !== null) this.market.setAggregateRate(this.aggregate);
  }

  quote(index: number): PacketFields {
    return fillPacketFields(this.market.quoteAt(index), this.fields);
  }

  /** One emit-loop round: apply the trades due by now, then let each socket flush. */
  tick(): void {
    this.ticks++;
    this.refreshFaults();
    this.stats.trades += this.market.due(this.now(), this.onTrade, MAX_TRADES_PER_TICK);
    for (let i = 0; i < this.sessions.length; i++) this.sessions[i]!.endTick();
  }

  /** A market move: the trades due by now first, then the jump, its ticks flushed at once. */
  move(symbol: string, pct: number): MoveResult | undefined {
    this.tick();
    const result = this.market.move(symbol, pct, (index) => {
      this.stats.trades++;
      this.onTrade(index);
    });
    for (let i = 0; i < this.sessions.length; i++) this.sessions[i]!.endTick();
    return result;
  }

  keepAlive(intervalMs: number, timeoutMs: number): void {
    for (const s of [...this.sessions]) s.keepAlive(intervalMs, timeoutMs);
  }

  refreshFaults(): void {
    for (const s of this.sessions) this.board.resolve(s.id, s.faults);
  }

  stop(): void {
    for (const s of [...this.sessions]) s.drop();
  }
}
