/**
 * Chaos run (issue 16): `npm run bench -- chaos`. The engine as `npm run serve` in live mode against
 * the simulator in its own process, under every fault the simulator has (drop, mute, garbage,
 * truncated, stacked, latency, disconnect 805 and 807 with a new token after it, refuse-upgrade
 * with 503 or 429 while every socket is dropped), with watchlist and view churn throughout, and two
 * SIGKILL restarts on the same data folder. The driver and its policy (what is random, the bounds)
 * are in test/helpers/chaos.ts; test/chaos.test.ts runs a short variant.
 *
 * Length: every fault kind once and the two restarts, then random faults until
 * STRIKEDESK_CHAOS_SECONDS (default 180) have passed since the start; a fault answered with the
 * feed's 60-90 s hard backoff (805, 429) can carry the run a minute or two past that.
 * STRIKEDESK_CHAOS_SEED (default 16) seeds the script. Figures are measured, never asserted; the
 * failed-check count names a broken invariant, and the run prints every failure.
 */
import { ALL_FAULTS, runChaos } from '../test/helpers/chaos';
import type { Benchmark, Figure } from './harness';

export const chaosBenchmark: Benchmark = {
  name: 'chaos',
  description: 'serve vs a simulator process under random faults, churn and 2 SIGKILL restarts (STRIKEDESK_CHAOS_SECONDS, default 180)',
  async run(): Promise<Figure[]> {
    const seconds = Number(process.env.STRIKEDESK_CHAOS_SECONDS ?? 180);
    const seed = Number(process.env.STRIKEDESK_CHAOS_SEED ?? 16);
    if (!(seconds >= 0) || !Number.isInteger(seed)) throw new Error('STRIKEDESK_CHAOS_SECONDS must be a number >= 0 and STRIKEDESK_CHAOS_SEED an integer');
    const r = await runChaos({
      seed,
      faults: ALL_FAULTS,
      restarts: 2,
      randomMs: seconds * 1000,
      holdMs: [2000, 6000],
      rate: 2000,
      log: (line) => console.log(`  ${line}`),
    });
    console.log(`  seed ${r.seed}, ${(r.durationMs / 1000).toFixed(0)} s; steps: ${r.steps.join(' | ')}`);
    console.log(`  churn: ${r.ops.adds} adds, ${r.ops.removes} removes, ${r.ops.viewsOpened} views opened, ${r.ops.viewsClosed} closed, ${r.ops.errors} calls failed or unanswered (the kills)`);
    console.log(`  connection attempts per minute: ${r.attemptsPerMinute.join(', ')}; RSS MB first/last/max ${r.rssMB.first}/${r.rssMB.last}/${r.rssMB.max}`);
    for (const f of r.failures) console.log(`  FAILED ${f}`);
    return [
      { name: 'chaos: faults survived (simulator = app after the fault)', value: r.faultsSurvived, unit: `of ${r.faultsInjected} injected`, target: r.faultsInjected, better: 'min' },
      { name: 'chaos: SIGKILL restarts survived', value: r.restarts, unit: 'restarts' },
      { name: 'chaos: invariant checks passed', value: r.checksPassed, unit: 'checks' },
      { name: 'chaos: invariant checks failed', value: r.checksFailed, unit: 'checks', target: 0 },
      { name: 'chaos: worst recovery, fault cleared -> simulator = app', value: r.worstRecoveryMs, unit: 'ms', target: 30_000 },
      { name: 'chaos: worst recovery after 805 / HTTP 429 (60-90 s hard backoff)', value: r.worstHardRecoveryMs, unit: 'ms', target: 120_000 },
      { name: 'chaos: connection attempts at the simulator, max per minute', value: r.maxAttemptsPerMinute, unit: `per minute (${r.attemptsPerMinute.join('/')})`, target: 60 },
      { name: 'chaos: connection attempts, max in any 60 s', value: r.maxAttemptsPer60s, unit: 'attempts', target: 60 },
      { name: 'chaos: engine RSS first', value: r.rssMB.first, unit: 'MB' },
      { name: 'chaos: engine RSS last', value: r.rssMB.last, unit: 'MB' },
      { name: 'chaos: engine RSS max', value: r.rssMB.max, unit: 'MB', target: Math.round(r.rssMB.first * 1.5) },
    ];
  },
};
