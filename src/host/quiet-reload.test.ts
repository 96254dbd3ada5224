import { describe, expect, it } from 'vitest';
import { noMarketOpen, reloadWhenQuiet } from './quiet-reload';

const ist = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+05:30`);

/** Intervals that fire only when told. */
function fakeIntervals() {
  const live = new Map<number, () => void>();
  let seq = 0;
  return {
    setInterval: (fn: () => void) => (live.set(++seq, fn), seq),
    clearInterval: (h: unknown) => void live.delete(h as number),
    tick: () => [...live.values()].forEach((fn) => fn()),
    get pending() {
      return live.size;
    },
  };
}

describe('switching to a late master', () => {
  it('knows when no market is open: NSE hours and MCX evening are not, a weekday night after MCX is', () => {
    expect(noMarketOpen(ist('2026-11-25', '11:00'))).toBe(false);
    expect(noMarketOpen(ist('2026-11-25', '20:00'))).toBe(false); // MCX evening
    expect(noMarketOpen(ist('2026-11-25', '23:59'))).toBe(true);
    expect(noMarketOpen(ist('2026-11-25', '08:30'))).toBe(true);
    expect(noMarketOpen(ist('2026-12-06', '12:00'))).toBe(true); // Sunday
  });

  it('switches at once before the open, and waits through a session for the first quiet check', () => {
    const t = { now: ist('2026-11-25', '08:30') };
    const timers = fakeIntervals();
    let reloads = 0;
    let waits = 0;
    reloadWhenQuiet({ now: () => t.now, reload: () => void reloads++, onWait: () => void waits++, ...timers });
    expect({ reloads, waits, pending: timers.pending }).toEqual({ reloads: 1, waits: 0, pending: 0 });

    t.now = ist('2026-11-25', '11:00');
    reloadWhenQuiet({ now: () => t.now, reload: () => void reloads++, onWait: () => void waits++, ...timers });
    expect({ reloads, waits, pending: timers.pending }).toEqual({ reloads: 1, waits: 1, pending: 1 });
    t.now = ist('2026-11-25', '18:00');
    timers.tick();
    expect(reloads).toBe(1); // MCX still trades
    t.now = ist('2026-11-25', '23:56');
    timers.tick();
    timers.tick();
    expect({ reloads, pending: timers.pending }).toEqual({ reloads: 2, pending: 0 });
  });

  it('a pending switch ends with the engine', () => {
    const timers = fakeIntervals();
    let reloads = 0;
    const wait = reloadWhenQuiet({ now: () => ist('2026-11-25', '11:00'), reload: () => void reloads++, ...timers });
    wait.dispose();
    expect(timers.pending).toBe(0);
    timers.tick();
    expect(reloads).toBe(0);
  });
});
