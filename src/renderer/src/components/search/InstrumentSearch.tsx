import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { showError } from '../../state/app-store';
import { useServices } from '../../state/app-context';
import { formatExpiry } from '../format';
import { isTyping } from '../keyboard';
import { actionOf, headingShowsAll, instrumentTypeOf, type SearchGroup, type SearchRow } from './search-model';
import { useExpiries, useExpiryCache, useInstrumentSearch } from './use-instrument-search';
import './search.css';

/**
 * Instrument search: type-ahead, results grouped by underlying (every row the engine returned is
 * listed under its symbol), an expiry picker for the highlighted symbol.
 *
 * Each symbol's row says what Enter does ("Stock options", "Index options", "Equity", …), with the
 * instrument kind secondary; the footer's button says it again with the expiry beside it.
 * Keys: `/` anywhere focuses it, ArrowUp/ArrowDown move between symbols, Enter adds the highlighted
 * one to the watchlist (if results for the latest query are still on their way, it adds the first
 * of them when they come), Escape clears. A double click adds too; on a contract line (a future
 * or an option) it adds that contract's expiry when the symbol has options expiring then.
 */
export function InstrumentSearch() {
  const { transport, actions, store } = useServices();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [choice, setChoice] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [focused, setFocused] = useState(false);
  const pendingEnter = useRef(false);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const search = useInstrumentSearch(transport, query);
  const expiriesOf = useExpiryCache(transport);

  const trimmed = query.trim();
  const groups = trimmed ? search.groups : [];
  const current = search.query === trimmed && !search.loading;
  const index = Math.max(0, Math.min(active, groups.length - 1));
  const highlighted: SearchGroup | null = groups[index] ?? null;
  const expiryAnswer = useExpiries(expiriesOf, highlighted?.symbol ?? null);
  const expiries = expiryAnswer?.ok ? expiryAnswer.expiries : null;
  const picked = highlighted && expiries ? (expiries.includes(choice[highlighted.symbol] ?? '') ? choice[highlighted.symbol]! : (expiries[0] ?? '')) : '';

  useEffect(() => setActive(0), [search.groups]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      // In another text field `/` types a slash; in the search box itself it selects the query.
      if (isTyping(e.target) && e.target !== input.current) return;
      e.preventDefault();
      const focus = (): void => {
        input.current?.focus();
        input.current?.select();
      };
      // With the lists folded away the search box is hidden: bring them back first.
      if (store.getState().layout.collapsed.sidebar) {
        actions.togglePanel('sidebar');
        requestAnimationFrame(focus);
      } else {
        focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [store, actions]);

  const add = async (group: SearchGroup, preferExpiry?: string): Promise<void> => {
    setBusy(true);
    try {
      const answer = await expiriesOf(group.symbol);
      if (!answer.ok) {
        showError(store, `Add ${group.symbol}`, answer.error);
        return;
      }
      const type = instrumentTypeOf(group, answer.expiries);
      const wanted = preferExpiry && answer.expiries.includes(preferExpiry) ? preferExpiry : choice[group.symbol];
      const expiry = type === 'EQUITY' ? undefined : wanted && answer.expiries.includes(wanted) ? wanted : answer.expiries[0];
      const ok = await actions.add({ symbol: group.symbol, instrument_type: type, ...(expiry ? { expiry } : {}) });
      if (ok) setQuery('');
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (!pendingEnter.current || !current) return;
    pendingEnter.current = false;
    if (search.groups[0]) void add(search.groups[0]);
    // Deliberately keyed on the results only (not on `add`, recreated every render).
  }, [current, search.groups]);

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        setActive(Math.min(index + 1, groups.length - 1));
        break;
      case 'ArrowUp':
        e.preventDefault();
        setActive(Math.max(index - 1, 0));
        break;
      case 'Enter':
        e.preventDefault();
        if (busy || !trimmed) break;
        if (current && highlighted) void add(highlighted);
        else if (!current) pendingEnter.current = true;
        break;
      case 'Escape':
        e.preventDefault();
        pendingEnter.current = false;
        if (query) setQuery('');
        else input.current?.blur();
        break;
    }
  };

  const open = trimmed.length > 0 && focused;
  return (
    <div
      className="search"
      onFocus={() => setFocused(true)}
      onBlur={(e) => {
        // The popup closes when focus leaves the search (its picker and button are inside it).
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocused(false);
      }}
    >
      <input
        ref={input}
        className="search-input"
        data-testid="search-input"
        type="search"
        role="combobox"
        aria-expanded={open && groups.length > 0}
        aria-controls={listId}
        aria-activedescendant={highlighted ? `${listId}-${index}` : undefined}
        aria-label="Search instruments"
        placeholder="Search symbol   /"
        autoComplete="off"
        spellCheck={false}
        value={query}
        onChange={(e) => {
          pendingEnter.current = false;
          setQuery(e.target.value);
        }}
        onKeyDown={onKeyDown}
      />
      {open && (
        <div className="search-popup">
          <ul className="search-results" role="listbox" id={listId} aria-label="Search results" data-query={search.query}>
            {groups.map((g, i) => {
              const action = actionOf(g, i === index ? expiries : null);
              return (
                <li
                  key={g.symbol}
                  id={`${listId}-${i}`}
                  role="option"
                  className="search-result search-group"
                  data-testid="search-result"
                  data-symbol={g.symbol}
                  data-action={action}
                  aria-selected={i === index}
                  aria-label={`${g.symbol}: ${action} (${g.rows} ${g.rows === 1 ? 'match' : 'matches'})`}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => setActive(i)}
                  onDoubleClick={() => void add(g)}
                >
                  <div className="search-head">
                    <span className="sym">{g.symbol}</span>
                    <span className="search-action" data-testid="search-action">
                      {action}
                    </span>
                    <span className="search-kind">
                      <span className={`kind kind-${g.kind.toLowerCase()}`}>{g.kind}</span> <span className="seg">{g.segment}</span>
                    </span>
                  </div>
                  {!headingShowsAll(g) && (
                    <ul className="search-contracts">
                      {g.instruments.map((r, k) => (
                        <li
                          // Position, not (segment, id): the list is one answer, and a key must never collide.
                          key={k}
                          className="search-contract"
                          data-testid="search-instrument"
                          data-trading-symbol={r.trading_symbol}
                          onClick={() => {
                            if (r.expiry) setChoice((c) => ({ ...c, [g.symbol]: r.expiry! }));
                          }}
                          onDoubleClick={(e) => {
                            e.stopPropagation();
                            void add(g, r.expiry ?? undefined);
                          }}
                        >
                          <span className="tsym">{r.trading_symbol}</span>
                          <span className="kind">{r.kind}</span>
                          <span className="when">{contractDetail(r)}</span>
                          <span className="seg">{r.segment}</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ul>
          {groups.length === 0 && <div className="search-empty">{search.loading || !current ? 'Searching…' : search.error ? `${search.error.code}: ${search.error.message}` : `No instrument matches “${trimmed}”`}</div>}
          {highlighted && (
            <div className="search-footer">
              <label className="muted" htmlFor={`${listId}-expiry`}>
                Expiry
              </label>
              <select
                id={`${listId}-expiry`}
                className="expiry-picker"
                data-testid="expiry-picker"
                value={picked}
                disabled={!expiries || expiries.length === 0}
                onChange={(e) => setChoice((c) => ({ ...c, [highlighted.symbol]: e.target.value }))}
              >
                {expiries === null && <option value="">{expiryAnswer && !expiryAnswer.ok ? 'unavailable' : 'loading…'}</option>}
                {expiries?.length === 0 && <option value="">no options: equity</option>}
                {expiries?.map((x) => (
                  <option key={x} value={x}>
                    {formatExpiry(x)}
                  </option>
                ))}
              </select>
              <button type="button" className="btn btn-primary" data-testid="search-add" disabled={busy} onClick={() => void add(highlighted)}>
                {busy ? 'Adding…' : `Add ${actionOf(highlighted, expiries).toLowerCase()} ⏎`}
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

/** A contract line's expiry and, for an option, its strike and side ("29 Dec 26 1400 CE"). */
function contractDetail(r: SearchRow): string {
  const parts: string[] = [];
  if (r.expiry) parts.push(formatExpiry(r.expiry));
  if (r.strike !== null) parts.push(String(r.strike));
  if (r.option_type) parts.push(r.option_type);
  return parts.join(' ');
}
