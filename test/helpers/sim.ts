/**
 * Start the simulator in a test (port 0, a small generated master, a clock inside NSE trading
 * hours) and talk to its feed with a recording client that decodes with the real codec.
 * Waiting is always event-driven with a bounded timeout; nothing sleeps.
 */
import WebSocket from 'ws';
import { FeedDecoder, FeedPacket } from '../../src/core/feed/feed-codec';
import { encodeSubscriptionMessages } from '../../src/core/feed/feed-requests';
import type { FeedMode } from '../../src/core/feed/feed-protocol';
import type { InstrumentRef } from '../../src/shared/instruments';
import { generateMaster } from '../../src/sim/master-generator';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/server';

export const SIM_AS_OF = '2026-11-24';
/** 10:00 IST on SIM_AS_OF (a Tuesday, NSE open). */
export const SIM_T0 = Date.parse(`${SIM_AS_OF}T04:30:00Z`);

let master: Buffer | null = null;

/** A 20,000-row generated master for SIM_AS_OF, built once per test file. */
export function testMaster(): Buffer {
  master ??= Buffer.from(generateMaster({ asOf: SIM_AS_OF, rows: 20_000, seed: 7 }), 'utf8');
  return master;
}

/** A clock at SIM_T0 that runs in real time: market hours for the emit loop, whatever the wall clock says. */
export function runningClock(start = SIM_T0): { now(): number } {
  const origin = performance.now();
  return { now: () => start + (performance.now() - origin) };
}

/** A clock that moves only when told to. */
export function manualClock(start = SIM_T0): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

export interface TestSim {
  sim: RunningSimulator;
  stop(): Promise<void>;
}

/** Start a simulator on 127.0.0.1:0 over the test master; options override the defaults. */
export async function startTestSim(options: SimulatorOptions = {}): Promise<TestSim> {
  const sim = await startSimulator({ master: testMaster(), asOf: SIM_AS_OF, clock: runningClock(), seed: 3, ...options });
  return { sim, stop: () => sim.stop() };
}

/** A decoded packet, copied out of the decoder's reused object. */
export type Packet = Omit<FeedPacket, 'depth'> & { depth: Float64Array; frame: number };

/** Resolve when `check()` holds, re-checking on each `event` of `emitter`; reject after `ms`. */
function waitOn<T>(subscribe: (wake: () => void) => () => void, check: () => T | undefined, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const unsubscribe = subscribe(() => {
      const v = check();
      if (v === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(v);
    });
  });
}

/** A feed client that records every decoded packet (up to `maxPackets`). */
export class FeedClient {
  readonly decoder = new FeedDecoder();
  readonly packets: Packet[] = [];
  /** Packets per binary frame, in arrival order. */
  readonly frameSizes: number[] = [];
  frames = 0;
  pongs = 0;
  closeCode: number | null = null;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly ws: WebSocket,
    private readonly maxPackets = 50_000,
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeCode = code;
        resolve({ code, reason: reason.toString() });
        this.wake();
      });
    });
    ws.on('error', () => undefined);
    ws.on('pong', () => {
      this.pongs++;
      this.wake();
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const frame = this.frames++;
      const n = this.decoder.decode(data, (p) => {
        if (this.packets.length >= this.maxPackets) return;
        this.packets.push({ ...p, depth: Float64Array.from(p.depth), frame });
      });
      this.frameSizes.push(n);
      this.wake();
    });
  }

  /** Send subscribe/unsubscribe messages (chunked at 100 like the real client). */
  subscribe(mode: FeedMode, refs: readonly InstrumentRef[], action: 'subscribe' | 'unsubscribe' = 'subscribe'): void {
    for (const m of encodeSubscriptionMessages(mode, refs, action)) this.ws.send(m);
  }

  /** Wait until `check` returns a value (re-run after every frame, pong and close). */
  until<T>(check: () => T | undefined, what: string, ms = 5000): Promise<T> {
    return waitOn((wake) => {
      this.listeners.add(wake);
      return () => this.listeners.delete(wake);
    }, check, ms, what);
  }

  /** Wait for at least `n` packets matching `pred`; returns them. */
  waitPackets(pred: (p: Packet) => boolean, n = 1, ms = 5000): Promise<Packet[]> {
    return this.until(() => {
      const hits = this.packets.filter(pred);
      return hits.length >= n ? hits : undefined;
    }, `${n} matching packets`, ms);
  }

  /** Wait for the socket to close; rejects after `ms`. */
  waitClosed(ms = 5000): Promise<{ code: number; reason: string }> {
    return this.until(() => (this.closeCode === null ? undefined : true), 'close', ms).then(() => this.closed);
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** The feed URL with credentials (defaults: the simulator's own). */
export function feedUrl(sim: RunningSimulator, q: { token?: string; clientId?: string; version?: string } = {}): string {
  const params = new URLSearchParams({
    version: q.version ?? '2',
    token: q.token ?? sim.token,
    clientId: q.clientId ?? sim.clientId,
    authType: '2',
  });
  return `${sim.feedUrl}/?${params}`;
}

/** Open a feed client; `open` false returns before the handshake (for refused upgrades). */
export async function connectFeed(sim: RunningSimulator, q: Parameters<typeof feedUrl>[1] = {}, wsOptions: WebSocket.ClientOptions = {}): Promise<FeedClient> {
  const client = new FeedClient(new WebSocket(feedUrl(sim, q), wsOptions));
  await client.opened;
  return client;
}

/** The HTTP status of a refused upgrade (rejects when the upgrade succeeds). */
export function upgradeStatus(url: string, ms = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error('no answer to the upgrade')), ms);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body });
        ws.terminate();
      });
    });
    ws.on('open', () => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error('the upgrade succeeded'));
    });
    ws.on('error', () => undefined);
  });
}

/** POST/GET JSON to the simulator with its credentials unless overridden. */
export async function http(sim: RunningSimulator, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: { 'access-token': sim.token, 'client-id': sim.clientId, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** The simulator's answer to a market move (`POST /sim/move`), prices rounded to 4 places. */
export interface MarketMove {
  symbol: string;
  underlyings: string[];
  /** The underlying's spot/index level (MCX: the notional spot its futures carry from). */
  before: number;
  after: number;
  futures: { segment: string; securityId: number; expiry: string; before: number; after: number }[];
}

/** Jump `symbol`'s underlying by `pct` percent through the control API; rejects on a refusal. */
export async function moveMarket(sim: RunningSimulator, symbol: string, pct: number): Promise<MarketMove> {
  const { status, json } = await http(sim, 'POST', `${sim.controlUrl}/move`, { symbol, pct });
  if (status !== 200) throw new Error(`POST /sim/move ${symbol} ${pct}: HTTP ${status} ${JSON.stringify(json)}`);
  return (json as { value: MarketMove }).value;
}
