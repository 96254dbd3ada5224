/**
 * The day's jobs: the pre-session job (master refresh, expired contracts dropped) before each NSE
 * session, the end of day at 15:30 IST on NSE trading days, and a warning well before the Dhan
 * token expires.
 *
 * Design: one re-armed timer over the calendar, not node-cron. node-cron 4.6 imports fine from
 * our TypeScript (tsx and vitest), but it reads the global `Date` and `setTimeout`, so it cannot be
 * driven by an injected clock (only by patching globals), a cron pattern cannot express the
 * holiday file, and a run more than `missedExecutionTolerance` (default 1 s) late is reported as
 * missed and skipped: a laptop asleep at 15:30 would never run the end of day. Instead every fire
 * time is computed from session-clock (IST, trading days from resources/holidays.json) and:
 * - on every wake the clock is read again and each job fires once for the latest of its instants
 *   that passed since the last check, late if need be (asleep at 15:30 and woken at 18:00 still
 *   runs that day's end of day, once, with `lateMs`), never for instants before `start()`;
 * - no single timer waits longer than `maxSleepMs` (60 s by default), so a resume from sleep or a
 *   clock change is noticed within a minute even where timers do not count suspended time;
 *   `check()` may also be called directly (e.g. on the OS resume event);
 * - a clock that goes backwards never fires a job twice;
 * - a job's error (thrown or rejected) goes to `onError` and never stops the scheduler.
 */
import { istDate } from '../../shared/market-calendar';
import { NSE_CLOSE_MINUTES, nextNseTimeAt } from './session-clock';

/** Timer functions, injectable so tests drive time without sleeping. */
export interface TimerFunctions {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type DayJob = 'end-of-day' | 'pre-session' | 'token-expiry-warning';

/** One firing of a calendar job. */
export interface ScheduledFire {
  /** Epoch ms the job was due. */
  at: number;
  /** IST date (YYYY-MM-DD) of the session the firing belongs to. */
  date: string;
  /** How late it fired (ms): non-zero after sleep or a clock jump. */
  lateMs: number;
}

export interface TokenExpiryWarning {
  expiresAt: number;
  /** Milliseconds left at the warning; zero or negative when it has already expired. */
  msLeft: number;
  expired: boolean;
}

type Handler<T> = (event: T) => void | Promise<void>;

export interface DaySchedulerOptions {
  now?: () => number;
  timers?: TimerFunctions;
  onEndOfDay?: Handler<ScheduledFire>;
  onPreSession?: Handler<ScheduledFire>;
  onTokenExpiryWarning?: Handler<TokenExpiryWarning>;
  /** A job threw or rejected; default: console.error. */
  onError?: (job: DayJob, error: unknown) => void;
  /** IST minutes after midnight of the pre-session job; default 08:45. */
  preSessionMinutes?: number;
  /** How long before the token's expiry to warn; default 2 hours. */
  tokenWarningLeadMs?: number;
  /** The longest single timer; default 60 s. */
  maxSleepMs?: number;
  /** Epoch ms at which the current token expires, if known. */
  tokenExpiresAt?: number | null;
}

export const DEFAULT_PRE_SESSION_MINUTES = 8 * 60 + 45;
export const DEFAULT_TOKEN_WARNING_LEAD_MS = 2 * 60 * 60_000;
export const DEFAULT_MAX_SLEEP_MS = 60_000;

/** Real timers that never keep a process alive by themselves (also the history recorder's). */
export const realTimers: TimerFunctions = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    // The scheduler alone must not keep a process alive (the CLI exits when its work is done).
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** The latest instant produced by `next` in (from, to], or null. */
function latestIn(from: number, to: number, next: (t: number) => number): number | null {
  let t = next(from);
  if (t > to) return null;
  for (let n = next(t); n <= to; n = next(t)) t = n;
  return t;
}

export class DayScheduler {
  private readonly now: () => number;
  private readonly timers: TimerFunctions;
  private readonly preSessionMinutes: number;
  private readonly leadMs: number;
  private readonly maxSleepMs: number;
  private handle: unknown = null;
  private running = false;
  /** Jobs due at or before this instant have been dealt with. */
  private checkedUpTo = 0;
  private tokenExpiresAt: number | null;
  /** The token expiry already warned about. */
  private warnedFor: number | null = null;

  constructor(private readonly o: DaySchedulerOptions = {}) {
    this.now = o.now ?? Date.now;
    this.timers = o.timers ?? realTimers;
    this.preSessionMinutes = o.preSessionMinutes ?? DEFAULT_PRE_SESSION_MINUTES;
    this.leadMs = o.tokenWarningLeadMs ?? DEFAULT_TOKEN_WARNING_LEAD_MS;
    this.maxSleepMs = Math.max(1, o.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS);
    this.tokenExpiresAt = o.tokenExpiresAt ?? null;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Arm the timer. Jobs due before this instant are not run; a token already near expiry is warned about now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.checkedUpTo = this.now();
    this.check();
  }

  /** Disarm the timer; nothing fires until `start()` again. */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** A new token (or none): re-arms the expiry warning, firing it now if already within the lead. */
  setTokenExpiry(expiresAt: number | null): void {
    if (expiresAt !== this.tokenExpiresAt) this.warnedFor = null;
    this.tokenExpiresAt = expiresAt;
    this.check();
  }

  /** The next time each job will fire (epoch ms); null for a token warning not pending. */
  nextFires(): { endOfDay: number; preSession: number; tokenWarning: number | null } {
    const from = Math.max(this.checkedUpTo, this.running ? 0 : this.now());
    return {
      endOfDay: nextNseTimeAt(from, NSE_CLOSE_MINUTES),
      preSession: nextNseTimeAt(from, this.preSessionMinutes),
      tokenWarning: this.pendingWarningAt(),
    };
  }

  /** Read the clock, run what is due, re-arm. Safe to call at any time (e.g. on resume from sleep). */
  check(): void {
    if (!this.running) return;
    this.disarm();
    const now = this.now();
    const from = this.checkedUpTo;
    // A clock that went backwards re-runs nothing: keep the high-water mark.
    this.checkedUpTo = Math.max(from, now);
    const due: { at: number; run: () => void }[] = [];
    const eod = latestIn(from, now, (t) => nextNseTimeAt(t, NSE_CLOSE_MINUTES));
    if (eod !== null) due.push({ at: eod, run: () => this.fire('end-of-day', this.o.onEndOfDay, { at: eod, date: istDate(eod), lateMs: now - eod }) });
    const pre = latestIn(from, now, (t) => nextNseTimeAt(t, this.preSessionMinutes));
    if (pre !== null) due.push({ at: pre, run: () => this.fire('pre-session', this.o.onPreSession, { at: pre, date: istDate(pre), lateMs: now - pre }) });
    const warnAt = this.pendingWarningAt();
    if (warnAt !== null && warnAt <= now) {
      const expiresAt = this.tokenExpiresAt!;
      this.warnedFor = expiresAt;
      due.push({ at: warnAt, run: () => this.fire('token-expiry-warning', this.o.onTokenExpiryWarning, { expiresAt, msLeft: expiresAt - now, expired: expiresAt <= now }) });
    }
    due.sort((a, b) => a.at - b.at);
    for (const job of due) job.run();
    // A job may have stopped the scheduler.
    if (this.running && this.handle === null) this.arm(now);
  }

  private pendingWarningAt(): number | null {
    if (this.tokenExpiresAt === null || this.warnedFor === this.tokenExpiresAt) return null;
    return this.tokenExpiresAt - this.leadMs;
  }

  private arm(now: number): void {
    const from = this.checkedUpTo;
    let next = Math.min(nextNseTimeAt(from, NSE_CLOSE_MINUTES), nextNseTimeAt(from, this.preSessionMinutes));
    const warnAt = this.pendingWarningAt();
    if (warnAt !== null) next = Math.min(next, warnAt);
    const delay = Math.min(Math.max(next - now, 0), this.maxSleepMs);
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      this.check();
    }, delay);
  }

  private disarm(): void {
    if (this.handle === null) return;
    this.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private fire<T>(job: DayJob, handler: Handler<T> | undefined, event: T): void {
    if (!handler) return;
    const report = (err: unknown) => (this.o.onError ?? ((j, e) => console.error(`scheduler: ${j} failed`, e)))(job, err);
    try {
      const result = handler(event);
      if (result instanceof Promise) result.catch(report);
    } catch (err) {
      report(err);
    }
  }
}
