/**
 * The owner registry at the app level, against the simulator, checking the simulator's own view
 * of what is subscribed: the cap and LRU eviction, a client's price hint, REST views with a
 * lifetime, "unsubscribe all Tier A" across a restart, and the session-start rule.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApi } from '../src/core/api/create-api';
import { StreamSession } from '../src/core/api/stream-session';
import { App } from '../src/core/app';
import { parseTierBConfig } from '../src/core/lifecycle/tier-b-config';
import type { Api } from '../src/shared/contract';
import { withValidation } from '../src/shared/validate';
import { startAppOnSim, TRADING_T0, type AppOnSim } from './helpers/app';
import { moveMarket } from './helpers/sim';
import { waitFor } from './helpers/wait';

const NO_TIER_B = parseTierBConfig({ indexChains: [], futures: [], optionChains: [] });
const RELIANCE_SPOT = 'NSE_EQ:2885';

let run: AppOnSim | undefined;
afterEach(async () => {
  await run?.stop();
  run = undefined;
});

const apiOf = (app: App): Api => withValidation(createApi(app));
const chainTokens = (app: App, symbol: string): string[] => {
  const c = app.services.owners.openChains().find((o) => o.state.chain.symbol === symbol);
  return c ? [...c.state.optionTokens] : [];
};

describe('at the cap', () => {
  it('the LRU chain is gone from the exchange, the chain list and the live watchlist, and stays gone when its underlying moves', async () => {
    // A still market (no trades), so no re-centre changes a window between sizing and filling.
    run = await startAppOnSim({ still: true, app: { tierB: NO_TIER_B } });
    const { s } = run;
    let api = apiOf(run.app);
    await api['watchlist:add']({ user_id: 'u', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' });
    await api['watchlist:add']({ user_id: 'u', symbol: 'TCS', instrument_type: 'STOCK_OPTION' });
    await api['watchlist:add']({ user_id: 'u', symbol: 'INFY', instrument_type: 'STOCK_OPTION' });
    // RELIANCE itself stays live (a recent equity entry), so its ticks keep arriving after the eviction.
    await api['watchlist:add']({ user_id: 'u', symbol: 'RELIANCE', instrument_type: 'EQUITY' });
    // Size the cap from these chains: the four entries fill it, SBIN then needs RELIANCE's room.
    const owners = run.app.services.owners;
    const full = owners.size;
    const relianceChain = owners.listOwners().find((o) => o.chain?.startsWith('RELIANCE|'))!;
    await api['watchlist:add']({ user_id: 'u', symbol: 'SBIN', instrument_type: 'STOCK_OPTION' });
    const sbin = owners.size - full;
    await api['watchlist:remove']({ user_id: 'u', symbol: 'SBIN', expiry: owners.openChains().find((c) => c.state.chain.symbol === 'SBIN')!.spec.expiry });
    const cap = Math.max(full, full + sbin - (relianceChain.instruments - 1));
    const config = run.app.config;
    await run.app.stop();
    // The same data folder on one socket of `cap` instruments: the watchlists come back as they were.
    const app = new App({ ...config, sockets: 1, perSocket: cap });
    await app.start();
    run.app = app;
    api = apiOf(app);
    expect(app.services.owners.stats()).toMatchObject({ total: full, cap });
    const relianceLegs = chainTokens(app, 'RELIANCE');
    await waitFor(() => relianceLegs.every((t) => run!.exchangeTokens().has(t)), 10_000, 'RELIANCE legs at the exchange');

    await api['watchlist:add']({ user_id: 'u', symbol: 'SBIN', instrument_type: 'STOCK_OPTION' });
    const sbinLegs = chainTokens(app, 'SBIN');
    await waitFor(() => sbinLegs.every((t) => run!.exchangeTokens().has(t)) && relianceLegs.every((t) => !run!.exchangeTokens().has(t)), 10_000, 'SBIN in, RELIANCE out at the exchange');

    const listed = async () => (await api['chains:list']({})).chains.map((c) => c.symbol);
    expect(await listed()).toEqual(['INFY', 'SBIN', 'TCS']);
    const entries = (await api['watchlist:list']({ user_id: 'u' })).entries;
    expect(entries.map((e) => [e.symbol, e.instrument_type, e.status])).toEqual([
      ['RELIANCE', 'STOCK_OPTION', 'evicted'],
      ['TCS', 'STOCK_OPTION', 'live'],
      ['INFY', 'STOCK_OPTION', 'live'],
      ['RELIANCE', 'EQUITY', 'live'],
      ['SBIN', 'STOCK_OPTION', 'live'],
    ]);
    expect(entries[0]!.status_reason).toMatch(/SBIN/);

    // RELIANCE jumps several strike steps (10 each) up, then down: its chain does not come back, SBIN stays.
    for (const pct of [6, -12]) {
      const move = await moveMarket(s.sim, 'RELIANCE', pct);
      await waitFor(() => Math.abs(app.services.store.ltp(RELIANCE_SPOT)! - move.after) < 1, 10_000, `the app to see RELIANCE move ${pct}%`);
    }
    expect(await listed()).toEqual(['INFY', 'SBIN', 'TCS']);
    const exchange = run.exchangeTokens();
    expect(sbinLegs.every((t) => exchange.has(t))).toBe(true);
    expect(relianceLegs.filter((t) => exchange.has(t))).toEqual([]);
    expect(exchange).toEqual(new Set(app.services.owners.tokens()));

    // One add brings it back (now evicting TCS, the least recently used).
    const back = await api['watchlist:add']({ user_id: 'u', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' });
    expect(back.message).toMatch(/re-added/);
    expect(await listed()).toEqual(['INFY', 'RELIANCE', 'SBIN']);
  });
});

describe('a client\'s underlying_ltp', () => {
  it('a subscribe with an absurd price leaves Tier B\'s NIFTY window exactly where it was', async () => {
    run = await startAppOnSim({ still: true });
    const { app } = run;
    const api = apiOf(app);
    const nifty = (await api['chains:list']({})).chains.find((c) => c.symbol === 'NIFTY')!;
    const window = chainTokens(app, 'NIFTY');
    const exchange = run.exchangeTokens();
    for (const ltp of [5e-324, 15_100, 1e9]) {
      const res = await api['option-chain:subscribe']({ symbol: 'NIFTY', expiry: nifty.expiry, underlying_ltp: ltp, view_id: `hint-${ltp}` });
      expect(res).toMatchObject({ atm_strike: nifty.atm_strike, subscribed: 0 });
    }
    expect((await api['chains:list']({})).chains.find((c) => c.symbol === 'NIFTY' && c.expiry === nifty.expiry)).toMatchObject({ atm_strike: nifty.atm_strike, tier: 'TIER_B' });
    expect(chainTokens(app, 'NIFTY')).toEqual(window);
    expect(run.exchangeTokens()).toEqual(exchange);
  });
});

describe('REST views', () => {
  it('500 views opened and closed leave no owner behind, and each costs what the first did', async () => {
    run = await startAppOnSim({ still: true });
    const { app } = run;
    const api = apiOf(app);
    const expiry = app.services.registry.expiries('NIFTY')[0]!;
    const owners = () => app.services.owners.listOwners().map((o) => o.owner);
    const tierB = owners();
    const sqlite = app.services.db.sqlite;
    sqlite.exec('CREATE TEMP TABLE owner_writes (n INTEGER); CREATE TEMP TRIGGER count_owner_writes AFTER INSERT ON main.subscription_owners BEGIN INSERT INTO owner_writes VALUES (1); END');
    const writes = () => (sqlite.prepare('SELECT COUNT(*) n FROM owner_writes').get() as { n: number }).n;
    const cost: number[] = [];
    for (let i = 0; i < 500; i++) {
      const w = writes();
      const res = await api['option-chain:subscribe']({ symbol: 'NIFTY', expiry, view_id: `v${i}` });
      expect(res.subscribed).toBe(0);
      cost.push(writes() - w);
    }
    expect(new Set(cost)).toEqual(new Set([1]));
    expect(app.services.owners.chainOwners('NIFTY', expiry)).toHaveLength(501);
    for (let i = 0; i < 500; i++) expect((await api['option-chain:unsubscribe']({ view_id: `v${i}` })).success).toBe(true);
    expect(owners()).toEqual(tierB);
    await expect(api['option-chain:unsubscribe']({ view_id: 'v0' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a view bound to a stream client closes when the client goes away; an unbound one after its idle time', async () => {
    let t = TRADING_T0;
    run = await startAppOnSim({ still: true, now: () => t, app: { viewIdleMs: 60_000 } });
    const { app } = run;
    const api = apiOf(app);
    const tcs = await api['option-chain:subscribe']({ symbol: 'TCS', view_id: 'bound' });
    await api['option-chain:subscribe']({ symbol: 'INFY', view_id: 'idle' });
    const tcsLegs = chainTokens(app, 'TCS');
    await waitFor(() => tcsLegs.every((l) => run!.exchangeTokens().has(l)), 10_000, 'TCS at the exchange');
    const session = new StreamSession(app);
    expect(session.handle({ op: 'subscribe', view: 'chain', symbol: 'TCS', expiry: tcs.expiry, view_id: 'bound' })).toMatchObject({ type: 'subscribed' });
    expect(session.handle({ op: 'subscribe', view: 'chain', symbol: 'TCS', expiry: tcs.expiry, view_id: 'nosuch' })).toMatchObject({ type: 'error', error: { code: 'NOT_FOUND' } });
    // Time passes: the bound view stays (its client is there), the idle one closes.
    t += 61_000;
    expect(app.services.views.sweep()).toBe(1);
    expect(app.services.views.list()).toEqual(['bound']);
    session.dispose();
    expect(app.services.views.list()).toEqual([]);
    await waitFor(() => tcsLegs.every((l) => !run!.exchangeTokens().has(l)), 10_000, 'TCS to leave the exchange');
  });
});

describe('unsubscribe all Tier A', () => {
  it.each([false, true])('then a restart (keep watchlists: %s): zero Tier A at the exchange, entries released', async (keep) => {
    run = await startAppOnSim({ app: { keepWatchlists: keep } });
    const api = apiOf(run.app);
    await api['watchlist:add']({ user_id: 'u', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' });
    await api['watchlist:add']({ user_id: 'u', symbol: 'YESBANK', instrument_type: 'EQUITY' });
    const owners = run.app.services.owners;
    // What only Tier A holds (RELIANCE itself stays: every F&O underlying is Tier B's).
    const tierA = owners.listOwners().filter((o) => o.tier === 'TIER_A').flatMap((o) => owners.tokensOf(o.owner)).filter((t) => owners.tierOf(t) === 'TIER_A');
    expect(tierA).toHaveLength(owners.stats().tierA);
    expect((await api['admin:unsubscribe-all-tier-a']({})).unsubscribed).toBe(tierA.length);
    await waitFor(() => tierA.every((t) => !run!.exchangeTokens().has(t)), 10_000, 'Tier A to leave the exchange');

    await run.app.stop();
    await run.app.start();
    const again = apiOf(run.app);
    expect((await again['subscriptions:status']({})).tier_a_count).toBe(0);
    expect((await again['watchlist:list']({ user_id: 'u' })).entries.map((e) => e.status)).toEqual(['released', 'released']);
    await waitFor(() => run!.exchangeTokens().size === run!.app.services.owners.size, 10_000, 'the exchange to hold what the app holds');
    expect(tierA.filter((t) => run!.exchangeTokens().has(t))).toEqual([]);
    expect(run.logs.some((l) => /subscribed again/.test(l) && !/: 0 subscribed again/.test(l))).toBe(false);
  });
});

describe('the session start', () => {
  it('ticks from an earlier session do not re-centre; this session\'s do', async () => {
    // The simulator's clock is Wednesday's session; the app's is Thursday's: every tick is stale.
    const thursday = TRADING_T0 + 86_400_000;
    run = await startAppOnSim({ now: () => thursday + (performance.now() % 1000), app: { tierB: NO_TIER_B } });
    const api = apiOf(run.app);
    await api['watchlist:add']({ user_id: 'u', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' });
    const atm = (await api['chains:list']({})).chains[0]!.atm_strike;
    const moved = await moveMarket(run.s.sim, 'RELIANCE', 5);
    await waitFor(() => Math.abs(run!.app.services.store.ltp(RELIANCE_SPOT)! - moved.after) < 1, 10_000, 'the app to see the move');
    expect(run.app.services.marketData.recentres).toBe(0);
    expect((await api['chains:list']({})).chains[0]!.atm_strike).toBe(atm);
    await run.stop();

    // Same clock as the exchange: the same move re-centres.
    run = await startAppOnSim({ app: { tierB: NO_TIER_B } });
    const live = apiOf(run.app);
    await live['watchlist:add']({ user_id: 'u', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' });
    const atm2 = (await live['chains:list']({})).chains[0]!.atm_strike;
    await moveMarket(run.s.sim, 'RELIANCE', 5);
    await waitFor(() => run!.app.services.marketData.recentres > 0, 10_000, 'a re-centre');
    expect((await live['chains:list']({})).chains[0]!.atm_strike).toBeGreaterThan(atm2);
  });
});
