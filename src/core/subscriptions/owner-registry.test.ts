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
    core.owners.touch('watch:u:RELIANCE:' + nearest('RELIANCE'));
    core.clock.advance(1000);
    const res = add('SBIN');
    expect(res.evicted).toEqual([`watch:u:TCS:${nearest('TCS')}`]);
    expect(core.owners.size).toBe(153);
    expect(core.owners.tokensOf(`watch:u:TCS:${nearest('TCS')}`)).toEqual([]);
    expect(rows(core, "SELECT COUNT(*) n FROM subscription_log WHERE action = 'RATE_LIMIT_EVICT'")[0]).toEqual({ n: 51 });
  });

  it('never evicts Tier B, and refuses atomically what cannot fit even after evicting all Tier A', () => {
    core = makeCore({ cap: 300 });
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: nearest('NIFTY') }, basePrice('NIFTY')); // 203
    core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 }); // 51
    const before = { size: core.owners.size, owners: core.owners.listOwners(), log: rows(core, 'SELECT COUNT(*) n FROM subscription_log')[0] };
    expect(() => core.watchlists.add({ userId: 'u', symbol: 'BANKNIFTY', instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('BANKNIFTY') })).toThrow(
      expect.objectContaining({ code: 'CAPACITY', message: expect.stringMatching(/nothing was subscribed/) }),
    );
    expect({ size: core.owners.size, owners: core.owners.listOwners(), log: rows(core, 'SELECT COUNT(*) n FROM subscription_log')[0] }).toEqual(before);
    expect(core.watchlists.list('u').map((e) => e.symbol)).toEqual(['RELIANCE']);
    expect(rows(core, 'SELECT COUNT(*) n FROM subscriptions')[0]).toEqual({ n: 254 });
  });

  it('fills 5 sockets evenly to 5,000 each and refuses the 25,001st instrument', () => {
    core = makeCore();
    const tokens = optionTokens(25_001);
    for (let i = 0; i < 125; i++) core.owners.holdInstruments(`list:${i}`, 'TIER_B', tokens.slice(i * 200, i * 200 + 200));
    expect(core.owners.stats()).toMatchObject({ total: 25_000, utilisationPercent: 100, perSocket: { 1: 5000, 2: 5000, 3: 5000, 4: 5000, 5: 5000 } });
    expect(() => core.owners.holdInstruments('list:last', 'TIER_B', [tokens[25_000]!])).toThrow(expect.objectContaining({ code: 'CAPACITY' }));
    expect(rows(core, 'SELECT ws_connection_id ws, COUNT(*) n FROM subscriptions GROUP BY ws ORDER BY ws')).toEqual(
      [1, 2, 3, 4, 5].map((ws) => ({ ws, n: 5000 })),
    );
  });
});

describe('ownership', () => {
  it('subscribes an instrument once however many owners want it; Tier B wins', () => {
    core = makeCore();
    const expiry = nearest('NIFTY');
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY'));
    const res = core.watchlists.add({ userId: 'u', symbol: 'NIFTY', expiry, instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('NIFTY') + 10 });
    expect(res.subscribed).toBe(0); // all 203 already live
    expect(core.owners.stats()).toMatchObject({ total: 203, tierB: 203, tierA: 0 });
    expect(core.owners.ownersOf('IDX_I:13')).toEqual(['tierb:NIFTY', `watch:u:NIFTY:${expiry}`]);
    // Removing the watchlist entry keeps everything (Tier B still owns it) ...
    expect(core.watchlists.remove('u', 'NIFTY', expiry).unsubscribed).toBe(0);
    expect(core.owners.size).toBe(203);
    // ... and an instrument left only to Tier A becomes Tier A in the database.
    core.watchlists.add({ userId: 'u', symbol: 'NIFTY', expiry, instrumentType: 'INDEX_OPTION', underlyingLtp: basePrice('NIFTY') });
    core.owners.release('tierb:NIFTY', 'chain closed');
    expect(core.owners.stats()).toMatchObject({ total: 203, tierA: 203, tierB: 0 });
    expect(rows(core, "SELECT COUNT(*) n FROM subscriptions WHERE tier = 'TIER_A'")[0]).toEqual({ n: 203 });
  });

  it('validates tokens: malformed and unknown instruments are refused', () => {
    core = makeCore();
    expect(() => core.owners.holdInstruments('x', 'TIER_A', ['NSE_FNO'])).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    expect(() => core.owners.holdInstruments('x', 'TIER_A', ['NSE_FNO:999999999'])).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(core.owners.size).toBe(0);
  });

  it('writes every subscribe and unsubscribe to the audit log with owner and reason', () => {
    core = makeCore();
    const [a, b] = optionTokens(2);
    core.owners.holdInstruments('view:1', 'TIER_A', [a!, b!], { reason: 'opened' });
    core.owners.holdInstruments('view:1', 'TIER_A', [a!], { reason: 'narrowed' });
    core.owners.release('view:1', 'closed');
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
    core.owners.holdInstruments('view:1', 'TIER_A', [a!, b!]);
    const before = { owners: core.owners.listOwners(), socketA: core.placement.socketOf(a!), loads: core.placement.loads() };
    core.db.sqlite.exec("CREATE TRIGGER no_more BEFORE INSERT ON subscription_log BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => core.owners.holdInstruments('view:1', 'TIER_A', [a!, c!])).toThrow(/disk full/);
    expect({ owners: core.owners.listOwners(), socketA: core.placement.socketOf(a!), loads: core.placement.loads() }).toEqual(before);
    expect(core.owners.isSubscribed(b!)).toBe(true);
    expect(core.owners.isSubscribed(c!)).toBe(false);
  });
});

describe('re-centre', () => {
  it('moves a chain only after a full strike step, subscribing the entering strikes and releasing the leaving ones', () => {
    core = makeCore();
    const expiry = nearest('RELIANCE');
    const res = core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', expiry, instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    expect(res.chain?.chain).toMatchObject({ atm: 1400, step: 10 });
    const changes: number[] = [];
    core.owners.onChange((c) => changes.push(c.subscribed.length));
    for (const ltp of [1401, 1404.9, 1409.99, 1395, 1390.01]) {
      expect(core.owners.onPrice('RELIANCE', expiry, ltp).decision, String(ltp)).toMatchObject({ kind: 'none', reason: 'within-step' });
    }
    for (const bad of [0, -5, Number.NaN]) expect(core.owners.onPrice('RELIANCE', expiry, bad).decision).toMatchObject({ kind: 'none', reason: 'bad-ltp' });
    expect(core.owners.onPrice('RELIANCE', expiry, 1500, { ltt: 100, sessionStart: 200 }).decision).toMatchObject({ kind: 'none', reason: 'stale-ltp' });
    expect(changes).toEqual([]);
    const moved = core.owners.onPrice('RELIANCE', expiry, 1411);
    expect(moved.decision).toMatchObject({ kind: 'recentre', entering: expect.any(Array), leaving: expect.any(Array) });
    if (moved.decision.kind !== 'recentre') throw new Error('expected a re-centre');
    expect(moved.decision.next.chain.atm).toBe(1410);
    expect(moved.decision.entering).toHaveLength(2);
    expect(moved.decision.leaving).toHaveLength(2);
    expect(moved.change.subscribed.map((s) => s.token).sort()).toEqual([...moved.decision.entering].sort());
    expect(moved.change.unsubscribed.map((s) => s.token).sort()).toEqual([...moved.decision.leaving].sort());
    expect(core.owners.size).toBe(51);
    expect(core.repos.atmCache.get('RELIANCE', expiry)).toMatchObject({ atmStrike: 1410, underlyingLtp: 1411 });
  });
});

describe('restart', () => {
  it('restores the same watchlists, owners, subscriptions and sockets from the database file', () => {
    core = makeCore();
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: nearest('NIFTY') }, basePrice('NIFTY'));
    core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    core.watchlists.add({ userId: 'u', symbol: 'TCS', instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice('TCS') });
    core.owners.onPrice('RELIANCE', nearest('RELIANCE'), 1431);
    const before = {
      tokens: core.owners.tokens().sort(),
      owners: core.owners.listOwners(),
      sockets: core.owners.tokens().sort().map((t) => core.placement.socketOf(t)),
      stats: core.owners.stats(),
    };
    const dir = core.dir;
    core.db.close();

    const again = makeCore({ dir });
    try {
      const replay = again.restore();
      expect(replay.subscribed).toHaveLength(before.tokens.length);
      expect({
        tokens: again.owners.tokens().sort(),
        owners: again.owners.listOwners(),
        sockets: again.owners.tokens().sort().map((t) => again.placement.socketOf(t)),
        stats: again.owners.stats(),
      }).toEqual(before);
      // The restored chain is centred where it was (1430) and keeps re-centring from there.
      expect(again.owners.chain('RELIANCE', nearest('RELIANCE'))?.chain.atm).toBe(1430);
      expect(again.owners.onPrice('RELIANCE', nearest('RELIANCE'), 1436).decision.kind).toBe('none');
      expect(again.owners.onPrice('RELIANCE', nearest('RELIANCE'), 1441).decision.kind).toBe('recentre');
    } finally {
      again.db.close();
    }
  });
});

describe('one record of who holds what', () => {
  it('an evicted chain is gone: not open, its entry says evicted (naming the chain that took its room), and no tick brings it back', () => {
    core = makeCore({ cap: 160 });
    const add = (symbol: string) => core.watchlists.add({ userId: 'u', symbol, instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice(symbol) });
    add('RELIANCE');
    core.clock.advance(1000);
    add('TCS');
    core.clock.advance(1000);
    add('INFY');
    core.clock.advance(1000);
    const res = add('SBIN');
    const reliance = nearest('RELIANCE');
    expect(res.evicted).toEqual([`watch:u:RELIANCE:${reliance}`]);
    expect(core.owners.openChains().map((c) => c.key).sort()).toEqual([`INFY|${nearest('INFY')}`, `SBIN|${nearest('SBIN')}`, `TCS|${nearest('TCS')}`]);
    const entry = core.watchlists.list('u').find((e) => e.symbol === 'RELIANCE')!;
    expect(entry).toMatchObject({ live: false, state: 'EVICTED', stateReason: expect.stringContaining(`SBIN ${nearest('SBIN')}`) });
    expect(rows(core, "SELECT DISTINCT reason FROM subscription_log WHERE action = 'RATE_LIMIT_EVICT'")).toEqual([{ reason: expect.stringContaining('SBIN') }]);
    // Its underlying moves several steps: nothing comes back, SBIN stays.
    for (const ltp of [1430, 1460, 1490]) expect(core.owners.onPrice('RELIANCE', reliance, ltp).decision).toMatchObject({ kind: 'none', reason: 'no-chain' });
    expect(core.owners.chainOwners('SBIN', nearest('SBIN'))).toEqual([`watch:u:SBIN:${nearest('SBIN')}`]);
    expect(core.owners.size).toBe(153);
    // One add brings it back (evicting the least recently used one now, TCS).
    core.clock.advance(1000);
    const again = add('RELIANCE');
    expect(again).toMatchObject({ readded: true, evicted: [`watch:u:TCS:${nearest('TCS')}`] });
    expect(core.watchlists.list('u').find((e) => e.symbol === 'RELIANCE')).toMatchObject({ live: true, state: 'ACTIVE', stateReason: null });
  });

  it('joining an open chain never moves it, whatever price the newcomer gives', () => {
    core = makeCore();
    const expiry = nearest('NIFTY');
    const tierB = core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY')).state;
    const changes: number[] = [];
    core.owners.onChange((c) => changes.push(c.subscribed.length + c.unsubscribed.length));
    for (const hint of [5e-324, 15_100, 1e9]) {
      const r = core.owners.holdChain(`view:${hint}`, 'TIER_A', { symbol: 'NIFTY', expiry }, hint);
      expect(r).toMatchObject({ joined: true });
      expect(r.state).toBe(tierB);
    }
    expect(changes).toEqual([]);
    expect(core.owners.chain('NIFTY', expiry)!.chain.atm).toBe(tierB.chain.atm);
    expect(core.owners.chainOwners('NIFTY', expiry)).toHaveLength(4);
  });

  it('500 views opened and closed leave no owner behind, and each open writes one owner row whatever the count', () => {
    core = makeCore();
    const expiry = nearest('NIFTY');
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY'));
    let writes = 0;
    core.db.sqlite.exec('CREATE TABLE owner_writes (n INTEGER); CREATE TRIGGER count_owner_writes AFTER INSERT ON subscription_owners BEGIN INSERT INTO owner_writes VALUES (1); END');
    const count = () => (core.db.sqlite.prepare('SELECT COUNT(*) n FROM owner_writes').get() as { n: number }).n;
    const perOpen: number[] = [];
    for (let i = 0; i < 500; i++) {
      const before = count();
      core.owners.holdChain(`view:v${i}`, 'TIER_A', { symbol: 'NIFTY', expiry }, undefined);
      perOpen.push(count() - before);
    }
    writes = count();
    expect(new Set(perOpen)).toEqual(new Set([1]));
    expect(writes).toBe(500);
    expect(core.owners.chainOwners('NIFTY', expiry)).toHaveLength(501);
    core.owners.releaseMany(Array.from({ length: 500 }, (_, i) => `view:v${i}`), 'closed');
    expect(core.owners.listOwners().map((o) => o.owner)).toEqual(['tierb:NIFTY']);
    expect(rows(core, 'SELECT owner FROM subscription_owners')).toEqual([{ owner: 'tierb:NIFTY' }]);
    expect(core.owners.stats()).toMatchObject({ total: 203, tierB: 203 });
  });

  it('a re-centre moves the window once for every owner and keeps Tier B ownership', () => {
    core = makeCore();
    const expiry = nearest('RELIANCE');
    core.owners.holdChain('tierb:RELIANCE', 'TIER_B', { symbol: 'RELIANCE', expiry }, 1400);
    core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', expiry, instrumentType: 'STOCK_OPTION' });
    const moved = core.owners.onPrice('RELIANCE', expiry, 1421);
    expect(moved.change.subscribed).toHaveLength(4);
    expect(core.owners.stats()).toMatchObject({ total: 51, tierB: 51, tierA: 0 });
    for (const o of ['tierb:RELIANCE', `watch:u:RELIANCE:${expiry}`]) expect(core.owners.tokensOf(o).sort()).toEqual(core.owners.tokensOf('tierb:RELIANCE').sort());
  });

  it('a new holding is taken before the old one goes, so what both hold stays subscribed', () => {
    core = makeCore();
    const expiry = nearest('NIFTY');
    const state = core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY')).state;
    // A Tier B chain waiting for its price holds only its underlying, then opens around it.
    core.owners.release('tierb:NIFTY', 'x');
    core.owners.holdInstruments('tierb:NIFTY', 'TIER_B', [state.underlyingToken!]);
    const unsubscribed: string[] = [];
    core.owners.onChange((c) => unsubscribed.push(...c.unsubscribed.map((u) => u.token)));
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY'));
    expect(unsubscribed).toEqual([]);
    expect(core.owners.owner('tierb:NIFTY')).toMatchObject({ chain: `NIFTY|${expiry}`, instruments: 203 });
  });

  it('after a restart REST views are gone (their clients went with the engine); owners and chains are back', () => {
    core = makeCore();
    const expiry = nearest('NIFTY');
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY'));
    core.owners.holdChain('view:script', 'TIER_A', { symbol: 'TCS', expiry: nearest('TCS') }, basePrice('TCS'));
    const dir = core.dir;
    core.db.close();
    const again = makeCore({ dir });
    try {
      again.restore();
      expect(again.owners.listOwners().map((o) => o.owner)).toEqual(['tierb:NIFTY']);
      expect(again.owners.size).toBe(203);
      expect(again.db.sqlite.prepare('SELECT COUNT(*) n FROM subscriptions').get()).toEqual({ n: 203 });
    } finally {
      again.db.close();
    }
  });
});
