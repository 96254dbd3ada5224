/**
 * The subscription core, the feed pool, the quote store and the REST first paint together,
 * against the simulator: what a trader's watchlist add does end to end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedPacket } from '../src/core/feed/feed-codec';
import { FeedPool } from '../src/core/feed/feed-pool';
import { RESPONSE_CODE } from '../src/core/feed/feed-protocol';
import { MarketData } from '../src/core/feed/market-data';
import { QuoteStore } from '../src/core/feed/quote-store';
import { InstrumentRegistry } from '../src/core/instruments/registry';
import { parseMasterBuffer } from '../src/core/instruments/master-parser';
import { DhanRestClient } from '../src/core/rest/dhan-rest';
import { openDatabase } from '../src/core/storage/database';
import { createSubscriptionCore } from '../src/core/subscriptions/index';
import { runningClock, startTestSim, testMaster, type TestSim } from './helpers/sim';
import { waitFor } from './helpers/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup() {
  const clock = runningClock();
  const s: TestSim = await startTestSim({ clock });
  cleanups.push(() => s.stop());
  const dir = mkdtempSync(join(tmpdir(), 'strikedesk-md-'));
  const db = openDatabase(join(dir, 'app.db'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => db.close());
  const registry = new InstrumentRegistry(parseMasterBuffer(testMaster()), { now: clock.now });
  const core = createSubscriptionCore({ registry, db, now: clock.now });
  const credentials = () => ({ clientId: s.sim.clientId, token: s.sim.token });
  const store = new QuoteStore({ now: clock.now });
  const rest = new DhanRestClient({ baseUrl: s.sim.apiUrl, credentials, now: clock.now });
  const errors: string[] = [];
  let md: MarketData | null = null;
  // A test can hold back the simulator's own ticks of one instrument, to drive it by hand.
  const held = new Set<string>();
  const pool = new FeedPool({
    placement: core.placement,
    url: s.sim.feedUrl,
    credentials,
    rebalance: (kind, socket) => core.owners.rebalance(kind, socket),
    onPacket: (p) => {
      if (!held.has(`${p.segment}:${p.securityId}`)) md!.onPacket(p);
    },
  });
  md = new MarketData({ registry, owners: core.owners, pool, store, rest, onError: (m) => errors.push(m) });
  md.start();
  pool.start();
  cleanups.push(() => {
    md!.stop();
    pool.stop();
  });
  const exchangeTokens = () => new Set(s.sim.view().sockets.flatMap((k) => k.instruments.map((i) => `${i.segment}:${i.securityId}`)));
  return { s, core, store, rest, pool, md, exchangeTokens, errors, held };
}

describe('a watchlist add, end to end against the simulator', () => {
  it('subscribes the chain at the exchange, paints every strike, re-centres on a full step, and unsubscribes on remove', async () => {
    const { core, store, rest, md, exchangeTokens, errors, held } = await setup();
    const spot = (await rest.quotes([{ segment: 'IDX_I', securityId: 13 }], 'ltp')).get('IDX_I:13')!.last_price;
    const res = core.watchlists.add({ userId: 'u', symbol: 'NIFTY', instrumentType: 'INDEX_OPTION', underlyingLtp: spot });
    const owner = `watch:u:NIFTY:${res.chain!.chain.expiry}`;
    const tokens = core.owners.tokensOf(owner);
    expect(tokens).toHaveLength(203);

    // The exchange holds exactly the chain and its underlying.
    await waitFor(() => tokens.every((t) => exchangeTokens().has(t)), 10_000, 'the simulator to hold all 203 instruments');
    expect(exchangeTokens().size).toBe(203);
    // First paint: every strike has a price, quiet ones from the REST snapshot.
    await waitFor(() => tokens.every((t) => store.ltp(t) !== undefined), 10_000, 'a price for every instrument');

    // The underlying moves three strikes: the chain re-centres and the exchange follows. (The
    // simulator's own NIFTY ticks are held back so they cannot move the chain meanwhile.)
    held.add('IDX_I:13');
    const before = core.owners.tokensOf(owner);
    const recentres = md.recentres;
    const { atm, step } = core.owners.chain('NIFTY', res.chain!.chain.expiry)!.chain;
    const tick = Object.assign(new FeedPacket(), { code: RESPONSE_CODE.TICKER, segment: 'IDX_I', securityId: 13, ltp: atm + 3 * step, ltt: Math.floor(Date.now() / 1000) + 19_800 });
    md.onPacket(tick);
    expect(md.recentres).toBe(recentres + 1);
    const moved = core.owners.tokensOf(owner);
    const leaving = before.filter((t) => !moved.includes(t));
    const entering = moved.filter((t) => !before.includes(t));
    // Three strikes (CE+PE) leave at one end; as many enter at the other as the ladder lists there.
    expect(leaving).toHaveLength(6);
    expect(entering.length).toBeLessThanOrEqual(6);
    await waitFor(() => entering.every((t) => exchangeTokens().has(t)) && leaving.every((t) => !exchangeTokens().has(t)), 10_000, 'the simulator to follow the re-centre');
    await waitFor(() => entering.every((t) => store.ltp(t) !== undefined), 10_000, 'first paint of the entering strikes');

    core.watchlists.remove('u', 'NIFTY', res.chain!.chain.expiry);
    await waitFor(() => exchangeTokens().size === 0, 10_000, 'the simulator to drop everything');
    expect(errors).toEqual([]);
  });
});
