import type { KeyboardEvent } from 'react';
import { istDate } from '../../../../shared/market-calendar';
import { useAppState, useServices } from '../../state/app-context';
import type { WatchlistEntry } from '../../state/app-store';
import { expiryLabel, formatCount } from '../format';
import { moveRowFocus } from '../keyboard';

const TYPE_LABEL: Record<string, string> = { INDEX_OPTION: 'Index options', STOCK_OPTION: 'Stock options', EQUITY: 'Equity' };

/**
 * The user's watchlist (Tier A). Click or Enter selects an entry's chain; the ✕ button, Delete or
 * Backspace on a focused entry removes it. An option entry whose chain is no longer open (evicted
 * to make room) is marked, so the trader knows why it shows nothing.
 */
export function WatchlistPanel() {
  const entries = useAppState((s) => s.watchlist);
  const chains = useAppState((s) => s.chains);
  const selected = useAppState((s) => s.selected);
  const { actions } = useServices();
  const year = Number(istDate(Date.now()).slice(0, 4));

  const onKeyDown = (e: KeyboardEvent<HTMLLIElement>, entry: WatchlistEntry): void => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Delete' || e.key === 'Backspace') {
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
                <span className="num muted">{chain ? formatCount(chain.instruments) : e.expiry_date ? <span className="not-live" title="Its chain is not open (evicted to make room, or closed for the day)">not live</span> : ''}</span>
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
