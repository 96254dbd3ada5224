/**
 * Streaming scrip-master parser. Bytes go in as they arrive (file or download); complete lines
 * are parsed at once, columns by header name. Every malformed row is skipped and counted with
 * its line number and reason; only an unusable header (or an empty file) is refused. Numbers may
 * be written in exponent notation (`1.0E7`); a value is refused for its range, not its spelling.
 *
 * Fast path: Dhan's compact file has no quoted fields, so fields are split on commas straight
 * from the bytes. A line containing a quote is handed to csv-parse, which handles quoting right.
 * No string is made per field: codes are looked up, numbers and dates read, and text copied into
 * the table's byte columns from the bytes (text-builders.ts); a field is decoded on its own only
 * when it holds non-ASCII bytes, which must be trimmed as text.
 *
 * Streaming is linear in the input: an unfinished line is held as a list of pieces and joined once
 * its newline arrives. A line longer than MAX_LINE_BYTES (64 KB) is never buffered: it is skipped
 * with the reason "line longer than 64 KB" (the header: the file is refused) and the next rows parse.
 */
import { isAscii } from 'node:buffer';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { AppError } from '../../shared/errors';
import { EXCHANGES, SEGMENTS, type InstrumentKind, type Segment } from '../../shared/instruments';
import { CodeTable, hasHighByte, isAsciiSpace, packDate, parseDecimal, parseId } from './byte-fields';
import { civilToEpochDay } from './dates';
import {
  EXCHANGE_INDEX,
  InstrumentTableBuilder,
  KIND_INDEX,
  NO_EXPIRY,
  SEGMENT_INDEX,
  type InstrumentTable,
} from './instrument-table';
import { KeyIndex, SeenKeys } from './key-index';
import { mapHeader, type ColumnMap, type MasterFormat } from './master-format';
import { underlyingEnd } from './symbols';

export interface SkippedRow {
  line: number;
  reason: string;
}

export interface ParseReport {
  format: MasterFormat;
  /** Data lines read (not counting the header and blank lines). */
  rowsRead: number;
  instruments: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  /** The first skipped rows, for a trader or a support ticket. */
  skippedSamples: SkippedRow[];
}

export interface ParsedMaster {
  table: InstrumentTable;
  /** (segment, securityId) -> row. */
  keyIndex: KeyIndex;
  report: ParseReport;
}

const MAX_SAMPLES = 50;
/** The longest line the parser accepts (real rows are ~110 bytes, the detailed header ~700). */
export const MAX_LINE_BYTES = 64 * 1024;
const LINE_TOO_LONG = `line longer than ${MAX_LINE_BYTES >> 10} KB`;
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

/** Incremental parser: `push` chunks of bytes, then `end`. */
export class MasterParser {
  private cols: ColumnMap | null = null;
  /** Pieces of an unfinished line, joined once when its newline arrives. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Dropping the rest of a line that passed MAX_LINE_BYTES. */
  private overlong = false;
  private lineNo = 0;
  private rowsRead = 0;
  private skipped = 0;
  private readonly reasons: Record<string, number> = {};
  private readonly samples: SkippedRow[] = [];
  private readonly builder: InstrumentTableBuilder;
  /** Seen (segment, id) keys, to refuse repeats. */
  private readonly keys: SeenKeys;
  private readonly dateMemo = new Map<number, number>();
  private lastPackedDate = -1;
  /** The previous tick size as written, and in rupees. */
  private lastTickRaw = NaN;
  private lastTick = NaN;
  private lastEpochDay = -1;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private done = false;
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
  /** The bytes being parsed are all ASCII (checked natively, once per chunk): no field needs decoding. */
  private ascii = false;

  constructor(options: { capacityHint?: number } = {}) {
    const capacity = options.capacityHint ?? 300_000;
    this.builder = new InstrumentTableBuilder(capacity);
    this.keys = new SeenKeys(capacity);
  }

  /** Feed the next chunk of the file. */
  push(chunk: Buffer): void {
    if (this.done) throw new Error('MasterParser: push after end');
    let s = 0;
    // Where the next quote is: lines before it take the split-on-commas path without looking.
    let quote = -1;
    let chunkAscii = false;
    for (;;) {
      const nl = chunk.indexOf(10, s);
      if (nl < 0) break;
      if (this.overlong) {
        this.overlong = false;
        this.overlongLine();
      } else if (this.pendingBytes > 0) {
        // Join the held pieces once, when the line is complete: linear in the line's length.
        this.pending.push(chunk.subarray(s, nl));
        const whole = Buffer.concat(this.pending, this.pendingBytes + (nl - s));
        this.pending = [];
        this.pendingBytes = 0;
        this.ascii = isAscii(whole);
        this.line(whole, 0, whole.length, whole.indexOf(34) >= 0);
      } else {
        if (quote < 0) chunkAscii = isAscii(chunk); // first line of this chunk
        this.ascii = chunkAscii;
        if (quote < s) {
          quote = chunk.indexOf(34, s);
          if (quote < 0) quote = chunk.length;
        }
        this.line(chunk, s, nl, quote < nl);
      }
      s = nl + 1;
    }
    if (s < chunk.length) this.hold(chunk, s);
  }

  /**
   * Keep the unfinished tail of a chunk until its newline arrives. Pieces are kept as a list (not
   * concatenated on every chunk, which made a long line quadratic); past MAX_LINE_BYTES the line
   * is given up and the rest of it is dropped up to the next newline.
   */
  private hold(chunk: Buffer, s: number): void {
    if (this.overlong) return;
    const n = chunk.length - s;
    if (this.pendingBytes + n > MAX_LINE_BYTES) {
      this.overlong = true;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    this.pending.push(Buffer.from(chunk.subarray(s))); // a copy: the caller may reuse its chunk
    this.pendingBytes += n;
  }

  /** Finish: parse the last line (the real file has no trailing newline) and build the table. */
  end(): ParsedMaster {
    if (this.done) throw new Error('MasterParser: end called twice');
    if (this.overlong) {
      this.overlong = false;
      this.overlongLine();
    } else if (this.pendingBytes > 0) {
      const last = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.ascii = isAscii(last);
      this.line(last, 0, last.length, last.indexOf(34) >= 0);
    }
    this.done = true;
    if (!this.cols) throw new AppError('MASTER_INVALID', 'scrip master is empty: no header line');
    const table = this.builder.finish();
    return {
      table,
      keyIndex: KeyIndex.build(table.cols.segment, table.cols.securityId, table.count, SEGMENTS.length),
      report: {
        format: this.cols.format,
        rowsRead: this.rowsRead,
        instruments: this.builder.count,
        skipped: this.skipped,
        skippedReasons: { ...this.reasons },
        skippedSamples: this.samples.slice(),
      },
    };
  }

  /**
   * A line longer than MAX_LINE_BYTES: no master row is anywhere near that long (real rows are
   * ~110 bytes), so it is skipped with a reason; as the header it means the file is not a master.
   */
  private overlongLine(): void {
    this.lineNo++;
    if (!this.cols) {
      throw new AppError('MASTER_INVALID', `scrip master header (line ${this.lineNo}) is longer than ${MAX_LINE_BYTES >> 10} KB: not a scrip master`);
    }
    this.rowsRead++;
    this.skip(LINE_TOO_LONG);
  }

  private skip(reason: string): void {
    this.skipped++;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    if (this.samples.length < MAX_SAMPLES) this.samples.push({ line: this.lineNo, reason });
  }

  /** One line without its LF; `quoted` when it contains a `"` (csv-parse then splits it). */
  private line(buf: Buffer, s: number, e: number, quoted: boolean): void {
    if (e - s > MAX_LINE_BYTES) return this.overlongLine();
    this.lineNo++;
    if (e > s && buf[e - 1] === 13) e--;
    if (e === s) return; // blank line
    if (!this.cols) {
      this.cols = mapHeader(buf.toString('utf8', s, e));
      if (this.starts.length < this.cols.width + 1) {
        this.starts = new Int32Array(this.cols.width + 1);
        this.ends = new Int32Array(this.cols.width + 1);
      }
      return;
    }
    this.rowsRead++;
    if (quoted) return this.quotedLine(buf.toString('utf8', s, e));
    const width = this.cols.width;
    const starts = this.starts;
    const ends = this.ends;
    let n = 0;
    let fs = s;
    for (let i = s; i < e; i++) {
      if (buf[i] === 44 /* , */) {
        if (n < width) {
          starts[n] = fs;
          ends[n] = i;
        }
        n++;
        fs = i + 1;
      }
    }
    if (n < width) {
      starts[n] = fs;
      ends[n] = e;
    }
    n++;
    if (n !== width) {
      this.skip(n < width ? 'too few fields (truncated row)' : 'too many fields');
      return;
    }
    this.row(buf, this.starts, this.ends);
  }

  /** A line with quotes: let csv-parse split it, then re-lay the fields out as bytes. */
  private quotedLine(text: string): void {
    let fields: string[];
    try {
      const parsed = parseCsvSync(text, { relax_column_count: true }) as string[][];
      if (parsed.length !== 1) throw new Error('not one record');
      fields = parsed[0]!;
    } catch {
      this.skip('unbalanced quotes');
      return;
    }
    const width = this.cols!.width;
    if (fields.length !== width) {
      this.skip(fields.length < width ? 'too few fields (truncated row)' : 'too many fields');
      return;
    }
    const parts = fields.map((f) => Buffer.from(f, 'utf8'));
    const buf = Buffer.concat(parts);
    const ascii = this.ascii;
    this.ascii = isAscii(buf);
    let at = 0;
    for (let i = 0; i < width; i++) {
      this.starts[i] = at;
      at += parts[i]!.length;
      this.ends[i] = at;
    }
    this.row(buf, this.starts, this.ends);
    this.ascii = ascii;
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

  private row(buf: Buffer, st: Int32Array, en: Int32Array): void {
    const c = this.cols!;
    const exch = EXCHANGE_CODES.find(buf, st[c.exchange]!, en[c.exchange]!);
    const segCol = c.segment;
    const segLetter = en[segCol]! - st[segCol]! === 1 ? buf[st[segCol]!]! : 0;
    const seg = exch < 0 ? -1 : SEGMENT_BY_PAIR[exch * 256 + segLetter]!;
    if (seg < 0) return this.skip('unknown exchange or segment');
    const id = parseId(buf, st[c.securityId]!, en[c.securityId]!);
    if (id < 0) return this.skip('bad security id');
    const kind = KIND_CODES.find(buf, st[c.instrument]!, en[c.instrument]!);
    if (kind < 0) return this.skip('unknown instrument type');
    const isOption = OPTION_KIND[kind] === 1;
    const isDerivative = isOption || FUTURE_KIND[kind] === 1;

    const lot = parseDecimal(buf, st[c.lotSize]!, en[c.lotSize]!);
    if (!Number.isSafeInteger(lot) || lot <= 0) return this.skip(lotSizeProblem(lot));
    const tickRaw = parseDecimal(buf, st[c.tickSize]!, en[c.tickSize]!);
    if (!(tickRaw >= 0 && tickRaw < Infinity)) return this.skip('bad tick size');

    let expiry = NO_EXPIRY;
    if (isDerivative) {
      const packed = packDate(buf, st[c.expiry]!, en[c.expiry]!);
      const day = packed < 0 || packed === NO_DATE ? -1 : this.epochDay(packed);
      if (day < 0) return this.skip('bad expiry date');
      expiry = day;
    }
    let strike = NaN;
    let optionType = 0;
    if (isOption) {
      strike = parseDecimal(buf, st[c.strike]!, en[c.strike]!);
      if (!(strike > 0 && strike < Infinity)) return this.skip('bad strike price');
      optionType = OPTION_CODES.find(buf, st[c.optionType]!, en[c.optionType]!);
      if (optionType < 0) return this.skip('bad option type');
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
    if (trading.empty || under.empty) return this.skip('missing trading symbol');

    const b = this.builder;
    const prev = this.keys.find(seg, id, b.segment, b.securityId, b.count);
    if (prev >= 0) {
      const same = b.tradingSymbol.equals(prev, trading.src, trading.s, trading.e) && b.expiry[prev] === expiry;
      return this.skip(same ? 'duplicate row' : 'security id repeated within segment');
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

/** Parse a whole master held in memory. */
export function parseMasterBuffer(buf: Buffer): ParsedMaster {
  const parser = new MasterParser({ capacityHint: Math.max(1024, Math.ceil(buf.length / 110)) });
  parser.push(buf);
  return parser.end();
}

/** Parse a master as it streams in (a download or a file stream). */
export async function parseMasterStream(stream: AsyncIterable<Buffer | Uint8Array | string>): Promise<ParsedMaster> {
  const parser = new MasterParser();
  for await (const chunk of stream) {
    parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return parser.end();
}
