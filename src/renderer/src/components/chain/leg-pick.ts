/**
 * Picking a leg from the chain for the strategy builder: a click on a bid sells at that bid, a
 * click on an ask buys at that ask (the price a trader would trade at); on any cell of a leg, the
 * keys B and S buy or sell it at its ask or bid (the live mid when that side is not quoted).
 */
import type { ChainRow } from './chain-model';

/** A leg picked from the grid. */
export interface LegPick {
  strike: number;
  option_type: 'CE' | 'PE';
  side: 'BUY' | 'SELL';
  /** The quote picked; null = let the engine price it (mid, else LTP). */
  price: number | null;
}

const positive = (x: number | null | undefined): number | null => (x !== null && x !== undefined && Number.isFinite(x) && x > 0 ? x : null);

function pick(row: ChainRow, leg: 'ce' | 'pe', side: 'BUY' | 'SELL'): LegPick | null {
  const q = row[leg];
  if (!q) return null;
  return { strike: row.strike, option_type: leg === 'ce' ? 'CE' : 'PE', side, price: positive(side === 'BUY' ? q.ask : q.bid) };
}

/** The leg a click on column `colId` of `row` picks: bid cells sell, ask cells buy; other cells none. */
export function legPickOnClick(colId: string, row: ChainRow | undefined): LegPick | null {
  if (!row) return null;
  const m = /^(ce|pe)_(bid|ask)$/.exec(colId);
  return m ? pick(row, m[1] as 'ce' | 'pe', m[2] === 'bid' ? 'SELL' : 'BUY') : null;
}

/** The leg key `key` (B buys, S sells) picks on column `colId` of `row`; null for other keys and cells. */
export function legPickOnKey(key: string, colId: string, row: ChainRow | undefined): LegPick | null {
  if (!row) return null;
  const side = key === 'b' || key === 'B' ? 'BUY' : key === 's' || key === 'S' ? 'SELL' : null;
  const m = /^(ce|pe)_/.exec(colId);
  return side && m ? pick(row, m[1] as 'ce' | 'pe', side) : null;
}
