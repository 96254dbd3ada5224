/**
 * The session history (issue 18): a recorder that samples every open chain once a minute, and
 * the store the API reads (`minutes`, `strikesAt`) and the back-fill writes (`writeBackfilled`).
 * The app builds it with `createHistory` and starts and stops it with its other services.
 */
import type { TimerFunctions } from '../lifecycle/scheduler';
import type { Db } from '../storage/database';
import { HistoryRecorder, type HistoryRecorderOptions } from './history-recorder';
import { HistoryStore } from './history-store';
import type { BackfillMinute, HistoryMinutes, HistoryStrikes } from './history-types';

export { DEFAULT_RETENTION_DAYS, HistoryRecorder, inSessionMinute, RETENTION_SETTING, retentionCutoff } from './history-recorder';
export { BLOCK_MS, HistoryStore, MINUTE_MS } from './history-store';
export type * from './history-types';

export interface HistoryOptions {
  db: Db;
  owners: HistoryRecorderOptions['owners'];
  store: HistoryRecorderOptions['quotes'];
  analytics: HistoryRecorderOptions['analytics'];
  settings: HistoryRecorderOptions['settings'];
  now?: () => number;
  timers?: TimerFunctions;
  shouldRecord?: HistoryRecorderOptions['shouldRecord'];
  onError?: (err: unknown) => void;
}

export interface History {
  readonly store: HistoryStore;
  readonly recorder: HistoryRecorder;
  /** Prunes old days and starts recording at each minute boundary. */
  start(): void;
  stop(): void;
  /**
   * The chain's minutes in [from, to] (epoch ms, both optional); null when never recorded. Each
   * carries its straddle volume, also a range of one minute (the minute before is read for it).
   */
  minutes(symbol: string, expiry: string, range?: { from?: number; to?: number }): HistoryMinutes | null;
  /** The chain's strikes at the latest minute at or before `t` (default the latest); null when none. */
  strikesAt(symbol: string, expiry: string, t?: number): HistoryStrikes | null;
  /** Writes so far (live minutes, back-fills): a stream view reads again only when they moved. */
  writes(): { readonly live: number; readonly backfills: number };
  /** Writes back-filled minutes (marked), never over a live one; returns how many were written. */
  writeBackfilled(symbol: string, expiry: string, minutes: readonly BackfillMinute[]): number;
}

/** Builds the history over the app's database and live services. */
export function createHistory(o: HistoryOptions): History {
  const store = new HistoryStore(o.db);
  const recorder = new HistoryRecorder({
    store,
    owners: o.owners,
    quotes: o.store,
    analytics: o.analytics,
    settings: o.settings,
    ...(o.now ? { now: o.now } : {}),
    ...(o.timers ? { timers: o.timers } : {}),
    ...(o.shouldRecord ? { shouldRecord: o.shouldRecord } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
  return {
    store,
    recorder,
    start: () => recorder.start(),
    stop: () => recorder.stop(),
    minutes: (symbol, expiry, range) => store.minutes(symbol, expiry, range),
    strikesAt: (symbol, expiry, t) => store.strikesAt(symbol, expiry, t),
    writes: () => store.writes,
    writeBackfilled: (symbol, expiry, minutes) => store.writeBackfilled(symbol, expiry, minutes),
  };
}
