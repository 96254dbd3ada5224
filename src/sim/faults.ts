/**
 * Injected faults: what can go wrong between Dhan and a client, on demand, and the control API
 * (`/sim/...`) that takes them, along with the market's rate and market moves (a jump of one
 * underlying, for tests and demos). One-shot faults act at once (drop, disconnect); stream faults
 * (mute, garbage, truncated, stacked, latency) and refuse-upgrade hold for `seconds` or until
 * cleared.
 *
 * Control-API answers use the product's envelope. A bad request is 400 and names the field at
 * fault; a symbol no instrument carries is 404 (UNKNOWN_SYMBOL), so a typo is told apart from a
 * malformed call.
 *
 * Policy: a stream fault aimed at "all" also covers sockets that connect while it holds, so a
 * reconnecting client meets the same weather; one aimed at a socket id dies with that socket.
 * Expiry is judged on the simulator's clock (the injected one in tests), once per emit tick.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { PACKET_SIZE } from '../core/feed/feed-protocol';
import { AppError } from '../shared/errors';
import { readJsonBody, sendJson } from './rest-api';
import type { MoveResult } from './market-types';
import type { Random } from './seeded-random';

/** Faults that change what a socket sends while they hold. */
export const STREAM_FAULTS = ['mute', 'garbage', 'truncated', 'stacked', 'latency'] as const;
export type StreamFault = (typeof STREAM_FAULTS)[number];

/** A socket id or every socket. */
export type FaultTarget = number | 'all';

/** A fault request, as `fault(f)` and `POST /sim/faults` take it. */
export type Fault =
  /** Terminate the TCP socket without a close frame. */
  | { fault: 'drop'; socket?: FaultTarget }
  /** mute: send nothing, answer no pings; garbage: random-byte frames instead of packets;
   * truncated: packets cut short; stacked: several packets per frame. */
  | { fault: 'mute' | 'garbage' | 'truncated' | 'stacked'; socket?: FaultTarget; seconds?: number }
  /** Delay every outgoing frame by `ms`. */
  | { fault: 'latency'; socket?: FaultTarget; ms: number; seconds?: number }
  /** A code-50 packet with `code` (default 800), then close. */
  | { fault: 'disconnect'; socket?: FaultTarget; code?: number }
  /** Answer WebSocket upgrades with HTTP `code` (default 429). */
  | { fault: 'refuse-upgrade'; code?: number; seconds?: number }
  /** Lift faults: every fault when `socket` is absent or "all", else that socket's own. */
  | { fault: 'clear'; socket?: FaultTarget };

const target = z.union([z.literal('all'), z.number().int().positive()]).optional();
const seconds = z.number().positive().max(86_400).optional();
const FAULT_SCHEMA = z.union([
  z.strictObject({ fault: z.literal('drop'), socket: target }),
  z.strictObject({ fault: z.enum(['mute', 'garbage', 'truncated', 'stacked']), socket: target, seconds }),
  z.strictObject({ fault: z.literal('latency'), socket: target, ms: z.number().int().min(0).max(60_000), seconds }),
  z.strictObject({ fault: z.literal('disconnect'), socket: target, code: z.number().int().min(0).max(32_767).optional() }),
  z.strictObject({ fault: z.literal('refuse-upgrade'), code: z.number().int().min(400).max(599).optional(), seconds }),
  z.strictObject({ fault: z.literal('clear'), socket: target }),
]);

/** Validate a control-API body; throws AppError('BAD_REQUEST') with the reason. */
export function parseFault(body: unknown): Fault {
  const parsed = FAULT_SCHEMA.safeParse(body);
  if (!parsed.success) {
    const kind = (body as { fault?: unknown } | null)?.fault;
    throw new AppError('BAD_REQUEST', `bad fault ${JSON.stringify(kind ?? null)}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data as Fault;
}

/** The stream faults in force for one socket, refreshed each tick (one reused object per socket). */
export interface SocketFaultFlags {
  mute: boolean;
  garbage: boolean;
  truncated: boolean;
  stacked: boolean;
  /** 0 = no delay. */
  latencyMs: number;
}

/** A fresh, fault-free flag set. */
export function noFaults(): SocketFaultFlags {
  return { mute: false, garbage: false, truncated: false, stacked: false, latencyMs: 0 };
}

interface Held {
  /** Clock ms when it lapses; Infinity = until cleared. */
  until: number;
  ms: number;
}

/** The stream faults and the upgrade refusal in force. */
export class FaultBoard {
  private readonly all = new Map<StreamFault, Held>();
  private readonly bySocket = new Map<number, Map<StreamFault, Held>>();
  private refusal: { code: number; until: number } | null = null;

  constructor(private readonly now: () => number) {}

  /** Hold a stream fault on a socket or on all of them. */
  hold(kind: StreamFault, socket: FaultTarget, seconds?: number, ms = 0): void {
    const held: Held = { until: seconds === undefined ? Infinity : this.now() + seconds * 1000, ms };
    if (socket === 'all') {
      this.all.set(kind, held);
      return;
    }
    let m = this.bySocket.get(socket);
    if (!m) {
      m = new Map();
      this.bySocket.set(socket, m);
    }
    m.set(kind, held);
  }

  /** Refuse upgrades with HTTP `code`. */
  refuse(code: number, seconds?: number): void {
    this.refusal = { code, until: seconds === undefined ? Infinity : this.now() + seconds * 1000 };
  }

  /** The HTTP status to refuse an upgrade with, or null. */
  refusalCode(): number | null {
    if (this.refusal && this.refusal.until <= this.now()) this.refusal = null;
    return this.refusal?.code ?? null;
  }

  /** Lift every fault (`'all'`), or one socket's own. */
  clear(socket: FaultTarget = 'all'): void {
    if (socket === 'all') {
      this.all.clear();
      this.bySocket.clear();
      this.refusal = null;
    } else {
      this.bySocket.delete(socket);
    }
  }

  /** Forget a closed socket. */
  forget(socket: number): void {
    this.bySocket.delete(socket);
  }

  /** Fill `out` with what holds for `socket` now, dropping lapsed faults. */
  resolve(socket: number, out: SocketFaultFlags): SocketFaultFlags {
    const now = this.now();
    const own = this.bySocket.get(socket);
    out.mute = this.active(own, 'mute', now);
    out.garbage = this.active(own, 'garbage', now);
    out.truncated = this.active(own, 'truncated', now);
    out.stacked = this.active(own, 'stacked', now);
    out.latencyMs = this.active(own, 'latency', now) ? Math.max(own?.get('latency')?.ms ?? 0, this.all.get('latency')?.ms ?? 0) : 0;
    return out;
  }

  private active(own: Map<StreamFault, Held> | undefined, kind: StreamFault, now: number): boolean {
    let on = false;
    const a = this.all.get(kind);
    if (a) {
      if (a.until <= now) this.all.delete(kind);
      else on = true;
    }
    const o = own?.get(kind);
    if (o) {
      if (o.until <= now) own!.delete(kind);
      else on = true;
    }
    return on;
  }
}

/** Random bytes (at least a header long) whose first byte is no known response code. */
export function garbageFrame(random: Random, length: number): Buffer {
  const out = Buffer.allocUnsafe(Math.max(8, length));
  for (let i = 0; i < out.length; i++) out[i] = random.int(0, 255);
  let code = random.int(0, 255);
  while (PACKET_SIZE[code] !== undefined) code = (code + 1) & 0xff;
  out[0] = code;
  return out;
}

/**
 * Frames held back by the latency fault and released in order. Once a frame waits, later ones
 * queue behind it even if the fault is lifted, so lifting latency never reorders the stream.
 */
export class DelayLine {
  private readonly queue: { due: number; frame: Buffer }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly write: (frame: Buffer) => void) {}

  get pending(): boolean {
    return this.queue.length > 0;
  }

  push(frame: Buffer, delayMs: number): void {
    const last = this.queue.at(-1)?.due ?? 0;
    this.queue.push({ due: Math.max(performance.now() + delayMs, last), frame });
    this.arm();
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }

  private arm(): void {
    if (this.timer !== null || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.release(), Math.max(0, this.queue[0]!.due - performance.now()));
  }

  private release(): void {
    this.timer = null;
    const now = performance.now();
    let n = 0;
    // Timers may fire a fraction of a millisecond early.
    while (n < this.queue.length && this.queue[n]!.due <= now + 1) n++;
    for (const { frame } of this.queue.splice(0, n)) this.write(frame);
    this.arm();
  }
}

/** The sockets a fault can hit. */
export interface FaultableSocket {
  readonly id: number;
  drop(): void;
  disconnect(reason: number): void;
}

/**
 * Apply a fault: one-shot faults act on the sockets now, the others go on the board.
 * Throws AppError BAD_REQUEST when a socket id names no open socket.
 */
export function applyFault(f: Fault, board: FaultBoard, sockets: readonly FaultableSocket[]): void {
  const targets = (socket: FaultTarget = 'all'): FaultableSocket[] => {
    if (socket === 'all') return [...sockets];
    const s = sockets.find((x) => x.id === socket);
    if (!s) throw new AppError('BAD_REQUEST', `no open socket ${socket}`);
    return [s];
  };
  switch (f.fault) {
    case 'drop':
      for (const s of targets(f.socket)) s.drop();
      return;
    case 'disconnect':
      for (const s of targets(f.socket)) s.disconnect(f.code ?? 800);
      return;
    case 'refuse-upgrade':
      board.refuse(f.code ?? 429, f.seconds);
      return;
    case 'clear':
      targets(f.socket);
      board.clear(f.socket);
      return;
    case 'latency':
      targets(f.socket);
      board.hold('latency', f.socket ?? 'all', f.seconds, f.ms);
      return;
    default:
      targets(f.socket);
      board.hold(f.fault, f.socket ?? 'all', f.seconds);
  }
}

/** A market move as `POST /sim/move` takes it. */
export interface MoveRequest {
  symbol: string;
  /** Percent: 3 = up 3%, -2.5 = down 2.5%; above -100 (a price stays positive), at most 1000. */
  pct: number;
}

/** Validate a `POST /sim/move` body; throws AppError('BAD_REQUEST') naming the field at fault. */
export function parseMove(body: unknown): MoveRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('BAD_REQUEST', 'the body must be a JSON object { "symbol": <string>, "pct": <number> }');
  }
  const { symbol, pct } = body as { symbol?: unknown; pct?: unknown };
  if (typeof symbol !== 'string' || symbol.trim() === '') {
    throw new AppError('BAD_REQUEST', '`symbol` must be a non-empty string: an underlying such as "RELIANCE", "NIFTY" or "CRUDEOIL"');
  }
  if (pct === undefined) throw new AppError('BAD_REQUEST', '`pct` is required: the move in percent, e.g. 3 or -2.5');
  if (typeof pct !== 'number' || !Number.isFinite(pct)) {
    throw new AppError('BAD_REQUEST', `\`pct\` must be a finite number (percent), got ${typeof pct === 'number' ? String(pct) : JSON.stringify(pct)}`);
  }
  if (!(pct > -100 && pct <= 1000)) throw new AppError('BAD_REQUEST', `\`pct\` must be above -100 and at most 1000, got ${pct}`);
  return { symbol, pct };
}

/** Rounded for the answer: prices to 4 places (a currency tick is 0.0025). */
const price4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The `POST /sim/move` answer of a move. */
function moveAnswer(m: MoveResult): object {
  return {
    symbol: m.symbol,
    underlyings: m.underlyings,
    before: price4(m.before),
    after: price4(m.after),
    futures: m.futures.map((f) => ({ ...f, before: price4(f.before), after: price4(f.after) })),
  };
}

/** What the control API shows and does. */
export interface ControlTarget {
  view(): unknown;
  stats(): unknown;
  fault(f: Fault): void;
  setRate(packetsPerSecond: number | null): void;
  /** Undefined when no instrument carries the symbol. */
  move(symbol: string, pct: number): MoveResult | undefined;
  /** The session mode and market hours (`GET /sim/status`). */
  status(): unknown;
}

/**
 * The control API: `GET /sim/subscriptions`, `GET /sim/stats`, `GET /sim/status`, `POST /sim/faults`,
 * `POST /sim/rate` with `{ "rate": <packets/s> | null }`, and `POST /sim/move` with
 * `{ "symbol", "pct" }` (answers `{ symbol, underlyings, before, after, futures }`). Answers use
 * the product's envelope; a bad request is 400 with `{ ok: false, error: { code, message } }`,
 * an unknown symbol 404 the same way.
 */
export async function handleControl(sim: ControlTarget, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    if (req.method === 'GET' && path === '/sim/subscriptions') return sendJson(res, 200, sim.view());
    if (req.method === 'GET' && path === '/sim/stats') return sendJson(res, 200, sim.stats());
    if (req.method === 'GET' && path === '/sim/status') return sendJson(res, 200, sim.status());
    if (req.method === 'POST' && path === '/sim/faults') {
      const body = await readJsonBody(req).catch(() => {
        throw new AppError('BAD_REQUEST', 'the body is not JSON');
      });
      sim.fault(parseFault(body));
      return sendJson(res, 200, { ok: true, value: null });
    }
    if (req.method === 'POST' && path === '/sim/rate') {
      const body = (await readJsonBody(req).catch(() => null)) as { rate?: unknown } | null;
      const rate = body?.rate;
      if (!(rate === null || (typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 2_000_000))) {
        throw new AppError('BAD_REQUEST', '`rate` must be packets per second from 0 to 2,000,000, or null for natural rates');
      }
      sim.setRate(rate);
      return sendJson(res, 200, { ok: true, value: { rate } });
    }
    if (req.method === 'POST' && path === '/sim/move') {
      const body = await readJsonBody(req).catch(() => {
        throw new AppError('BAD_REQUEST', 'the body is not JSON');
      });
      const { symbol, pct } = parseMove(body);
      const moved = sim.move(symbol, pct);
      if (!moved) throw new AppError('UNKNOWN_SYMBOL', `no instrument has the symbol ${JSON.stringify(symbol)}`);
      return sendJson(res, 200, { ok: true, value: moveAnswer(moved) });
    }
    sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `no control API ${req.method} ${path}` } });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    sendJson(res, err.code === 'UNKNOWN_SYMBOL' ? 404 : 400, { ok: false, error: err.toInfo() });
  }
}
