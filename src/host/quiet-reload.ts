/**
 * When to switch the engine to a master that arrived late. Reloading is a stop and a warm start:
 * every feed socket closes and reconnects, and Dhan may count the old connections for a moment
 * (805, then a hard backoff). So a master that arrives while a market is open waits for the first
 * minute no market is (after MCX's close at night, or before the next open); one that arrives
 * before the open switches at once. Checked once a minute; the wait ends with the engine.
 */
import { isSessionOpen } from '../shared/market-calendar';

/** True when neither NSE/BSE nor MCX is trading at `nowMs`. */
export function noMarketOpen(nowMs: number): boolean {
  return !isSessionOpen('NSE', 'equity', nowMs) && !isSessionOpen('MCX', 'commodity', nowMs);
}

export interface QuietReloadOptions {
  now: () => number;
  reload: () => Promise<void> | void;
  /** Told once when the switch has to wait. */
  onWait?: () => void;
  /** Default: noMarketOpen. */
  isQuiet?: (nowMs: number) => boolean;
  /** How often to look again while waiting (default 60 s). */
  everyMs?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/**
 * Run `reload` now if no market is open, else at the first check when none is. Returns a disposer
 * that cancels a pending switch.
 */
export function reloadWhenQuiet(o: QuietReloadOptions): { dispose(): void } {
  const isQuiet = o.isQuiet ?? noMarketOpen;
  const set = o.setInterval ?? ((fn, ms) => setInterval(fn, ms).unref());
  const clear = o.clearInterval ?? ((h) => clearInterval(h as ReturnType<typeof setInterval>));
  if (isQuiet(o.now())) {
    void o.reload();
    return { dispose() {} };
  }
  o.onWait?.();
  let handle: unknown = set(() => {
    if (!isQuiet(o.now())) return;
    clear(handle);
    handle = null;
    void o.reload();
  }, o.everyMs ?? 60_000);
  return {
    dispose() {
      if (handle !== null) clear(handle);
      handle = null;
    },
  };
}
