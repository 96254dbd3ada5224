/**
 * The composition root against the simulator: start-up subscribes Tier B at the exchange,
 * a restart on the same data folder restores watchlists and subscriptions from the database and
 * warm-starts the master, and stop() leaves nothing at the exchange.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/core/app';
import { parseTierBConfig } from '../src/core/lifecycle/tier-b-config';
import { startAppOnSim } from './helpers/app';
import { runningClock, startTestSim, testMaster, type TestSim } from './helpers/sim';
import { waitFor } from './helpers/wait';

/** 10:00 IST on Wednesday 2026-11-25, an NSE trading day (the 24th is a holiday). */
const TRADING_T0 = Date.parse('2026-11-25T04:30:00Z');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function exchangeTokens(s: TestSim): Set<string> {
  return new Set(s.sim.view().sockets.flatMap((k) => k.instruments.map((i) => `${i.segment}:${i.securityId}`)));
}

describe('the app on the simulator', () => {
  it('subscribes Tier B at start-up, restores after a restart, and leaves nothing behind on stop', async () => {
    const clock = runningClock(TRADING_T0);
    const s = await startTestSim({ clock });
    cleanups.push(() => s.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'strikedesk-app-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const masterPath = join(dataDir, 'master.csv');
    writeFileSync(masterPath, testMaster());
    const logs: string[] = [];
    const make = () =>
      new App({
        dataDir,
        masterPath,
        feedUrl: s.sim.feedUrl,
        apiUrl: s.sim.apiUrl,
        credentials: () => ({ clientId: s.sim.clientId, token: s.sim.token }),
        now: clock.now,
        log: (l) => logs.push(l),
      });

    const app = make();
    cleanups.push(() => app.stop());
    const status = await app.start();
    expect(status).toMatchObject({ masterSource: 'csv', tierBPending: [] });
    expect(status.market).not.toMatch(/closed/i);
    const tierB = app.services.core.owners.stats();
    expect(tierB.tierB).toBe(status.tierBPlanned);
    expect(tierB.tierB).toBeGreaterThan(500);
    await waitFor(() => app.services.core.owners.tokens().every((t) => exchangeTokens(s).has(t)), 10_000, 'Tier B live at the simulator');
    expect(logs.some((l) => /Tier B: [\d,]+ instruments planned/.test(l))).toBe(true);

    const added = app.services.core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    const watchOwner = `watch:u:RELIANCE:${added.chain!.chain.expiry}`;
    // What the registry holds now (the market runs: a chain may re-centre meanwhile) at the exchange.
    await waitFor(() => {
      const have = exchangeTokens(s);
      return app.services.core.owners.tokens().every((t) => have.has(t)) && app.services.core.owners.tokensOf(watchOwner).every((t) => have.has(t));
    }, 10_000, 'the watchlist chain live');
    // Read just before the stop, which runs synchronously up to its first await: no tick in between.
    const before = app.services.core.owners.tokens().sort();
    const ownersBefore = app.services.core.owners.listOwners().map((o) => o.owner).sort();
    const watchTokens = app.services.core.owners.tokensOf(watchOwner).sort();
    await app.stop();
    await waitFor(() => exchangeTokens(s).size === 0, 10_000, 'the exchange to see every socket closed');

    const again = make();
    cleanups.push(() => again.stop());
    const status2 = await again.start();
    expect(status2.masterSource).toBe('snapshot');
    expect(again.services.core.watchlists.list('u')).toEqual([expect.objectContaining({ symbol: 'RELIANCE', expiryDate: added.chain!.chain.expiry, state: 'ACTIVE', live: true })]);
    // The same owners and the same watchlist chain; Tier B windows are the persisted ones, which
    // re-centre as usual when an index moves a full step (MIDCPNIFTY's 25-point step often does).
    expect(again.services.core.owners.listOwners().map((o) => o.owner).sort()).toEqual(ownersBefore);
    expect(again.services.core.owners.tokensOf(watchOwner).sort()).toEqual(watchTokens);
    expect(Math.abs(again.services.core.owners.size - before.length)).toBeLessThan(60);
    // The exchange holds exactly what the restored registry wants.
    await waitFor(() => {
      const want = again.services.core.owners.tokens();
      const have = exchangeTokens(s);
      return have.size === want.length && want.every((t) => have.has(t));
    }, 10_000, 'the exchange to match the restored set');
    await again.stop();
    await waitFor(() => exchangeTokens(s).size === 0, 10_000, 'nothing left at the exchange');
  });
});

describe('start-up log', () => {
  it('names each Tier B problem by its field and symbol (it printed "tier B: [object Object]")', async () => {
    const run = await startAppOnSim({ still: true, app: { tierB: parseTierBConfig({ indexChains: [{ symbol: 'NOSUCHINDEX', expiries: 1, strikes: 11 }], futures: [], optionChains: [] }) } });
    cleanups.push(() => run.stop());
    expect(run.logs.join('\n')).not.toContain('[object Object]');
    expect(run.logs).toContain('tier B: indexChains[0] NOSUCHINDEX: NOSUCHINDEX is not in the instrument master');
  });
});
