/**
 * The five-socket feed pool against the real simulator on 127.0.0.1:0, driven by the placement
 * model as the subscription manager drives it. The exchange's own view (`sim.view()`) is the
 * judge: every instrument on the socket the placement chose, in the right mode, nothing else.
 * Waiting is condition-driven with a bounded timeout; nothing sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedConnectionOptions } from '../src/core/feed/feed-connection';
import { FeedPool, type FeedPoolOptions } from '../src/core/feed/feed-pool';
import { SocketPlacement } from '../src/core/subscriptions/placement';
import { tokenOf, type InstrumentToken } from '../src/shared/instruments';
import { generateMaster } from '../src/sim/master-generator';
import { buildSimUniverse } from '../src/sim/sim-instruments';
import type { RunningSimulator, SimulatorOptions } from '../src/sim/server';
import { SIM_AS_OF, startTestSim, testMaster, type TestSim } from './helpers/sim';
import { exchangeSockets, liveTcpSockets, tcpSockets, trackedTimers, waitUntil as waitFor } from './helpers/feed';

const FAST: Partial<FeedConnectionOptions> = {
  backoff: { initialMs: 20, maxMs: 200, factor: 2 },
  hardBackoffMs: 500,
  minUptimeMs: 200,
  connectTimeoutMs: 3000,
  staleAfterMs: 3000,
  pingIntervalMs: 100,
};

const sims: TestSim[] = [];
const pools: FeedPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) p.stop();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  await waitFor(() => tcpSockets() === 0, 10_000, () => `TCP sockets to close: ${process.getActiveResourcesInfo().join(', ')}`);
});

async function sim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const s = await startTestSim({ rate: 1000, pingIntervalMs: 200, pongTimeoutMs: 5000, ...options });
  sims.push(s);
  return s.sim;
}

/** Live tokens the simulator serves, indices first (so both modes are exercised). */
function liveTokens(master: Buffer): InstrumentToken[] {
  const all = buildSimUniverse(master, SIM_AS_OF).instruments;
  return [...all.filter((i) => i.segment === 'IDX_I'), ...all.filter((i) => i.segment !== 'IDX_I')].map(tokenOf);
}

/** The subscription manager's rebalance, on the placement model alone: plan, apply, report. */
function rebalanceOn(placement: SocketPlacement): FeedPoolOptions['rebalance'] {
  return (kind, socketId) => {
    const moves = kind === 'failover' ? placement.planFailover(socketId!).moves : placement.planEvenOut();
    placement.apply(moves);
    return { moves };
  };
}

function pool(s: RunningSimulator, placement: SocketPlacement, options: Partial<FeedPoolOptions> = {}): FeedPool {
  const errors: unknown[] = [];
  const p = new FeedPool({
    placement,
    url: s.feedUrl,
    credentials: () => ({ clientId: s.clientId, token: s.token }),
    rebalance: rebalanceOn(placement),
    graceMs: 1000,
    connection: FAST,
    onError: (err) => errors.push(err),
    ...options,
  });
  pools.push(p);
  return p;
}

/** Token -> exchange socket id, from the exchange's view. */
function exchangePlacement(s: RunningSimulator): Map<InstrumentToken, number> {
  const out = new Map<InstrumentToken, number>();
  for (const socket of exchangeSockets(s)) for (const i of socket.instruments) out.set(tokenOf(i), socket.id);
  return out;
}

/**
 * Null when the exchange agrees with the placement: `sockets` exchange sockets; each placement
 * socket's instruments together on one exchange socket of their own, exactly those, each once,
 * ticker for IDX_I and full otherwise. Else the first disagreement.
 */
function exchangeMismatch(s: RunningSimulator, placement: SocketPlacement, sockets: number): string | null {
  // Cheap first: the exchange's distinct instrument count (the full view is 25,000 rows).
  if (s.stats().subscribedInstruments !== placement.size) return `exchange carries ${s.stats().subscribedInstruments} instruments, placement ${placement.size}`;
  const view = exchangeSockets(s);
  if (view.length !== sockets) return `${view.length} exchange sockets, want ${sockets}`;
  const where = new Map<InstrumentToken, number>();
  const sizes = new Map<number, number>();
  for (const socket of view) {
    for (const i of socket.instruments) {
      const token = tokenOf(i);
      if (where.has(token)) return `${token} twice at the exchange (${i.mode})`;
      const mode = i.segment === 'IDX_I' ? 'ticker' : 'full';
      if (i.mode !== mode) return `${token} in ${i.mode} mode, want ${mode}`;
      where.set(token, socket.id);
      sizes.set(socket.id, (sizes.get(socket.id) ?? 0) + 1);
    }
  }
  const used = new Set<number>();
  for (let id = 1; id <= placement.sockets; id++) {
    const tokens = placement.tokensOn(id);
    if (tokens.length === 0) continue;
    const at = where.get(tokens[0]!);
    if (at === undefined) return `socket ${id}: ${tokens[0]} not subscribed at the exchange`;
    if (used.has(at)) return `exchange socket ${at} carries instruments of two pool sockets`;
    used.add(at);
    const strays = tokens.filter((t) => where.get(t) !== at);
    if (strays.length) return `socket ${id}: ${strays.length} instruments not on exchange socket ${at}, e.g. ${strays[0]}`;
    if (sizes.get(at) !== tokens.length) return `exchange socket ${at} carries ${sizes.get(at)}, socket ${id} wants ${tokens.length}`;
  }
  return where.size === placement.size ? null : `exchange carries ${where.size} instruments, placement ${placement.size}`;
}

async function waitAgree(s: RunningSimulator, placement: SocketPlacement, sockets: number, ms = 5000): Promise<void> {
  let why: string | null = 'not checked';
  await waitFor(() => (why = exchangeMismatch(s, placement, sockets)) === null, ms, () => `the exchange to agree with the placement: ${why}`);
}

describe('feed pool: 25,000 instruments on 5 sockets', () => {
  it('the exchange carries exactly the placement, 5,000 per socket; 1,000 unsubscribes leave and nothing else moves', async () => {
    const master = Buffer.from(generateMaster({ asOf: SIM_AS_OF, rows: 40_000, seed: 7 }), 'utf8');
    const s = await sim({ master, rate: 500, pingIntervalMs: 1000 });
    const placement = new SocketPlacement();
    const tokens = liveTokens(master).slice(0, 25_000);
    expect(tokens).toHaveLength(25_000);
    placement.place(tokens);
    expect(placement.loads()).toEqual([5000, 5000, 5000, 5000, 5000]);

    const p = pool(s, placement);
    p.start();
    await waitAgree(s, placement, 5, 20_000);
    const sockets = exchangeSockets(s);
    expect(sockets.map((x) => x.instruments.length)).toEqual([5000, 5000, 5000, 5000, 5000]);
    expect(sockets.flatMap((x) => x.instruments).filter((i) => i.mode === 'ticker').length).toBe(tokens.filter((t) => t.startsWith('IDX_I:')).length);
    expect(tokens.every((t) => p.isLive(t))).toBe(true);
    const before = exchangePlacement(s);
    const opened = s.stats().feed.connectionsOpened;

    // 1,000 leave: every 24th token, so from all five sockets, indices among them.
    const leaving = tokens.filter((_, i) => i % 24 === 0).slice(0, 1000);
    expect(leaving).toHaveLength(1000);
    const unsubscribed = leaving.map((token) => ({ token, socket: placement.socketOf(token)! }));
    placement.remove(leaving);
    p.apply({ unsubscribed, subscribed: [] });
    expect(unsubscribed.some(({ token, socket }) => p.connection(socket)!.isLive(token))).toBe(false);
    expect(new Set(unsubscribed.map((u) => u.socket)).size).toBe(5);
    await waitAgree(s, placement, 5, 10_000);

    const after = exchangePlacement(s);
    expect(after.size).toBe(24_000);
    expect(leaving.filter((t) => after.has(t))).toEqual([]);
    // Everything else is where it was, on the same exchange sockets: real unsubscribes, no reconnect.
    expect([...after].filter(([token, socket]) => before.get(token) !== socket)).toEqual([]);
    expect(s.stats().feed.connectionsOpened).toBe(opened);
    expect(p.health().map((h) => h.reconnects)).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('feed pool: a socket lost and found', () => {
  it('a short drop resubscribes the current desired set; a long outage fails over; the return evens the load out', async () => {
    const s = await sim();
    const universe = liveTokens(testMaster());
    const placement = new SocketPlacement({ perSocket: 40 });
    placement.place(universe.slice(0, 100));
    // A grace period well above a reconnect on a loaded machine: the blip below must not fail over.
    const p = pool(s, placement, { graceMs: 2000 });
    p.start();
    await waitAgree(s, placement, 5);
    const X = 3;
    const exchangeIdOf = (id: number): number => exchangePlacement(s).get(placement.tokensOn(id)[0]!)!;

    // Short drop, with upgrades refused meanwhile so the socket is surely down while we add.
    s.fault({ fault: 'refuse-upgrade', code: 503 });
    s.fault({ fault: 'drop', socket: exchangeIdOf(X) });
    await waitFor(() => p.connection(X)!.state === 'reconnecting', 10_000, 'socket 3 down');
    expect(placement.tokensOn(X).some((t) => p.isLive(t))).toBe(false);
    const added = placement.place(universe.slice(100, 110)); // least-loaded: two on each socket, socket 3 included
    p.apply({ subscribed: [...added].map(([token, socket]) => ({ token, socket })), unsubscribed: [] });
    const addedOnX = [...added].filter(([, socket]) => socket === X).map(([token]) => token);
    expect(addedOnX).toHaveLength(2);
    expect(addedOnX.some((t) => p.isLive(t))).toBe(false);
    s.fault({ fault: 'clear' });
    await waitFor(() => p.connection(X)!.state === 'open', 10_000, 'socket 3 back');
    await waitAgree(s, placement, 5);
    expect(addedOnX.every((t) => p.isLive(t))).toBe(true);
    expect(placement.loads()).toEqual([22, 22, 22, 22, 22]); // no failover for a blip

    // Long outage: past graceMs its instruments move to the other sockets, and the exchange agrees.
    const onX = placement.tokensOn(X);
    s.fault({ fault: 'refuse-upgrade', code: 503 });
    const downAt = performance.now();
    s.fault({ fault: 'drop', socket: exchangeIdOf(X) });
    await waitFor(() => placement.load(X) === 0, 10_000, 'failover of socket 3');
    expect(performance.now() - downAt).toBeGreaterThanOrEqual(1950);
    expect(placement.isUp(X)).toBe(false);
    expect(placement.loads()).toEqual([28, 28, 0, 27, 27]);
    await waitAgree(s, placement, 4);
    expect(onX.every((t) => p.isLive(t))).toBe(true);

    // Back: the load evens out (max - min <= 1) with the fewest moves, and the exchange agrees.
    s.fault({ fault: 'clear' });
    await waitFor(() => p.connection(X)!.state === 'open', 10_000, 'socket 3 back');
    await waitFor(() => placement.load(X) > 0, 10_000, 'even-out');
    const loads = placement.loads();
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    expect(loads.reduce((a, b) => a + b)).toBe(110);
    await waitAgree(s, placement, 5);
    expect(universe.slice(0, 110).every((t) => p.isLive(t))).toBe(true);
  });

  it('an 805 kick (injected) backs off hard and the exchange gets the socket back with its set', async () => {
    const s = await sim();
    const placement = new SocketPlacement();
    placement.place(liveTokens(testMaster()).slice(0, 50));
    const p = pool(s, placement);
    p.start();
    await waitAgree(s, placement, 5);
    const opened = s.stats().feed.connectionsOpened;
    const target = exchangePlacement(s).get(placement.tokensOn(2)[0]!)!;
    const kickedAt = performance.now();
    s.fault({ fault: 'disconnect', socket: target, code: 805 });
    await waitFor(() => p.connection(2)!.state === 'reconnecting', 10_000, 'the kick');
    expect(p.connection(2)!.health().lastError).toMatch(/805/);
    await waitAgree(s, placement, 5);
    expect(performance.now() - kickedAt).toBeGreaterThanOrEqual(490);
    expect(s.stats().feed.connectionsOpened - opened).toBe(1);
  });
});

describe('feed pool: disposal', () => {
  it('stop() leaves no socket at the exchange, no timer and no socket here', async () => {
    const s = await sim();
    const timers = trackedTimers();
    const placement = new SocketPlacement();
    placement.place(liveTokens(testMaster()).slice(0, 50));
    const p = pool(s, placement, { graceMs: 300, timers });
    p.start();
    await waitAgree(s, placement, 5);
    expect(liveTcpSockets()).toBe(10); // five sockets, both ends in this process
    // Socket 1 down past its grace period (failed over), socket 2 down within it (a grace timer).
    s.fault({ fault: 'refuse-upgrade', code: 503 });
    s.fault({ fault: 'drop', socket: exchangePlacement(s).get(placement.tokensOn(1)[0]!)! });
    await waitFor(() => !placement.isUp(1), 10_000, 'socket 1 failed over');
    s.fault({ fault: 'drop', socket: exchangePlacement(s).get(placement.tokensOn(2)[0]!)! });
    await waitFor(() => p.connection(2)!.state === 'reconnecting', 10_000, 'socket 2 down');
    expect(timers.pending()).toBeGreaterThanOrEqual(6); // three watchdogs, two retries, a grace period

    p.stop();
    expect(timers.pending()).toBe(0);
    expect(p.health().map((h) => h.state)).toEqual(['closed', 'closed', 'closed', 'closed', 'closed']);
    // The pool marked socket 1 down; stopped, it no longer knows, so a restart may use it again.
    expect(placement.upSockets()).toEqual([1, 2, 3, 4, 5]);
    await waitFor(() => exchangeSockets(s).length === 0, 10_000, 'the exchange to see every socket go');
    await waitFor(() => liveTcpSockets() === 0, 10_000, () => `sockets to close: ${process.getActiveResourcesInfo().join(', ')}`);
  });
});

describe('feed pool: a rebalance that throws', () => {
  it('is reported through onError, not thrown from a timer; the pool keeps going', async () => {
    const s = await sim();
    const placement = new SocketPlacement();
    placement.place(liveTokens(testMaster()).slice(0, 50));
    const errors: { kind: string; socket: number; message: string }[] = [];
    const p = pool(s, placement, {
      graceMs: 300,
      rebalance: () => {
        throw new Error('database is locked');
      },
      onError: (err, kind, socket) => errors.push({ kind, socket, message: (err as Error).message }),
    });
    p.start();
    await waitAgree(s, placement, 5);
    s.fault({ fault: 'refuse-upgrade', code: 503 });
    s.fault({ fault: 'drop', socket: exchangePlacement(s).get(placement.tokensOn(4)[0]!)! });
    await waitFor(() => errors.length === 1, 10_000, 'the failed failover');
    expect(errors[0]).toEqual({ kind: 'failover', socket: 4, message: 'database is locked' });
    expect(placement.loads()).toEqual([10, 10, 10, 10, 10]); // nothing moved
    s.fault({ fault: 'clear' });
    await waitFor(() => errors.length === 2, 10_000, 'the failed even-out on return');
    expect(errors[1]).toMatchObject({ kind: 'even-out', socket: 4 });
    // Socket 4 still has its own instruments and resubscribed them.
    await waitAgree(s, placement, 5);
  });
});

describe('feed pool: packet mode per instrument', () => {
  it('modeFor is used by every socket: the chosen instruments are ticker at the exchange, the rest as it says', async () => {
    const s = await sim();
    const placement = new SocketPlacement();
    const tokens = liveTokens(testMaster()).filter((t) => !t.startsWith('IDX_I:')).slice(0, 50);
    placement.place(tokens);
    const ticker = new Set(tokens.filter((_, i) => i % 2 === 0));
    const p = pool(s, placement, { modeFor: (ref) => (ticker.has(tokenOf(ref)) ? 'ticker' : 'quote') });
    p.start();
    const modes = (): Map<InstrumentToken, string> => new Map(exchangeSockets(s).flatMap((x) => x.instruments.map((i) => [tokenOf(i), i.mode] as const)));
    await waitFor(() => modes().size === tokens.length, 5000, () => `${tokens.length} instruments at the exchange, got ${modes().size}`);
    expect(new Set(exchangeSockets(s).map((x) => x.id)).size).toBeGreaterThan(1);
    expect(tokens.filter((t) => modes().get(t) !== (ticker.has(t) ? 'ticker' : 'quote'))).toEqual([]);
  });
});
