/**
 * The instrument registry: lookups over one parsed scrip master. Everything is keyed by
 * (segment, security id), since Dhan reuses ids across segments. Per-underlying structures
 * (expiries, strike ladders) are built on first use and cached, so loading stays fast.
 */
import type { OptionChain } from '../../shared/chain';
import { AppError } from '../../shared/errors';
import { SEGMENTS, type Instrument, type InstrumentRef, type OptionType, type Segment } from '../../shared/instruments';
import { deriveStrikeStep, isUsableLtp, nearestStrikeIndex, roundToStep, strikeWindow } from './strike-math';
import { epochDayToIso, isoToEpochDay, istEpochDay } from './dates';
import { KIND_INDEX, NO_EXPIRY, SEGMENT_INDEX, type InstrumentTable } from './instrument-table';
import type { KeyIndex } from './key-index';
import type { ParsedMaster, ParseReport } from './master-parser';
import { INDEX_ALIASES } from './symbols';

/** Default chain sizes (DESIGN.md): 101 strikes for index options, 25 for the rest. */
export const INDEX_CHAIN_STRIKES = 101;
export const STOCK_CHAIN_STRIKES = 25;

/** Where a symbol's options are looked for first when it trades on several venues. */
const OPTION_SEGMENT_PRIORITY: Segment[] = ['NSE_FNO', 'BSE_FNO', 'MCX_COMM', 'NSE_CURRENCY', 'BSE_CURRENCY', 'NSE_COMM'];

const K = KIND_INDEX;
const OPTION_KIND = new Uint8Array(16);
const FUTURE_KIND = new Uint8Array(16);
for (const k of [K.OPTIDX, K.OPTSTK, K.OPTFUT, K.OPTCUR]) OPTION_KIND[k] = 1;
for (const k of [K.FUTIDX, K.FUTSTK, K.FUTCOM, K.FUTCUR]) FUTURE_KIND[k] = 1;

/** The strikes of one (underlying, segment, expiry), ascending, with their CE/PE rows (-1 if absent). */
export interface StrikeLadder {
  strikes: Float64Array;
  ce: Int32Array;
  pe: Int32Array;
  /** True when the contracts are index options (OPTIDX). */
  indexOptions: boolean;
}

export interface RegistryOptions {
  /** Clock for "today" (IST); tests inject one. */
  now?: () => number;
}

export interface ChainRequest {
  symbol: string;
  ltp: number;
  expiry?: string;
  segment?: Segment;
  /** Strikes wanted: default 101 for index options, 25 otherwise. */
  strikes?: number;
  /** "Today" as YYYY-MM-DD; defaults to the clock's IST date. */
  asOf?: string;
}

export class InstrumentRegistry {
  readonly table: InstrumentTable;
  readonly report: ParseReport;
  private readonly keyIndex: KeyIndex;
  private readonly now: () => number;
  /** Interned underlying symbol -> string index. */
  private readonly symbolIndex = new Map<string, number>();
  /** Rows grouped by underlying: rows of string index u are groupRows[groupStart[u] .. groupStart[u+1]). */
  private readonly groupStart: Int32Array;
  private readonly groupRows: Int32Array;
  private readonly ladders = new Map<string, StrikeLadder>();
  private readonly expiryCache = new Map<string, Int32Array>();

  constructor(parsed: ParsedMaster, options: RegistryOptions = {}) {
    this.table = parsed.table;
    this.report = parsed.report;
    this.keyIndex = parsed.keyIndex;
    this.now = options.now ?? Date.now;
    const cols = this.table.cols;
    const nStrings = cols.strings.length;
    const start = new Int32Array(nStrings + 1);
    for (let r = 0; r < cols.count; r++) start[cols.underlying[r]! + 1]!++;
    for (let u = 0; u < nStrings; u++) start[u + 1]! += start[u]!;
    const fill = start.slice(0, nStrings);
    const rows = new Int32Array(cols.count);
    for (let r = 0; r < cols.count; r++) rows[fill[cols.underlying[r]!]!++] = r;
    this.groupStart = start;
    this.groupRows = rows;
    for (let u = 0; u < nStrings; u++) if (start[u + 1]! > start[u]!) this.symbolIndex.set(cols.strings[u]!, u);
  }

  /** Number of instruments. */
  get size(): number {
    return this.table.count;
  }

  /** Today's IST date as YYYY-MM-DD, from the injected clock. */
  today(): string {
    return epochDayToIso(istEpochDay(this.now()));
  }

  /** Row of (segment, securityId), or -1. */
  rowOf(segment: Segment, securityId: number): number {
    const seg = SEGMENT_INDEX[segment];
    if (seg === undefined) return -1;
    return this.keyIndex.find(seg, securityId);
  }

  /** The instrument for (segment, securityId), or undefined. */
  get(ref: InstrumentRef): Instrument | undefined {
    const row = this.rowOf(ref.segment, ref.securityId);
    return row < 0 ? undefined : this.table.get(row);
  }

  /** Known underlying/trading symbols (upper-case), for search. */
  symbols(): IterableIterator<string> {
    return this.symbolIndex.keys();
  }

  /**
   * Visit every symbol with its rows, `rows[from .. to)`, in the order symbols first appear in the
   * master; no per-symbol lookup or allocation (the search index is built this way).
   */
  forEachSymbol(visit: (symbol: string, rows: Int32Array, from: number, to: number) => void): void {
    const strings = this.table.cols.strings;
    const start = this.groupStart;
    for (let u = 0; u < strings.length; u++) if (start[u + 1]! > start[u]!) visit(strings[u]!, this.groupRows, start[u]!, start[u + 1]!);
  }

  /** Rows whose underlying is `symbol` (equities and indices are their own underlying). */
  rowsOfSymbol(symbol: string): Int32Array {
    const u = this.symbolIndex.get(symbol.trim().toUpperCase());
    if (u === undefined) return new Int32Array(0);
    return this.groupRows.subarray(this.groupStart[u]!, this.groupStart[u + 1]!);
  }

  /** Every instrument of a symbol: the equity or index itself and all its derivatives. */
  bySymbol(symbol: string): Instrument[] {
    return Array.from(this.rowsOfSymbol(symbol), (r) => this.table.get(r));
  }

  /** The derivatives of a symbol expiring on `expiry` (YYYY-MM-DD). */
  bySymbolAndExpiry(symbol: string, expiry: string): Instrument[] {
    const day = isoToEpochDay(expiry);
    if (day === null) return [];
    const e = this.table.cols.expiry;
    return Array.from(this.rowsOfSymbol(symbol).filter((r) => e[r] === day), (r) => this.table.get(r));
  }

  /** Segments in which `symbol` has options, most relevant first. */
  optionSegments(symbol: string): Segment[] {
    const cols = this.table.cols;
    const seen = new Set<number>();
    for (const r of this.rowsOfSymbol(symbol)) if (OPTION_KIND[cols.kind[r]!]) seen.add(cols.segment[r]!);
    return OPTION_SEGMENT_PRIORITY.filter((s) => seen.has(SEGMENT_INDEX[s]));
  }

  /** True when the symbol has live futures or options (expiring today or later). */
  isFnoEligible(symbol: string, asOf?: string): boolean {
    const today = this.asOfDay(asOf);
    const cols = this.table.cols;
    for (const r of this.rowsOfSymbol(symbol)) {
      const k = cols.kind[r]!;
      if ((OPTION_KIND[k] || FUTURE_KIND[k]) && cols.expiry[r]! >= today) return true;
    }
    return false;
  }

  /**
   * Live option expiries of a symbol (today or later), ascending. The segment defaults to the
   * symbol's main options venue (NSE before BSE, MCX before NSE commodity).
   */
  expiries(symbol: string, options: { segment?: Segment; asOf?: string; kind?: 'options' | 'futures' } = {}): string[] {
    const kind = options.kind ?? 'options';
    const segment = options.segment ?? (kind === 'options' ? this.optionSegments(symbol)[0] : undefined);
    const today = this.asOfDay(options.asOf);
    return Array.from(this.expiryDays(symbol, segment, kind).filter((d) => d >= today), epochDayToIso);
  }

  private expiryDays(symbol: string, segment: Segment | undefined, kind: 'options' | 'futures'): Int32Array {
    const key = `${symbol}|${segment ?? '*'}|${kind}`;
    let days = this.expiryCache.get(key);
    if (!days) {
      const cols = this.table.cols;
      const seg = segment === undefined ? -1 : SEGMENT_INDEX[segment];
      const mask = kind === 'options' ? OPTION_KIND : FUTURE_KIND;
      const set = new Set<number>();
      for (const r of this.rowsOfSymbol(symbol)) {
        if (mask[cols.kind[r]!] && (seg < 0 || cols.segment[r] === seg) && cols.expiry[r] !== NO_EXPIRY) set.add(cols.expiry[r]!);
      }
      days = Int32Array.from(set).sort();
      this.expiryCache.set(key, days);
    }
    return days;
  }

  /** The strike ladder of (symbol, expiry) in a segment (default: the main options venue). */
  ladder(symbol: string, expiry: string, segment?: Segment): StrikeLadder | null {
    const sym = symbol.trim().toUpperCase();
    const seg = segment ?? this.optionSegments(sym)[0];
    const day = isoToEpochDay(expiry);
    if (seg === undefined || day === null) return null;
    const key = `${sym}|${seg}|${day}`;
    const cached = this.ladders.get(key);
    if (cached) return cached;
    const cols = this.table.cols;
    const segIdx = SEGMENT_INDEX[seg];
    const picked: number[] = [];
    for (const r of this.rowsOfSymbol(sym)) {
      if (OPTION_KIND[cols.kind[r]!] && cols.segment[r] === segIdx && cols.expiry[r] === day) picked.push(r);
    }
    if (picked.length === 0) return null;
    picked.sort((a, b) => cols.strike[a]! - cols.strike[b]! || cols.optionType[a]! - cols.optionType[b]!);
    const strikes: number[] = [];
    const ce: number[] = [];
    const pe: number[] = [];
    for (const r of picked) {
      const k = cols.strike[r]!;
      if (strikes.length === 0 || strikes[strikes.length - 1] !== k) {
        strikes.push(k);
        ce.push(-1);
        pe.push(-1);
      }
      (cols.optionType[r] === 1 ? ce : pe)[strikes.length - 1] = r;
    }
    const ladder: StrikeLadder = {
      strikes: Float64Array.from(strikes),
      ce: Int32Array.from(ce),
      pe: Int32Array.from(pe),
      indexOptions: cols.kind[picked[0]!] === K.OPTIDX,
    };
    this.ladders.set(key, ladder);
    return ladder;
  }

  /**
   * The listed option of (symbol, expiry, strike, CE/PE) in a segment (default: the main options
   * venue), or undefined when that contract is not listed.
   */
  option(symbol: string, expiry: string, strike: number, optionType: OptionType, segment?: Segment): Instrument | undefined {
    const ladder = this.ladder(symbol, expiry, segment);
    const i = ladder ? ladder.strikes.indexOf(strike) : -1;
    const row = ladder && i >= 0 ? (optionType === 'CE' ? ladder.ce : ladder.pe)[i]! : -1;
    return row < 0 ? undefined : this.table.get(row);
  }

  /**
   * Strike step of (symbol, expiry) near `reference` (default: the middle listed strike), from
   * the listed strikes. 0 when the expiry has fewer than two strikes.
   */
  strikeStep(symbol: string, expiry: string, options: { segment?: Segment; reference?: number } = {}): number {
    const ladder = this.ladder(symbol, expiry, options.segment);
    if (!ladder) return 0;
    const ref = options.reference ?? ladder.strikes[ladder.strikes.length >> 1]!;
    return deriveStrikeStep(ladder.strikes, ref);
  }

  /**
   * The option chain around the money: ATM = round(ltp/step)*step snapped to a listed strike,
   * then `strikes` listed strikes centred on it, each with its CE and PE.
   * @throws AppError UNKNOWN_SYMBOL, NOT_FNO, UNKNOWN_EXPIRY, EXPIRED, BAD_LTP, BAD_REQUEST
   */
  optionChain(req: ChainRequest): OptionChain {
    const symbol = req.symbol.trim().toUpperCase();
    if (!this.symbolIndex.has(symbol)) throw new AppError('UNKNOWN_SYMBOL', `unknown symbol "${req.symbol}"`);
    if (!isUsableLtp(req.ltp)) throw new AppError('BAD_LTP', `cannot centre a chain on LTP ${req.ltp}: it must be a price above zero`);
    if (req.strikes !== undefined && !(Number.isInteger(req.strikes) && req.strikes > 0 && req.strikes <= 1000)) {
      throw new AppError('BAD_REQUEST', `strike count must be a whole number from 1 to 1000, got ${req.strikes}`);
    }
    const segment = req.segment ?? this.optionSegments(symbol)[0];
    if (!segment) throw new AppError('NOT_FNO', `${symbol} has no options listed`);
    const asOf = req.asOf ?? this.today();
    const live = this.expiries(symbol, { segment, asOf });
    let expiry = req.expiry;
    if (expiry === undefined) {
      expiry = live[0];
      if (!expiry) throw new AppError('EXPIRED', `${symbol} has no option expiry on or after ${asOf}`);
    } else if (!live.includes(expiry)) {
      const all = this.expiries(symbol, { segment, asOf: '0001-01-01' });
      if (all.includes(expiry)) throw new AppError('EXPIRED', `${symbol} ${expiry} options expired before ${asOf}`);
      throw new AppError('UNKNOWN_EXPIRY', `${symbol} has no ${segment} options expiring ${expiry}; live expiries: ${live.slice(0, 6).join(', ') || 'none'}`);
    }
    const ladder = this.ladder(symbol, expiry, segment)!;
    const step = deriveStrikeStep(ladder.strikes, req.ltp);
    const atmIndex = nearestStrikeIndex(ladder.strikes, step > 0 ? roundToStep(req.ltp, step) : req.ltp);
    const count = req.strikes ?? (ladder.indexOptions ? INDEX_CHAIN_STRIKES : STOCK_CHAIN_STRIKES);
    const [first, last] = strikeWindow(ladder.strikes.length, atmIndex, count);
    const cols = this.table.cols;
    const leg = (row: number) =>
      row < 0 ? null : { segment: SEGMENTS[cols.segment[row]!]!, securityId: cols.securityId[row]!, tradingSymbol: cols.tradingSymbol.get(row) };
    const strikes = [];
    for (let i = first; i <= last; i++) strikes.push({ strike: ladder.strikes[i]!, ce: leg(ladder.ce[i]!), pe: leg(ladder.pe[i]!) });
    const sample = ladder.ce[atmIndex]! >= 0 ? ladder.ce[atmIndex]! : ladder.pe[atmIndex]!;
    const under = this.underlyingRow(sample);
    return {
      symbol,
      segment,
      expiry,
      ltp: req.ltp,
      step,
      atm: ladder.strikes[atmIndex]!,
      lotSize: cols.lotSize[sample]!,
      underlying: under < 0 ? null : leg(under),
      strikes,
    };
  }

  /**
   * The instrument a derivative's price follows: the IDX_I index for index derivatives, the
   * equity for stock derivatives, the MCX (or currency) future for options on futures. Null for
   * equities, indices, futures on commodities, and where the master lists no such instrument.
   */
  underlyingOf(ref: InstrumentRef): Instrument | null {
    const row = this.rowOf(ref.segment, ref.securityId);
    if (row < 0) return null;
    const u = this.underlyingRow(row);
    return u < 0 ? null : this.table.get(u);
  }

  /**
   * A symbol's own listed instrument: its NSE equity, else its index, else any equity or index
   * (a BSE-only stock). Undefined for symbols that only have derivatives (MCX commodities).
   */
  spot(symbol: string): Instrument | undefined {
    const cols = this.table.cols;
    let best = -1;
    let rank = 3;
    for (const r of this.rowsOfSymbol(symbol)) {
      const k = cols.kind[r];
      if (k !== K.EQUITY && k !== K.INDEX) continue;
      const seg = cols.segment[r];
      const rr = seg === SEGMENT_INDEX.NSE_EQ ? 0 : seg === SEGMENT_INDEX.IDX_I ? 1 : 2;
      if (rr < rank) {
        rank = rr;
        best = r;
      }
    }
    return best < 0 ? undefined : this.table.get(best);
  }

  /** The instrument that drives the ATM of (symbol, expiry)'s chain (see `underlyingOf`); null if none. */
  chainUnderlying(symbol: string, expiry: string, segment?: Segment): Instrument | null {
    const ladder = this.ladder(symbol, expiry, segment);
    if (!ladder) return null;
    const row = ladder.ce.find((r) => r >= 0) ?? ladder.pe.find((r) => r >= 0);
    if (row === undefined) return null;
    const u = this.underlyingRow(row);
    return u < 0 ? null : this.table.get(u);
  }

  private underlyingRow(row: number): number {
    const cols = this.table.cols;
    const kind = cols.kind[row]!;
    const exch = cols.exchange[row]!;
    const symbol = this.table.underlyingOf(row);
    if (kind === K.OPTIDX || kind === K.FUTIDX) {
      if (SEGMENTS[cols.segment[row]!] === 'MCX_COMM') return kind === K.OPTIDX ? this.futureFor(row) : -1;
      return this.findSpot(INDEX_ALIASES[symbol] ?? symbol, K.INDEX, exch);
    }
    if (kind === K.OPTSTK || kind === K.FUTSTK) return this.findSpot(symbol, K.EQUITY, exch);
    if (kind === K.OPTFUT || kind === K.OPTCUR) return this.futureFor(row);
    return -1;
  }

  /** The INDEX or EQUITY row of a symbol, preferring the given exchange (NSE over BSE otherwise). */
  private findSpot(symbol: string, kind: number, exchange: number): number {
    const cols = this.table.cols;
    let fallback = -1;
    for (const r of this.rowsOfSymbol(symbol)) {
      if (cols.kind[r] !== kind || !cols.tradingSymbol.equals(r, symbol)) continue;
      if (cols.exchange[r] === exchange) return r;
      if (fallback < 0 || cols.exchange[r]! < cols.exchange[fallback]!) fallback = r;
    }
    return fallback;
  }

  /** The nearest future of the same underlying expiring on or after the option (MCX segment for NSE commodity options). */
  private futureFor(optionRow: number): number {
    const cols = this.table.cols;
    const seg = cols.segment[optionRow] === SEGMENT_INDEX.NSE_COMM ? SEGMENT_INDEX.MCX_COMM : cols.segment[optionRow]!;
    const expiry = cols.expiry[optionRow]!;
    let best = -1;
    for (const r of this.rowsOfSymbol(this.table.underlyingOf(optionRow))) {
      if (!FUTURE_KIND[cols.kind[r]!] || cols.segment[r] !== seg || cols.expiry[r]! < expiry) continue;
      if (best < 0 || cols.expiry[r]! < cols.expiry[best]!) best = r;
    }
    return best;
  }

  private asOfDay(asOf: string | undefined): number {
    if (asOf === undefined) return istEpochDay(this.now());
    const day = isoToEpochDay(asOf);
    if (day === null) throw new AppError('BAD_REQUEST', `"${asOf}" is not a date (YYYY-MM-DD)`);
    return day;
  }
}
