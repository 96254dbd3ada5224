/**
 * Search results as a trader wants them: one row per underlying symbol (the engine returns every
 * contract that matches), represented by its most telling row, and what adding it means.
 */
import type { CommandResponse, INSTRUMENT_TYPES } from '../../../../shared/contract';

export type SearchRow = CommandResponse<'instruments:search'>['results'][number];
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

/** One underlying symbol in the result list. */
export interface SearchGroup {
  symbol: string;
  /** The representative row's kind and segment (INDEX/EQUITY preferred). */
  kind: string;
  segment: string;
  /** How many matching rows this symbol had. */
  rows: number;
}

const KIND_RANK: Record<string, number> = { INDEX: 0, EQUITY: 1 };
const SEGMENT_RANK: Record<string, number> = { IDX_I: 0, NSE_EQ: 1, BSE_EQ: 2, NSE_FNO: 3, BSE_FNO: 4, MCX_COMM: 5 };
const rank = (r: SearchRow): number => (KIND_RANK[r.kind] ?? (r.kind.startsWith('FUT') ? 2 : 3)) * 10 + (SEGMENT_RANK[r.segment] ?? 9);

/** Group rows by symbol, keeping the engine's order of first appearance (its relevance order). */
export function groupResults(rows: readonly SearchRow[]): SearchGroup[] {
  const groups = new Map<string, { best: SearchRow; rows: number }>();
  for (const row of rows) {
    const g = groups.get(row.symbol);
    if (!g) groups.set(row.symbol, { best: row, rows: 1 });
    else {
      g.rows += 1;
      if (rank(row) < rank(g.best)) g.best = row;
    }
  }
  return [...groups.values()].map(({ best, rows: n }) => ({ symbol: best.symbol, kind: best.kind, segment: best.segment, rows: n }));
}

/** What `watchlist:add` is asked for: index options for an index, stock options when it has expiries, else the equity. */
export function instrumentTypeOf(group: Pick<SearchGroup, 'kind'>, expiries: readonly string[]): InstrumentType {
  if (group.kind === 'INDEX') return 'INDEX_OPTION';
  return expiries.length > 0 ? 'STOCK_OPTION' : 'EQUITY';
}
