import { afterEach, describe, expect, it } from 'vitest';
import { basePrice, makeCore, testRegistry, type TestCore } from '../../../test/helpers/core';

let core: TestCore;
afterEach(() => core?.dispose());

const nearest = (symbol: string) => testRegistry().expiries(symbol)[0]!;
const rows = (c: TestCore, sql: string) => c.db.sqlite.prepare(sql).all() as Record<string, unknown>[];
/** `n` instrument tokens of the generated master (options first), for raw owner tests. */
function optionTokens(n: number, skip = 0): string[] {
  const reg = testRegistry();
  const out: string[] = [];
  for (let r = 0; r < reg.size && out.length < n + skip; r++) {
    const kind = reg.table.kindOf(r);
    if (kind === 'OPTSTK' || kind === 'OPTIDX') out.push(`${reg.table.segmentOf(r)}:${reg.table.cols.securityId[r]}`);
  }
  for (let r = 0; r < reg.size && out.length < n + skip; r++) {
    const kind = reg.table.kindOf(r);
    if (kind !== 'OPTSTK' && kind !== 'OPTIDX') out.push(`${reg.table.segmentOf(r)}:${reg.table.cols.securityId[r]}`);
  }
  if (out.length < n + skip) throw new Error(`the test master has only ${out.length} options`);
  return out.slice(skip);
}

describe('the 25,000 cap and LRU eviction', () => {
  it('evicts the least recently used Tier A chain, whole, when a new one does not fit', () => {
    core = makeCore({ cap: 160 });
    const add = (symbol: string) => core.watchlists.add({ userId: 'u', symbol, instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice(symbol) });
    add('RELIANCE'); // 51
    core.clock.advance(1000);
    add('TCS'); // 102
    core.clock.advance(1000);
    add('INFY'); // 153
    core.clock.advance(1000);
    // RELIANCE is used again (reopened), so TCS is now the least recently used.
    core.chains.open('watch:u:RELIANCE:' + nearest('RELIANCE'), 'TIER_A', { symbol: 'RELIANCE', expiry: nearest('RELIANCE') }, basePrice('RELIANCE'));
    core.clock.advance(1000);
    const res = add('SBIN');
    expect(res.evicted).toEqual([`watch:u:TCS:${nearest('TCS')}`]);
    expect(core.manager.size).toBe(153);
    expect(core.manager.tokensOf(`watch:u:TCS:${nearest('TCS')}`)).toEqual([]);
    expect(rows(core, "SELECT COUNT(*) n FROM subscription_log WHERE action = 'RATE_LIMIT_EVICT'")[0]).toEqual({ n: 51 });
  });

  it('never evicts Tier B, and refuses atomically what cannot fit even after evicting all Tier A', () => {
    core = makeCore({ cap: 300 });
    core.chains.open('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: nearest('NIFTY') }, basePrice('NIFTY')); // 203
    core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 }); // 51
    const before = { size: core.manager.size, owners: core.manager.listOwners(), log: rows(core, 'SELECT COUNT(*) n FROM subscription_log')[0] };
    expect(() => core.watchlists.add({ userId: 'u', symbol: 'BANKNIFTY', instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('BANKNIFTY') })).toThrow(
      expect.objectContaining({ code: 'CAPACITY', message: expect.stringMatching(/nothing was subscribed/) }),
    );
    expect({ size: core.manager.size, owners: core.manager.listOwners(), log: rows(core, 'SELECT COUNT(*) n FROM subscription_log')[0] }).toEqual(before);
    expect(core.watchlists.list('u').map((e) => e.symbol)).toEqual(['RELIANCE']);
    expect(rows(core, 'SELECT COUNT(*) n FROM subscriptions')[0]).toEqual({ n: 254 });
  });

  it('fills 5 sockets evenly to 5,000 each and refuses the 25,001st instrument', () => {
    core = makeCore();
    const tokens = optionTokens(25_001);
    for (let i = 0; i < 125; i++) core.manager.setOwner(`view:${i}`, 'TIER_B', tokens.slice(i * 200, i * 200 + 200));
    expect(core.manager.stats()).toMatchObject({ total: 25_000, utilisationPercent: 100, perSocket: { 1: 5000, 2: 5000, 3: 5000, 4: 5000, 5: 5000 } });
    expect(() => core.manager.setOwner('view:last', 'TIER_B', [tokens[25_000]!])).toThrow(expect.objectContaining({ code: 'CAPACITY' }));
    expect(rows(core, 'SELECT ws_connection_id ws, COUNT(*) n FROM subscriptions GROUP BY ws ORDER BY ws')).toEqual(
      [1, 2, 3, 4, 5].map((ws) => ({ ws, n: 5000 })),
    );
  });
});

describe('ownership', () => {
  it('subscribes an instrument once however many owners want it; Tier B wins', () => {
    core = makeCore();
    const expiry = nearest('NIFTY');
    core.chains.open('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY'));
    const res = core.watchlists.add({ userId: 'u', symbol: 'NIFTY', expiry, instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('NIFTY') + 10 });
    expect(res.subscribed).toBe(0); // all 203 already live
    expect(core.manager.stats()).toMatchObject({ total: 203, tierB: 203, tierA: 0 });
    expect(core.manager.ownersOf('IDX_I:13')).toEqual(['tierb:NIFTY', `watch:u:NIFTY:${expiry}`]);
    // Removing the watchlist entry keeps everything (Tier B still owns it) ...
    expect(core.watchlists.remove('u', 'NIFTY', expiry).unsubscribed).toBe(0);
    expect(core.manager.size).toBe(203);
    // ... and an instrument left only to Tier A becomes Tier A in the database.
    core.watchlists.add({ userId: 'u', symbol: 'NIFTY', expiry, instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('NIFTY') });
    core.chains.close('tierb:NIFTY');
    expect(core.manager.stats()).toMatchObject({ total: 203, tierA: 203, tierB: 0 });
    expect(rows(core, "SELECT COUNT(*) n FROM subscriptions WHERE tier = 'TIER_A'")[0]).toEqual({ n: 203 });
  });

  it('validates tokens: malformed and unknown instruments are refused', () => {
    core = makeCore();
    expect(() => core.manager.setOwner('x', 'TIER_A', ['NSE_FNO'])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => core.manager.setOwner('x', 'TIER_A', ['NSE_FNO:999999999'])).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(core.manager.size).toBe(0);
  });

  it('writes every subscribe and unsubscribe to the audit log with owner and reason', () => {
    core = makeCore();
    const [a, b] = optionTokens(2);
    core.manager.setOwner('view:1', 'TIER_A', [a!, b!], 'opened');
    core.manager.setOwner('view:1', 'TIER_A', [a!], 'narrowed');
    core.manager.release('view:1', 'closed');
    expect(rows(core, 'SELECT action, segment, security_id, owner, reason FROM subscription_log ORDER BY id').map((r) => `${r.action} ${r.segment}:${r.security_id} ${r.owner} ${r.reason}`)).toEqual([
      `SUBSCRIBE ${a} view:1 opened`,
      `SUBSCRIBE ${b} view:1 opened`,
      `UNSUBSCRIBE ${b} view:1 narrowed`,
      `UNSUBSCRIBE ${a} view:1 closed`,
    ]);
  });

  it('undoes memory and placement when the database write fails', () => {
    core = makeCore();
    const [a, b, c] = optionTokens(3);
    core.manager.setOwner('view:1', 'TIER_A', [a!, b!]);
    const before = { owners: core.manager.listOwners(), socketA: core.placement.socketOf(a!), loads: core.placement.loads() };
    core.db.sqlite.exec("CREATE TRIGGER no_more BEFORE INSERT ON subscription_log BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => core.manager.setOwner('view:1', 'TIER_A', [a!, c!])).toThrow(/disk full/);
    expect({ owners: core.manager.listOwners(), socketA: core.placement.socketOf(a!), loads: core.placement.loads() }).toEqual(before);
    expect(core.manager.isSubscribed(b!)).toBe(true);
    expect(core.manager.isSubscribed(c!)).toBe(false);
  });
});

describe('re-centre', () => {
  it('moves a chain only after a full strike step, subscribing the entering strikes and releasing the leaving ones', () => {
    core = makeCore();
    const expiry = nearest('RELIANCE');
    const res = core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', expiry, instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    expect(res.option_chain).toMatchObject({ atm: 1400, step: 10 });
    const changes: number[] = [];
    core.manager.onChange((c) => changes.push(c.subscribed.length));
    for (const ltp of [1401, 1404.9, 1409.99, 1395, 1390.01]) {
      expect(core.chains.onPrice('RELIANCE', expiry, ltp).decision, String(ltp)).toMatchObject({ kind: 'none', reason: 'within-step' });
    }
    for (const bad of [0, -5, Number.NaN]) expect(core.chains.onPrice('RELIANCE', expiry, bad).decision).toMatchObject({ kind: 'none', reason: 'bad-ltp' });
    expect(core.chains.onPrice('RELIANCE', expiry, 1500, { ltt: 100, sessionStart: 200 }).decision).toMatchObject({ kind: 'none', reason: 'stale-ltp' });
    expect(changes).toEqual([]);
    const moved = core.chains.onPrice('RELIANCE', expiry, 1411);
    expect(moved.decision).toMatchObject({ kind: 'recentre', entering: expect.any(Array), leaving: expect.any(Array) });
    if (moved.decision.kind !== 'recentre') throw new Error('expected a re-centre');
    expect(moved.decision.next.chain.atm).toBe(1410);
    expect(moved.decision.entering).toHaveLength(2);
    expect(moved.decision.leaving).toHaveLength(2);
    expect(moved.changes[0]!.subscribed.map((s) => s.token).sort()).toEqual([...moved.decision.entering].sort());
    expect(moved.changes[0]!.unsubscribed.map((s) => s.token).sort()).toEqual([...moved.decision.leaving].sort());
    expect(core.manager.size).toBe(51);
    expect(core.repos.atmCache.get('RELIANCE', expiry)).toMatchObject({ atmStrike: 1410, underlyingLtp: 1411 });
  });
});

describe('restart', () => {
  it('restores the same watchlists, owners, subscriptions and sockets from the database file', () => {
    core = makeCore();
    core.chains.open('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: nearest('NIFTY') }, basePrice('NIFTY'));
    core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    core.watchlists.add({ userId: 'u', symbol: 'TCS', instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice('TCS') });
    core.chains.onPrice('RELIANCE', nearest('RELIANCE'), 1431);
    const before = {
      tokens: core.manager.tokens().sort(),
      owners: core.manager.listOwners(),
      sockets: core.manager.tokens().sort().map((t) => core.placement.socketOf(t)),
      stats: core.manager.stats(),
    };
    const dir = core.dir;
    core.db.close();

    const again = makeCore({ dir });
    try {
      const replay = again.restore();
      expect(replay.subscribed).toHaveLength(before.tokens.length);
      expect({
        tokens: again.manager.tokens().sort(),
        owners: again.manager.listOwners(),
        sockets: again.manager.tokens().sort().map((t) => again.placement.socketOf(t)),
        stats: again.manager.stats(),
      }).toEqual(before);
      // The restored chain is centred where it was (1430) and keeps re-centring from there.
      expect(again.atm.get('RELIANCE', nearest('RELIANCE'))?.chain.atm).toBe(1430);
      expect(again.chains.onPrice('RELIANCE', nearest('RELIANCE'), 1436).decision.kind).toBe('none');
      expect(again.chains.onPrice('RELIANCE', nearest('RELIANCE'), 1441).decision.kind).toBe('recentre');
    } finally {
      again.db.close();
    }
  });
});
