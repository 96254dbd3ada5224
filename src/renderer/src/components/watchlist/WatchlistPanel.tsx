import type { KeyboardEvent } from 'react';
import { istDate } from '../../../../shared/market-calendar';
import { useAppState, useServices } from '../../state/app-context';
import type { WatchlistEntry } from '../../state/app-store';
import { expiryLabel, formatCount } from '../format';
import { moveRowFocus } from '../keyboard';

const TYPE_LABEL: Record<string, string> = { INDEX_OPTION: 'Index options', STOCK_OPTION: 'Stock options', EQUITY: 'Equity' };

/** What an entry that is not live shows, and why (the engine's own record, not a guess from the chain list). */
const NOT_LIVE: Record<Exclude<WatchlistEntry['status'], 'live'>, { label: string; title: string }> = {
  evicted: { label: 'evicted', title: 'Pushed out (least recently used) to make room at the 25,000 cap' },
  released: { label: 'released', title: 'Unsubscribed by "Unsubscribe all Tier A"' },
  pending: { label: 'waiting', title: 'Waiting for a price or the next session' },
};

/**
 * The user's watchlist (Tier A). Click or Enter selects an entry's chain; the ✕ button, Delete or
 * Backspace on a focused entry removes it. An entry that is not live says why (evicted at the cap,
 * released by the admin, waiting), and an evicted or released one comes back with one click on its
 * status (or R on the focused entry).
 */
export function WatchlistPanel() {
  const entries = useAppState((s) => s.watchlist);
  const chains = useAppState((s) => s.chains);
  const selected = useAppState((s) => s.selected);
  const { actions } = useServices();
  const year = Number(istDate(Date.now()).slice(0, 4));

  const canReadd = (entry: WatchlistEntry): boolean => entry.status === 'evicted' || entry.status === 'released';
  const readd = (entry: WatchlistEntry) =>
    actions.add({ symbol: entry.symbol, instrument_type: entry.instrument_type as 'EQUITY' | 'STOCK_OPTION' | 'INDEX_OPTION', ...(entry.expiry_date ? { expiry: entry.expiry_date } : {}) });

  const onKeyDown = (e: KeyboardEvent<HTMLLIElement>, entry: WatchlistEntry): void => {
    if (e.target !== e.currentTarget) return;
    if ((e.key === 'r' || e.key === 'R') && canReadd(entry)) {
      e.preventDefault();
      void readd(entry);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      void actions.remove(entry);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      actions.select({ symbol: entry.symbol, expiry: entry.expiry_date });
    } else if (moveRowFocus(e.key, e.currentTarget)) {
      e.preventDefault();
    }
  };

  return (
    <section className="panel watchlist" aria-label="Watchlist">
      <h2 className="panel-title">
        Watchlist <span className="count">{entries.length}</span>
        <span className="tier-tag tier-a">Tier A</span>
      </h2>
      {entries.length === 0 ? (
        <p className="empty">Search a stock or index and press Enter to add its option chain.</p>
      ) : (
        <ul className="list">
          {entries.map((e) => {
            const chain = e.expiry_date ? chains.find((c) => c.symbol === e.symbol && c.expiry === e.expiry_date) : undefined;
            const isSelected = selected?.symbol === e.symbol && selected.expiry === e.expiry_date;
            return (
              <li
                key={`${e.symbol}|${e.expiry_date}`}
                className={`list-row${isSelected ? ' selected' : ''}`}
                data-testid="watchlist-entry"
                data-nav-row=""
                data-symbol={e.symbol}
                data-expiry={e.expiry_date}
                tabIndex={0}
                title={`${TYPE_LABEL[e.instrument_type] ?? e.instrument_type}${e.expiry_date ? `, expiry ${e.expiry_date}` : ''}`}
                aria-current={isSelected ? 'true' : undefined}
                onClick={() => actions.select({ symbol: e.symbol, expiry: e.expiry_date })}
                onKeyDown={(ev) => onKeyDown(ev, e)}
              >
                <span className="sym">{e.symbol}</span>
                {/* The expiry without the year when it is this year; an equity has none and says EQ. */}
                <span className="exp">{e.expiry_date ? expiryLabel(e.expiry_date, year) : 'EQ'}</span>
                <span className="num muted">
                  {e.status === 'live' ? (
                    chain ? formatCount(chain.instruments) : ''
                  ) : canReadd(e) ? (
                    <button
                      type="button"
                      className={`not-live ${e.status}`}
                      data-testid="watchlist-readd"
                      aria-label={`${e.symbol}${e.expiry_date ? ` ${e.expiry_date}` : ''} is ${e.status}: add it again`}
                      title={`${e.status_reason ?? NOT_LIVE[e.status].title}. Click (or R) to add it again.`}
                      onClick={(ev) => {
                        ev.stopPropagation();
                        void readd(e);
                      }}
                    >
                      <span data-testid="watchlist-status">{NOT_LIVE[e.status].label}</span>
                    </button>
                  ) : (
                    <span className={`not-live ${e.status}`} data-testid="watchlist-status" title={e.status_reason ?? NOT_LIVE[e.status].title}>
                      {NOT_LIVE[e.status].label}
                    </span>
                  )}
                </span>
                <button
                  type="button"
                  className="btn-icon"
                  data-testid="watchlist-remove"
                  aria-label={`Remove ${e.symbol}${e.expiry_date ? ` ${e.expiry_date}` : ''}`}
                  title="Remove (Delete)"
                  onClick={(ev) => {
                    ev.stopPropagation();
                    void actions.remove(e);
                  }}
                >
                  ✕
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
