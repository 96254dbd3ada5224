/**
 * The session history's part of the contract (issue 18): what `history:minutes` and
 * `history:strikes` answer, and what the stream's history view carries. Types only; contract.ts
 * re-exports them.
 */

/** One recorded minute of a chain (issue 18). Numbers are null when unknown at that minute. */
export interface HistoryMinuteView {
  /** Epoch ms of the minute. */
  t: number;
  underlying: number | null;
  atm_strike: number | null;
  /** CE + PE LTP at the ATM strike. */
  straddle: number | null;
  /** Put-call ratio by OI, and by volume. */
  pcr: number | null;
  pcr_volume: number | null;
  /** IV at the ATM (a fraction). */
  atm_iv: number | null;
  ce_oi: number | null;
  pe_oi: number | null;
  forward: number | null;
  /**
   * Contracts of the ATM call and put traded during this minute, at this minute's ATM strike (the
   * weights of the straddle's VWAP); null when not known (the first minute recorded, a gap).
   */
  straddle_volume: number | null;
  /** Filled from Dhan's intraday charts, not recorded live. */
  backfilled: boolean;
}

export interface HistoryMinutesView {
  symbol: string;
  expiry: string;
  minutes: HistoryMinuteView[];
}

/** One leg at one recorded minute. */
export interface HistoryLegView {
  ltp: number | null;
  oi: number | null;
  /** OI minus the previous close's OI. */
  oi_change: number | null;
  volume: number | null;
  iv: number | null;
}

export interface HistoryStrikesView {
  symbol: string;
  expiry: string;
  /** The minute shown (the latest at or before the one asked for); null when nothing is recorded yet. */
  t: number | null;
  strikes: Record<string, { CE: HistoryLegView; PE: HistoryLegView }>;
}
