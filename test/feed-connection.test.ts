/**
 * One reconnecting feed connection against the real simulator on 127.0.0.1:0. Every claim is
 * checked where the trader's data comes from: the exchange's own view of what the socket
 * subscribed (`sim.view()`), its connection counters (`sim.stats()`) and its REST prices.
 * Waiting is event- or condition-driven with a bounded timeout; nothing sleeps.
 */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedConnection, type ConnectionState, type FeedConnectionOptions } from '../src/core/feed/feed-connection';
import { RESPONSE_CODE } from '../src/core/feed/feed-protocol';
import { tokenOf, type InstrumentRef, type InstrumentToken } from '../src/shared/instruments';
import { buildSimUniverse } from '../src/sim/sim-instruments';
import type { RunningSimulator, SimulatorOptions } from '../src/sim/server';
import { connectFeed, SIM_AS_OF, startTestSim, testMaster, type FeedClient, type TestSim } from './helpers/sim';
import { exchangeSockets, FakeTimers, liveTcpSockets, tcpSockets, trackedTimers, waitUntil as waitFor } from './helpers/feed';

const NIFTY: InstrumentRef = { segment: 'IDX_I', securityId: 13 };
const BANKNIFTY: InstrumentRef = { segment: 'IDX_I', securityId: 25 };
const RELIANCE: InstrumentRef = { segment: 'NSE_EQ', securityId: 2885 };
const HDFCBANK: InstrumentRef = { segment: 'NSE_EQ', securityId: 1333 };

/** A few near-the-money NIFTY options of the nearest expiry (liquid: they tick often). */
function niftyOptions(n: number): InstrumentRef[] {
  const chain = buildSimUniverse(testMaster(), SIM_AS_OF).chain('IDX_I', 13)!;
  const strikes = [...[...chain.group.expiries.values()][0]!].sort((a, b) => Math.abs(a.strike - 25_800) - Math.abs(b.strike - 25_800));
  return strikes.slice(0, n).flatMap((s) => [s.ce!, s.pe!]).map((i) => ({ segment: i.segment, securityId: i.securityId }));
}

const SET: InstrumentRef[] = [NIFTY, BANKNIFTY, RELIANCE, HDFCBANK, ...niftyOptions(2)];

/** Short policy values: every behaviour shows within a second or two. */
const FAST: Partial<FeedConnectionOptions> = {
  backoff: { initialMs: 20, maxMs: 200, factor: 2 },
  hardBackoffMs: 500,
  minUptimeMs: 200,
  connectTimeoutMs: 2000,
  staleAfterMs: 300,
  pingIntervalMs: 100,
};

const sims: TestSim[] = [];
const connections: FeedConnection[] = [];
const clients: FeedClient[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) c.stop();
  for (const c of clients.splice(0)) c.close();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  // Nothing a test opened may outlive it.
  await waitFor(() => tcpSockets() === 0, 10_000, () => `TCP sockets to close: ${process.getActiveResourcesInfo().join(', ')}`);
});

async function sim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const s = await startTestSim({ rate: 2000, pingIntervalMs: 100, pongTimeoutMs: 2000, ...options });
  sims.push(s);
  return s.sim;
}

interface Recorded {
  connection: FeedConnection;
  /** State changes with performance.now() stamps. */
  states: { state: ConnectionState; at: number; live: boolean[] }[];
  /** Latest LTP per token from ticker/full packets; tokens of every packet. */
  ltp: Map<InstrumentToken, number>;
  seen: Set<InstrumentToken>;
  prevCloses: Map<InstrumentToken, number>;
  /** Called for every ticker/full packet after the LTP is recorded. */
  onLtp?: (token: InstrumentToken) => void;
}

/** A connection to `s` over `refs`, recording states (with isLive of each ref at that moment) and packets. */
function connection(s: RunningSimulator, refs: readonly InstrumentRef[], options: Partial<FeedConnectionOptions> = {}): Recorded {
  const rec: Recorded = { connection: null as unknown as FeedConnection, states: [], ltp: new Map(), seen: new Set(), prevCloses: new Map() };
  const c = new FeedConnection({
    id: 1,
    url: s.feedUrl,
    credentials: () => ({ clientId: s.clientId, token: s.token }),
    ...FAST,
    ...options,
    onState: (state, conn) => rec.states.push({ state, at: performance.now(), live: refs.map((r) => conn.isLive(tokenOf(r))) }),
    onPacket: (p) => {
      const token = `${p.segment}:${p.securityId}`;
      rec.seen.add(token);
      if (p.code === RESPONSE_CODE.TICKER || p.code === RESPONSE_CODE.FULL) {
        rec.ltp.set(token, p.ltp);
        rec.onLtp?.(token);
      }
      if (p.code === RESPONSE_CODE.PREV_CLOSE) rec.prevCloses.set(token, (rec.prevCloses.get(token) ?? 0) + 1);
    },
  });
  rec.connection = c;
  connections.push(c);
  c.add(refs);
  return rec;
}

/** Null when the exchange has exactly one socket carrying exactly `refs` (ticker for IDX_I, full otherwise); else why not. */
/** A connection on SET, started, open, and the exchange holding SET. */
async function openConnection(s: RunningSimulator): Promise<Recorded> {
  const rec = connection(s, SET);
  rec.connection.start();
  await waitFor(() => rec.connection.state === 'open', 10_000, 'open');
  await waitExchange(s, SET);
  return rec;
}

function exchangeMismatch(s: RunningSimulator, refs: readonly InstrumentRef[]): string | null {
  const sockets = exchangeSockets(s);
  if (sockets.length !== 1) return `${sockets.length} exchange sockets, want 1`;
  const got = sockets[0]!.instruments.map((i) => `${tokenOf(i)}/${i.mode}`).sort();
  const want = refs.map((r) => `${tokenOf(r)}/${r.segment === 'IDX_I' ? 'ticker' : 'full'}`).sort();
  return JSON.stringify(got) === JSON.stringify(want) ? null : `exchange has ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
}

async function waitExchange(s: RunningSimulator, refs: readonly InstrumentRef[], ms = 5000): Promise<void> {
  let why: string | null = 'not checked';
  await waitFor(() => (why = exchangeMismatch(s, refs)) === null, ms, () => `the exchange's view: ${why}`);
}

/** Connection attempts the exchange saw: upgrades it accepted or refused. */
function attemptsAt(s: RunningSimulator): number {
  const st = s.stats();
  return st.feed.connectionsOpened + st.refusedUpgrades + st.authFailures;
}

/** POST JSON with the simulator's credentials on a one-off connection (no keep-alive socket left behind). */
function postJson(s: RunningSimulator, url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(url, { method: 'POST', agent: false, headers: { 'access-token': s.token, 'client-id': s.clientId, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? JSON.parse(data) : null }));
    });
    req.on('error', reject);
    req.end(text);
  });
}


describe('feed connection: the desired set at the exchange', () => {
  it('subscribes the desired set on open, adds and removes with real messages, and is live only when it should be', async () => {
    const s = await sim();
    const rec = connection(s, SET);
    const c = rec.connection;
    const tokens = SET.map(tokenOf);

    expect(tokens.some((t) => c.isLive(t))).toBe(false); // idle
    c.start();
    expect(c.state).toBe('connecting');
    expect(tokens.some((t) => c.isLive(t))).toBe(false); // the socket is not open yet
    const late: InstrumentRef = niftyOptions(3)[4]!;
    c.add([late]); // while connecting: wanted, not live, subscribed on open
    expect(c.isLive(tokenOf(late))).toBe(false);

    await waitFor(() => c.state === 'open', 10_000, 'open');
    // When 'open' was announced, every desired instrument's subscribe had already gone out.
    const opened = rec.states.find((x) => x.state === 'open')!;
    expect(opened.live).toEqual(SET.map(() => true));
    expect(c.isLive(tokenOf(late))).toBe(true);
    await waitExchange(s, [...SET, late]);

    c.remove([tokenOf(late), tokenOf(RELIANCE)]);
    expect(c.isLive(tokenOf(RELIANCE))).toBe(false);
    const remaining = SET.filter((r) => r !== RELIANCE);
    await waitExchange(s, remaining);
    expect(s.stats().feed.connectionsOpened).toBe(1); // removed by unsubscribe messages, not by a reconnect

    // While reconnecting nothing is live; after the reconnect the desired set is back at the exchange.
    s.fault({ fault: 'refuse-upgrade', code: 503 });
    s.fault({ fault: 'drop', socket: exchangeSockets(s)[0]!.id });
    await waitFor(() => c.state === 'reconnecting', 10_000, 'reconnecting');
    expect(rec.states.at(-1)!.live.some(Boolean)).toBe(false);
    expect(remaining.some((r) => c.isLive(tokenOf(r)))).toBe(false);
    await waitFor(() => s.stats().refusedUpgrades >= 1, 10_000, 'a refused reconnect');
    expect(remaining.some((r) => c.isLive(tokenOf(r)))).toBe(false);
    s.fault({ fault: 'clear' });
    await waitFor(() => c.state === 'open', 10_000, 'open again');
    expect(remaining.every((r) => c.isLive(tokenOf(r)))).toBe(true);
    await waitExchange(s, remaining);

    // A later plain drop is explained by itself, not by the earlier refusal. With a 20 ms full-jitter
    // backoff the reconnect can complete between two polls, so the recorded states are checked, not c.state.
    const beforeDrop = rec.states.length;
    s.fault({ fault: 'drop', socket: exchangeSockets(s)[0]!.id });
    await waitFor(() => rec.states.slice(beforeDrop).some((x) => x.state === 'reconnecting'), 10_000, 'reconnecting after a drop');
    expect(c.health().lastError).toMatch(/closed/);
    expect(c.health().lastError).not.toMatch(/503/);
    await waitFor(() => c.state === 'open', 10_000, 'open again');
    await waitExchange(s, remaining);
  });

  it('804 (more instruments than the socket takes): the socket stays open with what fitted and says why', async () => {
    const s = await sim({ maxInstrumentsPerSocket: 5 });
    const rec = connection(s, SET);
    const c = rec.connection;
    c.start();
    await waitFor(() => c.health().lastError !== null, 10_000, 'the 804');
    expect(c.health().lastError).toMatch(/too many instruments.*804/);
    // Reconnecting would send the same six again: the socket is kept.
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 0, connectAttempts: 1 });
    expect(exchangeSockets(s).map((x) => x.instruments.length)).toEqual([5]);
  });
});

describe('feed connection: stale sockets', () => {
  it('a muted socket is declared stale after staleAfterMs, not before, and is replaced; data flows again', async () => {
    const s = await sim();
    const rec = await openConnection(s);
    const c = rec.connection;
    // A quiet-but-alive socket is not stale: pings and pongs count.
    await waitFor(() => c.health().frames > 20, 10_000, 'some frames');
    const first = exchangeSockets(s)[0]!.id;

    const mutedAt = performance.now();
    s.fault({ fault: 'mute', socket: first });
    await waitFor(() => rec.states.some((x) => x.state === 'reconnecting' && x.at > mutedAt), 10_000, 'the stale socket to be dropped');
    const droppedAfter = rec.states.find((x) => x.state === 'reconnecting' && x.at > mutedAt)!.at - mutedAt;
    expect(droppedAfter).toBeGreaterThanOrEqual(250); // staleAfterMs 300 after the first ping left unanswered (one sent just before the mute may be lost with it)
    expect(droppedAfter).toBeLessThan(1500); // staleAfterMs + one ping interval (100) + scheduling slack
    expect(c.health().lastError).toMatch(/no data, ping or pong/);

    await waitFor(() => c.state === 'open', 10_000, 'open again');
    const packetsAtReopen = c.health().packets;
    await waitExchange(s, SET);
    expect(exchangeSockets(s)[0]!.id).not.toBe(first);
    await waitFor(() => c.health().packets > packetsAtReopen + 20, 10_000, 'packets on the new socket');
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 1, connectAttempts: 2 });
  });
});

describe('feed connection: 805 and HTTP 429 back off hard', () => {
  it('kicked with 805 by a sixth connection: waits at least hardBackoffMs, one attempt, then resubscribes', async () => {
    const s = await sim({ maxConnections: 1 });
    const rec = await openConnection(s);
    const c = rec.connection;

    const before = attemptsAt(s);
    const intruder = await connectFeed(s); // the exchange kicks the oldest socket: ours
    clients.push(intruder);
    await waitFor(() => c.state === 'reconnecting', 10_000, 'the 805 kick');
    const kickedAt = rec.states.at(-1)!.at;
    expect(c.health().lastError).toMatch(/805/);
    expect(c.pendingRetryMs).toBeGreaterThanOrEqual(500);
    expect(c.pendingRetryMs).toBeLessThan(750);
    intruder.close();

    await waitFor(() => c.state === 'open', 10_000, 'open again');
    expect(rec.states.at(-1)!.at - kickedAt).toBeGreaterThanOrEqual(490);
    expect(attemptsAt(s) - before).toBe(2); // the intruder and one reconnect: no storm
    expect(c.health().connectAttempts).toBe(2);
    await waitExchange(s, SET);
  });

  it('an HTTP 429 on the upgrade: every retry waits at least hardBackoffMs', async () => {
    const s = await sim();
    const rec = connection(s, SET);
    const c = rec.connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');

    s.fault({ fault: 'refuse-upgrade', code: 429 });
    s.fault({ fault: 'drop', socket: exchangeSockets(s)[0]!.id });
    await waitFor(() => s.stats().refusedUpgrades === 1, 10_000, 'the first 429');
    const first = performance.now();
    await waitFor(() => s.stats().refusedUpgrades === 2, 10_000, 'the second 429');
    const gap = performance.now() - first;
    expect(gap).toBeGreaterThanOrEqual(480); // hardBackoffMs 500, less polling granularity
    expect(c.health().lastError).toMatch(/429/);
    expect(c.pendingRetryMs).toBeGreaterThanOrEqual(500);

    s.fault({ fault: 'clear' });
    await waitFor(() => c.state === 'open', 10_000, 'open after the refusal lifts');
    expect(s.stats().refusedUpgrades).toBe(2);
    await waitExchange(s, SET);
  });
});

describe('feed connection: fatal auth failures stop until resume()', () => {
  for (const authFailure of ['packet', 'http'] as const) {
    it(`an expired token (${authFailure === 'packet' ? 'code-50 packet 807' : 'HTTP 401 on the upgrade'}): failed with a reason, no retries, resume() with a new token resubscribes`, async () => {
      const s = await sim({ authFailure, expiredToken: 'yesterdays-token' });
      const timers = trackedTimers();
      let token = 'yesterdays-token';
      const rec = connection(s, SET, { timers, credentials: () => ({ clientId: s.clientId, token }) });
      const c = rec.connection;
      c.start();
      await waitFor(() => c.state === 'failed', 10_000, 'failed');
      expect(c.health().lastError).toMatch(/access token has expired/);
      if (authFailure === 'http') expect(c.health().lastError).toMatch(/HTTP 401/);
      expect(s.stats().authFailures).toBe(1);
      // Nothing can try again: no timer is pending and no socket is left at the exchange.
      expect(timers.pending()).toBe(0);
      await waitFor(() => exchangeSockets(s).length === 0, 10_000, 'the refused socket to close');
      expect(c.state).toBe('failed');
      expect(s.stats().authFailures).toBe(1);
      expect(c.health().connectAttempts).toBe(1);

      token = s.token; // the trader pastes today's token
      c.resume();
      await waitFor(() => c.state === 'open', 10_000, 'open after resume');
      expect(c.health().lastError).toBeNull();
      await waitExchange(s, SET);
      expect(SET.every((r) => c.isLive(tokenOf(r)))).toBe(true);
    });
  }
});

describe('feed connection: bad frames', () => {
  it('garbage, truncated and stacked frames: counted, skipped, the socket stays open and prices match REST', async () => {
    const s = await sim();
    const rec = await openConnection(s);
    const c = rec.connection;
    const socket = exchangeSockets(s)[0]!.id;

    for (const fault of ['garbage', 'truncated'] as const) {
      const errors = c.health().decodeErrors;
      s.fault({ fault, socket });
      await waitFor(() => c.health().decodeErrors >= errors + 10, 5000, `${fault} frames to be counted`);
      s.fault({ fault: 'clear', socket });
    }
    // Prices compared below must come from packets decoded after the lossy faults were lifted.
    const clean = new Set<InstrumentToken>();
    rec.onLtp = (token) => clean.add(token);
    const h = c.health();
    s.fault({ fault: 'stacked', socket });
    await waitFor(() => c.health().packets - h.packets > c.health().frames - h.frames + 50, 10_000, 'stacked frames');
    s.fault({ fault: 'clear', socket });

    expect(s.stats().feed.garbageFrames).toBeGreaterThan(0);
    expect(s.stats().feed.truncatedFrames).toBeGreaterThan(0);
    expect(c.health()).toMatchObject({ state: 'open', reconnects: 0, connectAttempts: 1 });
    expect(exchangeSockets(s).map((x) => x.id)).toEqual([socket]);
    // Every packet that decoded belongs to an instrument this socket subscribed.
    const wanted = new Set(SET.map(tokenOf));
    expect([...rec.seen].filter((t) => !wanted.has(t))).toEqual([]);

    // Freeze the market, then use a new subscription's prev close as a barrier: packets of one
    // socket arrive in order, so everything sent before it is here. The feed's last price must
    // be the exchange's.
    s.setRate(0);
    const barrier = niftyOptions(3)[5]!;
    c.add([barrier]);
    await waitFor(() => rec.prevCloses.has(tokenOf(barrier)), 10_000, 'the barrier prev close');
    const body: Record<string, number[]> = {};
    for (const r of SET) (body[r.segment] ??= []).push(r.securityId);
    const res = await postJson(s, `${s.apiUrl}/marketfeed/ltp`, body);
    expect(res.status).toBe(200);
    const data = (res.json as { data: Record<string, Record<string, { last_price: number }>> }).data;
    const compared = SET.filter((r) => clean.has(tokenOf(r)));
    expect(compared.length).toBeGreaterThanOrEqual(4);
    for (const r of compared) {
      const rest = data[r.segment]![String(r.securityId)]!.last_price;
      expect(Math.abs(rec.ltp.get(tokenOf(r))! - rest), tokenOf(r)).toBeLessThan(0.01);
    }
  });
});

describe('feed connection: disposal', () => {
  it('stop() leaves no timer, no socket here and no socket at the exchange', async () => {
    const s = await sim();
    const timers = trackedTimers();
    const c = connection(s, SET, { timers }).connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');
    await waitExchange(s, SET);
    expect(timers.pending()).toBeGreaterThan(0); // the watchdog
    expect(liveTcpSockets()).toBe(2); // both ends live in this process

    c.stop();
    expect(c.state).toBe('closed');
    expect(timers.pending()).toBe(0);
    expect(SET.some((r) => c.isLive(tokenOf(r)))).toBe(false);
    await waitFor(() => exchangeSockets(s).length === 0, 10_000, 'the exchange to see the socket go');
    await waitFor(() => liveTcpSockets() === 0, 10_000, () => `sockets to close: ${process.getActiveResourcesInfo().join(', ')}`);
    c.stop(); // idempotent
    expect(timers.pending()).toBe(0);
  });
});

describe('feed connection: backoff arithmetic (injected timers and random)', () => {
  it('full jitter within the capped exponential, attempt after attempt', async () => {
    // A port nobody listens on: every attempt is refused at once.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const randoms = [0.999999, 0.5, 0, 0.25, 0.999999, 0.75, 0.999999, 0.1];
    const timers = new FakeTimers([...randoms]);
    const policy = { initialMs: 100, maxMs: 1000, factor: 2 };
    const c = new FeedConnection({ id: 1, url: `ws://127.0.0.1:${port}`, credentials: () => ({ clientId: 'c', token: 't' }), backoff: policy, timers, staleAfterMs: 1e9, pingIntervalMs: 1e9 });
    connections.push(c);
    c.start();
    const delays: number[] = [];
    for (let attempt = 0; attempt < randoms.length; attempt++) {
      await waitFor(() => c.health().reconnects === attempt + 1, 5000, `refusal ${attempt + 1}`);
      expect(c.state).toBe('reconnecting');
      const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** attempt);
      const delay = c.pendingRetryMs;
      expect(timers.pendingDelays()).toEqual([delay]); // only the retry is pending
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
      expect(delay).toBe(Math.floor(randoms[attempt]! * ceiling));
      delays.push(delay);
      if (delay > 0) {
        timers.advance(delay - 1);
        expect(c.health().connectAttempts).toBe(attempt + 1); // not a millisecond early
      }
      timers.advance(delay > 0 ? 1 : 0);
      expect(c.health().connectAttempts).toBe(attempt + 2);
    }
    expect(delays).toEqual([99, 100, 0, 200, 999, 750, 999, 100]);
  });

  it('after an 805 the delay is hardBackoffMs plus up to half again as jitter, never less', async () => {
    const s = await sim();
    const timers = new FakeTimers([0.999999, 0, 0.5]);
    const rec = connection(s, SET, { timers, hardBackoffMs: 1000, staleAfterMs: 1e9, pingIntervalMs: 1e9, connectTimeoutMs: 60_000 });
    const c = rec.connection;
    c.start();
    await waitFor(() => c.state === 'open', 10_000, 'open');
    const delays: number[] = [];
    for (let n = 1; n <= 3; n++) {
      s.fault({ fault: 'disconnect', socket: exchangeSockets(s)[0]!.id, code: 805 });
      await waitFor(() => c.health().reconnects === n, 5000, `805 number ${n}`);
      delays.push(c.pendingRetryMs);
      timers.advance(c.pendingRetryMs - 1);
      expect(c.state).toBe('reconnecting');
      timers.advance(1);
      await waitFor(() => c.state === 'open', 10_000, 'open');
    }
    expect(delays).toEqual([1499, 1000, 1250]);
    await waitExchange(s, SET);
  });

  it('the attempt counter resets only after minUptimeMs of uptime', async () => {
    const s = await sim();
    const timers = new FakeTimers([0.999999]); // each delay is its ceiling less 1 ms: shows the attempt
    const rec = connection(s, SET, { timers, backoff: { initialMs: 100, maxMs: 100_000, factor: 2 }, minUptimeMs: 5000, staleAfterMs: 1e9, pingIntervalMs: 1e9, connectTimeoutMs: 60_000 });
    const c = rec.connection;
    const retry = async (n: number): Promise<number> => {
      await waitFor(() => c.health().reconnects === n, 5000, `drop ${n}`);
      return c.pendingRetryMs;
    };
    const reopen = async (delay: number): Promise<void> => {
      timers.advance(delay);
      await waitFor(() => c.state === 'open', 10_000, 'open');
    };
    const drop = (): void => s.fault({ fault: 'drop', socket: exchangeSockets(s)[0]!.id });

    s.fault({ fault: 'refuse-upgrade', code: 503 });
    c.start();
    expect(await retry(1)).toBe(99);
    timers.advance(99);
    expect(await retry(2)).toBe(199);
    timers.advance(199);
    expect(await retry(3)).toBe(399);
    s.fault({ fault: 'clear' });
    await reopen(399);

    timers.advance(4999); // up, but not for minUptimeMs
    drop();
    expect(await retry(4)).toBe(799); // attempt 3: not reset
    await reopen(799);

    timers.advance(5000); // up for minUptimeMs
    drop();
    expect(await retry(5)).toBe(99); // reset: attempt 0 again
    await reopen(99);
    await waitExchange(s, SET);
  });
});
