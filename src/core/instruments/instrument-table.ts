/**
 * Columnar instrument storage. A scrip master has ~290k rows; one object per row would cost
 * several hundred bytes each, so numeric fields live in typed arrays and repeating strings are
 * interned. Rows are addressed by index; `Instrument` objects are built only on demand.
 */
import {
  EXCHANGES,
  INSTRUMENT_KINDS,
  SEGMENTS,
  type Exchange,
  type ExpiryFlag,
  type Instrument,
  type InstrumentKind,
  type OptionType,
  type Segment,
} from '../../shared/instruments';
import { epochDayToIso } from './dates';
import { TextColumnBuilder, ByteInterner } from './text-builders';
import type { TextColumn } from './text-column';

export const OPTION_TYPES: readonly (OptionType | null)[] = [null, 'CE', 'PE'];
export const EXPIRY_FLAGS: readonly (ExpiryFlag | null)[] = [null, 'M', 'W', 'Q', 'H'];
/** Sentinel for "no expiry" in the epoch-day column. */
export const NO_EXPIRY = -2147483648;

export const SEGMENT_INDEX: Readonly<Record<Segment, number>> = Object.fromEntries(
  SEGMENTS.map((s, i) => [s, i]),
) as Record<Segment, number>;
export const KIND_INDEX: Readonly<Record<InstrumentKind, number>> = Object.fromEntries(
  INSTRUMENT_KINDS.map((k, i) => [k, i]),
) as Record<InstrumentKind, number>;
export const EXCHANGE_INDEX: Readonly<Record<Exchange, number>> = Object.fromEntries(
  EXCHANGES.map((e, i) => [e, i]),
) as Record<Exchange, number>;

/** Numeric key of (segment, securityId): unique across the whole master. */
export function instrumentKey(segmentIndex: number, securityId: number): number {
  return segmentIndex * 4294967296 + securityId;
}

/** The columns of one table. Every typed array has exactly `count` elements. */
export interface InstrumentColumns {
  count: number;
  segment: Uint8Array;
  exchange: Uint8Array;
  kind: Uint8Array;
  optionType: Uint8Array;
  expiryFlag: Uint8Array;
  securityId: Int32Array;
  /** Index into `strings` of the underlying symbol. */
  underlying: Int32Array;
  /** Index into `strings` of the series. */
  series: Int32Array;
  /** Days since 1970-01-01, or NO_EXPIRY. */
  expiry: Int32Array;
  lotSize: Float64Array;
  strike: Float64Array;
  tickSize: Float64Array;
  tradingSymbol: TextColumn;
  displayName: TextColumn;
  /** SM_SYMBOL_NAME; '' for most derivatives. */
  name: TextColumn;
  /** Interned strings (underlyings, series). */
  strings: string[];
}

/** Read access to one instrument table. */
export class InstrumentTable {
  /** Expiry dates as text, by epoch day: a master has a few hundred distinct expiries. */
  private readonly isoMemo = new Map<number, string>();

  constructor(readonly cols: InstrumentColumns) {}

  get count(): number {
    return this.cols.count;
  }

  segmentOf(row: number): Segment {
    return SEGMENTS[this.cols.segment[row]!]!;
  }

  kindOf(row: number): InstrumentKind {
    return INSTRUMENT_KINDS[this.cols.kind[row]!]!;
  }

  underlyingOf(row: number): string {
    return this.cols.strings[this.cols.underlying[row]!]!;
  }

  expiryOf(row: number): string | null {
    const d = this.cols.expiry[row]!;
    if (d === NO_EXPIRY) return null;
    let iso = this.isoMemo.get(d);
    if (iso === undefined) {
      iso = epochDayToIso(d);
      this.isoMemo.set(d, iso);
    }
    return iso;
  }

  /** Materialise one row as a plain object. */
  get(row: number): Instrument {
    const c = this.cols;
    const strike = c.strike[row]!;
    return {
      segment: SEGMENTS[c.segment[row]!]!,
      securityId: c.securityId[row]!,
      exchange: EXCHANGES[c.exchange[row]!]!,
      kind: INSTRUMENT_KINDS[c.kind[row]!]!,
      tradingSymbol: c.tradingSymbol.get(row),
      displayName: c.displayName.get(row),
      underlying: c.strings[c.underlying[row]!]!,
      name: c.name.get(row),
      expiry: this.expiryOf(row),
      strike: Number.isNaN(strike) ? null : strike,
      optionType: OPTION_TYPES[c.optionType[row]!]!,
      lotSize: c.lotSize[row]!,
      tickSize: c.tickSize[row]!,
      expiryFlag: EXPIRY_FLAGS[c.expiryFlag[row]!]!,
      series: c.strings[c.series[row]!]!,
    };
  }
}

/** Appends rows into growable columns; `finish()` trims them into an InstrumentTable. */
export class InstrumentTableBuilder {
  private cap: number;
  count = 0;
  segment: Uint8Array;
  exchange: Uint8Array;
  kind: Uint8Array;
  optionType: Uint8Array;
  expiryFlag: Uint8Array;
  securityId: Int32Array;
  underlying: Int32Array;
  series: Int32Array;
  expiry: Int32Array;
  lotSize: Float64Array;
  strike: Float64Array;
  tickSize: Float64Array;
  /** Text columns as UTF-8 bytes, decoded once by `finish()`. */
  readonly tradingSymbol: TextColumnBuilder;
  readonly displayName: TextColumnBuilder;
  readonly name: TextColumnBuilder;
  /** Interned strings (underlyings, series), keyed by their bytes. */
  readonly strings = new ByteInterner();

  constructor(initialCapacity = 1024) {
    this.cap = Math.max(16, initialCapacity);
    this.tradingSymbol = new TextColumnBuilder(this.cap, 24);
    this.displayName = new TextColumnBuilder(this.cap, 26);
    this.name = new TextColumnBuilder(this.cap, 4);
    this.segment = new Uint8Array(this.cap);
    this.exchange = new Uint8Array(this.cap);
    this.kind = new Uint8Array(this.cap);
    this.optionType = new Uint8Array(this.cap);
    this.expiryFlag = new Uint8Array(this.cap);
    this.securityId = new Int32Array(this.cap);
    this.underlying = new Int32Array(this.cap);
    this.series = new Int32Array(this.cap);
    this.expiry = new Int32Array(this.cap);
    this.lotSize = new Float64Array(this.cap);
    this.strike = new Float64Array(this.cap);
    this.tickSize = new Float64Array(this.cap);
  }

  /** Reserve the next row and return its index; the caller fills every column, text ones included. */
  nextRow(): number {
    if (this.count === this.cap) this.grow();
    return this.count++;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.segment = g(this.segment, (n) => new Uint8Array(n));
    this.exchange = g(this.exchange, (n) => new Uint8Array(n));
    this.kind = g(this.kind, (n) => new Uint8Array(n));
    this.optionType = g(this.optionType, (n) => new Uint8Array(n));
    this.expiryFlag = g(this.expiryFlag, (n) => new Uint8Array(n));
    this.securityId = g(this.securityId, (n) => new Int32Array(n));
    this.underlying = g(this.underlying, (n) => new Int32Array(n));
    this.series = g(this.series, (n) => new Int32Array(n));
    this.expiry = g(this.expiry, (n) => new Int32Array(n));
    this.lotSize = g(this.lotSize, (n) => new Float64Array(n));
    this.strike = g(this.strike, (n) => new Float64Array(n));
    this.tickSize = g(this.tickSize, (n) => new Float64Array(n));
    this.cap = cap;
  }

  finish(): InstrumentTable {
    const n = this.count;
    return new InstrumentTable({
      count: n,
      segment: this.segment.slice(0, n),
      exchange: this.exchange.slice(0, n),
      kind: this.kind.slice(0, n),
      optionType: this.optionType.slice(0, n),
      expiryFlag: this.expiryFlag.slice(0, n),
      securityId: this.securityId.slice(0, n),
      underlying: this.underlying.slice(0, n),
      series: this.series.slice(0, n),
      expiry: this.expiry.slice(0, n),
      lotSize: this.lotSize.slice(0, n),
      strike: this.strike.slice(0, n),
      tickSize: this.tickSize.slice(0, n),
      tradingSymbol: this.tradingSymbol.finish(),
      displayName: this.displayName.finish(),
      name: this.name.finish(),
      strings: this.strings.strings,
    });
  }
}
