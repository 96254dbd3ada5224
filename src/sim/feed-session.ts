/**
 * One client socket of the simulated live feed: its subscriptions per mode, the packets it is
 * owed, keep-alive, and the stream faults applied to what it sends.
 *
 * Policy:
 * - Packets are written with the shared codec into a per-socket slab and sent as views of it; a
 *   slab region is never rewritten (ws keeps a reference until the kernel takes the bytes), a
 *   full slab is simply replaced. So a packet costs no allocation beyond ws's frame header.
 *   (Corking the TCP socket for a whole tick was tried: fewer syscalls, but the large bursts
 *   kept the queue above the high-water mark: a local client got ~35k instead of ~130k packets/s.)
 * - Backpressure: when the socket has more than HIGH_WATER bytes queued, a tick is not written;
 *   the instrument is marked dirty and its latest state is sent once the queue drains below
 *   LOW_WATER (coalescing: the client gets the newest value, never a backlog). Skips are counted.
 * - Limits: more than the per-message cap in one request -> an 804 packet and close (Dhan's
 *   reason for "exceeds limit"; nothing from that message is subscribed). Past the per-socket cap
 *   -> an 804 packet, the socket stays open with the instruments that fitted.
 * - Keep-alive: the server pings every interval; a socket from which nothing (pong, ping, message)
 *   arrived for the timeout is terminated. A muted socket is neither pinged nor judged: the mute
 *   fault models a stall the client has to notice, not one the server resolves.
 */
import type { WebSocket } from 'ws';
import { writePacket, disconnectPacket, type PacketFields } from '../core/feed/feed-encoder';
import { PACKET_SIZE, RESPONSE_CODE, type FeedMode } from '../core/feed/feed-protocol';
import { parseFeedRequest } from '../core/feed/feed-requests';
import { tokenOf, type InstrumentRef, type Segment } from '../shared/instruments';
import { DelayLine, garbageFrame, noFaults, type SocketFaultFlags } from './faults';
import type { Random } from './seeded-random';
import type { SimUniverse } from './sim-instruments';

const TICKER = 1;
const QUOTE = 2;
const FULL = 4;
const MODE_BIT: Readonly<Record<FeedMode, number>> = { ticker: TICKER, quote: QUOTE, full: FULL };
const MODES: readonly FeedMode[] = ['ticker', 'quote', 'full'];

const SLAB_BYTES = 64 * 1024;
const STACK_BYTES = 4096;
const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;

/** What a socket owes one instrument: the modes it subscribed (bit set of MODE_BIT). */
export class Subscription {
  mask = 0;
  /** Position in the server's per-instrument list (kept by the server for O(1) removal). */
  slot = -1;
  dirty = false;

  constructor(
    readonly session: FeedSession,
    readonly token: string,
    /** The instrument's position in the universe (the market model's numbering). */
    readonly index: number,
    readonly segment: Segment,
    readonly securityId: number,
  ) {}
}

/** Counters of the feed side, shared by every session of one simulator. */
export interface FeedStats {
  connectionsOpened: number;
  /** Trades the market reported for subscribed instruments. */
  trades: number;
  packetsSent: number;
  framesSent: number;
  bytesSent: number;
  /** Ticks not written because the socket's queue was full (sent later, coalesced). */
  backpressureSkips: number;
  unknownInstruments: number;
  badRequests: number;
  binaryFromClient: number;
  keepAliveCloses: number;
  garbageFrames: number;
  truncatedFrames: number;
  stackedFrames: number;
}

export function newFeedStats(): FeedStats {
  return {
    connectionsOpened: 0, trades: 0, packetsSent: 0, framesSent: 0, bytesSent: 0, backpressureSkips: 0, unknownInstruments: 0,
    badRequests: 0, binaryFromClient: 0, keepAliveCloses: 0, garbageFrames: 0, truncatedFrames: 0, stackedFrames: 0,
  };
}

/** What a session needs from the server around it. */
export interface SessionHost {
  readonly universe: SimUniverse;
  readonly stats: FeedStats;
  readonly maxPerMessage: number;
  readonly maxPerSocket: number;
  readonly random: Random;
  /** Index new subscriptions and start the market on them. */
  attach(subs: readonly Subscription[]): void;
  /** Remove subscriptions that no longer carry any mode. */
  detach(subs: readonly Subscription[]): void;
  /** Latest state of a subscribed instrument, by universe index. */
  quote(index: number): PacketFields;
  /** The session's socket has closed. */
  closed(session: FeedSession): void;
}

/** One entry of the inspectable subscription state. */
export interface SubscriptionView {
  segment: Segment;
  securityId: number;
  mode: FeedMode;
}

/** Answer an upgraded socket whose credentials failed: a code-50 packet, then close. */
export function refuseSocket(ws: WebSocket, reason: number): void {
  ws.on('error', () => undefined);
  ws.send(disconnectPacket(reason));
  ws.close(1000, `feed disconnect ${reason}`);
}

/** One connected feed client. */
export class FeedSession {
  /** Stream faults in force, refreshed by the server each tick and on demand. */
  readonly faults: SocketFaultFlags = noFaults();
  private readonly subs = new Map<string, Subscription>();
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private view = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength);
  private at = 0;
  /** Start of the frame being stacked (== at when none). */
  private stackStart = 0;
  private dirtyCount = 0;
  private heard = true;
  private silentMs = 0;
  private readonly delay = new DelayLine((frame) => this.write(frame));
  private ended = false;

  constructor(
    readonly id: number,
    readonly clientId: string,
    private readonly ws: WebSocket,
    private readonly host: SessionHost,
  ) {
    ws.on('message', (data, isBinary) => {
      this.heard = true;
      if (isBinary) host.stats.binaryFromClient++;
      else this.onRequest(String(data));
    });
    ws.on('pong', () => (this.heard = true));
    ws.on('ping', (data) => {
      this.heard = true;
      if (!this.faults.mute && this.open) ws.pong(data);
    });
    ws.on('error', () => undefined); // a reset socket also emits 'close'
    ws.on('close', () => this.end());
  }

  get open(): boolean {
    return !this.ended && this.ws.readyState === this.ws.OPEN;
  }

  /** Distinct instruments subscribed (in any mode). */
  get instrumentCount(): number {
    return this.subs.size;
  }

  /** Subscriptions as (instrument, mode) rows. */
  subscriptions(): SubscriptionView[] {
    const out: SubscriptionView[] = [];
    for (const s of this.subs.values()) {
      for (const mode of MODES) if (s.mask & MODE_BIT[mode]) out.push({ segment: s.segment, securityId: s.securityId, mode });
    }
    return out;
  }

  /** One market event for a subscription of this socket (the emit loop's hot path). */
  emit(sub: Subscription, q: PacketFields, oiChanged: boolean): void {
    if (this.faults.mute || this.ended) return;
    if (this.ws.bufferedAmount > HIGH_WATER) {
      if (!sub.dirty) {
        sub.dirty = true;
        this.dirtyCount++;
      }
      this.host.stats.backpressureSkips++;
      return;
    }
    this.writeModes(sub, q, oiChanged);
  }

  /** End of an emit tick: catch up on coalesced instruments, send a stacked frame. */
  endTick(): void {
    if (this.ended) return;
    if (this.dirtyCount > 0 && !this.faults.mute && this.ws.bufferedAmount < LOW_WATER) {
      for (const sub of this.subs.values()) {
        if (!sub.dirty) continue;
        sub.dirty = false;
        this.writeModes(sub, this.host.quote(sub.index), true);
      }
      this.dirtyCount = 0;
    }
    this.flushStack();
  }

  /**
   * A keep-alive round, every ping interval: terminate a socket silent for `timeoutMs`, else
   * ping it.
   */
  keepAlive(intervalMs: number, timeoutMs: number): void {
    if (this.ended) return;
    if (this.faults.mute) {
      this.silentMs = 0;
      return;
    }
    this.silentMs = this.heard ? 0 : this.silentMs + intervalMs;
    this.heard = false;
    if (this.silentMs >= timeoutMs) {
      this.host.stats.keepAliveCloses++;
      this.drop();
    } else if (this.open) {
      this.ws.ping();
    }
  }

  /** Send a code-50 packet with `reason`, then close. */
  disconnect(reason: number): void {
    if (!this.open) return;
    this.flushStack();
    this.ws.send(disconnectPacket(reason));
    this.host.stats.packetsSent++;
    this.ws.close(1000, `feed disconnect ${reason}`);
    this.end();
  }

  /** Close politely (the client asked with RequestCode 12, or the server stops). */
  close(code = 1000, reason = ''): void {
    if (this.open) this.ws.close(code, reason);
    this.end();
  }

  /** Terminate the TCP socket without a close frame. */
  drop(): void {
    this.ws.terminate();
    this.end();
  }

  private onRequest(text: string): void {
    const parsed = parseFeedRequest(text, this.host.maxPerMessage);
    if (!parsed.ok) {
      this.host.stats.badRequests++;
      if (parsed.tooMany) this.disconnect(804);
      return;
    }
    const r = parsed.request;
    if (r.kind === 'disconnect') this.close(1000, 'client disconnect');
    else if (r.kind === 'subscribe') this.subscribe(r.mode, r.instruments);
    else this.unsubscribe(r.mode, r.instruments);
  }

  private subscribe(mode: FeedMode, refs: readonly InstrumentRef[]): void {
    const bit = MODE_BIT[mode];
    const added: Subscription[] = [];
    const fresh: Subscription[] = [];
    let over = false;
    for (const ref of refs) {
      const token = tokenOf(ref);
      const index = this.host.universe.indexOf(token);
      if (index < 0) {
        this.host.stats.unknownInstruments++;
        continue;
      }
      let sub = this.subs.get(token);
      if (!sub) {
        if (this.subs.size >= this.host.maxPerSocket) {
          over = true;
          continue;
        }
        sub = new Subscription(this, token, index, ref.segment, ref.securityId);
        this.subs.set(token, sub);
        added.push(sub);
      }
      if (sub.mask & bit) continue;
      sub.mask |= bit;
      fresh.push(sub);
    }
    if (added.length > 0) this.host.attach(added);
    if (!this.faults.mute && this.open) {
      // Dhan's answer to a subscription: prev close for every instrument, OI too for quote mode.
      for (const sub of fresh) this.packet(RESPONSE_CODE.PREV_CLOSE, sub, this.host.quote(sub.index));
      if (mode === 'quote') for (const sub of fresh) this.packet(RESPONSE_CODE.OI, sub, this.host.quote(sub.index));
      if (over) {
        this.flushStack();
        this.sendFrame(disconnectPacket(804));
      }
      this.flushStack();
    }
  }

  private unsubscribe(mode: FeedMode, refs: readonly InstrumentRef[]): void {
    const bit = MODE_BIT[mode];
    const removed: Subscription[] = [];
    for (const ref of refs) {
      const sub = this.subs.get(tokenOf(ref));
      if (!sub || !(sub.mask & bit)) continue;
      sub.mask &= ~bit;
      if (sub.mask === 0) {
        this.subs.delete(sub.token);
        if (sub.dirty) this.dirtyCount--;
        removed.push(sub);
      }
    }
    if (removed.length > 0) this.host.detach(removed);
  }

  private writeModes(sub: Subscription, q: PacketFields, oiChanged: boolean): void {
    const m = sub.mask;
    if (m & TICKER) this.packet(RESPONSE_CODE.TICKER, sub, q);
    if (m & QUOTE) {
      this.packet(RESPONSE_CODE.QUOTE, sub, q);
      if (oiChanged) this.packet(RESPONSE_CODE.OI, sub, q);
    }
    if (m & FULL) this.packet(RESPONSE_CODE.FULL, sub, q);
  }

  /** Write one packet into the slab; send it, or keep it for the stacked frame. */
  private packet(code: number, sub: Subscription, q: PacketFields): void {
    const size = PACKET_SIZE[code]!;
    if (this.at + size > this.slab.length) {
      this.flushStack();
      this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.view = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.byteLength);
      this.at = 0;
      this.stackStart = 0;
    }
    const start = this.at;
    this.at += writePacket(this.view, start, code, sub.segment, sub.securityId, q);
    this.host.stats.packetsSent++;
    if (this.faults.stacked) {
      if (this.at - this.stackStart >= STACK_BYTES) this.flushStack();
      return;
    }
    this.stackStart = this.at;
    this.sendFrame(this.slab.subarray(start, this.at));
  }

  private flushStack(): void {
    if (this.stackStart === this.at) return;
    const frame = this.slab.subarray(this.stackStart, this.at);
    this.stackStart = this.at;
    this.host.stats.stackedFrames++;
    this.sendFrame(frame);
  }

  /** Send one binary frame through the corrupting and delaying faults. */
  private sendFrame(frame: Buffer): void {
    if (!this.open || this.faults.mute) return;
    const st = this.host.stats;
    let out = frame;
    if (this.faults.garbage) {
      out = garbageFrame(this.host.random, frame.length);
      st.garbageFrames++;
    } else if (this.faults.truncated && frame.length > 1) {
      out = frame.subarray(0, this.host.random.int(1, frame.length - 1));
      st.truncatedFrames++;
    }
    if (this.faults.latencyMs > 0 || this.delay.pending) this.delay.push(out, this.faults.latencyMs);
    else this.write(out);
  }

  private write(frame: Buffer): void {
    if (!this.open) return;
    this.ws.send(frame);
    this.host.stats.framesSent++;
    this.host.stats.bytesSent += frame.length;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.delay.dispose();
    const subs = [...this.subs.values()];
    this.subs.clear();
    if (subs.length > 0) this.host.detach(subs);
    this.host.closed(this);
  }
}
