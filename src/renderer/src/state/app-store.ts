/**
 * The shell's slow UI state in one zustand store: lists, selection, status, settings, notices and
 * layout. Nothing per tick lives here: chain quotes go from the stream straight to the grid; the
 * status view changes at most once per stream batch, the socket table once per poll.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandResponse, OpenChainView, SettingsView, StatusView } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import type { StreamLogEntry } from '../../../shared/events';
import type { StreamState } from '../api/transport';
import type { Layout } from './layout-storage';

/** How many subscription log entries the shell keeps (newest kept). */
export const LOG_LIMIT = 200;
/** How many info toasts are shown at once. */
const TOAST_LIMIT = 4;

export type WatchlistEntry = CommandResponse<'watchlist:list'>['entries'][number];
export type WsStatus = CommandResponse<'admin:ws-status'>;

/** A chain to show: `expiry` is '' for a watchlist entry without options (equity). */
export interface ChainRef {
  symbol: string;
  expiry: string;
}

export interface Notice {
  id: number;
  /** Where it came from, e.g. "Add RELIANCE". */
  context: string;
  code?: ErrorInfo['code'];
  message: string;
}

export interface AppState {
  watchlist: WatchlistEntry[];
  chains: OpenChainView[];
  selected: ChainRef | null;
  status: StatusView | null;
  wsStatus: WsStatus | null;
  streamState: StreamState;
  /** Newest last, at most LOG_LIMIT. */
  log: StreamLogEntry[];
  /** True when the engine wrote more log entries than reached us (some were left out). */
  logTruncated: boolean;
  settings: SettingsView | null;
  /** The error the banner shows (the latest), until dismissed. */
  error: Notice | null;
  /** Short-lived confirmations. */
  toasts: Notice[];
  layout: Layout;
}

/** The store; the helpers below and actions.ts are what change it. */
export type AppStore = StoreApi<AppState>;

/** A fresh store (one per App; tests make their own). */
export function createAppStore(layout: Layout, selected: ChainRef | null): AppStore {
  return createStore<AppState>()(() => ({
    watchlist: [],
    chains: [],
    selected,
    status: null,
    wsStatus: null,
    streamState: 'connecting',
    log: [],
    logTruncated: false,
    settings: null,
    error: null,
    toasts: [],
    layout,
  }));
}

let nextNoticeId = 1;

/** Show an error in the banner (it replaces the previous one). */
export function showError(store: AppStore, context: string, error: ErrorInfo): void {
  store.setState({ error: { id: nextNoticeId++, context, code: error.code, message: error.message } });
}

/** Add a confirmation toast; returns its id (for dismissing). */
export function showToast(store: AppStore, context: string, message: string): number {
  const id = nextNoticeId++;
  store.setState((s) => ({ toasts: [...s.toasts, { id, context, message }].slice(-TOAST_LIMIT) }));
  return id;
}

/** Remove a toast. */
export function dismissToast(store: AppStore, id: number): void {
  store.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

/** Append stream log entries, keeping the newest LOG_LIMIT. */
export function appendLog(store: AppStore, entries: readonly StreamLogEntry[], truncated: boolean): void {
  if (entries.length === 0 && !truncated) return;
  store.setState((s) => {
    const log = s.log.length + entries.length <= LOG_LIMIT ? [...s.log, ...entries] : [...s.log, ...entries].slice(-LOG_LIMIT);
    return { log, logTruncated: s.logTruncated || truncated };
  });
}
