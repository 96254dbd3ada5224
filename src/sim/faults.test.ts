import { afterEach, describe, expect, it } from 'vitest';
import type { InstrumentRef } from '../shared/instruments';
import { connectFeed, feedUrl, http, startTestSim, upgradeStatus, type FeedClient, type Packet, type TestSim } from '../../test/helpers/sim';
import { FaultBoard, parseFault, type SocketFaultFlags } from './faults';

const RELIANCE: InstrumentRef = { segment: 'NSE_EQ', securityId: 2885 };
const HDFCBANK: InstrumentRef = { segment: 'NSE_EQ', securityId: 1333 };
const NIFTY: InstrumentRef = { segment: 'IDX_I', securityId: 13 };
const THREE = [RELIANCE, HDFCBANK, NIFTY];
const is = (ref: InstrumentRef) => (p: Packet): boolean => p.segment === ref.segment && p.securityId === ref.securityId;
const badCount = (c: FeedClient): number => {
  const s = c.decoder.stats;
  return s.truncated + s.malformed + s.unknown + s.oversized + s.badSegment;
};

let running: TestSim | null = null;
const clients: FeedClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await running?.stop();
  running = null;
});

async function setup(n = 1): Promise<{ s: TestSim; c: FeedClient[] }> {
  running = await startTestSim({ rate: 400 });
  const c: FeedClient[] = [];
  for (let i = 0; i < n; i++) c.push(await connectFeed(running.sim));
  clients.push(...c);
  return { s: running, c };
}

const postFault = (s: TestSim, body: unknown) => http(s.sim, 'POST', `${s.sim.controlUrl}/faults`, body);

describe('faults on the feed', () => {
  it('drop: the TCP socket ends without a close frame', async () => {
    const { s, c } = await setup();
    expect((await postFault(s, { fault: 'drop', socket: 1 })).status).toBe(200);
    expect((await c[0]!.waitClosed()).code).toBe(1006);
  });

  it('mute: no data and no pongs on the muted socket while another socket streams on', async () => {
    const { s, c } = await setup(2);
    const [muted, live] = c as [FeedClient, FeedClient];
    s.sim.fault({ fault: 'mute', socket: 1 });
    muted.subscribe('quote', THREE);
    live.subscribe('quote', THREE);
    muted.ws.ping();
    live.ws.ping();
    await live.until(() => (live.pongs > 0 ? true : undefined), 'pong on the live socket');
    await live.waitPackets((p) => p.code === 4, 5, 10_000);
    expect(muted.frames).toBe(0);
    expect(muted.pongs).toBe(0);
    expect(muted.closeCode).toBeNull();
    s.sim.fault({ fault: 'clear', socket: 1 });
    await muted.waitPackets((p) => p.code === 4, 1, 10_000);
  });

  it('garbage: random-byte frames that a FeedDecoder counts as bad', async () => {
    const { s, c } = await setup();
    s.sim.fault({ fault: 'garbage' });
    c[0]!.subscribe('quote', THREE);
    await c[0]!.until(() => (badCount(c[0]!) >= 6 ? true : undefined), 'six bad frames');
    expect(c[0]!.decoder.stats.packets).toBe(0);
    expect(s.sim.stats().feed.garbageFrames).toBeGreaterThanOrEqual(6);
  });

  it('truncated: packets cut short, counted as truncated', async () => {
    const { s, c } = await setup();
    await postFault(s, { fault: 'truncated', socket: 'all' });
    c[0]!.subscribe('quote', THREE);
    await c[0]!.until(() => (c[0]!.decoder.stats.truncated >= 6 ? true : undefined), 'six truncated frames');
    expect(c[0]!.decoder.stats.packets).toBe(0);
  });

  it('stacked: several packets per frame, all decodable', async () => {
    const { s, c } = await setup();
    s.sim.fault({ fault: 'stacked', socket: 1 });
    c[0]!.subscribe('quote', THREE);
    await c[0]!.waitPackets((p) => p.code === 5, 3);
    // Three prev closes and three OI packets answer the subscription in one frame.
    expect(c[0]!.frameSizes[0]).toBe(6);
    expect(badCount(c[0]!)).toBe(0);
  });

  it('disconnect: a code-50 packet with the code, then close', async () => {
    const { s, c } = await setup();
    s.sim.fault({ fault: 'disconnect', socket: 1, code: 806 });
    await c[0]!.waitClosed();
    expect(c[0]!.packets.map((p) => [p.code, p.disconnectReason])).toEqual([[50, 806]]);
  });

  it('refuse-upgrade: the next connect gets 429 until cleared', async () => {
    const { s } = await setup(0);
    await postFault(s, { fault: 'refuse-upgrade', code: 429 });
    expect((await upgradeStatus(feedUrl(s.sim))).status).toBe(429);
    expect(s.sim.stats().refusedUpgrades).toBe(1);
    await postFault(s, { fault: 'clear' });
    clients.push(await connectFeed(s.sim));
  });

  it('latency: frames arrive no sooner than the delay', async () => {
    const { s, c } = await setup();
    // A delay well above loopback round trips on a loaded machine, so "undelayed" below cannot flake.
    s.sim.fault({ fault: 'latency', ms: 1000 });
    const sent = performance.now();
    c[0]!.subscribe('ticker', [RELIANCE]);
    await c[0]!.waitPackets(is(RELIANCE));
    expect(performance.now() - sent).toBeGreaterThanOrEqual(995);
    s.sim.fault({ fault: 'clear' });
    // Frames already held stay in order on the first socket; a fresh socket is undelayed.
    const fresh = await connectFeed(s.sim);
    clients.push(fresh);
    const again = performance.now();
    fresh.subscribe('ticker', [HDFCBANK]);
    await fresh.waitPackets(is(HDFCBANK));
    expect(performance.now() - again).toBeLessThan(995);
  });

  it('bad control requests are 400 with a JSON error', async () => {
    const { s } = await setup(0);
    for (const body of [{ fault: 'explode' }, { fault: 'latency' }, { fault: 'drop', socket: 99 }, { fault: 'mute', seconds: -1 }, 'not json']) {
      const r = await postFault(s, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect((await http(s.sim, 'GET', `${s.sim.controlUrl}/nothing`)).status).toBe(404);
  });

  it('POST /sim/rate sets the aggregate rate, and refuses a bad one', async () => {
    const { s } = await setup(0);
    expect(await http(s.sim, 'POST', `${s.sim.controlUrl}/rate`, { rate: 5000 })).toEqual({ status: 200, json: { ok: true, value: { rate: 5000 } } });
    expect((await http(s.sim, 'POST', `${s.sim.controlUrl}/rate`, { rate: null })).status).toBe(200);
    for (const body of [{ rate: -1 }, { rate: 'fast' }, {}]) expect((await http(s.sim, 'POST', `${s.sim.controlUrl}/rate`, body)).status, JSON.stringify(body)).toBe(400);
  });
});

describe('FaultBoard', () => {
  it('holds faults for their seconds on the injected clock; "all" covers later sockets; clear lifts them', () => {
    let now = 0;
    const board = new FaultBoard(() => now);
    const flags: SocketFaultFlags = { mute: false, garbage: false, truncated: false, stacked: false, latencyMs: 0 };
    board.hold('mute', 'all', 2);
    board.hold('latency', 7, undefined, 120);
    expect(board.resolve(9, flags)).toMatchObject({ mute: true, latencyMs: 0 });
    expect(board.resolve(7, flags)).toMatchObject({ mute: true, latencyMs: 120 });
    now = 2000;
    expect(board.resolve(7, flags)).toMatchObject({ mute: false, latencyMs: 120 });
    board.refuse(401, 1);
    expect(board.refusalCode()).toBe(401);
    now = 3000;
    expect(board.refusalCode()).toBeNull();
    board.clear(7);
    expect(board.resolve(7, flags).latencyMs).toBe(0);
    expect(() => parseFault({ fault: 'stacked', socket: 0 })).toThrow(/bad fault/);
  });
});
