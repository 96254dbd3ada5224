/**
 * A randomised sequence of what a trading day does to the subscription core -- adds, removes,
 * re-centres, socket failures and returns, end of day -- with the invariants checked after every
 * step, in memory and in the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../sim/seeded-random';
import { basePrice, makeCore, testRegistry, type TestCore } from '../../../test/helpers/core';

let core: TestCore;
afterEach(() => core?.dispose());

const STOCKS = ['RELIANCE', 'TCS', 'INFY', 'SBIN', 'HDFCBANK', 'ICICIBANK', 'ITC', 'AXISBANK', 'LT', 'MARUTI', 'BAJFINANCE', 'TATASTEEL'];
const INDEXES = ['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'SENSEX'];
const PER_SOCKET = 200;

/** Every invariant that must hold between operations; returns what is broken (plain checks: expect() per token is too slow here). */
function brokenInvariants(c: TestCore, deep: boolean): string[] {
  const problems: string[] = [];
  const m = c.manager;
  const stats = m.stats();
  if (stats.total > m.cap) problems.push(`total ${stats.total} over the cap ${m.cap}`);
  const loads = c.placement.loads();
  if (Math.max(...loads) > PER_SOCKET) problems.push(`a socket carries ${Math.max(...loads)} > ${PER_SOCKET}`);
  if (loads.reduce((a, b) => a + b, 0) !== stats.total) problems.push(`socket loads ${loads} do not add up to ${stats.total}`);
  let tierB = 0;
  for (const t of m.tokens()) {
    if (m.ownersOf(t).length === 0) problems.push(`${t} is subscribed with no owner`);
    if (!c.placement.has(t)) problems.push(`${t} is subscribed but on no socket`);
    if (m.tierOf(t) === 'TIER_B') tierB++;
  }
  for (const o of m.listOwners()) {
    for (const t of m.tokensOf(o.owner)) if (!m.isSubscribed(t)) problems.push(`${o.owner} owns ${t}, which is not subscribed`);
  }
  if (stats.tierB !== tierB) problems.push(`stats say ${stats.tierB} Tier B, counted ${tierB}`);
  if (deep) {
    const db = c.db.sqlite;
    const rows = db.prepare('SELECT segment, security_id, tier, ws_connection_id FROM subscriptions WHERE active = 1').all() as {
      segment: string;
      security_id: number;
      tier: string;
      ws_connection_id: number;
    }[];
    if (rows.length !== stats.total) problems.push(`database has ${rows.length} subscriptions, memory ${stats.total}`);
    for (const r of rows) {
      const t = `${r.segment}:${r.security_id}`;
      if (m.tierOf(t) !== r.tier) problems.push(`database tier of ${t} is ${r.tier}, memory ${m.tierOf(t)}`);
      if (c.placement.socketOf(t) !== r.ws_connection_id) problems.push(`database socket of ${t} is ${r.ws_connection_id}, memory ${c.placement.socketOf(t)}`);
    }
    const owners = db.prepare('SELECT owner, tier, tokens FROM subscription_owners').all() as { owner: string; tier: string; tokens: string }[];
    if (owners.length !== m.listOwners().length) problems.push(`database has ${owners.length} owners, memory ${m.listOwners().length}`);
    for (const o of owners) {
      const stored = (JSON.parse(o.tokens) as string[]).sort().join();
      const held = m.tokensOf(o.owner).sort().join();
      if (stored !== held) problems.push(`database holdings of ${o.owner} differ from memory`);
    }
  }
  return problems;
}

describe('randomised trading-day sequence', () => {
  it.each([1, 2, 3])('keeps every invariant through 1,500 random operations (seed %i)', (seed) => {
    // A cap below the sockets' room, so the manager's own accounting is what keeps it.
    core = makeCore({ sockets: 5, perSocket: PER_SOCKET, cap: 5 * PER_SOCKET - 50 });
    const rnd = createRandom(seed, 'subscription-sequence');
    const reg = testRegistry();
    const prices = new Map<string, number>();
    const VIEW_POOL = Array.from({ length: 3000 }, (_, i) => `${reg.table.segmentOf(i * 7)}:${reg.table.cols.securityId[i * 7]}`);
    const ltp = (s: string) => prices.get(s) ?? basePrice(s);
    let refused = 0;
    let duplicates = 0;
    let evictions = 0;
    let recentres = 0;
    core.chains.open('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: reg.expiries('NIFTY')[0]! }, basePrice('NIFTY'));
    for (let step = 0; step < 1500; step++) {
      core.clock.advance(rnd.int(1, 5000));
      const op = rnd.next();
      try {
        if (op < 0.35) {
          const index = rnd.chance(0.25);
          const symbol = rnd.pick(index ? INDEXES : STOCKS);
          const expiries = reg.expiries(symbol);
          const res = core.watchlists.add({
            userId: `u${rnd.int(1, 3)}`,
            symbol,
            expiry: rnd.pick(expiries.slice(0, 2)),
            instrumentType: index ? 'INDEX_OPTION' : 'STOCK_OPTION',
            underlyingLtp: ltp(symbol),
          });
          evictions += res.evicted.length;
        } else if (op < 0.37) {
          // A large ad-hoc view (a trader's custom strike ladder): Tier A, may not fit at all.
          const size = rnd.int(20, 400);
          const from = rnd.int(0, VIEW_POOL.length - size);
          core.manager.setOwner(`view:${rnd.int(1, 4)}`, 'TIER_A', VIEW_POOL.slice(from, from + size));
        } else if (op < 0.39) {
          // Tier B grows (a settings change): index chains that are never evicted.
          const symbol = rnd.pick(INDEXES);
          core.chains.open(`tierb:${symbol}`, 'TIER_B', { symbol, expiry: reg.expiries(symbol)[0]! }, ltp(symbol));
        } else if (op < 0.55) {
          const user = `u${rnd.int(1, 3)}`;
          const entries = core.watchlists.list(user);
          if (entries.length) {
            const e = rnd.pick(entries);
            // An entry evicted for room no longer owns anything; removing it is still allowed.
            core.watchlists.remove(user, e.symbol, e.expiryDate);
          }
        } else if (op < 0.85) {
          const open = core.atm.list();
          if (open.length) {
            const chain = rnd.pick(open).chain;
            const next = Math.max(chain.step, ltp(chain.symbol) + (rnd.next() - 0.5) * chain.step * 6);
            prices.set(chain.symbol, next);
            if (core.chains.onPrice(chain.symbol, chain.expiry, next).decision.kind === 'recentre') recentres++;
          }
        } else if (op < 0.93) {
          const socket = rnd.int(1, 5);
          core.placement.setUp(socket, false);
          core.manager.rebalance('failover', socket);
        } else if (op < 0.99) {
          for (let s = 1; s <= 5; s++) core.placement.setUp(s, true);
          core.manager.rebalance('even-out');
        } else if (op < 0.995) {
          core.watchlists.endOfDay();
        } else {
          core.chains.close(`tierb:${rnd.pick(INDEXES)}`);
        }
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'CAPACITY') refused++;
        else if (code === 'DUPLICATE') duplicates++;
        else throw err;
      }
      const broken = brokenInvariants(core, step % 25 === 0 || step === 1499);
      if (broken.length) expect(broken, `after step ${step}`).toEqual([]);
    }
    // The sequence really exercised the hard paths.
    expect(refused).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
    expect(evictions).toBeGreaterThan(0);
    expect(recentres).toBeGreaterThan(10);
  });
});
