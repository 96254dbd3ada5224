/**
 * Feed liveness (issue 16, item 5) against the real simulator on 127.0.0.1:0: the client pings on
 * its own schedule and a ping left unanswered for `staleAfterMs` (nothing heard since it went out)
 * makes the socket stale. Life is anything heard -- pong, ping, frame -- never ticks, so a quiet
 * market whose server answers pings is never stale, while a muted socket (the simulator's `mute`
 * sends nothing and answers no ping, as a dead TCP path would) is replaced and resubscribed.
 *
 * The simulator runs at rate 0 (no ticks) and with its own pings far apart, so the client's pongs
 * are the only sign of life. Where the rule's arithmetic is checked the connection's clock is
 * fake and moves only when told; the sockets are always real. Waiting is a bounded poll; nothing
 * sleeps, and no upper time bound is asserted: the order of events is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { FeedConnection, type ConnectionState, type FeedConnectionOptions } from '../src/core/feed/feed-connection';
import { RESPONSE_CODE } from '../src/core/feed/feed-protocol';
import { tokenOf, type InstrumentRef } from '../src/shared/instruments';
import type { RunningSimulator } from '../src/sim/server';
import { startTestSim, type TestSim } from './helpers/sim';
import { exchangeSockets, FakeTimers, tcpSockets, trackedTimers, waitUntil as waitFor } from './helpers/feed';

const SET: InstrumentRef[] = [
  { segment: 'IDX_I', securityId: 13 },
  { segment: 'IDX_I', securityId: 25 },
  { segment: 'NSE_EQ', securityId: 2885 },
  { segment: 'NSE_EQ', securityId: 1333 },
];


const sims: TestSim[] = [];
const connections: FeedConnection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.stop();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  await waitFor(() => tcpSockets() === 0, 10_000, () => `TCP sockets to close: ${process.getActiveResourcesInfo().join(', ')}`);
});

/** A quiet market: no ticks, and the exchange's own pings far apart (so they keep nothing alive). */
async function quietSim(): Promise<RunningSimulator> {
  const s = await startTestSim({ rate: 0, pingIntervalMs: 600_000, pongTimeoutMs: 1_200_000 });
  sims.push(s);
  return s.sim;
}

interface Recorded {
  connection: FeedConnection;
  /** State changes in order, with the pings sent and pongs heard at that moment. */
  states: { state: ConnectionState; pingsSent: number; pongs: number }[];
  /** Packets other than prev close (a tick would make the market not quiet). */
  ticks: number;
}

function connection(s: RunningSimulator, options: Partial<FeedConnectionOptions>): Recorded {
  const rec: Recorded = { connection: null as unknown as FeedConnection, states: [], ticks: 0 };
  const c = new FeedConnection({
    id: 1,
    url: s.feedUrl,
    credentials: () => ({ clientId: s.clientId, token: s.token }),
    backoff: { initialMs: 20, maxMs: 200, factor: 2 },
    minUptimeMs: 200,
    connectTimeoutMs: 5000,
    ...options,
    onState: (state, conn) => {
      const h = conn.health();
      rec.states.push({ state, pingsSent: h.pingsSent, pongs: h.pongs });
    },
    onPacket: (p) => {
      if (p.code !== RESPONSE_CODE.PREV_CLOSE) rec.ticks++;
    },
  });
  rec.connection = c;
  connections.push(c);
  c.add(SET);
  return rec;
}

/** Null when the exchange has exactly one socket carrying SET (ticker for IDX_I, full otherwise); else why not. */
function exchangeMismatch(s: RunningSimulator): string | null {
  const sockets = exchangeSockets(s);
  if (sockets.length !== 1) return `${sockets.length} exchange sockets, want 1`;
  const got = sockets[0]!.instruments.map((i) => `${tokenOf(i)}/${i.mode}`).sort();
  const want = SET.map((r) => `${tokenOf(r)}/${r.segment === 'IDX_I' ? 'ticker' : 'full'}`).sort();
  return JSON.stringify(got) === JSON.stringify(want) ? null : `exchange has ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
}

async function waitExchange(s: RunningSimulator): Promise<void> {
  let why: string | null = 'not checked';
  await waitFor(() => (why = exchangeMismatch(s)) === null, 5000, () => `the exchange's view: ${why}`);
}

describe('feed liveness: a muted socket', () => {
  it('is declared stale after a ping goes unanswered, reconnected, and its instruments are subscribed again', async () => {
    const s = await quietSim();
    const rec = connection(s, { pingIntervalMs: 50, staleAfterMs: 200 });
    const c = rec.connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');
    await waitExchange(s);
    // Alive on pongs alone: several stale windows pass with no tick and no reconnect.
    await waitFor(() => c.health().pongs >= 12, 10_000, 'pongs to the client pings');
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 0 });
    const first = exchangeSockets(s)[0]!.id;

    const before = c.health();
    s.fault({ fault: 'mute', socket: first });
    await waitFor(() => c.health().reconnects === 1, 10_000, 'the muted socket to be declared stale');
    // The order: open, pings past the mute left unanswered, then stale and reconnecting.
    const dropped = rec.states.find((x) => x.state === 'reconnecting')!;
    expect(dropped.pingsSent).toBeGreaterThan(before.pingsSent);
    expect(c.health().lastError).toMatch(/no data, ping or pong for .*a ping unanswered for/);

    await waitFor(() => c.state === 'open', 10_000, 'open again');
    await waitExchange(s);
    expect(exchangeSockets(s)[0]!.id).not.toBe(first); // a new socket (the mute died with the old one)
    expect(SET.every((r) => c.isLive(tokenOf(r)))).toBe(true);
    // The new socket answers pings: alive again.
    const pongs = c.health().pongs;
    await waitFor(() => c.health().pongs > pongs + 3, 10_000, 'pongs on the new socket');
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 1, connectAttempts: 2 });
    expect(rec.ticks).toBe(0);
  });

  it('the rule on a fake clock: stale exactly staleAfterMs after the first unanswered ping, not a millisecond before', async () => {
    const s = await quietSim();
    const timers = new FakeTimers();
    // 2,500 is no multiple of 1,000: the deadline is its own timer, not the next ping round.
    const rec = connection(s, { timers, pingIntervalMs: 1000, staleAfterMs: 2500 });
    const c = rec.connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');
    await waitExchange(s);
    const first = exchangeSockets(s)[0]!.id;

    // Ten rounds: each ping is answered before the next, so nothing is ever stale.
    for (let round = 1; round <= 10; round++) {
      timers.advance(1000);
      expect(c.health().pingsSent).toBe(round);
      await waitFor(() => c.health().pongs === round, 5000, `pong ${round}`);
    }
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 0 });

    s.fault({ fault: 'mute', socket: first });
    timers.advance(1000); // ping 11 goes out into the mute
    expect(c.health().pingsSent).toBe(11);
    timers.advance(2499); // pings 12 and 13 too; ping 11 is 2,499 ms old
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 0, pingsSent: 13, pongs: 10 });
    timers.advance(1); // 2,500 ms: stale (the verdict's confirming turn is due at once)
    expect(c.state).toBe('reconnecting');
    expect(c.health().lastError).toMatch(/a ping unanswered for 2500 ms/);

    timers.advance(c.pendingRetryMs);
    await waitFor(() => c.state === 'open', 10_000, 'open again');
    await waitExchange(s);
    expect(exchangeSockets(s)[0]!.id).not.toBe(first);
    expect(SET.every((r) => c.isLive(tokenOf(r)))).toBe(true);
  });
});

describe('feed liveness: a quiet market', () => {
  it('no ticks, pongs answered: never stale over many stale windows (real timers)', async () => {
    const s = await quietSim();
    const rec = connection(s, { pingIntervalMs: 100, staleAfterMs: 500 });
    const c = rec.connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');
    await waitExchange(s);
    // 30 pings = 3 s = six stale windows with nothing but pongs.
    await waitFor(() => c.health().pongs >= 30, 20_000, '30 pongs');
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 0, connectAttempts: 1, lastError: null });
    expect(rec.states.map((x) => x.state)).toEqual(['connecting', 'open']);
    expect(s.stats().feed.connectionsOpened).toBe(1);
    expect(rec.ticks).toBe(0); // quiet indeed: nothing but the prev closes
  });
});

describe("feed liveness: the exchange's pings", () => {
  it('count as life when no pong comes: alive while they arrive, stale once they stop', async () => {
    // A bare server that never answers a ping but pings every 30 ms, as Dhan pings every 10 s.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    let pinging = true;
    const pinger = setInterval(() => {
      if (pinging) for (const ws of wss.clients) ws.ping();
    }, 30);
    try {
      const port = (wss.address() as { port: number }).port;
      const states: ConnectionState[] = [];
      const c = new FeedConnection({
        id: 1,
        url: `ws://127.0.0.1:${port}`,
        credentials: () => ({ clientId: 'c', token: 't' }),
        backoff: { initialMs: 60_000, maxMs: 60_000, factor: 2 },
        pingIntervalMs: 50,
        staleAfterMs: 300,
        onState: (state) => states.push(state),
      });
      connections.push(c);
      c.start();
      await waitFor(() => c.state === 'open', 10_000, 'open');
      await waitFor(() => c.health().pingsSent >= 24, 10_000, 'four stale windows of client pings');
      expect(c.health()).toMatchObject({ state: 'open', reconnects: 0, pongs: 0 });

      pinging = false;
      await waitFor(() => c.health().reconnects === 1, 10_000, 'stale once the pings stop');
      expect(states).toEqual(['connecting', 'open', 'reconnecting']);
      expect(c.health().lastError).toMatch(/a ping unanswered for/);
      c.stop();
    } finally {
      clearInterval(pinger);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });
});

describe('feed liveness: disposal', () => {
  it('stop() disposes the ping timer: nothing pending, no ping after', async () => {
    const s = await quietSim();
    const timers = trackedTimers();
    const rec = connection(s, { timers, pingIntervalMs: 50, staleAfterMs: 200 });
    const c = rec.connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');
    await waitFor(() => c.health().pongs >= 3, 10_000, 'pongs');
    expect(timers.pending()).toBe(1); // the watchdog: one timer for pings and the deadline
    c.stop();
    expect(timers.pending()).toBe(0);
    const pings = c.health().pingsSent;
    await waitFor(() => exchangeSockets(s).length === 0, 10_000, 'the exchange to see the socket go');
    expect(c.health().pingsSent).toBe(pings);
    expect(timers.pending()).toBe(0);
  });

  it('a stale socket leaves only its retry timer, and stop() clears that (fake clock)', async () => {
    const s = await quietSim();
    const timers = new FakeTimers();
    const rec = connection(s, { timers, pingIntervalMs: 1000, staleAfterMs: 1000 });
    const c = rec.connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');
    expect(timers.pending()).toBe(1); // the watchdog (the connect timeout went at open)
    s.fault({ fault: 'mute', socket: exchangeSockets(s)[0]!.id });
    timers.advance(2000);
    expect(c.state).toBe('reconnecting');
    expect(timers.pending()).toBe(1); // the retry only
    c.stop();
    expect(timers.pending()).toBe(0);
  });
});
