import { afterEach, describe, expect, it } from 'vitest';
import { basePrice, makeCore, testRegistry, type TestCore } from '../../../test/helpers/core';
import { EOD_SESSION_KEY, endOfDayDue, markEndOfDay, runEndOfDay, restoreWatchlists, unsubscribeAllTierA } from './end-of-day';

let core: TestCore | undefined;
afterEach(() => {
  core?.dispose();
  core = undefined;
});

const count = (c: TestCore, sql: string) => (c.db.sqlite.prepare(sql).get() as { n: number }).n;
const RELIANCE = 'NSE_EQ:2885';

/** Tier B NIFTY chain, a RELIANCE chain and a NIFTY chain (same expiry as Tier B) and an equity as Tier A. */
function seeded(): { c: TestCore; niftyExpiry: string; relianceExpiry: string; tierBTokens: string[] } {
  const c = (core = makeCore());
  const niftyExpiry = testRegistry().expiries('NIFTY')[0]!;
  const tierB = c.owners.holdChain(`tierb:NIFTY:${niftyExpiry}`, 'TIER_B', { symbol: 'NIFTY', expiry: niftyExpiry }, basePrice('NIFTY'));
  const rel = c.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice('RELIANCE') });
  c.watchlists.add({ userId: 'u1', symbol: 'NIFTY', instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('NIFTY') });
  c.watchlists.add({ userId: 'u2', symbol: 'INFY', instrumentType: 'EQUITY' });
  expect(c.owners.stats()).toMatchObject({ tierA: 52, tierB: 203 });
  return { c, niftyExpiry, relianceExpiry: rel.chain!.chain.expiry, tierBTokens: c.owners.tokensOf(`tierb:NIFTY:${niftyExpiry}`).concat(tierB.state.optionTokens) };
}

describe('runEndOfDay', () => {
  it('default: Tier A unsubscribed (EOD_CLEANUP), watchlists cleared, Tier B kept', () => {
    const { c, tierBTokens } = seeded();
    expect(runEndOfDay(c)).toEqual({ unsubscribed: 52, ownersReleased: 3, entriesCleared: 3, entriesKept: 0 });
    expect(c.owners.stats()).toMatchObject({ tierA: 0, tierB: 203, total: 203 });
    expect(c.owners.listOwners().map((o) => o.tier)).toEqual(['TIER_B']);
    expect(c.repos.watchlist.listAll()).toEqual([]);
    expect(tierBTokens.every((t) => c.owners.tierOf(t) === 'TIER_B')).toBe(true);
    expect(count(c, "SELECT COUNT(*) n FROM subscription_log WHERE action = 'EOD_CLEANUP'")).toBe(52);
  });

  it("records its session's date with the clean-up, so start-up knows whether one was missed", () => {
    const { c } = seeded();
    // Never recorded (a database from before the record): the old rule, closed now decides.
    expect(endOfDayDue(c, '2026-11-25', true)).toBe(true);
    expect(endOfDayDue(c, '2026-11-25', false)).toBe(false);
    runEndOfDay(c, { session: '2026-11-25' });
    expect(c.repos.settings.get(EOD_SESSION_KEY)).toBe('2026-11-25');
    expect(endOfDayDue(c, '2026-11-25', true)).toBe(false); // ran: what came after it stays
    expect(endOfDayDue(c, '2026-11-26', false)).toBe(true); // the next one was missed
    markEndOfDay(c, '2026-11-20'); // never moves back
    expect(c.repos.settings.get(EOD_SESSION_KEY)).toBe('2026-11-25');
    markEndOfDay(c, '2026-11-26');
    expect(endOfDayDue(c, '2026-11-26', true)).toBe(false);
  });

  it('keepWatchlists: Tier A unsubscribed, the rows stay, Tier B kept', () => {
    const { c, tierBTokens } = seeded();
    expect(runEndOfDay(c, { keepWatchlists: true })).toEqual({ unsubscribed: 52, ownersReleased: 3, entriesCleared: 0, entriesKept: 3 });
    expect(c.owners.stats()).toMatchObject({ tierA: 0, tierB: 203 });
    expect(c.owners.isSubscribed(RELIANCE)).toBe(false);
    expect(c.repos.watchlist.listAll().map((e) => e.symbol).sort()).toEqual(['INFY', 'NIFTY', 'RELIANCE']);
    expect(tierBTokens.every((t) => c.owners.tierOf(t) === 'TIER_B')).toBe(true);
    expect(count(c, "SELECT COUNT(*) n FROM subscription_log WHERE action = 'EOD_CLEANUP'")).toBe(52);
    expect(count(c, "SELECT COUNT(*) n FROM subscriptions WHERE tier = 'TIER_A'")).toBe(0);
  });
});

describe('restoreWatchlists (next session)', () => {
  it('re-subscribes the kept rows as Tier A, centred on the new price', () => {
    const { c, relianceExpiry } = seeded();
    const before = c.owners.chain('RELIANCE', relianceExpiry)!.chain;
    runEndOfDay(c, { keepWatchlists: true });
    const moved = basePrice('RELIANCE') + 3 * before.step;
    const out = restoreWatchlists(c, testRegistry(), (t) => (t === RELIANCE ? moved : t === 'IDX_I:13' ? basePrice('NIFTY') : undefined));
    expect(out.failed).toEqual([]);
    expect(out.pending).toEqual([]);
    expect(out.restored).toHaveLength(3);
    const after = c.owners.chain('RELIANCE', relianceExpiry)!.chain;
    expect(after.atm).toBe(before.atm + 3 * before.step);
    expect(after.strikes).toHaveLength(25);
    expect(c.owners.tokensOf(`watch:u1:RELIANCE:${relianceExpiry}`)).toHaveLength(51);
    expect(c.owners.isSubscribed('NSE_EQ:1594')).toBe(true);
    // NIFTY joins Tier B's live window: only RELIANCE (51) and INFY (1) are Tier A instruments.
    expect(c.owners.stats()).toMatchObject({ tierA: 52, tierB: 203 });
    expect(c.owners.listOwners().filter((o) => o.tier === 'TIER_A')).toHaveLength(3);
    // Again: nothing left to do.
    expect(restoreWatchlists(c, testRegistry(), () => 1).restored).toEqual([]);
  });

  it('leaves an entry without a price pending and drops an expired one', () => {
    const { c, relianceExpiry } = seeded();
    runEndOfDay(c, { keepWatchlists: true });
    c.repos.watchlist.add({ userId: 'u3', symbol: 'TCS', expiryDate: '2026-10-27', instrumentType: 'STOCK_OPTION', addedAt: 0 });
    const out = restoreWatchlists(c, testRegistry(), (t) => (t === 'IDX_I:13' ? basePrice('NIFTY') : undefined));
    expect(out.pending.map((p) => [p.entry.symbol, p.underlyingToken])).toEqual([['RELIANCE', RELIANCE]]);
    expect(out.dropped.map((d) => d.entry.symbol)).toEqual(['TCS']);
    expect(c.repos.watchlist.get('u3', 'TCS', '2026-10-27')).toBeUndefined();
    expect(c.owners.hasOwner(`watch:u1:RELIANCE:${relianceExpiry}`)).toBe(false);
    // The price arrives: retrying restores it.
    const retry = restoreWatchlists(c, testRegistry(), (t) => (t === RELIANCE ? basePrice('RELIANCE') : undefined));
    expect(retry.restored.map((r) => r.owner)).toEqual([`watch:u1:RELIANCE:${relianceExpiry}`]);
  });
});

describe('unsubscribe all Tier A, then the next session', () => {
  it('nothing it released comes back, with or without keep-watchlists; an evicted entry stays out too', () => {
    const { c } = seeded();
    unsubscribeAllTierA(c);
    runEndOfDay(c, { keepWatchlists: true });
    const out = restoreWatchlists(c, testRegistry(), () => basePrice('RELIANCE'));
    expect(out.restored).toEqual([]);
    expect(c.owners.stats()).toMatchObject({ tierA: 0, tierB: 203 });
    expect(c.repos.watchlist.listAll().map((e) => e.state)).toEqual(['RELEASED', 'RELEASED', 'RELEASED']);
  });
});
