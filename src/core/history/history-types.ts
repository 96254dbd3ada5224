/**
 * The history's shapes as the core hands them out: the two reads the API serves
 * (`GET /api/v2/history/{symbol}` and `.../strikes`) in camelCase, and what writers give.
 */
import type { StrikeColumns } from './strike-codec';

/** One chain-minute's summary. Numbers are null when unknown at that minute. */
export interface HistoryMinute {
  /** Epoch ms of the minute boundary the sample was taken at. */
  t: number;
  underlying: number | null;
  atmStrike: number | null;
  /** CE + PE LTP at `atmStrike`. */
  straddle: number | null;
  /** PE OI / CE OI over the chain's window. */
  pcr: number | null;
  pcrVolume: number | null;
  /** IV (a fraction) at the ATM strike: the mean of the CE and PE IVs known there. */
  atmIv: number | null;
  ceOi: number | null;
  peOi: number | null;
  forward: number | null;
  /**
   * Contracts of the ATM call and put traded during this minute at `atmStrike` (the day volumes'
   * difference from the minute before); derived when read (straddle-volumes.ts), null when not
   * known: the first minute recorded, a gap, a leg's volume unknown.
   */
  straddleVolume: number | null;
  /** True when filled from Dhan's intraday charts, not recorded live. */
  backfilled: boolean;
}

export interface HistoryMinutes {
  symbol: string;
  expiry: string;
  minutes: HistoryMinute[];
}

/** One leg at one minute. */
export interface StrikeLeg {
  ltp: number | null;
  oi: number | null;
  /** OI minus the previous close's OI; null when that is unknown. */
  oiChange: number | null;
  volume: number | null;
  /** A fraction (0.15 = 15%). */
  iv: number | null;
}

export interface HistoryStrikes {
  symbol: string;
  expiry: string;
  /** The minute shown: the latest recorded at or before the one asked for. */
  t: number;
  /** By strike as text (`String(strike)`), in ascending strike order. */
  strikes: Record<string, { CE: StrikeLeg; PE: StrikeLeg }>;
}

/** The summary of one chain at one minute, as the recorder or a back-fill gives it (what is derived when read is not given). */
export type MinuteSummary = Omit<HistoryMinute, 'backfilled' | 'straddleVolume'>;

/** One chain's sample at one minute: its summary and, when known, its strikes. */
export interface ChainMinute {
  symbol: string;
  expiry: string;
  summary: Omit<MinuteSummary, 't'>;
  /** Read during the write only: the caller may reuse it afterwards. */
  strikes: StrikeColumns | null;
}

/** A back-filled minute: a summary and optionally its strikes (legs by strike as text). */
export interface BackfillMinute extends MinuteSummary {
  strikes?: Record<string, { CE?: Partial<StrikeLeg>; PE?: Partial<StrikeLeg> }>;
}
