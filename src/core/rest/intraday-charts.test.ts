import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DhanRestClient } from './dhan-rest';
import { fetchIntradayBars, intradayChartsBody, parseIntradayCharts, type IntradayChartRequest } from './intraday-charts';
import { InstrumentRegistry } from '../instruments/registry';
import { parseMasterBuffer } from '../instruments/master-parser';
import { istEpochMs } from '../../shared/market-calendar';
import type { InstrumentRef } from '../../shared/instruments';
import { connectFeed, manualClock, SIM_AS_OF, startTestSim, testMaster, type FeedClient, type TestSim } from '../../../test/helpers/sim';

let s: TestSim;
let feed: FeedClient;
const clock = manualClock();
const registry = new InstrumentRegistry(parseMasterBuffer(testMaster()), { now: () => clock.now() });
const OPEN = istEpochMs(SIM_AS_OF, 9 * 60 + 15);
const INDEX: InstrumentRef = { segment: 'IDX_I', securityId: 13 };
const STOCK: InstrumentRef = { segment: 'NSE_EQ', securityId: 2885 };
const atm = registry.optionChain({ symbol: 'NIFTY', ltp: 25_850, asOf: SIM_AS_OF, strikes: 1 }).strikes[0]!.ce!;
const OPTION: InstrumentRef = { segment: atm.segment, securityId: atm.securityId };

/** Last LTP the feed showed for an instrument. */
const feedLtp = (ref: InstrumentRef): number => feed.packets.filter((p) => p.code === 8 && p.securityId === ref.securityId && p.segment === ref.segment).at(-1)!.ltp;

beforeAll(async () => {
  s = await startTestSim({ clock, rate: 100 });
  feed = await connectFeed(s.sim);
  feed.subscribe('full', [INDEX, STOCK, OPTION]);
  await feed.waitPackets((p) => p.code === 6, 3);
  // Five minutes of market, a second at a time: each second's trades reach the feed before the next.
  for (let i = 0; i < 300; i++) {
    const seen = feed.packets.length;
    clock.advance(1000);
    await feed.until(() => (feed.packets.slice(seen).some((p) => p.code === 8 && p.securityId === 13) ? true : undefined), `ticks of second ${i}`);
  }
  // Then the market stops trading (the clock still moves with the pacing's waits), and the pong
  // follows every frame of the tick that carried the last trades: the feed shows the final LTPs.
  s.sim.setRate(0);
  feed.ws.ping();
  await feed.until(() => (feed.pongs > 0 ? true : undefined), 'pong');
});
afterAll(async () => {
  feed.close();
  await s.stop();
});

/** A client whose pacing waits move the simulator's clock instead of sleeping. */
function client(fetchFn?: typeof fetch) {
  const sleeps: number[] = [];
  const c = new DhanRestClient({
    baseUrl: s.sim.apiUrl,
    credentials: () => ({ clientId: s.sim.clientId, token: s.sim.token }),
    now: clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
  return { c, sleeps };
}

const today = (ref: InstrumentRef, kind: IntradayChartRequest['kind']): IntradayChartRequest => ({ ref, kind, fromMs: OPEN, toMs: istEpochMs(SIM_AS_OF, 15 * 60 + 30) });

describe('intraday charts from the simulator', () => {
  it('an index, a stock and an option: a bar a minute from the open, the last closing at the live LTP', async () => {
    const now = clock.now();
    const { c, sleeps } = client();
    for (const [ref, kind] of [[INDEX, 'INDEX'], [STOCK, 'EQUITY'], [OPTION, 'OPTIDX']] as const) {
      const bars = await fetchIntradayBars(c, today(ref, kind));
      expect(bars[0]!.t).toBe(OPEN);
      expect(bars.at(-1)!.t).toBeLessThanOrEqual(now);
      expect(bars.at(-1)!.t).toBeGreaterThan(now - 2 * 60_000);
      expect(bars.every((b, i) => i === 0 || b.t > bars[i - 1]!.t)).toBe(true);
      expect(bars.every((b) => b.t % 60_000 === 0 && b.low <= Math.min(b.open, b.close) && b.high >= Math.max(b.open, b.close))).toBe(true);
      expect(bars.at(-1)!.close).toBeCloseTo(feedLtp(ref), 1);
      if (kind === 'OPTIDX') {
        expect(bars.at(-1)!.oi).toBeGreaterThan(0);
        expect(bars.at(-1)!.volume).toBeGreaterThan(0);
      } else expect(bars.every((b) => b.oi === 0)).toBe(true);
    }
    // Paced at the data-API rate: the second and third requests waited, and none was refused.
    expect(sleeps.filter((ms) => ms > 0)).toHaveLength(2);
    expect(s.sim.stats().rest.rateLimited).toBe(0);
  });

  it('cuts the answer to the range asked for (Dhan sends today up to now) and aggregates 15-minute candles', async () => {
    clock.advance(1000); // past the previous test's last request, as the exchange counts
    const { c } = client();
    const early = await fetchIntradayBars(c, { ...today(INDEX, 'INDEX'), toMs: OPEN + 15 * 60_000 });
    expect(early.map((b) => b.t)).toEqual([...Array(15).keys()].map((i) => OPEN + i * 60_000));
    const quarter = await fetchIntradayBars(c, { ...today(INDEX, 'INDEX'), interval: 15 });
    expect(quarter.map((b) => b.t).slice(0, 3)).toEqual([OPEN, OPEN + 15 * 60_000, OPEN + 30 * 60_000]);
    expect(quarter[0]!.open).toBe(early[0]!.open);
    expect(quarter[0]!.close).toBe(early[14]!.close);
    expect(quarter[0]!.high).toBe(Math.max(...early.map((b) => b.high)));
  });

  it('refuses bad requests with errors that say what was wrong', async () => {
    clock.advance(1000);
    const { c } = client();
    await expect(fetchIntradayBars(c, today({ segment: 'NSE_EQ', securityId: 999_999 }, 'EQUITY'))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/DH-907.*no instrument NSE_EQ:999999/),
    });
    await expect(fetchIntradayBars(c, today(STOCK, 'OPTIDX'))).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/DH-905.*does not match/) });
    const yesterday = istEpochMs('2026-11-23', 9 * 60 + 15);
    await expect(fetchIntradayBars(c, { ...today(INDEX, 'INDEX'), fromMs: yesterday, toMs: yesterday + 3_600_000 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/DH-907/) });
    // Refused before anything is sent.
    expect(() => intradayChartsBody({ ...today(INDEX, 'INDEX'), fromMs: OPEN - 91 * 86_400_000 })).toThrow(/90 days/);
    expect(() => intradayChartsBody({ ...today(INDEX, 'INDEX'), toMs: OPEN })).toThrow(/forward/);
  });
});

describe("Dhan's request and answer", () => {
  it('sends the documented body: id as a string, IST dates, oi, expiryCode for derivatives', () => {
    expect(intradayChartsBody({ ref: OPTION, kind: 'OPTIDX', interval: 5, fromMs: OPEN, toMs: OPEN + 3_600_000 })).toEqual({
      securityId: String(OPTION.securityId), exchangeSegment: 'NSE_FNO', instrument: 'OPTIDX', interval: '5', oi: true, expiryCode: 0,
      fromDate: `${SIM_AS_OF} 09:15:00`, toDate: `${SIM_AS_OF} 10:15:00`,
    });
    expect(intradayChartsBody(today(INDEX, 'INDEX'))).not.toHaveProperty('expiryCode');
  });

  it('maps epoch seconds to ms and accepts an empty open_interest', () => {
    const bars = parseIntradayCharts({ open: [10, 11], high: [12, 11.5], low: [9.5, 10.5], close: [11, 11.2], volume: [100, 0], timestamp: [1795491900, 1795491960], open_interest: [] }, 'x');
    expect(bars).toEqual([
      { t: 1_795_491_900_000, open: 10, high: 12, low: 9.5, close: 11, volume: 100, oi: 0 },
      { t: 1_795_491_960_000, open: 11, high: 11.5, low: 10.5, close: 11.2, volume: 0, oi: 0 },
    ]);
  });

  it('a request refused as too fast (HTTP 429) is sent again through the pacer, twice at most', async () => {
    const good = { open: [10], high: [12], low: [9], close: [11], volume: [1], timestamp: [1795491900], open_interest: [5] };
    const refusal = () => new Response(JSON.stringify({ errorType: 'Rate_Limit', errorCode: 'DH-904', errorMessage: 'Too many requests' }), { status: 429 });
    let calls = 0;
    const flaky = (async () => (++calls === 1 ? refusal() : new Response(JSON.stringify(good), { status: 200 }))) as typeof fetch;
    expect(await client(flaky).c.intradayCharts({})).toEqual(good);
    expect(calls).toBe(2);
    calls = 0;
    const refusing = (async () => (++calls, refusal())) as typeof fetch;
    await expect(client(refusing).c.intradayCharts({})).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(calls).toBe(3);
  });

  it('a malformed answer is a clear BAD_REQUEST, never a crash or a partial series', async () => {
    const good = { open: [10, 11], high: [12, 12], low: [9, 10], close: [11, 11], volume: [1, 2], timestamp: [1795491900, 1795491960], open_interest: [5, 6] };
    const cases: [unknown, RegExp][] = [
      [[1, 2], /not a JSON object/],
      [{ ...good, close: undefined }, /"close" is missing/],
      [{ ...good, volume: 'many' }, /"volume" is not an array/],
      [{ ...good, high: [12] }, /"high" has 1 values, "timestamp" 2/],
      [{ ...good, open_interest: [5] }, /"open_interest" has 1 values/],
      [{ ...good, open: ['10', 11] }, /"open"\[0\] is "10"/],
      [{ ...good, close: [11, null] }, /"close"\[1\] is null/],
      [{ ...good, timestamp: [1795491960, 1795491900] }, /does not come after/],
      [{ ...good, timestamp: [1795491900.5, 1795491960] }, /not whole epoch seconds/],
      [{ ...good, low: [11.5, 10] }, /candle 0 has low 11.5/],
      [{ data: good }, /"open" is missing/],
    ];
    for (const [answer, message] of cases) {
      const fake = (async () => new Response(JSON.stringify(answer), { status: 200, headers: { 'content-type': 'application/json' } })) as typeof fetch;
      await expect(fetchIntradayBars(client(fake).c, today(OPTION, 'OPTIDX'))).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(new RegExp(`intraday charts for NSE_FNO:${OPTION.securityId} .*malformed answer: .*${message.source}`)),
      });
    }
  });
});
