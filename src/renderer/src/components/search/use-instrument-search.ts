/**
 * Type-ahead over `instruments:search` and the expiry look-up for the highlighted symbol.
 *
 * Policy: every keystroke queries at once (no debounce: the registry answers in about a millisecond
 * and the target is results within 50 ms of the key), and each answer is applied only if it answers
 * the latest query, so a slow earlier query never overwrites a newer one. Expiries are cached per symbol as promises
 * (one request however often a symbol is highlighted), so adding can await the same answer the
 * picker shows.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../../shared/errors';
import type { Transport } from '../../api/transport';
import { groupResults, type SearchGroup } from './search-model';

export const SEARCH_LIMIT = 100;
/** Delay before a query is sent; 0 still folds changes made in one task into one request. */
export const SEARCH_DEBOUNCE_MS = 0;

export interface SearchState {
  /** The query these results answer. */
  query: string;
  groups: SearchGroup[];
  loading: boolean;
  error: ErrorInfo | null;
}

const EMPTY: SearchState = { query: '', groups: [], loading: false, error: null };

/** Results for `query` (trimmed; empty clears at once). */
export function useInstrumentSearch(transport: Transport, query: string, debounceMs = SEARCH_DEBOUNCE_MS): SearchState {
  const [state, setState] = useState<SearchState>(EMPTY);
  const seq = useRef(0);
  useEffect(() => {
    const q = query.trim();
    const mine = ++seq.current;
    if (!q) {
      setState(EMPTY);
      return;
    }
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      void transport.call('instruments:search', { q, limit: SEARCH_LIMIT }).then((r) => {
        if (mine !== seq.current) return;
        if (r.ok) setState({ query: q, groups: groupResults(r.value.results), loading: false, error: null });
        else setState({ query: q, groups: [], loading: false, error: r.error });
      });
    }, debounceMs);
    return () => clearTimeout(timer);
  }, [transport, query, debounceMs]);
  return state;
}

/** The expiries of a symbol, or why they could not be had. */
export type ExpiryAnswer = { ok: true; expiries: string[] } | { ok: false; error: ErrorInfo };

/** A per-transport cache of expiry look-ups; a failed look-up is forgotten so it can be retried. */
export function useExpiryCache(transport: Transport): (symbol: string) => Promise<ExpiryAnswer> {
  const cache = useRef(new Map<string, Promise<ExpiryAnswer>>());
  useEffect(() => {
    cache.current = new Map();
  }, [transport]);
  return useCallback(
    (symbol: string) => {
      let p = cache.current.get(symbol);
      if (!p) {
        p = transport.call('instruments:expiries', { symbol }).then((r): ExpiryAnswer => {
          if (r.ok) return { ok: true, expiries: [...r.value.expiries].sort() };
          cache.current.delete(symbol);
          return { ok: false, error: r.error };
        });
        cache.current.set(symbol, p);
      }
      return p;
    },
    [transport],
  );
}

/** The expiry answer for `symbol` (null while unknown or when symbol is null). */
export function useExpiries(expiriesOf: (symbol: string) => Promise<ExpiryAnswer>, symbol: string | null): ExpiryAnswer | null {
  const [answer, setAnswer] = useState<{ symbol: string; answer: ExpiryAnswer } | null>(null);
  useEffect(() => {
    if (!symbol) return;
    let live = true;
    void expiriesOf(symbol).then((a) => {
      if (live) setAnswer({ symbol, answer: a });
    });
    return () => {
      live = false;
    };
  }, [expiriesOf, symbol]);
  return answer && answer.symbol === symbol ? answer.answer : null;
}
