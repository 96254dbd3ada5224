/**
 * A history clock whose minutes pass faster than real ones: `npm run serve -- --history-minute-ms N`
 * on the embedded simulator, so an end-to-end test (or a demo) sees minutes of chart history in
 * seconds instead of waiting real minutes. Simulator only: with Dhan credentials the option is
 * refused, because recorded minutes would then be labelled with times that have not come yet.
 *
 * Policy: from the moment it is made, the clock runs `60_000 / minuteMs` times faster than `base`,
 * starting at `base()`; its timers scale the delays they are given back to real milliseconds, so a
 * recorder that waits "until the next minute" on this clock waits `minuteMs` real milliseconds.
 */
import type { TimerFunctions } from './scheduler';

/** The accelerated clock and the timers that agree with it. */
export interface FastMinutes {
  now(): number;
  readonly timers: TimerFunctions;
  /** How many clock milliseconds pass per real millisecond. */
  readonly speed: number;
}

/** Shortest real minute accepted (the recorder spreads a minute's work over event-loop turns). */
export const MIN_FAST_MINUTE_MS = 200;

/** A clock whose minute lasts `minuteMs` real milliseconds (>= MIN_FAST_MINUTE_MS, <= 60 000). */
export function fastMinutes(minuteMs: number, base: () => number = Date.now): FastMinutes {
  if (!Number.isFinite(minuteMs) || minuteMs < MIN_FAST_MINUTE_MS || minuteMs > 60_000) {
    throw new RangeError(`a history minute must last ${MIN_FAST_MINUTE_MS}-60000 real ms, got ${minuteMs}`);
  }
  const speed = 60_000 / minuteMs;
  const start = base();
  return {
    speed,
    now: () => start + (base() - start) * speed,
    timers: {
      setTimeout: (fn, ms) => {
        const handle = setTimeout(fn, Math.max(0, Math.ceil(ms / speed)));
        handle.unref?.();
        return handle;
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  };
}
