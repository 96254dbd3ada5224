import { afterEach, describe, expect, it } from 'vitest';
import { connectFeed, http, manualClock, SIM_AS_OF, startTestSim, type FeedClient, type TestSim } from '../../test/helpers/sim';
import { istEpochMs } from '../shared/market-calendar';
import { parseIstDateTime } from './intraday-charts';

let running: TestSim | null = null;
let feed: FeedClient | null = null;
afterEach(async () => {
  feed?.close();
  feed = null;
  await running?.stop();
  running = null;
});

type Json = Record<string, unknown>;
const NIFTY = { securityId: '13', exchangeSegment: 'IDX_I', instrument: 'INDEX', interval: '1', oi: true, fromDate: `${SIM_AS_OF} 09:15:00`, toDate: `${SIM_AS_OF} 15:30:00` };

/** A simulator at 10:00 IST with NIFTY subscribed and traded for `seconds`. */
async function setup(seconds = 30) {
  const clock = manualClock();
  running = await startTestSim({ clock, rate: 200 });
  const s = running;
  feed = await connectFeed(s.sim);
  feed.subscribe('full', [{ segment: 'IDX_I', securityId: 13 }]);
  await feed.waitPackets((p) => p.code === 6);
  for (let i = 0; i < seconds; i++) {
    clock.advance(1000);
    await feed.waitPackets((p) => p.code === 8 && p.securityId === 13, i + 1);
  }
  const post = (body: unknown, headers?: Record<string, string>) => http(s.sim, 'POST', `${s.sim.apiUrl}/charts/intraday`, body, headers);
  return { s, clock, post };
}

describe('POST /v2/charts/intraday', () => {
  it("answers Dhan's parallel arrays in epoch seconds, minute by minute to the last trade, closing at the feed's LTP", async () => {
    const { post } = await setup();
    const r = await post(NIFTY);
    expect(r.status).toBe(200);
    const j = r.json as Record<string, number[]>;
    expect(Object.keys(j).sort()).toEqual(['close', 'high', 'low', 'open', 'open_interest', 'timestamp', 'volume']);
    expect(j.timestamp![0]).toBe(istEpochMs(SIM_AS_OF, 9 * 60 + 15) / 1000);
    expect(j.timestamp!.at(-1)).toBe(istEpochMs(SIM_AS_OF, 10 * 60) / 1000);
    expect(j.timestamp!.every((t, i) => t === j.timestamp![0]! + 60 * i)).toBe(true);
    const last = feed!.packets.filter((p) => p.code === 8 && p.securityId === 13).at(-1)!;
    expect(j.close!.at(-1)).toBeCloseTo(last.ltp, 2);
    // Data-API rate: a second request within 200 ms is refused, with the charts API's body.
    const again = await post(NIFTY);
    expect(again.status).toBe(429);
    expect(again.json).toMatchObject({ errorCode: 'DH-904' });
  });

  it('without oi there is no open_interest; five-minute candles start at the open; integers are tolerated', async () => {
    const { clock, post } = await setup(2);
    const { oi: _oi, ...noOi } = NIFTY;
    const r = await post({ ...noOi, interval: 5, securityId: 13 });
    expect(r.status).toBe(200);
    const j = r.json as Record<string, number[]>;
    expect(j.open_interest).toBeUndefined();
    expect(j.timestamp).toEqual([...Array(10).keys()].map((i) => istEpochMs(SIM_AS_OF, 9 * 60 + 15 + 5 * i) / 1000));
    clock.advance(1000);
    // Dhan sends today's candles up to now whatever toDate says (DhanHQ-py issue #80).
    const early = await post({ ...NIFTY, toDate: `${SIM_AS_OF} 09:30:00` });
    expect((early.json as { timestamp: number[] }).timestamp.at(-1)).toBe(istEpochMs(SIM_AS_OF, 10 * 60) / 1000);
  });

  it('refuses bad requests with DH-905 and unknown instruments or days without data with DH-907', async () => {
    const { clock, post } = await setup(2);
    const cases: [Json, string, RegExp][] = [
      [{ ...NIFTY, interval: '3' }, 'DH-905', /interval "3"/],
      [{ ...NIFTY, fromDate: '2026-11-24T09:15:00' }, 'DH-905', /fromDate and toDate/],
      [{ ...NIFTY, toDate: '2026-02-30' }, 'DH-905', /fromDate and toDate/],
      [{ ...NIFTY, toDate: `${SIM_AS_OF} 09:00:00` }, 'DH-905', /before toDate/],
      [{ ...NIFTY, fromDate: '2026-06-01' }, 'DH-905', /90 days/],
      [{ ...NIFTY, instrument: 'EQUITY' }, 'DH-905', /does not match/],
      [{ ...NIFTY, exchangeSegment: 'NSE' }, 'DH-905', /exchangeSegment/],
      [{ ...NIFTY, securityId: 'abc' }, 'DH-905', /securityId/],
      [{ ...NIFTY, securityId: '999999' }, 'DH-907', /no instrument IDX_I:999999/],
      [{ ...NIFTY, fromDate: '2026-11-20', toDate: '2026-11-24' }, 'DH-907', /today/],
    ];
    for (const [body, code, message] of cases) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json).toMatchObject({ errorCode: code, errorMessage: expect.stringMatching(message) });
    }
    clock.advance(1000);
    expect((await post(NIFTY, { 'access-token': 'wrong' })).status).toBe(401);
    expect((await post(NIFTY)).status).toBe(200);
  });
});

describe('parseIstDateTime', () => {
  it('reads IST wall clock, with or without a time, and refuses what is not a date', () => {
    expect(parseIstDateTime('2026-11-24 09:15:00')).toBe(Date.parse('2026-11-24T03:45:00Z'));
    expect(parseIstDateTime('2026-11-24')).toBe(Date.parse('2026-11-23T18:30:00Z'));
    for (const bad of ['2026-11-24 24:00:00', '2026-13-01', '2026-11-24 9:15:00', '24-11-2026']) expect(parseIstDateTime(bad)).toBeNaN();
  });
});
