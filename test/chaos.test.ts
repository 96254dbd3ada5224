/**
 * The short chaos run (issue 16): the engine as `npm run serve` against the simulator in its own
 * process, both on loopback, under a fixed seed. Fewer faults than the bench (drop, garbage,
 * disconnect 807 then a new token, refuse-upgrade with HTTP 503 while every socket is dropped) and
 * one SIGKILL restart, with the churn of watchlists and views running through each; about 20 s on
 * a small (20,000-row) master. The same invariants as `npm run bench -- chaos`, asserted: the
 * simulator's subscriptions equal the app's within 30 s of every fault clearing, no acknowledged
 * add is lost (nor a remove undone) across the restart, no reconnect storm (<= 60 attempts in any
 * 60 s), and a bounded RSS. Faults with a 60-90 s hard backoff (805, 429) and mute (10-15 s to be
 * detected) are left to the bench to keep this under a minute.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from './helpers/chaos';

describe('chaos, short', () => {
  it('survives faults, churn and a SIGKILL restart with the exchange and the watchlists intact', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      seed: 16,
      faults: ['drop', 'garbage', 'disconnect-807', 'refuse-upgrade'],
      refuseCodes: [503],
      restarts: 1,
      randomMs: 0,
      holdMs: [800, 1600],
      masterRows: 20_000,
      rate: 500,
      log: (l) => lines.push(l),
    });
    const context = `${lines.join('\n')}\n${JSON.stringify(report, null, 1)}`;
    expect(report.failures, context).toEqual([]);
    expect(report.faultsInjected).toBe(4);
    expect(report.faultsSurvived, context).toBe(4);
    expect(report.restarts).toBe(1);
    expect(report.checksPassed, context).toBeGreaterThanOrEqual(7); // baseline, 4 faults, restart, 2 watchlist checks
    expect(report.watchlistEntriesChecked, context).toBeGreaterThan(0);
    expect(report.ops.adds + report.ops.viewsOpened, context).toBeGreaterThan(0);
    expect(report.worstRecoveryMs, context).toBeLessThanOrEqual(30_000);
    expect(report.maxAttemptsPer60s, context).toBeLessThanOrEqual(60);
    expect(report.rssMB.max, context).toBeLessThan(1024);
  }, 55_000);
});
