/**
 * Search results as a trader wants them: grouped by underlying symbol (the engine returns every
 * contract that matches: "reli" gives RELIANCE's NSE and BSE equity and its three futures), with
 * every row the engine returned kept and shown under its symbol, and what adding the symbol does.
 *
 * Policy:
 * - Grouping never drops a row. A group is headed by its most telling row (INDEX, then EQUITY,
 *   NSE before BSE) and lists all of its rows, in the engine's (relevance) order.
 * - The action is named for what Enter does, not for the row's kind: an equity with options adds
 *   the stock-option chain ("Stock options"), an index with options the index-option chain,
 *   anything without options the spot entry ("Equity", "Index spot"). The kind (EQUITY, INDEX,
 *   FUTSTK, …) is secondary.
 * - Whether a symbol has options is known for certain only from its expiries (fetched for the
 *   highlighted symbol); until then a future or option among its rows is taken as the hint.
 * - An index is recognised by any INDEX, FUTIDX or OPTIDX row, so NIFTYNXT50 (futures only in the
 *   result) is added as INDEX_OPTION, as the engine requires.
 */
import type { CommandResponse, INSTRUMENT_TYPES } from '../../../../shared/contract';

export type SearchRow = CommandResponse<'instruments:search'>['results'][number];
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];

/** Where a symbol's derivatives trade, for the action's wording. */
export type Market = 'stock' | 'commodity' | 'currency';

/** One underlying symbol in the result list. */
export interface SearchGroup {
  symbol: string;
  /** The representative row's kind and segment (INDEX/EQUITY preferred). */
  kind: string;
  segment: string;
  /** How many matching rows this symbol had (= rows.length). */
  rows: number;
  /** Every row the engine returned for this symbol, in its order. */
  instruments: SearchRow[];
  /** An index (an INDEX, FUTIDX or OPTIDX row). */
  index: boolean;
  /** A future or an option is among the rows: the symbol probably has options. */
  derivatives: boolean;
  market: Market;
}

const KIND_RANK: Record<string, number> = { INDEX: 0, EQUITY: 1 };
const SEGMENT_RANK: Record<string, number> = { IDX_I: 0, NSE_EQ: 1, BSE_EQ: 2, NSE_FNO: 3, BSE_FNO: 4, MCX_COMM: 5 };
const rank = (r: SearchRow): number => (KIND_RANK[r.kind] ?? (r.kind.startsWith('FUT') ? 2 : 3)) * 10 + (SEGMENT_RANK[r.segment] ?? 9);
const INDEX_KINDS = new Set(['INDEX', 'FUTIDX', 'OPTIDX']);
const isDerivative = (kind: string): boolean => kind.startsWith('FUT') || kind.startsWith('OPT');

function marketOf(rows: readonly SearchRow[]): Market {
  if (rows.some((r) => r.segment === 'MCX_COMM' || r.segment === 'NSE_COMM')) return 'commodity';
  if (rows.some((r) => r.segment.endsWith('_CURRENCY'))) return 'currency';
  return 'stock';
}

/** Group rows by symbol, keeping the engine's order of first appearance (its relevance order). */
export function groupResults(rows: readonly SearchRow[]): SearchGroup[] {
  const groups = new Map<string, { best: SearchRow; rows: SearchRow[] }>();
  for (const row of rows) {
    const g = groups.get(row.symbol);
    if (!g) groups.set(row.symbol, { best: row, rows: [row] });
    else {
      g.rows.push(row);
      if (rank(row) < rank(g.best)) g.best = row;
    }
  }
  return [...groups.values()].map(({ best, rows: list }) => ({
    symbol: best.symbol,
    kind: best.kind,
    segment: best.segment,
    rows: list.length,
    instruments: list,
    index: list.some((r) => INDEX_KINDS.has(r.kind)),
    derivatives: list.some((r) => isDerivative(r.kind)),
    market: marketOf(list),
  }));
}

/** What `watchlist:add` is asked for: the option chain when the symbol has expiries, else its spot. */
export function instrumentTypeOf(group: Pick<SearchGroup, 'index'>, expiries: readonly string[]): InstrumentType {
  if (expiries.length === 0) return 'EQUITY';
  return group.index ? 'INDEX_OPTION' : 'STOCK_OPTION';
}

/**
 * What Enter does with this group, for its label: from the expiries when known, else from the
 * rows' hint. "Stock options", "Index options", "Commodity options", "Currency options",
 * "Equity" or "Index spot".
 */
export function actionOf(group: Pick<SearchGroup, 'index' | 'derivatives' | 'market'>, expiries: readonly string[] | null): string {
  const options = expiries ? expiries.length > 0 : group.derivatives;
  if (!options) return group.index ? 'Index spot' : 'Equity';
  if (group.index) return 'Index options';
  return group.market === 'commodity' ? 'Commodity options' : group.market === 'currency' ? 'Currency options' : 'Stock options';
}

/** True when a group's only row is the one its heading already shows (no need to list it again). */
export function headingShowsAll(group: SearchGroup): boolean {
  return group.rows === 1 && group.instruments[0]!.trading_symbol === group.symbol;
}
