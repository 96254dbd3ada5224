/** The contract's in-process transport (createApi behind withValidation): validation at the edge, errors by code, nothing changed on refusal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/core/app';
import { createApi } from '../src/core/api/create-api';
import { requestSchemas, type Api } from '../src/shared/contract';
import { withValidation } from '../src/shared/validate';
import { startAppOnSim, type AppOnSim } from './helpers/app';

let env: AppOnSim;
let app: App;
let api: Api;

beforeAll(async () => {
  // A still market: no re-centres between the reads these tests compare (10:00 IST, a trading day).
  env = await startAppOnSim({ still: true, prefix: 'strikedesk-api-' });
  app = env.app;
  api = withValidation(createApi(app));
});
afterAll(async () => {
  await env?.stop();
});

describe('the API in process', () => {
  it('implements every command of the contract', () => {
    expect(Object.keys(createApi(app)).sort()).toEqual(Object.keys(requestSchemas).sort());
    expect(Object.keys(api).sort()).toEqual(Object.keys(requestSchemas).sort());
  });

  it('adds a watchlist chain in the seed shape and reports it in status', async () => {
    const before = await api['subscriptions:status']({});
    const res = await api['watchlist:add']({ user_id: 'u1', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', underlying_ltp: 1400 });
    expect(res).toMatchObject({ success: true, strikes_subscribed: 50, strikes: 25 });
    const chain = res.option_chain!;
    expect(chain.strikes).toHaveLength(25);
    expect(chain.strikes_ce_pe[String(chain.atm_strike)]).toMatchObject({ CE: { trading_symbol: expect.stringMatching(/RELIANCE-.*-CE$/) }, PE: { trading_symbol: expect.stringMatching(/-PE$/) } });
    const after = await api['subscriptions:status']({});
    // The 50 legs; RELIANCE itself was live already (Tier B keeps every F&O underlying), and stays Tier B.
    expect(after.total_subscriptions - before.total_subscriptions).toBe(50);
    expect(after.tier_a_count - before.tier_a_count).toBe(50);
    expect(app.services.owners.tierOf('NSE_EQ:2885')).toBe('TIER_B');
    expect((await api['watchlist:list']({ user_id: 'u1' })).entries).toHaveLength(1);
  });

  it('needs no underlying price: the underlying is live from start-up, so the chain centres on it', async () => {
    const tcs = app.services.registry.spot('TCS')!;
    const live = app.services.store.ltp(`${tcs.segment}:${tcs.securityId}`);
    expect(live).toBeGreaterThan(1000);
    const res = await api['watchlist:add']({ user_id: 'u2', symbol: 'TCS', instrument_type: 'STOCK_OPTION' });
    expect(Math.abs(res.option_chain!.underlying_ltp - live!)).toBeLessThan(live! * 0.01);
    expect(res.option_chain!.underlying_ltp).toBeGreaterThan(1000);
    expect(res).toMatchObject({ strikes_subscribed: 50, strikes: 25 });
    const chain = await api['option-chain:get']({ symbol: 'INFY' });
    expect(chain.strikes.length).toBeGreaterThan(10);
  });

  it('refuses bad requests by code and changes nothing', async () => {
    const before = await api['subscriptions:status']({});
    const bad: [() => Promise<unknown>, string][] = [
      [() => api['watchlist:add']({ user_id: 'u1', symbol: 'RELIANCE' } as never), 'BAD_REQUEST'],
      [() => api['watchlist:add']({ user_id: 'u1', symbol: 'RELIANCE', instrument_type: 'FUTURE' } as never), 'BAD_REQUEST'],
      [() => api['watchlist:add']({ user_id: 'u1', symbol: 'RELIANCE', instrument_type: 'EQUITY', extra: 1 } as never), 'BAD_REQUEST'],
      [() => api['watchlist:add']({ user_id: 'u1', symbol: 'NOPE', instrument_type: 'STOCK_OPTION', underlying_ltp: 10 }), 'UNKNOWN_SYMBOL'],
      [() => api['watchlist:remove']({ user_id: 'u1', symbol: 'TCS' }), 'NOT_FOUND'],
      [() => api['subscriptions:get']({ token: 'NSE_FNO:1' }), 'NOT_FOUND'],
      [() => api['subscriptions:get']({ token: 'nonsense' }), 'BAD_REQUEST'],
      [() => api['instruments:search']({ q: '' }), 'BAD_REQUEST'],
      [() => api['instruments:expiries']({ symbol: 'NOPE' }), 'UNKNOWN_SYMBOL'],
    ];
    for (const [call, code] of bad) await expect(call(), code).rejects.toMatchObject({ code });
    expect(await api['subscriptions:status']({})).toEqual(before);
  });

  it('searches, lists expiries and reports the sockets', async () => {
    expect((await api['instruments:search']({ q: 'reliance', limit: 3 })).results[0]).toMatchObject({ trading_symbol: 'RELIANCE', segment: 'NSE_EQ', security_id: 2885 });
    expect((await api['instruments:expiries']({ symbol: 'nifty' })).expiries.length).toBeGreaterThan(2);
    const ws = await api['admin:ws-status']({});
    expect(ws).toMatchObject({ total_connections: 5, max_capacity: 25_000 });
    expect(ws.per_connection).toHaveLength(5);
  });
});
