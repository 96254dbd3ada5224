/**
 * The window's size, position and maximised state, kept in `<userData>/window-state.json` across
 * runs. Pure functions and a debouncer (no electron import), unit-tested.
 *
 * Policy:
 * - The saved bounds are the window's normal (un-maximised) bounds, so un-maximising after a
 *   restore lands where the user left it.
 * - A position is restored only if the window's title bar would be on a display that is attached
 *   now (at least MIN_VISIBLE px of it inside a work area): a monitor unplugged since, or a
 *   resolution change, must not leave the window off-screen. Otherwise the size is kept (shrunk to
 *   the largest work area if needed) and the window is centred by the OS.
 * - A missing or damaged file gives the defaults; it is never an error.
 * - Moves and resizes come in bursts: writes are debounced, and flushed once on close.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent: let the OS centre the window. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1400, height: 900, maximized: false };
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 500;
/** How much of the title bar must be on a display for a saved position to be used. */
export const MIN_VISIBLE = 100;
const TITLE_BAR = 32;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The state in a window-state.json text, or null when it is missing or not a valid state. */
export function parseWindowState(text: string | null | undefined): WindowState | null {
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (!finite(r.width) || !finite(r.height) || r.width <= 0 || r.height <= 0) return null;
  const state: WindowState = { width: Math.round(r.width), height: Math.round(r.height), maximized: r.maximized === true };
  if (finite(r.x) && finite(r.y)) {
    state.x = Math.round(r.x);
    state.y = Math.round(r.y);
  }
  return state;
}

/** The overlap of two rectangles (zero width or height when they do not meet). */
function overlap(a: Rect, b: Rect): { width: number; height: number } {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { width: Math.max(0, width), height: Math.max(0, height) };
}

/** True when enough of the window's title bar lies inside one of the work areas to grab it. */
export function isOnScreen(bounds: Rect, workAreas: readonly Rect[]): boolean {
  const titleBar: Rect = { x: bounds.x, y: bounds.y, width: bounds.width, height: TITLE_BAR };
  const need = Math.min(MIN_VISIBLE, bounds.width);
  return workAreas.some((area) => {
    const o = overlap(titleBar, area);
    // The whole height of the bar's top edge must be inside: a bar above the screen cannot be grabbed.
    return o.width >= need && o.height > 0 && bounds.y >= area.y;
  });
}

/**
 * The state to open the window with, from what was saved and the displays attached now
 * (their work areas, without task bars and docks).
 */
export function restoreWindowState(saved: WindowState | null, workAreas: readonly Rect[]): WindowState {
  const base = saved ?? DEFAULT_WINDOW_STATE;
  // Never larger than the largest display (a smaller monitor than last time), never tiny.
  const maxW = workAreas.length ? Math.max(...workAreas.map((a) => a.width)) : base.width;
  const maxH = workAreas.length ? Math.max(...workAreas.map((a) => a.height)) : base.height;
  const width = Math.max(Math.min(base.width, maxW), Math.min(MIN_WIDTH, maxW));
  const height = Math.max(Math.min(base.height, maxH), Math.min(MIN_HEIGHT, maxH));
  const state: WindowState = { width, height, maximized: base.maximized };
  if (base.x !== undefined && base.y !== undefined && isOnScreen({ x: base.x, y: base.y, width, height }, workAreas)) {
    state.x = base.x;
    state.y = base.y;
  }
  return state;
}

/** What to save for a window: its normal bounds, and whether it is maximised. */
export function captureWindowState(normalBounds: Rect, maximized: boolean): WindowState {
  return { x: normalBounds.x, y: normalBounds.y, width: normalBounds.width, height: normalBounds.height, maximized };
}

export interface Debounced<T> {
  /** Remember `value`; it is written `delayMs` after the last call. */
  push(value: T): void;
  /** Write what is pending now (on close). */
  flush(): void;
  /** Drop what is pending and stop. */
  dispose(): void;
}

/** Debounce writes of a value: only the last one of a burst is written. */
export function debounced<T>(write: (value: T) => void, delayMs: number): Debounced<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: { value: T } | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!pending) return;
    const { value } = pending;
    pending = null;
    write(value);
  };
  return {
    push(value) {
      pending = { value };
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, delayMs);
    },
    flush,
    dispose() {
      if (timer) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
