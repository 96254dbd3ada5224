/**
 * End of day on the running app, against the simulator: at 15:30 IST on a trading day Tier A and
 * the watchlists are cleared at the exchange too, Tier B stays. The clock is injected and jumped;
 * the scheduler is asked to look at it (as it does on every wake), so nothing waits real minutes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/core/app';
import { startAppOnSim } from './helpers/app';
import { runningClock, testMaster } from './helpers/sim';
import { waitFor } from './helpers/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** 15:29:30 IST on Wednesday 2026-11-25 (a trading day), running in real time, jumpable. */
function jumpableClock(startMs: number) {
  const base = runningClock(startMs);
  let offset = 0;
  return { now: () => base.now() + offset, jump: (ms: number) => void (offset += ms) };
}

describe('end of day on the app', () => {
  it('clears Tier A and the watchlists at 15:30 IST, at the exchange too, and keeps Tier B', async () => {
    const clock = jumpableClock(Date.parse('2026-11-25T09:59:30Z'));
    const env = await startAppOnSim({ still: true, now: clock.now, prefix: 'strikedesk-eod-' });
    cleanups.push(() => env.stop());
    const { app, logs } = env;
    const exchange = env.exchangeTokens;

    const res = app.services.core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    // The chain's legs; RELIANCE itself is Tier B's (every F&O underlying is always live).
    const tierA = app.services.core.owners.tokensOf(`watch:u:RELIANCE:${res.chain!.chain.expiry}`).filter((t) => app.services.core.owners.tierOf(t) === 'TIER_A');
    const tierB = app.services.core.owners.tokens().filter((t) => app.services.core.owners.tierOf(t) === 'TIER_B');
    await waitFor(() => [...tierA, ...tierB].every((t) => exchange().has(t)), 10_000, 'Tier A and Tier B live');

    app.services.scheduler.check(); // 15:29:30: nothing due yet
    expect(app.services.core.owners.stats().tierA).toBe(tierA.length);

    clock.jump(60_000); // 15:30:30
    app.services.scheduler.check();
    expect(app.services.core.owners.stats()).toMatchObject({ tierA: 0, tierB: tierB.length });
    expect(app.services.core.watchlists.list('u')).toEqual([]);
    expect(logs.some((l) => /end of day: \d+ Tier A instruments unsubscribed, 1 watchlist entries cleared/.test(l))).toBe(true);
    const eod = (app.services.db.sqlite.prepare("SELECT COUNT(*) n FROM subscription_log WHERE action = 'EOD_CLEANUP'").get() as { n: number }).n;
    expect(eod).toBe(tierA.filter((t) => !tierB.includes(t)).length);
    await waitFor(() => {
      const view = exchange();
      return tierA.every((t) => tierB.includes(t) || !view.has(t)) && tierB.every((t) => view.has(t));
    }, 10_000, 'the exchange to drop Tier A and keep Tier B');
  });

  it('a restart after the end of day keeps what came after it; a restart that missed one runs it', async () => {
    const clock = jumpableClock(Date.parse('2026-11-25T12:30:00Z')); // 18:00 IST Wednesday, after the close
    const env = await startAppOnSim({ still: true, now: clock.now, prefix: 'strikedesk-eod-restart-' });
    cleanups.push(() => env.stop());
    let running: App | null = null;
    cleanups.push(async () => {
      await running?.stop();
    });
    // An evening's add (tomorrow's watchlist, or an MCX chain): the day's end of day already ran.
    const res = env.app.services.core.watchlists.add({ userId: 'u', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: 1400 });
    const owner = `watch:u:RELIANCE:${res.chain!.chain.expiry}`;
    await env.app.stop();

    clock.jump(3_600_000); // 19:00 the same evening
    running = new App(env.app.config);
    await running.start();
    expect(running.services.core.watchlists.list('u').map((e) => e.symbol)).toEqual(['RELIANCE']);
    expect(running.services.core.owners.hasOwner(owner)).toBe(true);
    await running.stop();

    clock.jump(24 * 3_600_000); // 19:00 Thursday: the engine was down at Thursday's 15:30
    running = new App(env.app.config);
    await running.start();
    expect(running.services.core.watchlists.list('u')).toEqual([]);
    expect(running.services.core.owners.hasOwner(owner)).toBe(false);
    expect(env.logs.some((l) => /end of day 2026-11-26 missed while stopped: released \d+ Tier A/.test(l))).toBe(true);
  }, 60_000);

  it('with kept watchlists: Tier A goes at 15:30 but the entries stay, and come back re-centred at the next session', async () => {
    const clock = jumpableClock(Date.parse('2026-11-25T09:59:30Z'));
    const env = await startAppOnSim({ still: true, now: clock.now, prefix: 'strikedesk-eod-keep-', app: { keepWatchlists: true } });
    cleanups.push(() => env.stop());
    const { app, logs } = env;
    const res = app.services.core.watchlists.add({ userId: 'u', symbol: 'TCS', instrumentType: 'STOCK_OPTION', underlyingLtp: 3000 });
    const owner = `watch:u:TCS:${res.chain!.chain.expiry}`;
    expect(app.services.core.owners.hasOwner(owner)).toBe(true);

    clock.jump(60_000); // 15:30:30
    app.services.scheduler.check();
    expect(app.services.core.owners.hasOwner(owner)).toBe(false);
    expect(app.services.core.watchlists.list('u')).toHaveLength(1);

    clock.jump(17 * 3_600_000 + 20 * 60_000); // 08:50:30 IST next day (Thursday), after the 08:45 pre-session job
    app.services.scheduler.check();
    await waitFor(() => app.services.core.owners.hasOwner(owner), 10_000, 'the kept entry subscribed again');
    expect(logs.some((l) => /watchlists kept over end of day: 1 subscribed again/.test(l))).toBe(true);
  });

  it('reloads on the next day\'s master at the pre-session job, restoring every subscription', async () => {
    const clock = jumpableClock(Date.parse('2026-11-25T06:00:00Z')); // 11:30 IST
    const env = await startAppOnSim({
      still: true,
      now: clock.now,
      prefix: 'strikedesk-reload-',
      app: (dataDir) => {
        writeFileSync(join(dataDir, 'master-next.csv'), testMaster());
        return { keepWatchlists: true, refreshMaster: async () => join(dataDir, 'master-next.csv') };
      },
    });
    cleanups.push(() => env.stop());
    const { app, logs } = env;
    app.services.core.watchlists.add({ userId: 'u', symbol: 'INFY', instrumentType: 'STOCK_OPTION', underlyingLtp: 1500 });
    const owners = app.services.core.owners.listOwners().map((o) => o.owner).sort();
    const first = app.services;
    /** The running services, or null while the reload has them stopped. */
    const running = () => {
      try {
        return app.services;
      } catch {
        return null;
      }
    };

    clock.jump(21 * 3_600_000 + 20 * 60_000); // 08:50 IST next day: past 15:30 (Tier A released, entries kept) and the pre-session job
    app.services.scheduler.check();
    await waitFor(() => {
      const now = running();
      return now !== null && now !== first && now.core.owners.listOwners().length === owners.length;
    }, 15_000, 'the reload on the new master');
    expect(logs.some((l) => /instrument master: reloading on .*master-next\.csv/.test(l))).toBe(true);
    expect(app.services.core.owners.listOwners().map((o) => o.owner).sort()).toEqual(owners);
    await waitFor(() => {
      const want = app.services.core.owners.tokens();
      const have = env.exchangeTokens();
      return have.size === want.length && want.every((t) => have.has(t));
    }, 15_000, 'the exchange to hold the reloaded set');
  });
});
