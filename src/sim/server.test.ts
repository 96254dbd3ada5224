import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeDisconnectRequest } from '../core/feed/feed-requests';
import type { InstrumentRef } from '../shared/instruments';
import { istEpochMs } from '../shared/market-calendar';
import { connectFeed, feedUrl, http, moveMarket, runningClock, startTestSim, testMaster, SIM_AS_OF, upgradeStatus, type FeedClient, type Packet, type TestSim } from '../../test/helpers/sim';
import type { SimStatus } from './server';
import { buildSimUniverse } from './sim-instruments';

const RELIANCE: InstrumentRef = { segment: 'NSE_EQ', securityId: 2885 };
const HDFCBANK: InstrumentRef = { segment: 'NSE_EQ', securityId: 1333 };
const NIFTY: InstrumentRef = { segment: 'IDX_I', securityId: 13 };

/** A near-the-money NIFTY call of the nearest expiry in the test master. */
function niftyOption(): InstrumentRef {
  const chain = buildSimUniverse(testMaster(), SIM_AS_OF).chain('IDX_I', 13)!;
  const strikes = [...chain.group.expiries.values()][0]!;
  const atm = strikes.reduce((a, b) => (Math.abs(b.strike - 25_800) < Math.abs(a.strike - 25_800) ? b : a));
  return { segment: atm.ce!.segment, securityId: atm.ce!.securityId };
}

const is = (ref: InstrumentRef) => (p: Packet): boolean => p.segment === ref.segment && p.securityId === ref.securityId;

let running: TestSim | null = null;
const clients: FeedClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await running?.stop();
  running = null;
});

async function sim(options: Parameters<typeof startTestSim>[0] = {}): Promise<TestSim> {
  running = await startTestSim(options);
  return running;
}
async function client(s: TestSim, q: Parameters<typeof connectFeed>[1] = {}, ws: WebSocket.ClientOptions = {}): Promise<FeedClient> {
  const c = await connectFeed(s.sim, q, ws);
  clients.push(c);
  return c;
}

describe('feed: subscribe, packets, inspectable state, unsubscribe', () => {
  it('quote mode: prev close first, then OI and quote packets; /sim/subscriptions shows them; code 18 stops them', async () => {
    const s = await sim({ rate: 300 });
    const c = await client(s);
    const option = niftyOption();
    const three = [RELIANCE, NIFTY, option];
    c.subscribe('quote', three);

    for (const ref of three) {
      const [first] = await c.waitPackets(is(ref));
      expect(first!.code).toBe(6);
      expect(first!.prevClose).toBeGreaterThan(0);
    }
    const [oi] = await c.waitPackets((p) => is(option)(p) && p.code === 5);
    expect(oi!.oi).toBeGreaterThan(0);
    const quotes = await c.waitPackets((p) => p.code === 4 && is(RELIANCE)(p), 2, 10_000);
    const prev = c.packets.find((p) => p.code === 6 && is(RELIANCE)(p))!.prevClose;
    for (const q of quotes) {
      expect(q.length).toBe(50);
      expect(Math.abs(q.ltp / prev - 1)).toBeLessThan(0.2);
      expect(q.volume).toBeGreaterThan(0);
      expect(q.low).toBeLessThanOrEqual(q.high);
      expect(q.close).toBe(0);
      // IST wall clock as epoch seconds: 10:00-ish on the test day read as UTC.
      expect(new Date(q.ltt * 1000).toISOString().slice(0, 10)).toBe(SIM_AS_OF);
    }
    expect(c.decoder.stats).toMatchObject({ truncated: 0, malformed: 0, unknown: 0, oversized: 0, badSegment: 0 });

    const view = await http(s.sim, 'GET', `${s.sim.controlUrl}/subscriptions`);
    expect(view.json).toEqual({ sockets: [{ id: 1, clientId: s.sim.clientId, instruments: three.map((r) => ({ ...r, mode: 'quote' })) }] });
    expect(s.sim.view()).toEqual(view.json);

    c.subscribe('quote', three, 'unsubscribe');
    // Requests are handled in order: once HDFCBANK's prev close is here, the unsubscribe was applied.
    c.subscribe('ticker', [HDFCBANK]);
    const [barrier] = await c.waitPackets((p) => is(HDFCBANK)(p) && p.code === 6);
    const after = c.packets.indexOf(barrier!);
    expect(s.sim.view().sockets[0]!.instruments).toEqual([{ ...HDFCBANK, mode: 'ticker' }]);
    await c.waitPackets((p) => is(HDFCBANK)(p) && p.code === 2, 3, 10_000);
    expect(c.packets.slice(after).filter((p) => three.some((r) => is(r)(p)))).toEqual([]);
  });

  it('one instrument in several modes gets each mode; unknown ids and client binary frames are ignored', async () => {
    const s = await sim({ rate: 300 });
    const c = await client(s);
    c.subscribe('ticker', [RELIANCE]);
    c.subscribe('full', [RELIANCE, { segment: 'NSE_EQ', securityId: 999_999_999 }]);
    c.ws.send(Buffer.alloc(83)); // what the official SDK sends on disconnect
    const full = await c.waitPackets((p) => is(RELIANCE)(p) && p.code === 8, 1, 10_000);
    await c.waitPackets((p) => is(RELIANCE)(p) && p.code === 2, 1, 10_000);
    expect(full[0]!.depth[4]).toBeGreaterThan(0); // best bid price
    expect(c.packets.filter((p) => is(RELIANCE)(p) && p.code === 6)).toHaveLength(2);
    expect(s.sim.stats().feed).toMatchObject({ unknownInstruments: 1, binaryFromClient: 1 });
    expect(s.sim.view().sockets[0]!.instruments.map((i) => i.mode)).toEqual(['ticker', 'full']);
  });

  it('RequestCode 12 closes the socket and forgets its subscriptions', async () => {
    const s = await sim();
    const c = await client(s);
    c.subscribe('quote', [RELIANCE]);
    await c.waitPackets(is(RELIANCE));
    c.ws.send(encodeDisconnectRequest());
    expect((await c.waitClosed()).code).toBe(1000);
    await c.until(() => (s.sim.stats().connections === 0 ? true : undefined), 'server-side close');
    expect(s.sim.stats().subscribedInstruments).toBe(0);
  });
});

describe('feed: credentials and limits', () => {
  it('a bad token gets an 808 packet, the expired token 807, then close', async () => {
    const s = await sim();
    const bad = await client(s, { token: 'nope' });
    await bad.waitClosed();
    expect(bad.packets.map((p) => [p.code, p.disconnectReason])).toEqual([[50, 808]]);
    const expired = await client(s, { token: 'expired-token' });
    await expired.waitClosed();
    expect(expired.packets.map((p) => p.disconnectReason)).toEqual([807]);
    const wrongClient = await client(s, { clientId: '42' });
    await wrongClient.waitClosed();
    expect(wrongClient.packets.map((p) => p.disconnectReason)).toEqual([808]);
    expect(s.sim.stats().connections).toBe(0);
  });

  it("authFailure 'http' answers the upgrade with 401; a missing version is 400", async () => {
    const s = await sim({ authFailure: 'http' });
    const refused = await upgradeStatus(feedUrl(s.sim, { token: 'nope' }));
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 'failed' });
    expect((await upgradeStatus(feedUrl(s.sim, { version: '1' }))).status).toBe(400);
  });

  it('more than 100 instruments in one message: 804 and close, nothing subscribed', async () => {
    const s = await sim();
    const c = await client(s);
    const ids = Array.from({ length: 101 }, (_, i) => ({ ExchangeSegment: 'NSE_EQ', SecurityId: String(2885 + i) }));
    c.ws.send(JSON.stringify({ RequestCode: 15, InstrumentCount: 101, InstrumentList: ids }));
    await c.waitClosed();
    expect(c.packets.map((p) => p.disconnectReason)).toEqual([804]);
    expect(s.sim.stats().subscribedInstruments).toBe(0);
  });

  it('past the per-socket cap: 804, the excess is not subscribed, the socket stays open', async () => {
    const s = await sim({ maxInstrumentsPerSocket: 2 });
    const c = await client(s);
    c.subscribe('ticker', [RELIANCE, HDFCBANK, NIFTY]);
    const [p] = await c.waitPackets((x) => x.code === 50);
    expect(p!.disconnectReason).toBe(804);
    expect(s.sim.view().sockets[0]!.instruments).toEqual([{ ...RELIANCE, mode: 'ticker' }, { ...HDFCBANK, mode: 'ticker' }]);
    c.subscribe('quote', [RELIANCE]); // another mode of a held instrument still fits
    await c.waitPackets((x) => is(RELIANCE)(x) && x.code === 6, 2);
    expect(c.closeCode).toBeNull();
  });

  it('a 6th connection for the client id kicks the oldest with 805', async () => {
    const s = await sim();
    const five = [];
    for (let i = 0; i < 5; i++) five.push(await client(s));
    const sixth = await client(s);
    await five[0]!.waitClosed();
    expect(five[0]!.packets.map((p) => p.disconnectReason)).toEqual([805]);
    expect(s.sim.view().sockets.map((x) => x.id)).toEqual([2, 3, 4, 5, 6]);
    for (const c of [...five.slice(1), sixth]) expect(c.closeCode).toBeNull();
  });
});

describe('feed: keep-alive', () => {
  it('pings clients, closes one that stops answering, keeps one that answers, and answers client pings', async () => {
    const s = await sim({ pingIntervalMs: 50, pongTimeoutMs: 250 });
    const alive = await client(s);
    const silent = await client(s, {}, { autoPong: false });
    let pingsSeen = 0;
    silent.ws.on('ping', () => pingsSeen++);
    const started = performance.now();
    const { code } = await silent.waitClosed(3000);
    expect(code).toBe(1006); // terminated, no close frame
    expect(pingsSeen).toBeGreaterThanOrEqual(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(alive.closeCode).toBeNull();
    alive.ws.ping();
    await alive.until(() => (alive.pongs > 0 ? true : undefined), 'pong');
    expect(s.sim.stats().feed.keepAliveCloses).toBe(1);
  });
});

describe('stop()', () => {
  it('closes every socket and the server; a second connect fails', async () => {
    const s = await startTestSim({ pingIntervalMs: 20 });
    const c = await connectFeed(s.sim);
    c.subscribe('quote', [RELIANCE]);
    await c.waitPackets(is(RELIANCE));
    await s.stop();
    await c.waitClosed();
    await expect(connectFeed(s.sim)).rejects.toThrow(/ECONNREFUSED/);
    await expect(fetch(`${s.sim.apiUrl}/profile`)).rejects.toThrow();
    await s.stop(); // idempotent
  });
});

describe('control API: market moves', () => {
  /** Within half a tick, plus float32 rounding of the packet's price. */
  const near = (price: number, expected: number, tick: number): boolean => Math.abs(price - expected) <= tick / 2 + expected * 1e-6;

  it('POST /sim/move: subscribers get the jump as ticks at once (spot first), REST shows it, futures and options follow', async () => {
    const s = await sim({ rate: 0 }); // a still market: the only trades are the moves'
    const c = await client(s);
    const option = niftyOption();
    c.subscribe('quote', [RELIANCE, NIFTY, option]);
    for (const ref of [RELIANCE, NIFTY, option]) await c.waitPackets((p) => is(ref)(p) && p.code === 6);

    const moved = await moveMarket(s.sim, 'RELIANCE', 3);
    expect(moved).toMatchObject({ symbol: 'RELIANCE', underlyings: ['equity:RELIANCE'] });
    expect(moved.after / moved.before).toBeCloseTo(1.03, 5);
    expect(moved.futures.length).toBeGreaterThan(0);
    for (const f of moved.futures) expect(f.after / f.before).toBeCloseTo(1.03, 5);
    const [tick] = await c.waitPackets((p) => is(RELIANCE)(p) && p.code === 4, 1, 2000);
    expect(near(tick!.ltp, moved.after, 0.1)).toBe(true);

    // One snapshot (the quote APIs allow one request a second): both listings and every future.
    const wanted: Record<string, number[]> = { NSE_EQ: [2885], BSE_EQ: [500325] };
    for (const f of moved.futures) (wanted[f.segment] ??= []).push(f.securityId);
    const rest = await http(s.sim, 'POST', `${s.sim.apiUrl}/marketfeed/ltp`, wanted);
    expect(rest.status).toBe(200);
    const ltp = (segment: string, id: number): number => (rest.json as { data: Record<string, Record<string, { last_price: number }>> }).data[segment]![String(id)]!.last_price;
    expect(near(ltp('NSE_EQ', 2885), moved.after, 0.1)).toBe(true);
    expect(near(ltp('BSE_EQ', 500325), moved.after, 0.1)).toBe(true);
    for (const f of moved.futures) expect(near(ltp(f.segment, f.securityId), f.after, 0.1)).toBe(true);

    // NIFTY down then up: the index ticks before its option each time, and the call follows.
    const down = await moveMarket(s.sim, 'NIFTY', -2);
    const firstOption = await c.waitPackets((p) => is(option)(p) && p.code === 4, 1, 2000);
    const downIndex = c.packets.findIndex((p) => is(NIFTY)(p) && p.code === 4);
    expect(downIndex).toBeGreaterThanOrEqual(0);
    expect(downIndex).toBeLessThan(c.packets.indexOf(firstOption[0]!));
    expect(near(c.packets[downIndex]!.ltp, down.after, 0.05)).toBe(true);
    const up = await moveMarket(s.sim, 'NIFTY', 2);
    expect(Math.abs(up.before / down.after - 1)).toBeLessThan(0.002); // the walk went on between the calls
    const [, secondOption] = await c.waitPackets((p) => is(option)(p) && p.code === 4, 2, 2000);
    const indexTicks = await c.waitPackets((p) => is(NIFTY)(p) && p.code === 4, 2, 2000);
    expect(near(indexTicks[1]!.ltp, up.after, 0.05)).toBe(true);
    expect(secondOption!.ltp).toBeGreaterThan(firstOption[0]!.ltp);
  });

  it('moves an MCX commodity: every future by the percentage, the near one ticks at the new level, its options follow', async () => {
    const s = await sim({ rate: 0 });
    const c = await client(s);
    const listed = buildSimUniverse(testMaster(), SIM_AS_OF).instruments.filter((i) => i.symbol === 'CRUDEOIL');
    const crude = listed.filter((i) => i.kind === 'FUTCOM');
    const puts = listed.filter((i) => i.optionType === 'PE' && i.expiry === listed.find((o) => o.optionType === 'PE')!.expiry);
    expect(crude.length).toBeGreaterThan(0);
    const put = puts.reduce((a, b) => (Math.abs(b.strike! - 5_600) < Math.abs(a.strike! - 5_600) ? b : a));
    const future = { segment: crude[0]!.segment, securityId: crude[0]!.securityId };
    const option = { segment: put.segment, securityId: put.securityId };
    c.subscribe('quote', [future, option]);
    for (const ref of [future, option]) await c.waitPackets((p) => is(ref)(p) && p.code === 6);

    const down = await moveMarket(s.sim, 'CRUDEOIL', -4);
    expect(down.underlyings).toEqual(['commodity:CRUDEOIL']);
    expect(down.futures.map((f) => f.securityId).sort()).toEqual(crude.map((i) => i.securityId).sort());
    for (const f of down.futures) expect(f.after / f.before).toBeCloseTo(0.96, 5);
    const [tick] = await c.waitPackets((p) => is(future)(p) && p.code === 4, 1, 2000);
    expect(near(tick!.ltp, down.futures.find((f) => f.securityId === future.securityId)!.after, crude[0]!.tickSize)).toBe(true);
    // Back up: the put priced off the future falls again.
    await moveMarket(s.sim, 'CRUDEOIL', 4);
    const [afterDown, afterUp] = await c.waitPackets((p) => is(option)(p) && p.code === 4, 2, 2000);
    expect(afterUp!.ltp).toBeLessThan(afterDown!.ltp);
  });

  it('refuses an unknown symbol (404) and bad input (400), naming the problem', async () => {
    const s = await sim();
    const url = `${s.sim.controlUrl}/move`;
    const cases: [body: unknown, status: number, code: string, message: RegExp][] = [
      [{ symbol: 'NOSUCH', pct: 1 }, 404, 'UNKNOWN_SYMBOL', /"NOSUCH"/],
      [{ symbol: 'RELIANCE' }, 400, 'BAD_REQUEST', /`pct` is required/],
      [{ symbol: 'RELIANCE', pct: '3' }, 400, 'BAD_REQUEST', /`pct` must be a finite number.*"3"/],
      ['{"symbol":"RELIANCE","pct":1e999}', 400, 'BAD_REQUEST', /`pct` must be a finite number.*Infinity/],
      [{ symbol: 'RELIANCE', pct: -100 }, 400, 'BAD_REQUEST', /`pct` must be above -100 and at most 1000, got -100/],
      [{ symbol: 'RELIANCE', pct: 1000.5 }, 400, 'BAD_REQUEST', /`pct` must be above -100.*1000\.5/],
      [{ pct: 3 }, 400, 'BAD_REQUEST', /`symbol` must be a non-empty string/],
      [{ symbol: 7, pct: 3 }, 400, 'BAD_REQUEST', /`symbol`/],
      ['{"symbol": "RELIANCE", pct: 3', 400, 'BAD_REQUEST', /not JSON/],
      [[1, 2], 400, 'BAD_REQUEST', /JSON object/],
    ];
    for (const [body, status, code, message] of cases) {
      const res = await http(s.sim, 'POST', url, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      const json = res.json as { ok: boolean; error: { code: string; message: string } };
      expect(json.ok).toBe(false);
      expect(json.error.code).toBe(code);
      expect(json.error.message).toMatch(message);
    }
    await expect(moveMarket(s.sim, 'NOSUCH', 1)).rejects.toThrow(/HTTP 404/);
  });
});

describe('market hours', () => {
  const at = (hhmm: number, date = SIM_AS_OF): { now(): number } => runningClock(istEpochMs(date, Math.floor(hhmm / 100) * 60 + (hhmm % 100)));
  const profile = async (s: TestSim): Promise<unknown> =>
    (await http(s.sim, 'GET', `${s.sim.apiUrl}/profile`, undefined)).json;

  it("'always' (the default) says plainly when its session is simulated outside market hours, on /sim/status and the profile", async () => {
    // SIM_AS_OF is an NSE holiday (Guru Nanak's birthday): everything is closed at 10:00.
    const holiday = await sim();
    expect(holiday.sim.status()).toMatchObject({ simulatedOutsideHours: true, note: 'simulated session outside market hours (NSE, BSE, NSE currency, BSE currency, MCX closed by the calendar)' });
    await holiday.stop();
    const day = await sim({ clock: at(1000, '2026-11-25') });
    const open = await http(day.sim, 'GET', `${day.sim.controlUrl}/status`);
    expect(open.status).toBe(200);
    expect(open.json).toMatchObject({ session: 'always', simulatedOutsideHours: false, note: 'simulated session in market hours' });
    expect((open.json as SimStatus).venues.map((v) => [v.venue, v.open])).toEqual([['NSE', true], ['BSE', true], ['NSE currency', true], ['BSE currency', true], ['MCX', true]]);
    expect(await profile(day)).toMatchObject({ dhanClientId: day.sim.clientId, simulator: { session: 'always', simulatedOutsideHours: false } });
    await day.stop();

    const night = await sim({ clock: at(2000) }); // 20:00 IST: only MCX is open (its evening session)
    const status = night.sim.status();
    expect(status).toMatchObject({ session: 'always', simulatedOutsideHours: true });
    expect(status.note).toBe('simulated session outside market hours (NSE, BSE, NSE currency, BSE currency closed by the calendar)');
    expect(status.venues.find((v) => v.venue === 'NSE')).toMatchObject({ open: false, simulated: true, opensAt: istEpochMs('2026-11-25', 555), closesAt: istEpochMs('2026-11-25', 930) });
    const { now, ...rest } = (await http(night.sim, 'GET', `${night.sim.controlUrl}/status`)).json as SimStatus;
    expect(now).toBeGreaterThanOrEqual(status.now);
    expect(rest).toEqual({ session: status.session, venues: status.venues, simulatedOutsideHours: true, note: status.note });
    expect(await profile(night)).toMatchObject({ simulator: { session: 'always', simulatedOutsideHours: true } });
  });

  it("'clock' trades only what is open: at 20:00 IST MCX ticks, NSE sends its previous close and REST answers with the last prices", async () => {
    const s = await sim({ session: 'clock', clock: at(2000), rate: 400 });
    expect(s.sim.status()).toMatchObject({ session: 'clock', simulatedOutsideHours: false });
    expect(s.sim.status().note).toBe('simulated market closed by the calendar (open: MCX)');
    const crude = buildSimUniverse(testMaster(), SIM_AS_OF).instruments.find((i) => i.symbol === 'CRUDEOIL' && i.kind === 'FUTCOM')!;
    const future: InstrumentRef = { segment: crude.segment, securityId: crude.securityId };
    const c = await client(s);
    c.subscribe('quote', [RELIANCE, NIFTY, future]);
    await c.waitPackets((p) => is(future)(p) && p.code === 4, 3, 10_000);
    const [prev] = await c.waitPackets((p) => is(RELIANCE)(p) && p.code === 6);
    const ticks = (ref: InstrumentRef): Packet[] => c.packets.filter((p) => is(ref)(p) && p.code === 4);
    expect([...ticks(RELIANCE), ...ticks(NIFTY)]).toEqual([]);
    const rest = await http(s.sim, 'POST', `${s.sim.apiUrl}/marketfeed/ltp`, { NSE_EQ: [2885] });
    expect(rest.status).toBe(200);
    const ltp = (rest.json as { data: { NSE_EQ: Record<string, { last_price: number }> } }).data.NSE_EQ['2885']!.last_price;
    expect(ltp).toBeCloseTo(prev!.prevClose, 1);
    // A move outside NSE hours prints nothing on NSE.
    await moveMarket(s.sim, 'RELIANCE', 3);
    await c.waitPackets((p) => is(future)(p) && p.code === 4, 6, 10_000);
    expect(ticks(RELIANCE)).toEqual([]);
  });
});
