/**
 * A randomised sequence of what a trading day does to the subscription core -- adds, removes,
 * re-centres, socket failures and returns, end of day -- with the invariants checked after every
 * step, in memory and in the database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRandom } from '../../sim/seeded-random';
import { basePrice, makeCore, testRegistry, type TestCore } from '../../../test/helpers/core';
import { runEndOfDay, unsubscribeAllTierA } from '../lifecycle/end-of-day';

let core: TestCore;
afterEach(() => core?.dispose());

const STOCKS = ['RELIANCE', 'TCS', 'INFY', 'SBIN', 'HDFCBANK', 'ICICIBANK', 'ITC', 'AXISBANK', 'LT', 'MARUTI', 'BAJFINANCE', 'TATASTEEL'];
const INDEXES = ['NIFTY', 'BANKNIFTY', 'FINNIFTY', 'SENSEX'];
const PER_SOCKET = 200;

/** Every invariant that must hold between operations; returns what is broken (plain checks: expect() per token is too slow here). */
function brokenInvariants(c: TestCore, deep: boolean): string[] {
  const problems: string[] = [];
  const m = c.owners;
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
  // What is subscribed is exactly the union of what the owners hold.
  const union = new Set<string>();
  const owners = m.listOwners();
  for (const o of owners) for (const t of m.tokensOf(o.owner)) union.add(t);
  if (union.size !== stats.total || m.tokens().some((t) => !union.has(t))) problems.push(`owners hold ${union.size} instruments, ${stats.total} are subscribed`);
  // Every chain owner exists in the registry, and every open chain has owners that hold it.
  const known = new Set(owners.map((o) => o.owner));
  for (const chain of m.openChains()) {
    if (chain.owners.length === 0) problems.push(`${chain.key} is open with no owner`);
    for (const o of chain.owners) {
      if (!known.has(o.owner)) problems.push(`${chain.key} lists ${o.owner}, which the registry does not know`);
      else if (m.owner(o.owner)!.chain !== chain.key) problems.push(`${o.owner} is listed on ${chain.key} but holds ${m.owner(o.owner)!.chain}`);
    }
  }
  for (const o of owners) if (o.chain && !m.openChains().some((ch) => ch.key === o.chain)) problems.push(`${o.owner} holds ${o.chain}, which is not open`);
  // A watchlist entry is live exactly while its owner exists; one that is not says why.
  for (const e of c.watchlists.listAll()) {
    if (e.live !== known.has(`watch:${e.userId}:${e.symbol}:${e.expiryDate}`)) problems.push(`watchlist ${e.symbol} live=${e.live} disagrees with the registry`);
    if (!e.live && e.state === 'ACTIVE') problems.push(`watchlist ${e.userId} ${e.symbol} ${e.expiryDate} is not live but says ACTIVE`);
    if (e.live && e.state !== 'ACTIVE') problems.push(`watchlist ${e.symbol} is live but says ${e.state}`);
  }
  if (stats.tierB !== tierB) problems.push(`stats say ${stats.tierB} Tier B, counted ${tierB}`);
  if (deep) {
    const db = c.db.sqlite;
    const rows = db.prepare('SELECT segment, security_id, tier, ws_connection_id FROM subscriptions').all() as {
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
    const stored = c.repos.subscriptions.listOwners();
    if (stored.length !== owners.length) problems.push(`database has ${stored.length} owners, memory ${owners.length}`);
    for (const o of stored) {
      const mem = m.owner(o.owner);
      if (!mem) problems.push(`database owner ${o.owner} is not in memory`);
      else if (o.holding.kind === 'chain' ? mem.chain !== `${o.holding.symbol}|${o.holding.expiry}` : [...o.holding.tokens].sort().join() !== m.tokensOf(o.owner).sort().join()) {
        problems.push(`database holding of ${o.owner} differs from memory`);
      }
    }
    for (const ch of m.openChains()) {
      const w = c.repos.atmCache.get(ch.state.chain.symbol, ch.state.chain.expiry);
      if (w?.atmStrike !== ch.state.chain.atm) problems.push(`atm_cache of ${ch.key} says ATM ${w?.atmStrike}, memory ${ch.state.chain.atm}`);
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
    core.owners.holdChain('tierb:NIFTY', 'TIER_B', { symbol: 'NIFTY', expiry: reg.expiries('NIFTY')[0]! }, basePrice('NIFTY'));
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
          if (rnd.chance(0.5)) core.owners.holdInstruments(`list:${rnd.int(1, 4)}`, 'TIER_A', VIEW_POOL.slice(from, from + size));
          else {
            // A REST view joins (or opens) a chain, or an open view closes.
            const id = `view:${rnd.int(1, 6)}`;
            if (core.owners.hasOwner(id) && rnd.chance(0.5)) core.owners.release(id, 'view closed');
            else {
              const symbol = rnd.pick(STOCKS);
              core.owners.holdChain(id, 'TIER_A', { symbol, expiry: reg.expiries(symbol)[0]! }, ltp(symbol));
            }
          }
        } else if (op < 0.39) {
          // Tier B grows (a settings change): index chains that are never evicted.
          const symbol = rnd.pick(INDEXES);
          core.owners.holdChain(`tierb:${symbol}`, 'TIER_B', { symbol, expiry: reg.expiries(symbol)[0]! }, ltp(symbol));
        } else if (op < 0.55) {
          const user = `u${rnd.int(1, 3)}`;
          const entries = core.watchlists.list(user);
          if (entries.length) {
            const e = rnd.pick(entries);
            // An entry evicted for room no longer owns anything; removing it is still allowed.
            core.watchlists.remove(user, e.symbol, e.expiryDate);
          }
        } else if (op < 0.85) {
          const open = core.owners.openChains();
          if (open.length) {
            const chain = rnd.pick(open).state.chain;
            const next = Math.max(chain.step, ltp(chain.symbol) + (rnd.next() - 0.5) * chain.step * 6);
            prices.set(chain.symbol, next);
            if (core.owners.onPrice(chain.symbol, chain.expiry, next).decision.kind === 'recentre') recentres++;
          }
        } else if (op < 0.93) {
          const socket = rnd.int(1, 5);
          core.placement.setUp(socket, false);
          core.owners.rebalance('failover', socket);
        } else if (op < 0.99) {
          for (let s = 1; s <= 5; s++) core.placement.setUp(s, true);
          core.owners.rebalance('even-out');
        } else if (op < 0.993) {
          runEndOfDay(core);
        } else if (op < 0.996) {
          unsubscribeAllTierA(core);
        } else {
          core.owners.release(`tierb:${rnd.pick(INDEXES)}`, 'closed');
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
