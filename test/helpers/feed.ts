/** Shared by the feed connection and pool tests: resource counts, tracked timers, the exchange's view. */
import type { Timers } from '../../src/core/feed/feed-connection';
import type { RunningSimulator } from '../../src/sim/server';

/** Open TCP client sockets of this process. */
export function liveTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/** Open TCP sockets and servers of this process. */
export function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

/** Real timers that know which of their handles are still pending. */
export function trackedTimers(): Timers & { pending(): number } {
  const live = new Set<NodeJS.Timeout>();
  return {
    now: () => Date.now(),
    random: () => Math.random(),
    setTimeout(fn, ms) {
      const h = setTimeout(() => {
        live.delete(h);
        fn();
      }, ms);
      live.add(h);
      return h;
    },
    clearTimeout(h) {
      clearTimeout(h as NodeJS.Timeout);
      live.delete(h as NodeJS.Timeout);
    },
    pending: () => live.size,
  };
}

/** Poll `cond` every 10 ms until it holds; fail after `ms` saying what was awaited. */
export async function waitUntil(cond: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
  const start = performance.now();
  for (;;) {
    if (cond()) return;
    if (performance.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The exchange's sockets for the simulator's client id. */
export function exchangeSockets(s: RunningSimulator): ReturnType<RunningSimulator['view']>['sockets'] {
  return s.view().sockets.filter((x) => x.clientId === s.clientId);
}

/**
 * Timers that move only when told. `random()` returns the next of `randoms` (the last repeats;
 * default 0.5), so jittered delays are known in advance.
 */
export class FakeTimers implements Timers {
  private t = 1_000_000;
  private seq = 0;
  private readonly queue = new Map<number, { due: number; fn: () => void; ms: number }>();
  constructor(private readonly randoms: number[] = [0.5]) {}
  now(): number {
    return this.t;
  }
  random(): number {
    return this.randoms.length > 1 ? this.randoms.shift()! : this.randoms[0]!;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.queue.set(++this.seq, { due: this.t + ms, fn, ms });
    return this.seq;
  }
  clearTimeout(h: unknown): void {
    this.queue.delete(h as number);
  }
  /** Timers now pending. */
  pending(): number {
    return this.queue.size;
  }
  /** Delays (ms) of the timers now pending, in creation order. */
  pendingDelays(): number[] {
    return [...this.queue.values()].map((e) => e.ms);
  }
  /** Move the clock on, firing every timer that falls due, in due order. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const next = [...this.queue.entries()].filter(([, e]) => e.due <= until).sort((a, b) => a[1].due - b[1].due)[0];
      if (!next) break;
      this.queue.delete(next[0]);
      this.t = next[1].due;
      next[1].fn();
    }
    this.t = until;
  }
}
