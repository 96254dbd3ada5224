/** Option-chain shapes shared by the engine, the API and the UI. */
import type { Segment } from './instruments';

/** One side (CE or PE) of a strike. */
export interface ChainLeg {
  segment: Segment;
  securityId: number;
  tradingSymbol: string;
}

export interface ChainStrike {
  strike: number;
  ce: ChainLeg | null;
  pe: ChainLeg | null;
}

/** The listed strikes around the at-the-money strike of one underlying and expiry. */
export interface OptionChain {
  symbol: string;
  /** Segment of the option contracts (NSE_FNO, BSE_FNO, MCX_COMM, ...). */
  segment: Segment;
  expiry: string;
  ltp: number;
  /** Strike step near the money, derived from the listed strikes. */
  step: number;
  atm: number;
  lotSize: number;
  /** The instrument whose price drives the ATM (index, stock, or MCX future); null if not listed. */
  underlying: { segment: Segment; securityId: number; tradingSymbol: string } | null;
  strikes: ChainStrike[];
}

/**
 * The listed strike of `chain` nearest the underlying's `ltp` (ties to the higher strike, as the
 * ATM rounds), or null without a price or strikes. The chain's ATM is its window's centre and
 * moves only after a full strike step, so the two can differ between re-centres.
 */
export function nearestStrike(chain: Pick<OptionChain, 'strikes'>, ltp: number | null | undefined): number | null {
  if (ltp === null || ltp === undefined || !(ltp > 0) || !Number.isFinite(ltp)) return null;
  let best: number | null = null;
  let gap = Infinity;
  for (const { strike } of chain.strikes) {
    const d = Math.abs(strike - ltp);
    if (d < gap || (d === gap && best !== null && strike > best)) {
      best = strike;
      gap = d;
    }
  }
  return best;
}
