import { afterEach, describe, expect, it } from 'vitest';
import { basePrice, makeCore, testRegistry, type TestCore } from '../../../test/helpers/core';
import { runEndOfDay, unsubscribeAllTierA } from '../lifecycle/end-of-day';

let core: TestCore;
afterEach(() => core?.dispose());

const count = (c: TestCore, sql: string, ...args: unknown[]) => (c.db.sqlite.prepare(sql).get(...args) as { n: number }).n;

describe('watchlist manager (the seed checklist)', () => {
  it('add creates the DB row and subscribes 25 strikes = 50 options plus the underlying', () => {
    core = makeCore();
    const res = core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice('RELIANCE') + 2 });
    expect(res).toMatchObject({ subscribed: 51, evicted: [], readded: false });
    expect(res.chain?.chain.strikes).toHaveLength(25);
    expect(core.watchlists.list('u1')).toEqual([expect.objectContaining({ symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', expiryDate: res.chain!.chain.expiry, live: true, state: 'ACTIVE' })]);
    expect(count(core, 'SELECT COUNT(*) n FROM subscriptions')).toBe(51);
    expect(count(core, "SELECT COUNT(*) n FROM subscriptions WHERE option_type IS NOT NULL AND tier = 'TIER_A'")).toBe(50);
    expect(core.owners.isSubscribed('NSE_EQ:2885')).toBe(true);
  });

  it('an index chain is 101 strikes: 202 options plus the index', () => {
    core = makeCore();
    const res = core.watchlists.add({ userId: 'u1', symbol: 'NIFTY', instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('NIFTY') });
    expect(res.chain?.chain.strikes).toHaveLength(101);
    expect(res.subscribed).toBe(203);
    expect(core.owners.isSubscribed('IDX_I:13')).toBe(true);
  });

  it('remove unsubscribes the 50 options and the underlying and deletes the row', () => {
    core = makeCore();
    const res = core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    const out = core.watchlists.remove('u1', 'RELIANCE', res.chain!.chain.expiry);
    expect(out).toMatchObject({ unsubscribed: 51 });
    expect(core.owners.size).toBe(0);
    expect(core.watchlists.list('u1')).toEqual([]);
    expect(count(core, 'SELECT COUNT(*) n FROM subscriptions')).toBe(0);
  });

  it('refuses bad adds with clear errors and changes nothing', () => {
    core = makeCore();
    core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    const before = { subs: core.owners.size, rows: core.watchlists.list('u1').length };
    const expiry = core.watchlists.list('u1')[0]!.expiryDate;
    const cases: [Parameters<TestCore['watchlists']['add']>[0], string][] = [
      [{ userId: 'u1', symbol: 'RELIANCE', expiry, instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 }, 'DUPLICATE'],
      [{ userId: 'u1', symbol: 'NOSUCH', instrumentType: 'STOCK_OPTION', underlyingLtp: 10 }, 'UNKNOWN_SYMBOL'],
      [{ userId: 'u1', symbol: 'RELIANCE', expiry: '2026-12-02', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 }, 'UNKNOWN_EXPIRY'],
      [{ userId: 'u1', symbol: 'YESBANK', instrumentType: 'STOCK_OPTION', underlyingLtp: 20 }, 'NOT_FNO'],
      [{ userId: 'u1', symbol: 'INFY', instrumentType: 'STOCK_OPTION' }, 'BAD_LTP'],
      [{ userId: 'u1', symbol: 'INFY', instrumentType: 'STOCK_OPTION', underlyingLtp: 0 }, 'BAD_LTP'],
      [{ userId: 'u1', symbol: 'INFY', instrumentType: 'INDEX_OPTION', underlyingLtp: 1500 }, 'BAD_REQUEST'],
      [{ userId: '', symbol: 'INFY', instrumentType: 'STOCK_OPTION', underlyingLtp: 1500 }, 'BAD_REQUEST'],
    ];
    for (const [req, code] of cases) {
      expect(() => core.watchlists.add(req), `${req.symbol} ${code}`).toThrow(expect.objectContaining({ code }));
    }
    expect({ subs: core.owners.size, rows: core.watchlists.list('u1').length }).toEqual(before);
    expect(() => core.watchlists.remove('u1', 'TCS', '2026-12-29')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('refuses an expired expiry as EXPIRED', () => {
    core = makeCore();
    // A currency option that expired before "today" is in the generated master.
    const registry = testRegistry();
    const expired = registry.expiries('USDINR', { asOf: '0001-01-01' }).find((e) => e < '2026-11-24')!;
    expect(expired).toBeDefined();
    expect(() => core.watchlists.add({ userId: 'u', symbol: 'USDINR', expiry: expired, instrumentType: 'STOCK_OPTION', underlyingLtp: 88 })).toThrow(
      expect.objectContaining({ code: 'EXPIRED' }),
    );
  });

  it('adds an equity as its NSE stock alone', () => {
    core = makeCore();
    const res = core.watchlists.add({ userId: 'u1', symbol: 'yesbank', instrumentType: 'EQUITY' });
    expect(res).toMatchObject({ chain: null, subscribed: 1 });
    expect(core.owners.isSubscribed('NSE_EQ:11915')).toBe(true);
    expect(core.watchlists.remove('u1', 'YESBANK')).toMatchObject({ unsubscribed: 1 });
  });

  it('uses the last price it knows when none is passed', () => {
    core = makeCore({ prices: { ltp: (t) => (t === 'NSE_EQ:1594' ? 1512 : undefined) } });
    const res = core.watchlists.add({ userId: 'u1', symbol: 'INFY', instrumentType: 'STOCK_OPTION' });
    expect(res.chain?.chain).toMatchObject({ ltp: 1512, atm: 1520 });
  });
});

describe('end of day', () => {
  it('clears Tier A and the watchlists, keeps Tier B, and logs EOD_CLEANUP', () => {
    core = makeCore();
    const nifty = core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: testRegistry().expiries('NIFTY')[0]! }, basePrice('NIFTY'));
    core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    core.watchlists.add({ userId: 'u2', symbol: 'TCS', instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice('TCS') });
    const tierB = core.owners.stats().tierB;
    expect(tierB).toBe(203);
    const out = runEndOfDay(core);
    expect(out).toEqual({ unsubscribed: 102, ownersReleased: 2, entriesCleared: 2, entriesKept: 0 });
    expect(core.owners.stats()).toMatchObject({ total: 203, tierA: 0, tierB: 203 });
    expect(core.watchlists.list('u1')).toEqual([]);
    expect(count(core, "SELECT COUNT(*) n FROM subscription_log WHERE action = 'EOD_CLEANUP'")).toBe(102);
    expect(nifty.state.optionTokens.every((t) => core.owners.isSubscribed(t))).toBe(true);
  });
});

describe('remove without an expiry', () => {
  it('removes the symbol\'s only entry; with several it asks for the expiry and removes nothing', () => {
    core = makeCore();
    const [first, second] = testRegistry().expiries('RELIANCE');
    core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    expect(core.watchlists.remove('u1', 'reliance')).toMatchObject({ message: `RELIANCE ${first} removed`, unsubscribed: 51 });
    core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', expiry: first, instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', expiry: second, instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    expect(() => core.watchlists.remove('u1', 'RELIANCE')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining(`${first}, ${second}`) }));
    expect(core.watchlists.list('u1')).toHaveLength(2);
    expect(() => core.watchlists.remove('u1', 'TCS')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('the hint and the price', () => {
  it('a live price wins over the caller\'s underlying_ltp; the hint centres a chain only when no price is known', () => {
    core = makeCore({ prices: { ltp: (t) => (t === 'NSE_EQ:1594' ? 1512 : undefined) } });
    expect(core.watchlists.add({ userId: 'u1', symbol: 'INFY', instrumentType: 'STOCK_OPTION', underlyingLtp: 900 }).chain?.chain.atm).toBe(1520);
    expect(core.watchlists.add({ userId: 'u1', symbol: 'TCS', instrumentType: 'STOCK_OPTION', underlyingLtp: 3000 }).chain?.chain.atm).toBe(3000);
  });
});

describe('unsubscribe all Tier A', () => {
  it('releases every Tier A owner (ADMIN_UNSUBSCRIBE), marks every entry released, keeps Tier B, and one add brings an entry back', () => {
    core = makeCore();
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: testRegistry().expiries('NIFTY')[0]! }, basePrice('NIFTY'));
    core.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    core.watchlists.add({ userId: 'u1', symbol: 'YESBANK', instrumentType: 'EQUITY' });
    core.owners.holdChain('view:script', 'TIER_A', { symbol: 'TCS', expiry: testRegistry().expiries('TCS')[0]! }, basePrice('TCS'));
    expect(unsubscribeAllTierA(core)).toEqual({ unsubscribed: 103, owners: 3, entriesReleased: 2 });
    expect(core.owners.stats()).toMatchObject({ total: 203, tierA: 0 });
    expect(core.watchlists.list('u1').map((e) => [e.symbol, e.live, e.state])).toEqual([['RELIANCE', false, 'RELEASED'], ['YESBANK', false, 'RELEASED']]);
    expect(count(core, "SELECT COUNT(*) n FROM subscription_log WHERE action = 'ADMIN_UNSUBSCRIBE'")).toBe(103);
    expect(count(core, "SELECT COUNT(*) n FROM subscription_log WHERE action = 'EOD_CLEANUP'")).toBe(0);
    const back = core.watchlists.add({ userId: 'u1', symbol: 'YESBANK', instrumentType: 'EQUITY' });
    expect(back).toMatchObject({ readded: true, subscribed: 1 });
    expect(core.watchlists.list('u1').map((e) => e.state)).toEqual(['RELEASED', 'ACTIVE']);
  });

  it('a refused add leaves no watchlist row behind (row and subscription are one transaction)', () => {
    core = makeCore({ cap: 100 });
    core.owners.holdChain('tierb:RELIANCE', 'TIER_B', { symbol: 'RELIANCE', expiry: testRegistry().expiries('RELIANCE')[0]! }, 1400);
    expect(() => core.watchlists.add({ userId: 'u1', symbol: 'TCS', instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice('TCS') })).toThrow(expect.objectContaining({ code: 'CAPACITY' }));
    expect(core.watchlists.list('u1')).toEqual([]);
  });
});
