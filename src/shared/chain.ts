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
