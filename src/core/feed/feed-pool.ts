/**
 * The pool of feed connections (5 by default), driven by the placement model: the subscription
 * manager decides what is subscribed and on which socket; the pool makes each socket's desired set
 * match and keeps the sockets alive.
 *
 * Rebalance policy: a socket that has been down longer than `graceMs` is failed over -- its
 * instruments move to the least-loaded live sockets with room -- because a reconnect that takes
 * long leaves a trader blind on those strikes. When it is back, the load is evened out with the
 * fewest moves. A short blip is not rebalanced: the socket resubscribes its own set on reconnect.
 */
import { parseToken, type InstrumentRef, type InstrumentToken } from '../../shared/instruments';
import type { FeedPacket } from './feed-codec';
import type { FeedMode } from './feed-protocol';
import { FeedConnection, type ConnectionHealth, type ConnectionState, type FeedConnectionOptions, type FeedCredentials, type Timers } from './feed-connection';
import type { Move, SocketAssignments } from './placement-types';

/** An upstream change as the subscription manager reports it. */
export interface PlacementChange {
  subscribed: { token: InstrumentToken; socket: number }[];
  unsubscribed: { token: InstrumentToken; socket: number }[];
}

export interface FeedPoolOptions {
  placement: SocketAssignments;
  url: string;
  credentials: () => FeedCredentials | null;
  /** Moves instruments in the placement model and persists them (the subscription manager's rebalance). */
  rebalance: (kind: 'failover' | 'even-out', socketId?: number) => { moves: Move[] };
  /**
   * Packet mode per instrument, for every socket (e.g. ticker for instruments only listed, full
   * for those in an option chain). Default: FeedConnection's (ticker for indices, full otherwise).
   */
  modeFor?: (ref: InstrumentRef) => FeedMode;
  /** How long a socket may be down before its instruments move elsewhere. */
  graceMs?: number;
  onPacket?: (packet: FeedPacket) => void;
  onState?: (socketId: number, state: ConnectionState) => void;
  /**
   * A failover or even-out that threw (a stale plan, a database error). It runs from a timer or a
   * socket event, so the error is reported here instead of crashing the process; the sockets keep
   * their current sets. Default: ignored.
   */
  onError?: (error: unknown, kind: 'failover' | 'even-out', socketId: number) => void;
  /** Per-connection policy overrides (backoff, staleness, ...). */
  connection?: Partial<Omit<FeedConnectionOptions, 'id' | 'url' | 'credentials' | 'onPacket' | 'onState'>>;
  timers?: Timers;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  random: () => Math.random(),
};

export class FeedPool {
  private readonly o: FeedPoolOptions;
  private readonly t: Timers;
  private readonly connections: FeedConnection[] = [];
  private readonly graceTimers = new Map<number, unknown>();
  private readonly failedOver = new Set<number>();
  private running = false;

  constructor(options: FeedPoolOptions) {
    this.o = options;
    this.t = options.timers ?? realTimers;
    for (let id = 1; id <= options.placement.sockets; id++) {
      this.connections.push(
        new FeedConnection({
          ...(options.connection ?? {}),
          ...(options.modeFor ? { modeFor: options.modeFor } : {}),
          timers: this.t,
          id,
          url: options.url,
          credentials: options.credentials,
          onPacket: (p) => this.o.onPacket?.(p),
          onState: (state) => this.onState(id, state),
        }),
      );
    }
  }

  /** Connect every socket, each with the instruments the placement gives it. */
  start(): void {
    this.running = true;
    for (const c of this.connections) {
      c.add(refs(this.o.placement.tokensOn(c.id)));
      c.start();
    }
  }

  /** Close every socket and timer. */
  stop(): void {
    this.running = false;
    for (const h of this.graceTimers.values()) this.t.clearTimeout(h);
    this.graceTimers.clear();
    for (const c of this.connections) c.stop();
    // Sockets failed over stay marked down in the placement until they are open again.
    for (const id of this.failedOver) this.o.placement.setUp(id, true);
    this.failedOver.clear();
  }

  /** A new token (rolled over daily) or fixed credentials: resume sockets stopped for auth. */
  resume(): void {
    for (const c of this.connections) c.resume();
  }

  /** Apply the subscription manager's change to the sockets. */
  apply(change: PlacementChange): void {
    const removeBy = group(change.unsubscribed);
    for (const [socket, tokens] of removeBy) this.conn(socket)?.remove(tokens);
    const addBy = group(change.subscribed);
    for (const [socket, tokens] of addBy) this.conn(socket)?.add(refs(tokens));
  }

  /** Apply placement moves: unsubscribe on the old socket, subscribe on the new one. */
  applyMoves(moves: readonly Move[]): void {
    this.apply({
      unsubscribed: moves.map((m) => ({ token: m.token, socket: m.from })),
      subscribed: moves.map((m) => ({ token: m.token, socket: m.to })),
    });
  }

  /** The admin rebalance: even the load out across the sockets that are up now. */
  rebalanceNow(): Move[] {
    const { moves } = this.o.rebalance('even-out');
    this.applyMoves(moves);
    return moves;
  }

  /** True once the instrument's socket is open and its subscribe was sent. */
  isLive(token: InstrumentToken): boolean {
    const socket = this.o.placement.socketOf(token);
    return socket !== undefined && (this.conn(socket)?.isLive(token) ?? false);
  }

  health(): ConnectionHealth[] {
    return this.connections.map((c) => c.health());
  }

  connection(id: number): FeedConnection | undefined {
    return this.conn(id);
  }

  private conn(id: number): FeedConnection | undefined {
    return this.connections[id - 1];
  }

  private onState(id: number, state: ConnectionState): void {
    this.o.onState?.(id, state);
    if (!this.running) return;
    if (state === 'open') {
      const h = this.graceTimers.get(id);
      if (h !== undefined) this.t.clearTimeout(h);
      this.graceTimers.delete(id);
      if (this.failedOver.delete(id)) {
        this.o.placement.setUp(id, true);
        this.guarded('even-out', id, () => this.rebalanceNow());
      }
      return;
    }
    if ((state === 'reconnecting' || state === 'failed') && !this.graceTimers.has(id) && !this.failedOver.has(id)) {
      this.graceTimers.set(
        id,
        this.t.setTimeout(() => {
          this.graceTimers.delete(id);
          const c = this.conn(id);
          if (!this.running || !c || c.state === 'open') return;
          this.failedOver.add(id);
          this.o.placement.setUp(id, false);
          this.guarded('failover', id, () => this.applyMoves(this.o.rebalance('failover', id).moves));
        }, this.o.graceMs ?? 15_000),
      );
    }
  }

  private guarded(kind: 'failover' | 'even-out', id: number, run: () => void): void {
    try {
      run();
    } catch (err) {
      this.o.onError?.(err, kind, id);
    }
  }
}

function group(items: readonly { token: InstrumentToken; socket: number }[]): Map<number, InstrumentToken[]> {
  const by = new Map<number, InstrumentToken[]>();
  for (const { token, socket } of items) {
    const list = by.get(socket) ?? [];
    list.push(token);
    by.set(socket, list);
  }
  return by;
}

function refs(tokens: readonly InstrumentToken[]): InstrumentRef[] {
  const out: InstrumentRef[] = [];
  for (const t of tokens) {
    const r = parseToken(t);
    if (r) out.push(r);
  }
  return out;
}
