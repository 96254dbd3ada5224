import { afterEach, describe, expect, it } from 'vitest';
import { basePrice, makeCore, testRegistry, type TestCore } from '../../../test/helpers/core';
import { istEpochMs } from '../../shared/market-calendar';
import { runEndOfDay } from './end-of-day';
import { DayScheduler, type ScheduledFire, type TimerFunctions, type TokenExpiryWarning } from './scheduler';

const ist = (date: string, hhmm: string) => istEpochMs(date, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));
const HOUR = 3_600_000;

/** An injected clock with timers: time moves only when the test says so. */
class FakeTime implements TimerFunctions {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  constructor(start: number) {
    this.t = start;
  }
  now = (): number => this.t;
  setTimeout(fn: () => void, ms: number): unknown {
    this.seq += 1;
    this.timers.set(this.seq, { at: this.t + ms, fn });
    return this.seq;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Move to `to`, running each timer at its due time, in order. */
  advanceTo(to: number): void {
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= to && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = to;
  }
  /** The machine slept: the clock jumps to `to`, then the overdue timers run late. */
  sleepUntil(to: number): void {
    this.t = to;
    this.advanceTo(to);
  }
  /** The wall clock is set (back or forward) without any timer running. */
  set(to: number): void {
    this.t = to;
  }
}

let scheduler: DayScheduler | undefined;
let core: TestCore | undefined;
afterEach(() => {
  scheduler?.stop();
  scheduler = undefined;
  core?.dispose();
  core = undefined;
});

function harness(start: number, extra: Partial<ConstructorParameters<typeof DayScheduler>[0]> = {}) {
  const time = new FakeTime(start);
  const eod: ScheduledFire[] = [];
  const pre: ScheduledFire[] = [];
  const warnings: TokenExpiryWarning[] = [];
  scheduler = new DayScheduler({
    now: time.now,
    timers: time,
    onEndOfDay: (f) => void eod.push(f),
    onPreSession: (f) => void pre.push(f),
    onTokenExpiryWarning: (w) => void warnings.push(w),
    ...extra,
  });
  scheduler.start();
  return { time, eod, pre, warnings, scheduler };
}

describe('DayScheduler: end of day', () => {
  it('fires at 15:30 IST on a trading day (Wed 2026-11-25), not a millisecond before, and once', () => {
    const { time, eod } = harness(ist('2026-11-25', '15:29'));
    time.advanceTo(ist('2026-11-25', '15:30') - 1);
    expect(eod).toEqual([]);
    time.advanceTo(ist('2026-11-25', '15:31'));
    expect(eod).toEqual([{ at: ist('2026-11-25', '15:30'), date: '2026-11-25', lateMs: 0 }]);
    time.advanceTo(ist('2026-11-25', '23:59'));
    expect(eod).toHaveLength(1);
  });

  it('does not fire on an NSE holiday (Tue 2026-11-24, Guru Nanak Jayanti)', () => {
    const { time, eod, scheduler: s } = harness(ist('2026-11-24', '15:29'));
    time.advanceTo(ist('2026-11-24', '15:31'));
    expect(eod).toEqual([]);
    expect(s.nextFires().endOfDay).toBe(ist('2026-11-25', '15:30'));
  });

  it('does not fire on Saturday or Sunday; the next is Monday 15:30', () => {
    const { time, eod } = harness(ist('2026-11-28', '15:29'));
    time.advanceTo(ist('2026-11-29', '15:31'));
    expect(eod).toEqual([]);
    time.advanceTo(ist('2026-11-30', '15:31'));
    expect(eod.map((f) => f.date)).toEqual(['2026-11-30']);
  });

  it('over a week: end of day and the 08:45 pre-session job run on trading days only', () => {
    const { time, eod, pre } = harness(ist('2026-11-23', '00:00'));
    time.advanceTo(ist('2026-11-30', '23:59'));
    expect(eod.map((f) => f.date)).toEqual(['2026-11-23', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30']);
    expect(pre.map((f) => f.at)).toEqual(['2026-11-23', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30'].map((d) => ist(d, '08:45')));
    expect(eod.every((f) => f.lateMs === 0)).toBe(true);
  });

  it('asleep through 15:30: fires once on waking, late; never for an instant before start()', () => {
    const { time, eod } = harness(ist('2026-11-25', '16:00'));
    time.advanceTo(ist('2026-11-25', '23:00'));
    expect(eod).toEqual([]);
    time.advanceTo(ist('2026-11-26', '15:00'));
    time.sleepUntil(ist('2026-11-26', '18:00'));
    expect(eod).toEqual([{ at: ist('2026-11-26', '15:30'), date: '2026-11-26', lateMs: 2.5 * HOUR }]);
    // Asleep over a weekend and more: only the latest missed end of day runs.
    time.sleepUntil(ist('2026-12-01', '16:00'));
    expect(eod.map((f) => f.date)).toEqual(['2026-11-26', '2026-12-01']);
  });

  it('a clock set back does not run the end of day twice', () => {
    const { time, eod } = harness(ist('2026-11-25', '15:29'));
    time.advanceTo(ist('2026-11-25', '15:31'));
    time.set(ist('2026-11-25', '15:00'));
    time.advanceTo(ist('2026-11-25', '15:45'));
    expect(eod).toHaveLength(1);
  });

  it('a failing job is reported and the scheduler keeps going', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const { time } = harness(ist('2026-11-25', '15:00'), {
      onEndOfDay: () => {
        calls += 1;
        throw new Error('boom');
      },
      onError: (job, err) => errors.push([job, (err as Error).message]),
    });
    time.advanceTo(ist('2026-11-26', '15:31'));
    expect(calls).toBe(2);
    expect(errors).toEqual([['end-of-day', 'boom'], ['end-of-day', 'boom']]);
  });

  it('stop() leaves no timer behind and nothing fires after it', () => {
    const { time, eod, scheduler: s } = harness(ist('2026-11-25', '15:00'));
    expect(time.pending).toBe(1);
    s.stop();
    expect(time.pending).toBe(0);
    time.advanceTo(ist('2026-11-26', '16:00'));
    expect(eod).toEqual([]);
  });

  it('never waits on one timer longer than maxSleepMs', () => {
    const delays: number[] = [];
    const time = new FakeTime(ist('2026-11-28', '10:00'));
    scheduler = new DayScheduler({ now: time.now, timers: { setTimeout: (fn, ms) => (delays.push(ms), time.setTimeout(fn, ms)), clearTimeout: (h) => time.clearTimeout(h) } });
    scheduler.start();
    time.advanceTo(ist('2026-11-28', '10:05'));
    expect(delays.length).toBeGreaterThan(4);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
  });
});

describe('DayScheduler: token expiry', () => {
  it('warns the configured lead before expiry, once, and again for a new token', () => {
    const expiresAt = ist('2026-11-26', '09:00');
    const { time, warnings, scheduler: s } = harness(ist('2026-11-25', '10:00'), { tokenExpiresAt: expiresAt, tokenWarningLeadMs: 2 * HOUR });
    time.advanceTo(expiresAt - 2 * HOUR - 1);
    expect(warnings).toEqual([]);
    time.advanceTo(expiresAt - HOUR);
    expect(warnings).toEqual([{ expiresAt, msLeft: 2 * HOUR, expired: false }]);
    const renewed = expiresAt + 24 * HOUR;
    s.setTokenExpiry(renewed);
    time.advanceTo(renewed - 2 * HOUR);
    expect(warnings.map((w) => w.expiresAt)).toEqual([expiresAt, renewed]);
  });

  it('warns at once when started with a token already near (or past) expiry', () => {
    const now = ist('2026-11-25', '10:00');
    const { warnings } = harness(now, { tokenExpiresAt: now - 1 });
    expect(warnings).toEqual([{ expiresAt: now - 1, msLeft: -1, expired: true }]);
  });
});

describe('end of day through the scheduler (subscription core)', () => {
  it('clears Tier A and the watchlists at 15:30, keeps Tier B, logs EOD_CLEANUP', () => {
    core = makeCore();
    const c = core;
    const expiry = testRegistry().expiries('NIFTY')[0]!;
    const tierB = c.owners.holdChain('tierb:NIFTY:' + expiry, 'TIER_B', { symbol: 'NIFTY', expiry }, basePrice('NIFTY'));
    c.watchlists.add({ userId: 'u1', symbol: 'RELIANCE', instrumentType: 'STOCK_OPTION', underlyingLtp: basePrice('RELIANCE') });
    c.watchlists.add({ userId: 'u2', symbol: 'TCS', instrumentType: 'EQUITY' });
    expect(c.owners.stats()).toMatchObject({ tierA: 52, tierB: 203 });

    const eodRuns: { f: ScheduledFire; out: ReturnType<typeof runEndOfDay> }[] = [];
    const { time } = harness(ist('2026-11-25', '15:29'), { onEndOfDay: (f) => void eodRuns.push({ f, out: runEndOfDay(c) }) });
    time.advanceTo(ist('2026-11-25', '15:30') - 1);
    expect(eodRuns).toEqual([]);
    expect(c.owners.stats().tierA).toBe(52);
    time.advanceTo(ist('2026-11-25', '15:31'));
    expect(eodRuns.map((r) => r.f.at)).toEqual([ist('2026-11-25', '15:30')]);
    expect(eodRuns[0]!.out).toEqual({ unsubscribed: 52, ownersReleased: 2, entriesCleared: 2, entriesKept: 0 });
    expect(c.owners.stats()).toMatchObject({ total: 203, tierA: 0, tierB: 203 });
    expect(c.watchlists.list('u1')).toEqual([]);
    expect(c.watchlists.list('u2')).toEqual([]);
    expect(tierB.state.optionTokens.every((t) => c.owners.tierOf(t) === 'TIER_B')).toBe(true);
    const logged = c.db.sqlite.prepare("SELECT COUNT(*) n FROM subscription_log WHERE action = 'EOD_CLEANUP'").get() as { n: number };
    expect(logged.n).toBe(52);
  });
});
