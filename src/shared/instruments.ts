/**
 * Instrument domain types shared by every layer. An instrument is identified by
 * (segment, securityId): Dhan's security ids repeat across segments.
 */

/** Dhan exchange segments (annexure), plus NSE_COMM for the master's `NSE,M` rows, which Dhan's
 * feed enum does not name. */
export const SEGMENTS = [
  'IDX_I', 'NSE_EQ', 'NSE_FNO', 'NSE_CURRENCY', 'BSE_EQ', 'MCX_COMM', 'BSE_CURRENCY', 'BSE_FNO', 'NSE_COMM',
] as const;
export type Segment = (typeof SEGMENTS)[number];

/** Numeric segment codes used in the binary feed header (annexure); NSE_COMM has none. */
export const SEGMENT_FEED_CODE: Readonly<Record<Segment, number | null>> = {
  IDX_I: 0, NSE_EQ: 1, NSE_FNO: 2, NSE_CURRENCY: 3, BSE_EQ: 4, MCX_COMM: 5, BSE_CURRENCY: 7, BSE_FNO: 8,
  NSE_COMM: null,
};

export const EXCHANGES = ['NSE', 'BSE', 'MCX'] as const;
export type Exchange = (typeof EXCHANGES)[number];

/** SEM_INSTRUMENT_NAME values. */
export const INSTRUMENT_KINDS = [
  'EQUITY', 'INDEX', 'FUTIDX', 'FUTSTK', 'OPTIDX', 'OPTSTK', 'FUTCOM', 'OPTFUT', 'FUTCUR', 'OPTCUR',
] as const;
export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];

export type OptionType = 'CE' | 'PE';

/** M monthly, W weekly, Q quarterly, H half-yearly. */
export type ExpiryFlag = 'M' | 'W' | 'Q' | 'H';

/** One tradable instrument, normalised from a scrip-master row. Dates are `YYYY-MM-DD`. */
export interface Instrument {
  segment: Segment;
  securityId: number;
  exchange: Exchange;
  kind: InstrumentKind;
  /** Exchange-style symbol, e.g. `NIFTY-Feb2026-25300-CE`, `RELIANCE`. */
  tradingSymbol: string;
  /** Dhan display name (SEM_CUSTOM_SYMBOL), e.g. `NIFTY 10 FEB 25300 CALL`. */
  displayName: string;
  /** Underlying symbol: the symbol itself for equities and indices, derived from the trading
   * symbol for derivatives (`NIFTY`, `RELIANCE`, `CRUDEOIL`). */
  underlying: string;
  /** Company or index name from SM_SYMBOL_NAME; '' where blank. */
  name: string;
  expiry: string | null;
  strike: number | null;
  optionType: OptionType | null;
  lotSize: number;
  /** Tick size in rupees (the CSV carries paise). */
  tickSize: number;
  expiryFlag: ExpiryFlag | null;
  /** SEM_SERIES (EQ, BE, A, ...); '' where blank. */
  series: string;
}

/** A reference to one instrument. */
export interface InstrumentRef {
  segment: Segment;
  securityId: number;
}

export function isOptionKind(kind: InstrumentKind): boolean {
  return kind === 'OPTIDX' || kind === 'OPTSTK' || kind === 'OPTFUT' || kind === 'OPTCUR';
}

export function isFutureKind(kind: InstrumentKind): boolean {
  return kind === 'FUTIDX' || kind === 'FUTSTK' || kind === 'FUTCOM' || kind === 'FUTCUR';
}

/**
 * An instrument token: `<segment>:<securityId>`, e.g. `NSE_FNO:42512`. The one string key for an
 * instrument across the database, the API and logs (security ids alone repeat across segments).
 */
export type InstrumentToken = string;

/** The token of an instrument reference. */
export function tokenOf(ref: InstrumentRef): InstrumentToken {
  return `${ref.segment}:${ref.securityId}`;
}

/** True for a segment name this product knows. */
export function isSegment(value: string): value is Segment {
  return SEGMENT_SET.has(value as Segment);
}

/** Parse a token; null when it is not `<known segment>:<non-negative integer>`. */
export function parseToken(token: string): InstrumentRef | null {
  const colon = token.indexOf(':');
  if (colon < 0 || token.length - colon - 1 < 1 || token.length - colon - 1 > 10) return null;
  const segment = token.slice(0, colon) as Segment;
  if (!isSegment(segment)) return null;
  let securityId = 0;
  for (let i = colon + 1; i < token.length; i++) {
    const c = token.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    securityId = securityId * 10 + c;
  }
  return securityId <= 2147483647 ? { segment, securityId } : null;
}

const SEGMENT_SET: ReadonlySet<string> = new Set(SEGMENTS);
