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
