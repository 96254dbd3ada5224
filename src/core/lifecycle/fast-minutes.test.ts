import { afterEach, describe, expect, it, vi } from 'vitest';
import { fastMinutes } from './fast-minutes';

describe('fastMinutes', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs its clock 60000/minuteMs times faster than the base, from the base time it was made at', () => {
    let real = 1_000_000;
    const clock = fastMinutes(1_000, () => real);
    expect(clock.now()).toBe(1_000_000);
    real += 1_000;
    expect(clock.now()).toBe(1_000_000 + 60_000);
    real += 500;
    expect(clock.now()).toBe(1_000_000 + 90_000);
  });

  it('fires a timer set for one clock minute after minuteMs real milliseconds', () => {
    vi.useFakeTimers();
    const clock = fastMinutes(2_000);
    const fired = vi.fn();
    clock.timers.setTimeout(fired, 60_000);
    vi.advanceTimersByTime(1_999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('cancels a timer', () => {
    vi.useFakeTimers();
    const clock = fastMinutes(1_000);
    const fired = vi.fn();
    const handle = clock.timers.setTimeout(fired, 60_000);
    clock.timers.clearTimeout(handle);
    vi.advanceTimersByTime(5_000);
    expect(fired).not.toHaveBeenCalled();
  });

  it('refuses a minute too short to record in or longer than a real one', () => {
    expect(() => fastMinutes(50)).toThrow(/200-60000 real ms, got 50/);
    expect(() => fastMinutes(120_000)).toThrow(RangeError);
    expect(() => fastMinutes(Number.NaN)).toThrow(RangeError);
  });
});
