/**
 * The strategy builder's API (issue 19) over real HTTP and the real event stream, with the app on
 * the simulator: a long straddle at the NIFTY ATM priced by the market (breakevens at the strike
 * +- the two premiums, max loss the premiums x the lot size, max profit unlimited), exact figures
 * from explicit prices (a covered future too), refusals that name what is wrong, saved strategies
 * that survive an engine restart, and a saved strategy's P&L on the WebSocket stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../src/core/api/create-api';
import { StreamSession } from '../src/core/api/stream-session';
import { STRATEGY_REFRESH_MS } from '../src/core/api/strategy-stream';
import { App } from '../src/core/app';
import { startLocalApi, type LocalApi } from '../src/server/local-api';
import type { ChainView, Responses, SavedStrategyView, StrategyEvaluationView } from '../src/shared/contract';
import type { StreamBatch, StreamServerMessage } from '../src/shared/events';
import { startAppOnSim, type AppOnSim } from './helpers/app';
import { waitFor } from './helpers/wait';

const TOKEN = 's'.repeat(64);
let env: AppOnSim;
/** The engine serving the API (replaced by a restart). */
let app: App;
let local: LocalApi;
/** NIFTY's nearest expiry, its ATM strike and lot size (from the chain the engine holds). */
let expiry: string;
let atm: number;
let lotSize: number;

type Reply<T> = { status: number; json: T & { ok?: false; error?: { code: string; message: string } } };

async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Reply<T>> {
  const res = await fetch(`http://127.0.0.1:${local.port}/api/v2/${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Reply<T>['json'] };
}
const evaluate = (body: unknown) => call<StrategyEvaluationView>('POST', 'strategy/evaluate', body);
const leg = (option_type: 'CE' | 'PE' | 'FUT', side: string, extra: Record<string, unknown> = {}) => ({ expiry, strike: atm, option_type, side, lots: 1, ...extra });

async function serve(engine: App): Promise<void> {
  app = engine;
  local = await startLocalApi({ app, api: createApi(app), token: TOKEN, port: 0, log: () => {} });
}

beforeAll(async () => {
  env = await startAppOnSim({ prefix: 'strikedesk-strategy-' });
  await serve(env.app);
  const chain = await call<ChainView>('GET', 'option-chain/NIFTY');
  expect(chain.status).toBe(200);
  ({ expiry, atm_strike: atm, lot_size: lotSize } = chain.json);
}, 60_000);

afterAll(async () => {
  await local?.close();
  await app?.stop();
  await env?.stop();
});

describe('strategy:evaluate', () => {
  it('prices a long ATM straddle from the market: breakevens at the strike +- both premiums, max loss the premiums x lot size, max profit unlimited', async () => {
    const r = await evaluate({ symbol: 'nifty', legs: [leg('CE', 'BUY'), leg('PE', 'buy')] });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const e = r.json;
    expect(Object.keys(e).sort()).toEqual(
      ['atm_iv', 'breakevens', 'first_expiry', 'greeks', 'legs', 'max_loss', 'max_profit', 'net_premium', 'payoff_at_date', 'payoff_expiry', 'pop', 'spot'].sort(),
    );
    const [ce, pe] = e.legs;
    expect(ce).toMatchObject({ expiry, strike: atm, option_type: 'CE', side: 'BUY', lots: 1, lot_size: lotSize, token: expect.stringMatching(/^NSE_FNO:\d+$/) });
    expect(pe).toMatchObject({ option_type: 'PE', side: 'BUY', lot_size: lotSize });
    // The lot size is the master's.
    const inst = app.services.registry.option('NIFTY', expiry, atm, 'CE')!;
    expect(ce!.lot_size).toBe(inst.lotSize);
    expect(ce!.trading_symbol).toBe(inst.tradingSymbol);
    const premium = ce!.price + pe!.price;
    expect(ce!.price).toBeGreaterThan(0);
    expect(pe!.price).toBeGreaterThan(0);
    expect(e.breakevens).toHaveLength(2);
    // The API rounds breakevens to the paisa: within half of one, plus float noise.
    expect(Math.abs(e.breakevens[0]! - (atm - premium))).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(e.breakevens[1]! - (atm + premium))).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(e.max_loss).toBeCloseTo(-premium * lotSize, 1);
    expect(e.net_premium).toBeCloseTo(-premium * lotSize, 1);
    expect(e.max_profit).toBeNull();
    expect(e.first_expiry).toBe(expiry);
    expect(e.spot).toBeGreaterThan(0);
    // Long volatility: long gamma and vega, paying theta; the market's IVs on both legs.
    expect(e.greeks.gamma).toBeGreaterThan(0);
    expect(e.greeks.vega).toBeGreaterThan(0);
    expect(e.greeks.theta).toBeLessThan(0);
    expect(ce!.iv).toBeGreaterThan(0);
    expect(pe!.iv).toBeGreaterThan(0);
    expect(e.atm_iv).toBeGreaterThan(0);
    expect(e.pop).toBeGreaterThan(0);
    expect(e.pop).toBeLessThan(1);
    expect(e.payoff_expiry).toHaveLength(201);
    expect(e.payoff_at_date).toHaveLength(201);
    // At expiry the curve is the straddle's V: -premium x lot size at the strike, sloping one lot per point.
    const [x0, y0] = e.payoff_expiry[0]!;
    expect(y0).toBeCloseTo((Math.abs(x0 - atm) - premium) * lotSize, 0);
  });

  it('gives exact figures for explicit prices: long and short straddles, a covered future, a spot range, a later date and an IV shift', async () => {
    const long = await evaluate({ symbol: 'NIFTY', legs: [leg('CE', 'BUY', { lots: 2, price: 120.5 }), leg('PE', 'BUY', { lots: 2, price: 99.5 })], spot_range: [24_000, 27_000] });
    expect(long.status, JSON.stringify(long.json)).toBe(200);
    expect(long.json).toMatchObject({ net_premium: -220 * 2 * lotSize, max_loss: -220 * 2 * lotSize, max_profit: null, breakevens: [atm - 220, atm + 220] });
    expect(long.json.legs.map((l) => l.price)).toEqual([120.5, 99.5]);
    expect(long.json.payoff_expiry[0]![0]).toBe(24_000);
    expect(long.json.payoff_expiry.at(-1)![0]).toBe(27_000);

    const short = await evaluate({ symbol: 'NIFTY', legs: [leg('CE', 'SELL', { price: 120.5 }), leg('PE', 'SELL', { price: 99.5 })] });
    expect(short.json).toMatchObject({ net_premium: 220 * lotSize, max_profit: 220 * lotSize, max_loss: null, breakevens: [atm - 220, atm + 220] });

    // A future bought 300 under the ATM strike and a call sold there for 150, on the future's (monthly) expiry.
    const monthly = app.services.registry.expiries('NIFTY', { kind: 'futures' })[0]!;
    const fut = atm - 300;
    const covered = await evaluate({
      symbol: 'NIFTY',
      legs: [
        { expiry: monthly, option_type: 'FUT', side: 'BUY', lots: 1, price: fut },
        { expiry: monthly, strike: atm, option_type: 'CE', side: 'SELL', lots: 1, price: 150 },
      ],
    });
    expect(covered.status, JSON.stringify(covered.json)).toBe(200);
    expect(covered.json.legs[0]).toMatchObject({ option_type: 'FUT', strike: null, price: fut, trading_symbol: expect.stringMatching(/FUT/) });
    expect(covered.json).toMatchObject({ max_profit: 450 * lotSize, max_loss: (150 - fut) * lotSize, breakevens: [fut - 150], first_expiry: monthly });

    // At today's close and 5 vol points up: the at-date curve moves up, the expiry figures do not.
    const today = app.services.registry.today();
    const straddle = { symbol: 'NIFTY', legs: [leg('CE', 'BUY', { price: 120.5 }), leg('PE', 'BUY', { price: 99.5 })], spot_range: [atm - 1000, atm + 1000] };
    const later = await evaluate({ ...straddle, at_date: today, iv_shift: 5 });
    const base = await evaluate(straddle);
    expect(later.status, JSON.stringify(later.json)).toBe(200);
    expect(later.json.breakevens).toEqual(base.json.breakevens);
    const mid = Math.floor(base.json.payoff_at_date.length / 2);
    expect(later.json.payoff_at_date[mid]![1]).toBeGreaterThan(base.json.payoff_at_date[mid]![1]);
  });

  it('refuses bad legs and bad inputs with a status and a message naming the problem', async () => {
    const refused = async (body: unknown, status: number, code: string, message: RegExp) => {
      const r = await evaluate(body);
      expect({ status: r.status, code: r.json.error?.code }, JSON.stringify(r.json)).toEqual({ status, code });
      expect(r.json.error?.message).toMatch(message);
    };
    const two = (a: object, b: object = leg('PE', 'BUY')) => ({ symbol: 'NIFTY', legs: [a, b] });
    // A strike the expiry does not list: the nearest listed ones are named.
    await refused(two(leg('CE', 'BUY', { strike: atm + 1 })), 400, 'BAD_REQUEST', new RegExp(`leg 1: NIFTY ${expiry} has no ${atm + 1} strike; the nearest listed: ${atm}, \\d+`));
    await refused(two(leg('CE', 'BUY'), leg('PE', 'BUY', { expiry: '2026-11-27' })), 400, 'UNKNOWN_EXPIRY', /leg 2: NIFTY has no options expiring 2026-11-27/);
    await refused({ symbol: 'USDINR', legs: [{ expiry: '2026-04-02', strike: 90, option_type: 'CE', side: 'BUY', lots: 1 }] }, 400, 'EXPIRED', /leg 1: USDINR 2026-04-02 options have expired/);
    // No future on a weekly expiry.
    await refused(two({ expiry, option_type: 'FUT', side: 'BUY', lots: 1 }), 400, 'UNKNOWN_EXPIRY', new RegExp(`leg 1: NIFTY has no future expiring ${expiry}`));
    await refused(two(leg('CE', 'BUY', { lots: 0 })), 400, 'BAD_REQUEST', /^legs\.0\.lots: lots must be a whole number from 1/);
    await refused(two(leg('CE', 'BUY', { lots: 1.5 })), 400, 'BAD_REQUEST', /lots must be a whole number.*1\.5/);
    await refused(two(leg('CE', 'BUY', { lots: -2 })), 400, 'BAD_REQUEST', /lots/);
    await refused({ symbol: 'NIFTY', legs: Array.from({ length: 21 }, () => leg('CE', 'BUY')) }, 400, 'BAD_REQUEST', /^legs: a strategy has at most 20 legs, not 21/);
    await refused({ symbol: 'NIFTY', legs: [] }, 400, 'BAD_REQUEST', /at least one leg/);
    await refused({ symbol: 'NOSUCH', legs: [leg('CE', 'BUY')] }, 404, 'UNKNOWN_SYMBOL', /NOSUCH/);
    await refused({ ...two(leg('CE', 'BUY')), spot_range: [26_000, 25_000] }, 400, 'BAD_REQUEST', /^spot_range: .*0 < lo < hi/);
    await refused({ ...two(leg('CE', 'BUY')), spot_range: [0, 25_000] }, 400, 'BAD_REQUEST', /^spot_range: /);
    await refused(two({ expiry, option_type: 'CE', side: 'BUY', lots: 1 }), 400, 'BAD_REQUEST', /^legs\.0\.strike: a CE leg needs its strike/);
    await refused(two(leg('CE', 'HOLD')), 400, 'BAD_REQUEST', /^legs\.0\.side: side must be one of BUY, SELL/);
    await refused(two(leg('CE', 'BUY', { price: 0 })), 400, 'BAD_REQUEST', /^legs\.0\.price: /);
    await refused({ ...two(leg('CE', 'BUY')), at_date: '2026-01-01' }, 400, 'BAD_REQUEST', /at_date 2026-01-01 is in the past/);
  });
});

describe('saved strategies', () => {
  let first: SavedStrategyView;
  let second: SavedStrategyView;

  it('saves with entry prices (given, else the market now), lists newest first, deletes by id', async () => {
    const a = await call<SavedStrategyView>('POST', 'strategies', { symbol: 'nifty', legs: [leg('CE', 'BUY'), leg('PE', 'BUY', { price: 99.5 })] });
    expect(a.status, JSON.stringify(a.json)).toBe(200);
    first = a.json;
    expect(first).toMatchObject({ name: 'NIFTY strategy', symbol: 'NIFTY', created_at: expect.any(Number) });
    expect(first.legs[0]).toMatchObject({ option_type: 'CE', strike: atm, lot_size: lotSize, price: expect.any(Number) });
    expect(first.legs[0]!.price).toBeGreaterThan(0);
    expect(first.legs[1]!.price).toBe(99.5);
    const b = await call<SavedStrategyView>('POST', 'strategies', { name: '  iron fly  ', symbol: 'NIFTY', legs: [leg('CE', 'SELL', { price: 120 }), leg('PE', 'SELL', { price: 100 })] });
    second = b.json;
    expect(second).toMatchObject({ name: 'iron fly', id: first.id + 1 });
    const list = await call<Responses['strategies:list']>('GET', 'strategies');
    expect(list.json.strategies.map((s) => s.id)).toEqual([second.id, first.id]);
    expect(list.json.strategies[1]).toEqual(first);

    const temp = await call<SavedStrategyView>('POST', 'strategies', { symbol: 'NIFTY', legs: [leg('CE', 'BUY', { price: 1 })] });
    const del = await call<Responses['strategies:delete']>('DELETE', `strategies/${temp.json.id}`);
    expect(del).toEqual({ status: 200, json: { success: true, message: `strategy ${temp.json.id} deleted`, id: temp.json.id } });
    const again = await call<unknown>('DELETE', `strategies/${temp.json.id}`);
    expect(again.status).toBe(404);
    expect(again.json.error).toEqual({ code: 'NOT_FOUND', message: `no saved strategy has id ${temp.json.id}` });
    const bad = await call<unknown>('DELETE', 'strategies/abc');
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/^id: "abc" is not a strategy id/);
    // The same refusals as evaluate: nothing is saved.
    const refused = await call<unknown>('POST', 'strategies', { symbol: 'NIFTY', legs: [leg('CE', 'BUY', { strike: atm + 1 })] });
    expect(refused.status).toBe(400);
    expect((await call<Responses['strategies:list']>('GET', 'strategies')).json.strategies.map((s) => s.id)).toEqual([second.id, first.id]);
  });

  it('streams a saved strategy P&L over the WebSocket event stream, and refuses an unknown id', async () => {
    const messages: StreamServerMessage[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${local.port}/api/v2/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
    ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')) as StreamServerMessage));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      ws.send(JSON.stringify({ op: 'subscribe', view: 'strategy', strategy_id: 999_999, id: 'nope' }));
      expect(await waitFor(() => messages.find((m) => m.type === 'error'), 5000, 'the refusal')).toEqual({
        type: 'error',
        id: 'nope',
        error: { code: 'NOT_FOUND', message: 'no saved strategy has id 999999' },
      });
      ws.send(JSON.stringify({ op: 'subscribe', view: 'strategy', strategy_id: String(second.id), id: 's1' }));
      expect(await waitFor(() => messages.find((m) => m.type === 'subscribed'), 5000, 'the ack')).toEqual({ type: 'subscribed', view: 'strategy', key: String(second.id), id: 's1' });
      const key = String(second.id);
      const parts = () => messages.filter((m): m is StreamBatch => m.type === 'batch').flatMap((b) => (b.strategy?.[key] ? [b.strategy[key]] : []));
      const part = await waitFor(() => parts().find((p) => p.pnl !== null && p.greeks !== null), 10_000, 'a valued strategy batch');
      // A short straddle sold at 120 + 100: the cash came in, the P&L is each leg's move against it.
      expect(part).toMatchObject({ id: second.id, net_premium: 220 * lotSize });
      expect(part.legs.map((l) => l.token)).toEqual(second.legs.map((l) => l.token));
      for (const [i, l] of part.legs.entries()) expect(l.pnl).toBeCloseTo(-(l.mark! - second.legs[i]!.price) * lotSize, 1);
      expect(part.pnl).toBeCloseTo(part.legs.reduce((sum, l) => sum + l.pnl!, 0), 1);
      // NIFTY's nearest chain is Tier B: every leg is live on the feed.
      expect(part.stale_legs).toBe(0);
      expect(part.legs.map((l) => l.stale)).toEqual([false, false]);
      // Short volatility: short gamma and vega, earning theta.
      expect(part.greeks!.gamma).toBeLessThan(0);
      expect(part.greeks!.theta).toBeGreaterThan(0);
      // Coalesced: a batch carries the strategy once, and only when its value changed.
      const more = await waitFor(() => (parts().length >= 3 ? parts() : undefined), 10_000, 'three strategy batches');
      for (let i = 1; i < more.length; i++) expect({ ...more[i], t: 0 }).not.toEqual({ ...more[i - 1], t: 0 });
      ws.send(JSON.stringify({ op: 'unsubscribe', view: 'strategy', strategy_id: second.id }));
      await waitFor(() => messages.find((m) => m.type === 'unsubscribed'), 5000, 'the unsubscribe ack');
    } finally {
      ws.close();
    }
  });

  it('marks the legs of a chain nobody holds stale: their prices are one snapshot, not live', async () => {
    const far = (await call<{ expiries: string[] }>('GET', 'instruments/NIFTY/expiries')).json.expiries.at(-1)!;
    expect(app.services.owners.chain('NIFTY', far)).toBeFalsy();
    const farChain = await call<ChainView>('GET', `option-chain/NIFTY?expiry=${far}`);
    const strike = farChain.json.atm_strike;
    const saved = await call<SavedStrategyView>('POST', 'strategies', {
      name: 'far', symbol: 'NIFTY', legs: [{ expiry: far, strike, option_type: 'CE', side: 'BUY', lots: 1, price: 500 }, { expiry: far, strike, option_type: 'PE', side: 'BUY', lots: 1, price: 400 }],
    });
    expect(saved.status).toBe(200);
    const session = new StreamSession(app);
    const key = String(saved.json.id);
    try {
      expect(session.handle({ op: 'subscribe', view: 'strategy', strategy_id: saved.json.id })).toMatchObject({ type: 'subscribed' });
      // The subscribe painted the legs from a snapshot; once that landed they have a mark, stale.
      const part = await waitFor(() => {
        const b = session.build(Date.now());
        const p = b?.batch.strategy?.[key];
        if (b) b.commit();
        return p && p.legs.every((l) => l.mark !== null) ? p : undefined;
      }, 10_000, 'the far strategy priced');
      expect(part.legs.map((l) => l.stale)).toEqual([true, true]);
      expect(part.stale_legs).toBe(2);
      expect(part.pnl).not.toBeNull();
    } finally {
      session.dispose();
      await call('DELETE', `strategies/${saved.json.id}`);
    }
  });

  it('values a strategy view again only when its prices moved or a second passed', () => {
    const session = new StreamSession(app);
    const key = String(second.id);
    try {
      expect(session.handle({ op: 'subscribe', view: 'strategy', strategy_id: second.id })).toEqual({ type: 'subscribed', view: 'strategy', key });
      // Built in one turn of the event loop: no packet can land between the builds.
      const t = Date.now();
      // A batch a slow client skipped (not committed): the next one carries the value again.
      const skipped = session.build(t)!;
      expect(skipped.batch.strategy![key]).toMatchObject({ id: second.id, net_premium: 220 * lotSize });
      const first = session.build(t)!;
      expect({ ...first.batch.strategy![key], t: 0 }).toEqual({ ...skipped.batch.strategy![key], t: 0 });
      first.commit();
      // Nothing moved and no second passed: not valued, nothing sent.
      expect(session.build(t + STRATEGY_REFRESH_MS - 1)?.batch.strategy).toBeUndefined();
      expect(session.handle({ op: 'subscribe', view: 'strategy', strategy_id: 424_242 })).toMatchObject({ type: 'error', error: { code: 'NOT_FOUND' } });
    } finally {
      session.dispose();
    }
  });

  it('keeps saved strategies across an engine restart', async () => {
    const before = (await call<Responses['strategies:list']>('GET', 'strategies')).json;
    await local.close();
    await app.stop();
    const restarted = new App(env.app.config);
    await restarted.start();
    await serve(restarted);
    const after = await call<Responses['strategies:list']>('GET', 'strategies');
    expect(after.status).toBe(200);
    expect(after.json).toEqual(before);
    expect(after.json.strategies.map((s) => s.id)).toEqual([second.id, first.id]);
  }, 60_000);
});
