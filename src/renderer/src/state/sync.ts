/**
 * Keeps the store in step with the engine while the shell is mounted:
 * - the stream's `status` and `log` views (pushed, at most one batch per interval),
 * - `admin:ws-status` polled every `wsPollMs` (the stream has no socket table),
 * - the watchlist and open chains, fetched at start, after a stream reconnect and when the tier
 *   counts move (an eviction or the end of day closes chains without this window asking),
 * - the layout and selection, written to localStorage when they change.
 * `startSync` returns the disposer that undoes every one of these.
 */
import type { Transport } from '../api/transport';
import { defaultChain, type AppActions } from './actions';
import { appendLog, type AppStore } from './app-store';
import { saveLayout } from './layout-storage';

export interface SyncOptions {
  /** Socket table poll interval. Default 2000 ms. */
  wsPollMs?: number;
  /** Delay that coalesces list refreshes after the tier counts move. Default 750 ms. */
  listRefreshMs?: number;
  /** Where the layout is kept; undefined keeps nothing. */
  storage?: Pick<Storage, 'setItem'>;
}

/** Start syncing; returns the disposer. */
export function startSync(store: AppStore, actions: AppActions, transport: Transport, options: SyncOptions = {}): () => void {
  const wsPollMs = options.wsPollMs ?? 2000;
  const listRefreshMs = options.listRefreshMs ?? 750;
  let disposed = false;
  let listTimer: ReturnType<typeof setTimeout> | null = null;
  let everOpen = false;

  const refreshLists = (): void => {
    if (listTimer) return;
    listTimer = setTimeout(() => {
      listTimer = null;
      if (!disposed) void Promise.all([actions.refreshChains(), actions.refreshWatchlist()]);
    }, listRefreshMs);
  };

  const offState = transport.onStreamState((state) => {
    store.setState({ streamState: state });
    if (state !== 'open') return;
    // After a reconnect the engine may have moved on (end of day, evictions): fetch again.
    if (everOpen) void Promise.all([actions.refreshWatchlist(), actions.refreshChains(), actions.refreshStatus()]);
    everOpen = true;
  });

  const offStream = transport.onStream((message) => {
    if (message.type !== 'batch') return;
    if (message.status) {
      const prev = store.getState().status;
      store.setState({ status: message.status });
      if (prev && (prev.tier_a_count !== message.status.tier_a_count || prev.tier_b_count !== message.status.tier_b_count)) refreshLists();
    }
    if (message.log || message.log_truncated) appendLog(store, message.log ?? [], message.log_truncated === true);
  });
  transport.stream({ op: 'subscribe', view: 'status' });
  transport.stream({ op: 'subscribe', view: 'log' });

  void (async () => {
    await Promise.all([actions.refreshWatchlist(), actions.refreshChains(), actions.refreshSettings(), actions.refreshStatus(), actions.refreshWsStatus()]);
    if (disposed) return;
    // A remembered chain that is no longer open anywhere (end of day) falls back to the default.
    const { selected, chains, watchlist } = store.getState();
    const known = selected && (chains.some((c) => c.symbol === selected.symbol) || watchlist.some((e) => e.symbol === selected.symbol));
    if (!known && chains.length > 0) actions.select(defaultChain(chains.filter((c) => c.tier === 'TIER_B')) ?? defaultChain(chains));
  })();

  const poll = setInterval(() => void actions.refreshWsStatus(), wsPollMs);

  const offPersist = store.subscribe((s, prev) => {
    if (s.layout !== prev.layout || s.selected !== prev.selected) saveLayout(options.storage, { layout: s.layout, selected: s.selected });
  });

  return () => {
    disposed = true;
    clearInterval(poll);
    if (listTimer) clearTimeout(listTimer);
    offPersist();
    offState();
    offStream();
    transport.stream({ op: 'unsubscribe', view: 'status' });
    transport.stream({ op: 'unsubscribe', view: 'log' });
  };
}
