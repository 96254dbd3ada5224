import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureWindowState, debounced, DEFAULT_WINDOW_STATE, isOnScreen, parseWindowState, restoreWindowState, type Rect } from './window-state';

const LAPTOP: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const RIGHT_MONITOR: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

afterEach(() => {
  vi.useRealTimers();
});

describe('parseWindowState', () => {
  it('reads a saved state and rounds it', () => {
    expect(parseWindowState('{"x":10.4,"y":20,"width":1200.6,"height":800,"maximized":true}')).toEqual({ x: 10, y: 20, width: 1201, height: 800, maximized: true });
  });

  it('gives null for a missing, damaged or nonsensical file, and drops a half position', () => {
    for (const text of [null, '', '{', '[]', '"x"', '{"width":0,"height":800}', '{"width":"1200","height":800}', '{"width":1e999,"height":800}']) {
      expect(parseWindowState(text), String(text)).toBeNull();
    }
    expect(parseWindowState('{"x":5,"width":1200,"height":800}')).toEqual({ width: 1200, height: 800, maximized: false });
  });
});

describe('restoreWindowState', () => {
  it('restores a window on an attached display where it was', () => {
    const saved = { x: 2100, y: 100, width: 1600, height: 1000, maximized: true };
    expect(restoreWindowState(saved, [LAPTOP, RIGHT_MONITOR])).toEqual(saved);
  });

  it('centres a window whose display is gone, keeping a size that fits', () => {
    const saved = { x: 2100, y: 100, width: 2400, height: 1300, maximized: false };
    expect(restoreWindowState(saved, [LAPTOP])).toEqual({ width: 1920, height: 1040, maximized: false });
  });

  it('centres a window whose title bar is off the top or barely on screen', () => {
    expect(restoreWindowState({ x: 100, y: -200, width: 1200, height: 800, maximized: false }, [LAPTOP]).x).toBeUndefined();
    expect(restoreWindowState({ x: 1900, y: 100, width: 1200, height: 800, maximized: false }, [LAPTOP]).x).toBeUndefined();
    expect(restoreWindowState({ x: 1800, y: 100, width: 1200, height: 800, maximized: false }, [LAPTOP]).x).toBe(1800);
  });

  it('gives the defaults with nothing saved, and never a window below the minimum', () => {
    expect(restoreWindowState(null, [LAPTOP])).toEqual(DEFAULT_WINDOW_STATE);
    expect(restoreWindowState({ width: 200, height: 100, maximized: false }, [LAPTOP])).toMatchObject({ width: 800, height: 500 });
  });

  it('counts a window spanning two displays as visible', () => {
    expect(isOnScreen({ x: 1500, y: 50, width: 1000, height: 700 }, [LAPTOP, RIGHT_MONITOR])).toBe(true);
    expect(isOnScreen({ x: 1500, y: 50, width: 1000, height: 700 }, [])).toBe(false);
  });
});

describe('captureWindowState', () => {
  it('saves the normal bounds with the maximised flag', () => {
    expect(captureWindowState({ x: 1, y: 2, width: 3, height: 4 }, true)).toEqual({ x: 1, y: 2, width: 3, height: 4, maximized: true });
  });
});

describe('debounced', () => {
  it('writes only the last value of a burst, after the delay; flush writes at once; dispose drops', () => {
    vi.useFakeTimers();
    const written: number[] = [];
    const d = debounced<number>((v) => written.push(v), 500);
    d.push(1);
    vi.advanceTimersByTime(300);
    d.push(2);
    vi.advanceTimersByTime(499);
    expect(written).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(written).toEqual([2]);
    d.push(3);
    d.flush();
    expect(written).toEqual([2, 3]);
    d.flush();
    d.push(4);
    d.dispose();
    vi.advanceTimersByTime(1000);
    expect(written).toEqual([2, 3]);
  });
});
