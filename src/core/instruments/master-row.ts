/**
 * One scrip-master row into the instrument table, straight from its bytes: codes are looked up,
 * numbers and dates read, and text copied into the table's byte columns (text-builders.ts). No
 * string is made per field; a field is decoded on its own only when it holds non-ASCII bytes,
 * which must be trimmed as text. The parser (master-parser.ts) finds the lines and fields and
 * counts what this module refuses.
 */
import { EXCHANGES, type InstrumentKind, type Segment } from '../../shared/instruments';
import * as byteFields from './byte-fields';
import { CodeTable } from './byte-fields';
import { civilToEpochDay } from './dates';
import { EXCHANGE_INDEX, InstrumentTableBuilder, KIND_INDEX, NO_EXPIRY, SEGMENT_INDEX } from './instrument-table';
import { SeenKeys } from './key-index';
import type { ColumnMap } from './master-format';
import * as symbols from './symbols';

// The row loop's helpers, bound once. Run through tsx (as `npm run serve`, the CLI and the benches
// run) every use of an imported function goes through two export getters; at ~10 calls a row that
// cost ~15% of a cold load (steady parse ~320 -> ~270 ms once bound). A bundled build is unaffected.
const { hasHighByte, isAsciiSpace, packDate, parseDecimal, parseId } = byteFields;
const { underlyingEnd } = symbols;

const EXCHANGE_CODES = new CodeTable([['NSE', EXCHANGE_INDEX.NSE], ['BSE', EXCHANGE_INDEX.BSE], ['MCX', EXCHANGE_INDEX.MCX]]);
/** (exchange, segment letter) -> Dhan segment, as the SDKs map them. */
const SEGMENT_CODES = new Map<string, Segment>([
  ['NSE:E', 'NSE_EQ'], ['BSE:E', 'BSE_EQ'], ['NSE:D', 'NSE_FNO'], ['BSE:D', 'BSE_FNO'],
  ['NSE:C', 'NSE_CURRENCY'], ['BSE:C', 'BSE_CURRENCY'], ['MCX:M', 'MCX_COMM'], ['NSE:I', 'IDX_I'],
  ['BSE:I', 'IDX_I'], ['NSE:M', 'NSE_COMM'],
]);
/** exchange index * 256 + segment letter -> segment index, -1 where there is none. */
const SEGMENT_BY_PAIR = new Int8Array(EXCHANGES.length * 256).fill(-1);
for (const [pair, seg] of SEGMENT_CODES) {
  SEGMENT_BY_PAIR[EXCHANGE_INDEX[pair.slice(0, 3) as 'NSE']! * 256 + pair.charCodeAt(4)] = SEGMENT_INDEX[seg];
}
const KIND_CODES = new CodeTable((Object.keys(KIND_INDEX) as InstrumentKind[]).map((k) => [k, KIND_INDEX[k]] as const));
const OPTION_CODES = new CodeTable([['CE', 1], ['PE', 2]]);
const FLAG_CODES = new CodeTable([['M', 1], ['W', 2], ['Q', 3], ['H', 4]]);
const OPTION_KIND = new Uint8Array(256);
const FUTURE_KIND = new Uint8Array(256);
for (const k of ['OPTIDX', 'OPTSTK', 'OPTFUT', 'OPTCUR'] as const) OPTION_KIND[KIND_INDEX[k]] = 1;
for (const k of ['FUTIDX', 'FUTSTK', 'FUTCOM', 'FUTCUR'] as const) FUTURE_KIND[KIND_INDEX[k]] = 1;
const KIND_EQUITY = KIND_INDEX.EQUITY;
const KIND_INDEX_ROW = KIND_INDEX.INDEX;
const NO_DATE = 10101; // 0001-01-01 packed
const NO_BYTES = Buffer.alloc(0);

/**
 * One text field of the current row, trimmed, as UTF-8 bytes [s, e) of `src`: the row's own bytes
 * when the field is ASCII, else the re-encoding of its decoded, trimmed text. Reused row to row.
 */
class Field {
  src: Buffer = NO_BYTES;
  s = 0;
  e = 0;
  /** Whether the bytes include non-ASCII (UTF-8) ones. */
  wide = false;

  get empty(): boolean {
    return this.e === this.s;
  }

  set(src: Buffer, s: number, e: number, wide = false): void {
    this.src = src;
    this.s = s;
    this.e = e;
    this.wide = wide;
  }

  copy(other: Field): void {
    this.set(other.src, other.s, other.e, other.wide);
  }
}

/** Reads rows into one table builder, refusing repeated (segment, id) keys. */
export class RowReader {
  readonly builder: InstrumentTableBuilder;
  /** Seen (segment, id) keys, to refuse repeats. */
  private readonly keys: SeenKeys;
  private readonly dateMemo = new Map<number, number>();
  private lastPackedDate = -1;
  private lastEpochDay = -1;
  /** The previous tick size as written, and in rupees. */
  private lastTickRaw = NaN;
  private lastTick = NaN;
  /** The current row's text fields. */
  private readonly tradingSymbol = new Field();
  private readonly name = new Field();
  private readonly symbol = new Field();
  private readonly display = new Field();
  private readonly underlying = new Field();
  private readonly series = new Field();
  /** Interned numbers of the previous row's underlying and series: rows come in runs. */
  private lastUnderlying = -1;
  private lastSeries = -1;
  /** The row's bytes are all ASCII (the parser checks whole chunks natively): no field needs decoding. */
  private ascii = false;

  constructor(
    private readonly cols: ColumnMap,
    capacity: number,
  ) {
    this.builder = new InstrumentTableBuilder(capacity);
    this.keys = new SeenKeys(capacity);
  }

  /** Field `col` of the row, trimmed as String.prototype.trim would, into `f` (empty when col < 0). */
  private field(f: Field, buf: Buffer, st: Int32Array, en: Int32Array, col: number): void {
    if (col < 0) return f.set(NO_BYTES, 0, 0);
    let s = st[col]!;
    let e = en[col]!;
    while (s < e && isAsciiSpace(buf[s]!)) s++;
    while (e > s && isAsciiSpace(buf[e - 1]!)) e--;
    if (this.ascii || !hasHighByte(buf, s, e)) return f.set(buf, s, e);
    // Rare: decode, trim Unicode spaces too (e.g. a no-break space), and keep the UTF-8 of the result.
    const bytes = Buffer.from(buf.toString('utf8', s, e).trim(), 'utf8');
    f.set(bytes, 0, bytes.length, hasHighByte(bytes, 0, bytes.length));
  }

  private epochDay(packed: number): number {
    if (packed === this.lastPackedDate) return this.lastEpochDay; // rows come in runs of one expiry
    let d = this.dateMemo.get(packed);
    if (d === undefined) {
      d = civilToEpochDay(Math.floor(packed / 10000), Math.floor(packed / 100) % 100, packed % 100) ?? -1;
      this.dateMemo.set(packed, d);
    }
    this.lastPackedDate = packed;
    this.lastEpochDay = d;
    return d;
  }

  /**
   * Add the row whose fields are bytes [st[i], en[i]) of `buf`, or say why it is skipped.
   * @returns null when the row was added, else the reason it was not.
   */
  read(buf: Buffer, st: Int32Array, en: Int32Array, ascii: boolean): string | null {
    this.ascii = ascii;
    const c = this.cols;
    const exch = EXCHANGE_CODES.find(buf, st[c.exchange]!, en[c.exchange]!);
    const segCol = c.segment;
    const segLetter = en[segCol]! - st[segCol]! === 1 ? buf[st[segCol]!]! : 0;
    const seg = exch < 0 ? -1 : SEGMENT_BY_PAIR[exch * 256 + segLetter]!;
    if (seg < 0) return 'unknown exchange or segment';
    const id = parseId(buf, st[c.securityId]!, en[c.securityId]!);
    if (id < 0) return 'bad security id';
    const kind = KIND_CODES.find(buf, st[c.instrument]!, en[c.instrument]!);
    if (kind < 0) return 'unknown instrument type';
    const isOption = OPTION_KIND[kind] === 1;
    const isDerivative = isOption || FUTURE_KIND[kind] === 1;

    const lot = parseDecimal(buf, st[c.lotSize]!, en[c.lotSize]!);
    if (!Number.isSafeInteger(lot) || lot <= 0) return lotSizeProblem(lot);
    const tickRaw = parseDecimal(buf, st[c.tickSize]!, en[c.tickSize]!);
    if (!(tickRaw >= 0 && tickRaw < Infinity)) return 'bad tick size';

    let expiry = NO_EXPIRY;
    if (isDerivative) {
      const packed = packDate(buf, st[c.expiry]!, en[c.expiry]!);
      const day = packed < 0 || packed === NO_DATE ? -1 : this.epochDay(packed);
      if (day < 0) return 'bad expiry date';
      expiry = day;
    }
    let strike = NaN;
    let optionType = 0;
    if (isOption) {
      strike = parseDecimal(buf, st[c.strike]!, en[c.strike]!);
      if (!(strike > 0 && strike < Infinity)) return 'bad strike price';
      optionType = OPTION_CODES.find(buf, st[c.optionType]!, en[c.optionType]!);
      if (optionType < 0) return 'bad option type';
    }

    // Symbols: compact has SEM_TRADING_SYMBOL; detailed puts the trading symbol of derivatives in
    // SYMBOL_NAME and the plain symbol of equities/indices in UNDERLYING_SYMBOL.
    const trading = this.tradingSymbol;
    const name = this.name;
    const under = this.underlying;
    if (c.format === 'compact') {
      this.field(trading, buf, st, en, c.tradingSymbol);
      this.field(name, buf, st, en, c.name);
      under.set(trading.src, trading.s, isDerivative ? underlyingEnd(trading.src, trading.s, trading.e) : trading.e, trading.wide);
    } else {
      const sym = this.symbol;
      this.field(sym, buf, st, en, c.underlyingSymbol);
      this.field(name, buf, st, en, c.name); // SYMBOL_NAME
      if (isDerivative) {
        trading.copy(name);
        if (!sym.empty) under.copy(sym);
        else under.set(name.src, name.s, underlyingEnd(name.src, name.s, name.e), name.wide);
        name.set(NO_BYTES, 0, 0);
      } else {
        trading.copy(sym.empty ? name : sym);
        under.copy(trading);
      }
    }
    if (trading.empty || under.empty) return 'missing trading symbol';

    const b = this.builder;
    const prev = this.keys.find(seg, id, b.segment, b.securityId, b.count);
    if (prev >= 0) {
      const same = b.tradingSymbol.equals(prev, trading.src, trading.s, trading.e) && b.expiry[prev] === expiry;
      return same ? 'duplicate row' : 'security id repeated within segment';
    }

    const r = b.nextRow();
    b.segment[r] = seg;
    b.exchange[r] = exch;
    b.kind[r] = kind;
    b.optionType[r] = optionType;
    b.expiryFlag[r] = c.expiryFlag < 0 ? 0 : Math.max(0, FLAG_CODES.find(buf, st[c.expiryFlag]!, en[c.expiryFlag]!));
    b.securityId[r] = id;
    b.underlying[r] = this.lastUnderlying = this.intern(under, this.lastUnderlying);
    this.field(this.series, buf, st, en, c.series);
    b.series[r] = this.lastSeries = this.intern(this.series, this.lastSeries);
    b.expiry[r] = expiry;
    b.lotSize[r] = lot;
    b.strike[r] = strike;
    // Tick size is in paise, except on INDEX rows, which carry rupees.
    if (tickRaw !== this.lastTickRaw) {
      this.lastTickRaw = tickRaw;
      this.lastTick = Math.round(tickRaw * 1e4) / 1e6;
    }
    b.tickSize[r] = kind === KIND_INDEX_ROW ? tickRaw : this.lastTick;
    b.tradingSymbol.push(trading.src, trading.s, trading.e, trading.wide);
    const display = this.display;
    this.field(display, buf, st, en, c.displayName);
    if (display.empty) display.copy(trading);
    b.displayName.push(display.src, display.s, display.e, display.wide);
    if (kind === KIND_EQUITY || kind === KIND_INDEX_ROW || c.format === 'compact') b.name.push(name.src, name.s, name.e, name.wide);
    else b.name.push(NO_BYTES, 0, 0, false);
    this.keys.add(r, b.segment, b.securityId);
    return null;
  }

  /** The interned number of field `f`, trying the previous row's value first. */
  private intern(f: Field, last: number): number {
    const strings = this.builder.strings;
    return last >= 0 && strings.is(last, f.src, f.s, f.e) ? last : strings.intern(f.src, f.s, f.e);
  }
}

/**
 * Why a lot size was refused. A lot is a count of units: a positive whole number that a double
 * holds exactly. `1.0E7` (a BSE bond) is such a number; 0, negatives, fractions (`1.5`) and
 * values past 2^53 (including ones that overflow to Infinity) are not, and the row is skipped.
 */
function lotSizeProblem(lot: number): string {
  if (Number.isNaN(lot)) return 'bad lot size';
  if (Math.abs(lot) > Number.MAX_SAFE_INTEGER) return 'lot size out of range';
  return 'lot size not a positive whole number';
}
