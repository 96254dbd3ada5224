/**
 * The seed's contract, end to end over HTTP: a client written against SEED.md's examples works
 * unchanged. The seed's literal data-flow request (integer `user_id`, the DDMMMYYYY expiry
 * `26FEB2026`, `underlying_ltp` 2641.5) goes to the REST API v2 served by src/server/local-api.ts
 * over an App on the simulator, and its answers are the seed's: `strikes_subscribed` 50 (25
 * strikes x CE+PE), the watchlist listed under user 1, the instruments found by the seed's tokens
 * (`RELIANCE_26FEB_2640CE`). Then every refusal the README promises, with its status and code.
 *
 * The seed's market: the seed was written on 2026-02-03 with RELIANCE near 2641.5, strikes 5
 * apart and a 26 Feb expiry (a Thursday, the old NSE rule). The simulator's generated master
 * follows today's rules (NSE stock options expire on Tuesdays, RELIANCE near 1400), so this test
 * rewrites RELIANCE's NSE options into the seed's: 2026-02-26 (2500-2800, step 5), an expired
 * 2026-01-29, a 2026-03-26 and a 2027-02-26 (same day and month a year on, so a seed token's
 * year must be resolved), and BSE RELIANCE options on 2026-02-26 too (NSE must win). The
 * simulator prices RELIANCE from 2641.5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApi } from '../src/core/api/create-api';
import type { ApiEngine, ApiServices } from '../src/core/api/engine';
import { closeHttp, createHttpServer, listenHttp } from '../src/server/http-api';
import { startLocalApi, type LocalApi } from '../src/server/local-api';
import { COMMANDS, type HttpMethod } from '../src/shared/commands';
import { tokenOf } from '../src/shared/instruments';
import { MarketModel } from '../src/sim/market-model';
import { generateMaster } from '../src/sim/master-generator';
import { startAppOnSim, type AppOnSim } from './helpers/app';
import { runningClock } from './helpers/sim';

const TOKEN = 's'.repeat(64);
/** The seed's date (SEED.md: February 3, 2026), 10:00 IST: a Tuesday, NSE open. */
const SEED_AS_OF = '2026-02-03';
const SEED_T0 = Date.parse(`${SEED_AS_OF}T04:30:00Z`);

/** The seed's literal request (SEED.md, "Data Flow Example", step 1). */
const SEED_ADD = { user_id: 1, symbol: 'RELIANCE', expiry: '26FEB2026', instrument_type: 'STOCK_OPTION', underlying_ltp: 2641.5 };

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Option rows of the seed's RELIANCE on one exchange: strikes lo..hi step 5, CE and PE. */
function relianceOptions(exchange: 'NSE' | 'BSE', expiry: string, lo: number, hi: number, firstId: number): string[] {
  const [y, m, d] = expiry.split('-');
  const month = MON[Number(m) - 1]!;
  const rows: string[] = [];
  let id = firstId;
  for (let k = lo; k <= hi; k += 5) {
    for (const t of ['CE', 'PE'] as const) {
      const name = `RELIANCE ${d} ${month.toUpperCase()} ${k} ${t === 'CE' ? 'CALL' : 'PUT'}`;
      const sym = `RELIANCE-${month}${y}-${k}-${t}`;
      rows.push(
        exchange === 'NSE'
          ? `NSE,D,${id++},OPTSTK,0,${sym},500.0,${name},${expiry} 14:30:00,${k}.00000,${t},5.0000,M,OP,,`
          : `BSE,D,${id++},OPTSTK,0,${sym},500.0,${name},${expiry} 15:30:00,${k}.00000,${t},5.0000,M,OPTSTK,,RELIOPT`,
      );
    }
  }
  return rows;
}

/** The generated master for the seed's date, with RELIANCE's options as the seed knew them. */
function seedMaster(): Buffer {
  const lines = generateMaster({ asOf: SEED_AS_OF, rows: 20_000, seed: 7 })
    .split('\n')
    .filter((l) => !/^(NSE|BSE),D,\d+,OPTSTK,0,RELIANCE-/.test(l));
  const end = lines[lines.length - 1] === '' ? lines.pop() : undefined;
  lines.push(
    ...relianceOptions('NSE', '2026-01-29', 2600, 2700, 2_000_001),
    ...relianceOptions('NSE', '2026-02-26', 2500, 2800, 2_001_001),
    ...relianceOptions('NSE', '2026-03-26', 2500, 2800, 2_002_001),
    ...relianceOptions('NSE', '2027-02-26', 2600, 2700, 2_003_001),
    ...relianceOptions('BSE', '2026-02-26', 2600, 2700, 2_004_001),
  );
  if (end !== undefined) lines.push(end);
  return Buffer.from(lines.join('\n'), 'utf8');
}

interface Reply {
  status: number;
  headers: Headers;
  // The JSON answer; tests read fields dynamically.
  json: Record<string, unknown> & { ok?: boolean; error?: { code: string; message: string } };
}

let env: AppOnSim;
let local: LocalApi;

async function call(method: string, path: string, body?: unknown, port = local.port): Promise<Reply> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : {} };
}
const get = (path: string): Promise<Reply> => call('GET', path);
const post = (path: string, body: unknown): Promise<Reply> => call('POST', path, body);

/** A refusal: its status, code, and a message naming what was wrong. */
function refused(r: Reply, status: number, code: string, names: RegExp): void {
  expect({ status: r.status, code: r.json.error?.code }, JSON.stringify(r.json)).toEqual({ status, code });
  expect(r.json.ok).toBe(false);
  expect(r.json.error?.message).toMatch(names);
}

/** What a refused request could have changed: every owner and every watchlist entry. */
const state = (): unknown => ({
  owners: env.app.services.core.owners.listOwners().map((o) => `${o.owner}/${o.tier}`).sort(),
  watch: env.app.services.core.repos.watchlist.listAll().map((e) => `${e.userId}/${e.symbol}/${e.expiryDate}`),
});

beforeAll(async () => {
  const clock = runningClock(SEED_T0);
  const master = seedMaster();
  env = await startAppOnSim({
    // A still market (no trades): the chain stays where the seed's price put it.
    still: true,
    prefix: 'strikedesk-seed-',
    now: clock.now,
    sim: { master, asOf: SEED_AS_OF, clock, market: (o) => new MarketModel({ ...o, basePrices: { RELIANCE: 2641.5 } }) },
    app: (dir) => {
      const masterPath = join(dir, 'seed-master.csv');
      writeFileSync(masterPath, master);
      return { masterPath };
    },
  });
  local = await startLocalApi({ app: env.app, api: createApi(env.app), token: TOKEN, port: 0, log: () => {} });
}, 60_000);

afterAll(async () => {
  await local?.close();
  await env?.stop();
});

describe("the seed's data flow, literally", () => {
  it('POST /api/v2/watchlist/add with the seed body subscribes 50 instruments (25 strikes x CE+PE)', async () => {
    const add = await post('/api/v2/watchlist/add', SEED_ADD);
    expect(add.status, JSON.stringify(add.json)).toBe(200);
    expect(add.json).toMatchObject({ success: true, strikes_subscribed: 50, strikes: 25 });
    expect(add.json.message).toEqual(expect.stringContaining('RELIANCE'));
    const chain = add.json.option_chain as { symbol: string; expiry: string; atm_strike: number; strike_step: number; strikes: number[]; strikes_ce_pe: Record<string, { CE?: { token: string }; PE?: { token: string } }> };
    // The seed's chain: ATM = round(2641.5 / 5) * 5 = 2640, 25 strikes; the expiry answered in ISO.
    expect(chain).toMatchObject({ symbol: 'RELIANCE', expiry: '2026-02-26', atm_strike: 2640, strike_step: 5 });
    expect(chain.strikes).toHaveLength(25);
    expect(chain.strikes).toContain(2640);
    const legs = Object.values(chain.strikes_ce_pe).flatMap((l) => [l.CE?.token, l.PE?.token]).filter((t) => t !== undefined);
    expect(legs).toHaveLength(50);
    await expect.poll(() => legs.every((t) => env.exchangeTokens().has(t)), { timeout: 10_000 }).toBe(true);
  });

  it('GET /api/v2/watchlist/1 lists it; 1 and "1" are one user', async () => {
    const list = await get('/api/v2/watchlist/1');
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ user_id: '1', entries: [expect.objectContaining({ symbol: 'RELIANCE', expiry_date: '2026-02-26', instrument_type: 'STOCK_OPTION', status: 'live' })] });
    // The same entry under the string id, and under the ISO expiry: a duplicate of the seed's add.
    const before = state();
    const again = await post('/api/v2/watchlist/add', { ...SEED_ADD, user_id: '1', expiry: '2026-02-26' });
    refused(again, 409, 'DUPLICATE', /RELIANCE/);
    expect(state()).toEqual(before);
  });

  it('GET /api/v2/subscriptions/RELIANCE_26FEB_2640CE finds the seed token, answering both forms', async () => {
    for (const side of ['CE', 'PE']) {
      const seedToken = `RELIANCE_26FEB_2640${side}`;
      const one = await get(`/api/v2/subscriptions/${seedToken}`);
      expect(one.status, JSON.stringify(one.json)).toBe(200);
      expect(one.json).toMatchObject({ seed_token: seedToken, segment: 'NSE_FNO', symbol: 'RELIANCE', tier: 'TIER_A', trading_symbol: `RELIANCE-Feb2026-2640-${side}` });
      expect(one.json.token).toMatch(/^NSE_FNO:\d+$/);
      expect(one.json.owners).toContain('watch:1:RELIANCE:2026-02-26');
      // The same subscription by its own token, with the seed's beside it.
      const byToken = await get(`/api/v2/subscriptions/${encodeURIComponent(one.json.token as string)}`);
      expect(byToken.json).toEqual(one.json);
    }
    // Case does not matter in the seed's form.
    expect((await get('/api/v2/subscriptions/reliance_26feb_2640ce')).json.seed_token).toBe('RELIANCE_26FEB_2640CE');
    const active = await get('/api/v2/subscriptions/active?tier=TIER_A');
    const subs = active.json.subscriptions as { token: string; seed_token: string | null; trading_symbol: string }[];
    const options = subs.filter((x) => /^RELIANCE-Feb2026-\d+-(CE|PE)$/.test(x.trading_symbol));
    expect(options).toHaveLength(50);
    expect(options.every((x) => x.seed_token !== null && /^RELIANCE_26FEB_\d+(CE|PE)$/.test(x.seed_token))).toBe(true);
    // The underlying is not an option: it has no seed form. It is Tier B's (every F&O underlying is
    // always live), held by the watchlist entry too.
    expect(subs.find((x) => x.trading_symbol === 'RELIANCE')).toBeUndefined();
    const tierB = (await get('/api/v2/subscriptions/active?tier=TIER_B')).json.subscriptions as typeof subs;
    expect(tierB.find((x) => x.trading_symbol === 'RELIANCE')).toMatchObject({ token: 'NSE_EQ:2885', seed_token: null });
    expect(env.app.services.core.owners.ownersOf('NSE_EQ:2885')).toEqual(expect.arrayContaining(['tierb:underlyings', 'watch:1:RELIANCE:2026-02-26']));
  });

  it('option-chain get and subscribe take the seed expiry and answer in ISO', async () => {
    const chain = await get('/api/v2/option-chain/RELIANCE?expiry=26FEB2026');
    expect(chain.status, JSON.stringify(chain.json)).toBe(200);
    expect(chain.json).toMatchObject({ symbol: 'RELIANCE', expiry: '2026-02-26', atm_strike: 2640 });
    const view = await post('/api/v2/option-chain/subscribe', { symbol: 'RELIANCE', expiry: '26Feb2026', underlying_ltp: 2641.5, view_id: 'seed-view' });
    expect(view.status, JSON.stringify(view.json)).toBe(200);
    expect(view.json).toMatchObject({ symbol: 'RELIANCE', expiry: '2026-02-26', view_id: 'seed-view' });
    expect((await post('/api/v2/option-chain/unsubscribe', { view_id: 'seed-view' })).status).toBe(200);
  });

  it('POST /api/v2/watchlist/remove with the seed body unsubscribes them', async () => {
    const held = env.app.services.core.owners.tokensOf('watch:1:RELIANCE:2026-02-26');
    expect(held).toHaveLength(51); // 50 legs and the underlying
    const rm = await post('/api/v2/watchlist/remove', { user_id: 1, symbol: 'RELIANCE', expiry: '26FEB2026' });
    expect(rm.status, JSON.stringify(rm.json)).toBe(200);
    // The 50 legs go; the underlying stays live for Tier B.
    expect(rm.json).toMatchObject({ success: true, unsubscribed: 50 });
    expect(env.app.services.core.owners.ownersOf('NSE_EQ:2885')).toEqual(['tierb:underlyings']);
    expect((await get('/api/v2/watchlist/1')).json.entries).toEqual([]);
    refused(await get('/api/v2/subscriptions/RELIANCE_26FEB_2640CE'), 404, 'NOT_FOUND', /RELIANCE_26FEB_2640CE.*not subscribed/);
  });
});

describe('seed tokens', () => {
  it('resolve the year to the nearest live expiry and NSE before BSE', async () => {
    const view = await post('/api/v2/option-chain/subscribe', { symbol: 'RELIANCE', expiry: '26FEB2027', underlying_ltp: 2641.5, view_id: 'next-year' });
    expect(view.status, JSON.stringify(view.json)).toBe(200);
    try {
      // The 2027 chain is subscribed, the 2026 one is not: the seed token means 2026 (the nearest).
      refused(await get('/api/v2/subscriptions/RELIANCE_26FEB_2640CE'), 404, 'NOT_FOUND', /RELIANCE_26FEB_2640CE \(NSE_FNO:\d+\) is not subscribed/);
      const legs = view.json.strikes_ce_pe as Record<string, { CE: { token: string } }>;
      const next = await get(`/api/v2/subscriptions/${encodeURIComponent(legs['2640']!.CE.token)}`);
      expect(next.status).toBe(200);
      // Its seed form would name the 2026 contract, so it has none.
      expect(next.json).toMatchObject({ trading_symbol: 'RELIANCE-Feb2027-2640-CE', seed_token: null });
    } finally {
      await post('/api/v2/option-chain/unsubscribe', { view_id: 'next-year' });
    }
    const reg = env.app.services.loaded.registry;
    const nse = reg.bySymbolAndExpiry('RELIANCE', '2026-02-26').find((i) => i.segment === 'NSE_FNO' && i.strike === 2640 && i.optionType === 'CE')!;
    const open = await post('/api/v2/option-chain/subscribe', { symbol: 'RELIANCE', expiry: '2026-02-26', underlying_ltp: 2641.5, view_id: 'nse' });
    expect(open.status).toBe(200);
    try {
      expect((await get('/api/v2/subscriptions/RELIANCE_26FEB_2640CE')).json).toMatchObject({ token: `NSE_FNO:${nse.securityId}`, seed_token: 'RELIANCE_26FEB_2640CE' });
    } finally {
      await post('/api/v2/option-chain/unsubscribe', { view_id: 'nse' });
    }
  });

  it('an unresolvable seed token is 404 naming it; a malformed token 400', async () => {
    refused(await get('/api/v2/subscriptions/RELIANCE_26FEB_9999CE'), 404, 'NOT_FOUND', /RELIANCE_26FEB_9999CE/);
    refused(await get('/api/v2/subscriptions/NOSUCH_26FEB_100PE'), 404, 'NOT_FOUND', /NOSUCH_26FEB_100PE/);
    refused(await get('/api/v2/subscriptions/RELIANCE_27FEB_2640CE'), 404, 'NOT_FOUND', /RELIANCE_27FEB_2640CE/);
    for (const bad of ['RELIANCE_26XYZ_2640CE', 'RELIANCE_31FEB_2640CE', 'RELIANCE_26FEB_2640XX', 'RELIANCE_26FEB2026_2640CE', 'RELIANCE']) {
      refused(await get(`/api/v2/subscriptions/${bad}`), 400, 'BAD_REQUEST', /^token: /);
    }
  });
});

describe('refusals are what the README promises', () => {
  it('an unknown symbol is 404 UNKNOWN_SYMBOL on option-chain get and subscribe', async () => {
    const before = state();
    refused(await get('/api/v2/option-chain/NOSUCH'), 404, 'UNKNOWN_SYMBOL', /NOSUCH/);
    refused(await get('/api/v2/option-chain/NOSUCH?expiry=26FEB2026'), 404, 'UNKNOWN_SYMBOL', /NOSUCH/);
    refused(await post('/api/v2/option-chain/subscribe', { symbol: 'NOSUCH' }), 404, 'UNKNOWN_SYMBOL', /NOSUCH/);
    refused(await post('/api/v2/option-chain/subscribe', { symbol: 'NOSUCH', underlying_ltp: 100 }), 404, 'UNKNOWN_SYMBOL', /NOSUCH/);
    // A known stock with no options stays NOT_FNO.
    const reg = env.app.services.loaded.registry;
    const cashOnly = [...reg.symbols()].find((sym) => reg.spot(sym)?.segment === 'NSE_EQ' && reg.optionSegments(sym).length === 0)!;
    expect(cashOnly).toBeDefined();
    refused(await post('/api/v2/option-chain/subscribe', { symbol: cashOnly }), 400, 'NOT_FNO', new RegExp(cashOnly));
    refused(await get(`/api/v2/option-chain/${encodeURIComponent(cashOnly)}`), 400, 'NOT_FNO', new RegExp(cashOnly));
    expect(state()).toEqual(before);
  });

  it('expiries: impossible is BAD_REQUEST, past is EXPIRED, not listed is UNKNOWN_EXPIRY (get and subscribe)', async () => {
    const before = state();
    for (const [expiry, status, code, names] of [
      ['2026-13-45', 400, 'BAD_REQUEST', /^expiry: .*2026-13-45/],
      ['31FEB2026', 400, 'BAD_REQUEST', /^expiry: .*31FEB2026/],
      ['2026-02-30', 400, 'BAD_REQUEST', /^expiry: /],
      ['26-02-2026', 400, 'BAD_REQUEST', /^expiry: /],
      ['29JAN2026', 400, 'EXPIRED', /RELIANCE 2026-01-29/],
      ['2026-01-29', 400, 'EXPIRED', /RELIANCE 2026-01-29/],
      ['27FEB2026', 400, 'UNKNOWN_EXPIRY', /RELIANCE .*2026-02-27/],
      ['2026-02-24', 400, 'UNKNOWN_EXPIRY', /RELIANCE .*2026-02-24/],
    ] as const) {
      refused(await get(`/api/v2/option-chain/RELIANCE?expiry=${expiry}`), status, code, names);
      refused(await post('/api/v2/option-chain/subscribe', { symbol: 'RELIANCE', expiry, underlying_ltp: 2641.5 }), status, code, names);
      refused(await post('/api/v2/watchlist/add', { ...SEED_ADD, expiry }), status, code, names);
    }
    expect(state()).toEqual(before);
  });

  it('a wrong method on a literal path is 405 with Allow, never a parameter route', async () => {
    const before = state();
    const literal = Object.values(COMMANDS).filter((c) => !c.path.includes(':'));
    const methods = (path: string): HttpMethod[] => literal.filter((c) => c.path === path).map((c) => c.method);
    let checked = 0;
    for (const path of new Set(literal.map((c) => c.path))) {
      const allowed = methods(path);
      for (const wrong of (['GET', 'POST', 'DELETE'] as const).filter((m) => !(allowed as string[]).includes(m))) {
        const r = await call(wrong, `/api/v2/${path}`, wrong === 'POST' ? {} : undefined);
        expect({ path, wrong, status: r.status, allow: r.headers.get('allow'), code: r.json.error?.code }).toEqual({ path, wrong, status: 405, allow: allowed.join(', '), code: 'BAD_REQUEST' });
        expect(r.json.error?.message).toMatch(new RegExp(`${wrong}.*${path}`));
        checked++;
      }
    }
    // watchlist/add and /remove, option-chain/subscribe and /unsubscribe, admin/*, subscriptions/status and /active, ...
    expect(checked).toBeGreaterThanOrEqual(20);
    expect(state()).toEqual(before);
  });

  it('an EQUITY add with an expiry is refused, not silently dropped', async () => {
    const before = state();
    refused(await post('/api/v2/watchlist/add', { user_id: 1, symbol: 'RELIANCE', expiry: '26FEB2026', instrument_type: 'EQUITY' }), 400, 'BAD_REQUEST', /expiry.*equity has no expiry/);
    expect(state()).toEqual(before);
    const equity = await post('/api/v2/watchlist/add', { user_id: 1, symbol: 'RELIANCE', instrument_type: 'EQUITY' });
    expect(equity.status, JSON.stringify(equity.json)).toBe(200);
    expect(equity.json).toMatchObject({ success: true, option_chain: null, strikes_subscribed: 0, strikes: 0 });
    expect((await post('/api/v2/watchlist/remove', { user_id: '1', symbol: 'RELIANCE' })).status).toBe(200);
  });

  it('user ids: integers and strings, anything else named', async () => {
    refused(await post('/api/v2/watchlist/add', { ...SEED_ADD, user_id: 1.5 }), 400, 'BAD_REQUEST', /^user_id: /);
    refused(await post('/api/v2/watchlist/add', { ...SEED_ADD, user_id: true }), 400, 'BAD_REQUEST', /^user_id: /);
    refused(await post('/api/v2/watchlist/remove', { user_id: null, symbol: 'RELIANCE' }), 400, 'BAD_REQUEST', /^user_id: /);
    refused(await post('/api/v2/watchlist/remove', { user_id: 7, symbol: 'RELIANCE', expiry: '26FEB2026' }), 404, 'NOT_FOUND', /RELIANCE 2026-02-26/);
  });

  it('no price known for a chain stays BAD_LTP, and a GET is not told to pass underlying_ltp', async () => {
    // Live mode with a failed snapshot: TCS has had no tick (its always-live price hidden here),
    // and the engine's quote request fails (a failed paint leaves no price; it never throws).
    const real = env.app.services.store;
    const tcs = tokenOf(env.app.services.registry.spot('TCS')!);
    const store = new Proxy(real, {
      get: (target, prop) => (prop === 'ltp' ? (t: string) => (t === tcs ? undefined : target.ltp(t)) : Reflect.get(target, prop)),
    });
    const failingPaint: ApiServices['marketData'] = { paint: () => Promise.resolve() };
    const engine: ApiEngine = {
      get services() {
        return { ...env.app.services, store, marketData: failingPaint };
      },
      engineStatus: () => env.app.engineStatus(),
      clientId: () => env.app.clientId(),
      get keepWatchlists() {
        return env.app.keepWatchlists;
      },
      setKeepWatchlists: (k) => env.app.setKeepWatchlists(k),
      setRiskFreeRate: (r) => env.app.setRiskFreeRate(r),
      setCredentials: (c) => env.app.setCredentials(c),
      unsubscribeAllTierA: () => env.app.unsubscribeAllTierA(),
    };
    const server = createHttpServer({ api: createApi(engine), token: TOKEN, log: () => {} });
    const port = await listenHttp(server, 0);
    try {
      const before = state();
      const got = await call('GET', '/api/v2/option-chain/TCS', undefined, port);
      refused(got, 400, 'BAD_LTP', /TCS/);
      expect(got.json.error?.message).not.toMatch(/underlying_ltp/);
      // POST takes the hint, and its refusal may say so.
      refused(await call('POST', '/api/v2/option-chain/subscribe', { symbol: 'TCS' }, port), 400, 'BAD_LTP', /TCS.*underlying_ltp/);
      expect(state()).toEqual(before);
    } finally {
      await closeHttp(server);
    }
  });
});
