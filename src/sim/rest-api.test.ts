import { afterEach, describe, expect, it } from 'vitest';
import { connectFeed, http, manualClock, startTestSim, SIM_AS_OF, type FeedClient, type TestSim } from '../../test/helpers/sim';
import { formatTradeTime } from './rest-api';

let running: TestSim | null = null;
let feed: FeedClient | null = null;
afterEach(async () => {
  feed?.close();
  feed = null;
  await running?.stop();
  running = null;
});

type Json = Record<string, unknown>;
const dataOf = (r: { json: unknown }): Json => (r.json as { data: Json }).data;

async function setup(): Promise<{ s: TestSim; clock: ReturnType<typeof manualClock>; post: (path: string, body: unknown, headers?: Record<string, string>) => ReturnType<typeof http> }> {
  const clock = manualClock();
  running = await startTestSim({ clock, rate: 200 });
  const s = running;
  return { s, clock, post: (path, body, headers) => http(s.sim, 'POST', `${s.sim.apiUrl}${path}`, body, headers) };
}

describe('market quote APIs', () => {
  it('quote agrees with the latest full packet of the feed; ltp and ohlc have their shapes', async () => {
    const { s, clock, post } = await setup();
    feed = await connectFeed(s.sim);
    feed.subscribe('full', [{ segment: 'NSE_EQ', securityId: 2885 }]);
    await feed.waitPackets((p) => p.code === 6);
    clock.advance(1500); // the market moves only with the clock: after this tick it stands still
    await feed.waitPackets((p) => p.code === 8 && p.securityId === 2885);
    // A pong is written after every frame of the tick that carried those trades.
    feed.ws.ping();
    await feed.until(() => (feed!.pongs > 0 ? true : undefined), 'pong');
    const last = feed.packets.filter((p) => p.code === 8).at(-1)!;

    const r = await post('/marketfeed/quote', { NSE_EQ: [2885, 999_999_999], dhanClientId: s.sim.clientId });
    expect(r.status).toBe(200);
    expect((r.json as Json).status).toBe('success');
    const q = (dataOf(r).NSE_EQ as Record<string, Json>)['2885']!;
    expect(Object.keys(dataOf(r).NSE_EQ as Json)).toEqual(['2885']);
    expect(Object.keys(q).sort()).toEqual([
      'average_price', 'buy_quantity', 'depth', 'last_price', 'last_quantity', 'last_trade_time', 'lower_circuit_limit',
      'net_change', 'ohlc', 'oi', 'oi_day_high', 'oi_day_low', 'sell_quantity', 'upper_circuit_limit', 'volume',
    ]);
    expect(q.last_price).toBeCloseTo(last.ltp, 2);
    expect(q.average_price).toBeCloseTo(last.atp, 2);
    expect(q.volume).toBe(last.volume);
    expect(q.last_quantity).toBe(last.ltq);
    expect(q.buy_quantity).toBe(last.totalBuyQty);
    expect(q.last_trade_time).toBe(formatTradeTime(last.ltt));
    expect(q.last_trade_time).toMatch(/^24\/11\/2026 10:00:0\d$/);
    const depth = q.depth as { buy: Json[]; sell: Json[] };
    expect(depth.buy).toHaveLength(5);
    expect(depth.sell).toHaveLength(5);
    expect(depth.buy[0]!.price).toBeCloseTo(last.depth[4]!, 2);
    expect(depth.sell[0]!.quantity).toBe(last.depth[1]);
    expect((q.ohlc as Json).high).toBeCloseTo(last.high, 2);
    expect(q.upper_circuit_limit as number).toBeGreaterThan(q.lower_circuit_limit as number);

    clock.advance(1000);
    const ltp = await post('/marketfeed/ltp', { NSE_EQ: ['2885'], IDX_I: [13] });
    expect(ltp.status).toBe(200);
    expect(Object.keys((dataOf(ltp).NSE_EQ as Record<string, Json>)['2885']!)).toEqual(['last_price']);
    expect((dataOf(ltp).IDX_I as Record<string, Json>)['13']!.last_price).toBeGreaterThan(10_000);
    clock.advance(1000);
    const ohlc = await post('/marketfeed/ohlc', { NSE_EQ: [2885] });
    expect(Object.keys((dataOf(ohlc).NSE_EQ as Record<string, Json>)['2885']!)).toEqual(['last_price', 'ohlc']);
  });

  it('one request per second per client (429 with 805), on the injected clock', async () => {
    const { clock, post } = await setup();
    expect((await post('/marketfeed/ltp', { NSE_EQ: [2885] })).status).toBe(200);
    const limited = await post('/marketfeed/quote', { NSE_EQ: [2885] });
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({ data: { '805': expect.stringMatching(/^Too many requests/) }, status: 'failed' });
    clock.advance(999);
    expect((await post('/marketfeed/ltp', { NSE_EQ: [2885] })).status).toBe(429);
    clock.advance(1);
    expect((await post('/marketfeed/ltp', { NSE_EQ: [2885] })).status).toBe(200);
  });

  it('at most 1,000 instruments per request', async () => {
    const { post } = await setup();
    const over = await post('/marketfeed/ltp', { NSE_EQ: Array.from({ length: 600 }, (_, i) => i + 1), NSE_FNO: Array.from({ length: 401 }, (_, i) => i + 1) });
    expect(over.status).toBe(400);
    expect(Object.keys(dataOf(over))).toEqual(['804']);
    expect((await post('/marketfeed/ltp', { NSE_EQ: Array.from({ length: 1000 }, (_, i) => i + 1) })).status).toBe(200);
  });

  it('bad bodies are 400 with an 814 body', async () => {
    const { post } = await setup();
    for (const body of ['{not json', { NSE_XX: [1] }, { NSE_EQ: ['abc'] }, { NSE_EQ: 2885 }, {}, [2885]]) {
      const r = await post('/marketfeed/quote', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json).toMatchObject({ status: 'failed', data: { '814': expect.any(String) } });
    }
  });
});

describe('option chain APIs', () => {
  it('expiry list and chain: six-decimal strike keys, both legs with greeks, one unique request per 3 s', async () => {
    const { clock, post } = await setup();
    const list = await post('/optionchain/expirylist', { UnderlyingScrip: 13, UnderlyingSeg: 'IDX_I' });
    expect(list.status).toBe(200);
    const expiries = (list.json as { data: string[] }).data;
    expect(expiries.length).toBeGreaterThan(2);
    expect([...expiries].sort()).toEqual(expiries);
    expect(expiries[0]! >= SIM_AS_OF).toBe(true);

    const body = { UnderlyingScrip: 13, UnderlyingSeg: 'IDX_I', Expiry: expiries[0] };
    const r = await post('/optionchain', body);
    expect(r.status).toBe(200);
    const data = dataOf(r) as { last_price: number; oc: Record<string, { ce?: Json; pe?: Json }> };
    expect(data.last_price).toBeGreaterThan(20_000);
    const keys = Object.keys(data.oc);
    expect(keys.length).toBeGreaterThan(10);
    for (const k of keys) expect(k).toMatch(/^\d+\.\d{6}$/);
    const atm = keys.reduce((a, b) => (Math.abs(Number(b) - data.last_price) < Math.abs(Number(a) - data.last_price) ? b : a));
    const { ce, pe } = data.oc[atm]!;
    expect(Object.keys(ce!).sort()).toEqual([
      'average_price', 'greeks', 'implied_volatility', 'last_price', 'oi', 'previous_close_price', 'previous_oi', 'previous_volume',
      'security_id', 'top_ask_price', 'top_ask_quantity', 'top_bid_price', 'top_bid_quantity', 'volume',
    ]);
    const g = ce!.greeks as { delta: number; gamma: number; theta: number; vega: number };
    expect(g.delta).toBeGreaterThan(0.2);
    expect(g.delta).toBeLessThan(0.8);
    expect((pe!.greeks as { delta: number }).delta).toBeLessThan(0);
    expect(g.gamma).toBeGreaterThan(0);
    expect(g.theta).toBeLessThan(0);
    expect(ce!.implied_volatility as number).toBeGreaterThan(3);
    expect(ce!.implied_volatility as number).toBeLessThan(80);
    expect(ce!.last_price as number).toBeGreaterThan(0);
    expect(ce!.top_ask_price as number).toBeGreaterThanOrEqual(ce!.top_bid_price as number);

    expect((await post('/optionchain', body)).status).toBe(429);
    expect((await post('/optionchain', { ...body, Expiry: expiries[1] })).status).toBe(200);
    clock.advance(3000);
    expect((await post('/optionchain', body)).status).toBe(200);
  });

  it('stock chains resolve through the equity id; unknown underlying, expiry and date format are 813 / 811 / 812', async () => {
    const { post } = await setup();
    const list = await post('/optionchain/expirylist', { UnderlyingScrip: '2885', UnderlyingSeg: 'NSE_EQ' });
    expect((list.json as { data: string[] }).data.length).toBeGreaterThan(0);
    const codes = async (body: unknown): Promise<[number, string[]]> => {
      const r = await post('/optionchain', body);
      return [r.status, Object.keys(dataOf(r))];
    };
    expect(await codes({ UnderlyingScrip: 999_999, UnderlyingSeg: 'IDX_I', Expiry: '2026-12-29' })).toEqual([400, ['813']]);
    expect(await codes({ UnderlyingScrip: 13, UnderlyingSeg: 'IDX_I', Expiry: '2020-01-01' })).toEqual([400, ['811']]);
    expect(await codes({ UnderlyingScrip: 13, UnderlyingSeg: 'IDX_I', Expiry: '29-12-2026' })).toEqual([400, ['812']]);
    expect(await codes({ UnderlyingSeg: 'IDX_I' })).toEqual([400, ['814']]);
  });
});

describe('auth and profile', () => {
  it("bad credentials are 401 with Dhan's data-API body; profile answers with its fields", async () => {
    const { s, post } = await setup();
    const bad = await post('/marketfeed/ltp', { NSE_EQ: [2885] }, { 'access-token': 'nope' });
    expect(bad).toEqual({ status: 401, json: { data: { '808': 'Authentication Failed - Client ID or Token invalid' }, status: 'failed' } });
    expect((await post('/optionchain/expirylist', { UnderlyingScrip: 13, UnderlyingSeg: 'IDX_I' }, { 'client-id': '42' })).status).toBe(401);
    const expired = await post('/marketfeed/ltp', { NSE_EQ: [2885] }, { 'access-token': 'expired-token' });
    expect(Object.keys(dataOf(expired))).toEqual(['807']);

    const profile = await http(s.sim, 'GET', `${s.sim.apiUrl}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.json).toMatchObject({ dhanClientId: s.sim.clientId, dataPlan: 'Active', ddpi: 'Active', mtf: 'Active' });
    expect((profile.json as Json).tokenValidity).toMatch(/^25\/11\/2026 10:00$/);
    const refused = await http(s.sim, 'GET', `${s.sim.apiUrl}/profile`, undefined, { 'access-token': 'nope' });
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ errorCode: 'DH-901' });
    expect((await http(s.sim, 'GET', `${s.sim.apiUrl}/marketfeed/ltp`)).status).toBe(405);
    expect((await post('/nothing', {})).status).toBe(404);
    expect(s.sim.stats().rest.unauthorized).toBe(4);
  });
});
