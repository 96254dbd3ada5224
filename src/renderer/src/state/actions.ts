/**
 * What the shell asks of the engine, and how the answers land in the store. Components call these;
 * they never call the transport for commands that change shared state.
 *
 * Refreshes ignore stale answers: when two refreshes of the same list overlap, only the answer to
 * the latest one is applied, so a slow earlier answer never overwrites a newer list.
 *
 * Notices say once what happened. A toast's context is the area it concerns ("Watchlist") and
 * its message the engine's sentence, which already names the entry ("NIFTY 2026-12-01 added:
 * …"); the context is not the request's label as well, or the symbol would be read twice. The
 * error banner keeps "<what was asked> failed" as its context: there the engine's message says
 * why, not what.
 *
 * Adding what is already on the watchlist is not a failure for the trader: the engine refuses it
 * with DUPLICATE, and the shell selects that entry's chain and says it was already there, with no
 * red banner.
 */
import type { CommandRequest, CommandResponse, Envelope } from '../../../shared/contract';
import type { Transport } from '../api/transport';
import { clampPanel, type Panel } from './layout-storage';
import { showError, showToast, type AppStore, type ChainRef, type WatchlistEntry } from './app-store';

/** The watchlist owner: the desktop app has one user. */
export const USER_ID = 'default';

export type AddRequest = Omit<CommandRequest<'watchlist:add'>, 'user_id'>;

/** The context of watchlist toasts (the message names the entry). */
const WATCHLIST = 'Watchlist';

export interface AppActions {
  refreshWatchlist(): Promise<void>;
  refreshChains(): Promise<void>;
  refreshSettings(): Promise<void>;
  refreshStatus(): Promise<void>;
  /** Quiet on failure (it is polled): the socket table keeps its last answer. */
  refreshWsStatus(): Promise<void>;
  /**
   * Add to the watchlist; on success refresh the lists and select the new chain. An entry already
   * there is selected instead (a toast says so; true is returned). Other errors go to the banner.
   */
  add(request: AddRequest): Promise<boolean>;
  /** Remove a watchlist entry; it leaves the list at once on success. */
  remove(entry: WatchlistEntry): Promise<boolean>;
  unsubscribeAllTierA(): Promise<boolean>;
  rebalance(): Promise<boolean>;
  /** Send Dhan credentials; the answer goes back to the caller only (nothing is kept). */
  setCredentials(clientId: string, accessToken: string): Promise<Envelope<CommandResponse<'admin:set-credentials'>>>;
  setKeepWatchlists(keep: boolean): Promise<boolean>;
  /**
   * Set the analytics' risk-free rate (a fraction, 0.065 = 6.5%). The answer goes back to the
   * caller (the settings dialog shows a refusal beside the field); on success the store's settings
   * are the engine's answer.
   */
  setRiskFreeRate(rate: number): Promise<Envelope<CommandResponse<'settings:set'>>>;
  select(ref: ChainRef | null): void;
  resize(panel: Panel, px: number): void;
  /** Fold a side panel away, or bring it back at its width. */
  togglePanel(panel: Panel): void;
  dismissError(): void;
}

/** Runs `fetch` and applies its answer only if no later call of the same guard started meanwhile. */
function latestOnly<T>(): (fetch: () => Promise<T>, apply: (value: T) => void) => Promise<void> {
  let seq = 0;
  return async (fetch, apply) => {
    const mine = ++seq;
    const value = await fetch();
    if (mine === seq) apply(value);
  };
}

/** The actions over a store and a transport. */
export function createActions(store: AppStore, transport: Transport): AppActions {
  const watchlistGuard = latestOnly<Envelope<CommandResponse<'watchlist:list'>>>();
  const chainsGuard = latestOnly<Envelope<CommandResponse<'chains:list'>>>();
  const wsGuard = latestOnly<Envelope<CommandResponse<'admin:ws-status'>>>();

  const refreshWatchlist = (): Promise<void> =>
    watchlistGuard(
      () => transport.call('watchlist:list', { user_id: USER_ID }),
      (r) => (r.ok ? store.setState({ watchlist: r.value.entries }) : showError(store, 'Watchlist', r.error)),
    );
  const refreshChains = (): Promise<void> =>
    chainsGuard(
      () => transport.call('chains:list', {}),
      (r) => (r.ok ? store.setState({ chains: r.value.chains }) : showError(store, 'Open chains', r.error)),
    );

  /** A DUPLICATE add: select the entry that is there (found after a refresh if need be) and say so. */
  const showExisting = async (request: AddRequest, engineMessage: string): Promise<void> => {
    let target = existingEntry(store.getState().watchlist, request);
    if (target) store.setState({ selected: target });
    await Promise.all([refreshWatchlist(), refreshChains()]);
    if (!target) {
      target = existingEntry(store.getState().watchlist, request);
      if (target) store.setState({ selected: target });
    }
    const what = target ? [target.symbol, target.expiry].filter(Boolean).join(' ') : null;
    showToast(store, WATCHLIST, what ? `${what} is already on the watchlist: showing it` : engineMessage);
  };

  const actions: AppActions = {
    refreshWatchlist,
    refreshChains,
    async refreshSettings() {
      const r = await transport.call('settings:get', {});
      if (r.ok) store.setState({ settings: r.value });
      else showError(store, 'Settings', r.error);
    },
    async refreshStatus() {
      const r = await transport.call('subscriptions:status', {});
      if (r.ok) store.setState({ status: r.value });
      else showError(store, 'Status', r.error);
    },
    refreshWsStatus: () =>
      wsGuard(
        () => transport.call('admin:ws-status', {}),
        (r) => {
          if (r.ok) store.setState({ wsStatus: r.value });
        },
      ),
    async add(request) {
      const label = [request.symbol, request.expiry].filter(Boolean).join(' ');
      const r = await transport.call('watchlist:add', { user_id: USER_ID, ...request });
      if (!r.ok) {
        if (r.error.code === 'DUPLICATE') {
          await showExisting(request, r.error.message);
          return true;
        }
        showError(store, `Add ${label}`, r.error);
        return false;
      }
      showToast(store, WATCHLIST, r.value.message);
      const expiry = r.value.option_chain?.expiry ?? request.expiry ?? '';
      store.setState({ selected: { symbol: request.symbol, expiry } });
      await Promise.all([refreshWatchlist(), refreshChains()]);
      return true;
    },
    async remove(entry) {
      const label = [entry.symbol, entry.expiry_date].filter(Boolean).join(' ');
      const r = await transport.call('watchlist:remove', { user_id: USER_ID, symbol: entry.symbol, ...(entry.expiry_date ? { expiry: entry.expiry_date } : {}) });
      if (!r.ok) {
        showError(store, `Remove ${label}`, r.error);
        return false;
      }
      store.setState((s) => {
        const watchlist = s.watchlist.filter((e) => !(e.symbol === entry.symbol && e.expiry_date === entry.expiry_date));
        const wasSelected = s.selected?.symbol === entry.symbol && s.selected.expiry === entry.expiry_date;
        return wasSelected ? { watchlist, selected: defaultChain(s.chains.filter((c) => c.tier === 'TIER_B')) } : { watchlist };
      });
      showToast(store, WATCHLIST, r.value.message);
      await Promise.all([refreshWatchlist(), refreshChains()]);
      return true;
    },
    async unsubscribeAllTierA() {
      const r = await transport.call('admin:unsubscribe-all-tier-a', {});
      if (!r.ok) {
        showError(store, 'Unsubscribe all Tier A', r.error);
        return false;
      }
      showToast(store, 'Unsubscribe all Tier A', `${r.value.unsubscribed.toLocaleString('en-IN')} instruments unsubscribed`);
      await Promise.all([refreshWatchlist(), refreshChains(), actions.refreshWsStatus()]);
      return true;
    },
    async rebalance() {
      const r = await transport.call('admin:rebalance-ws', {});
      if (!r.ok) {
        showError(store, 'Rebalance', r.error);
        return false;
      }
      showToast(store, 'Rebalance', `${r.value.moved.toLocaleString('en-IN')} instruments moved`);
      await actions.refreshWsStatus();
      return true;
    },
    setCredentials: (clientId, accessToken) => transport.call('admin:set-credentials', { client_id: clientId, access_token: accessToken }),
    async setKeepWatchlists(keep) {
      const r = await transport.call('settings:set', { keep_watchlists: keep });
      if (!r.ok) {
        showError(store, 'Settings', r.error);
        return false;
      }
      store.setState({ settings: r.value });
      return true;
    },
    async setRiskFreeRate(rate) {
      const r = await transport.call('settings:set', { risk_free_rate: rate });
      if (r.ok) store.setState({ settings: r.value });
      return r;
    },
    select(ref) {
      store.setState({ selected: ref });
    },
    resize(panel, px) {
      store.setState((s) => ({ layout: { ...s.layout, [panel]: clampPanel(panel, px) } }));
    },
    togglePanel(panel) {
      store.setState((s) => ({ layout: { ...s.layout, collapsed: { ...s.layout.collapsed, [panel]: !s.layout.collapsed[panel] } } }));
    },
    dismissError() {
      store.setState({ error: null });
    },
  };
  return actions;
}

/**
 * The watchlist entry an add request names: its symbol (the engine upper-cases it) and expiry ('' for
 * an equity). An option request without an expiry meant the nearest, so it names the earliest
 * option entry of the symbol on the list (null when the list has none).
 */
export function existingEntry(watchlist: readonly WatchlistEntry[], request: AddRequest): ChainRef | null {
  const symbol = request.symbol.trim().toUpperCase();
  if (request.instrument_type === 'EQUITY') return { symbol, expiry: '' };
  if (request.expiry) return { symbol, expiry: request.expiry };
  const nearest = watchlist
    .filter((e) => e.symbol === symbol && e.expiry_date !== '')
    .map((e) => e.expiry_date)
    .sort()[0];
  return nearest ? { symbol, expiry: nearest } : null;
}

/** The chain to show when nothing is selected: NIFTY's nearest expiry if open, else the first chain. */
export function defaultChain(chains: readonly { symbol: string; expiry: string }[]): ChainRef | null {
  const sorted = [...chains].sort((a, b) => a.symbol.localeCompare(b.symbol) || a.expiry.localeCompare(b.expiry));
  const pick = sorted.find((c) => c.symbol === 'NIFTY') ?? sorted[0];
  return pick ? { symbol: pick.symbol, expiry: pick.expiry } : null;
}
