/**
 * Streaming scrip-master parser. Bytes go in as they arrive (file or download); complete lines
 * are parsed at once, columns by header name. Every malformed row is skipped and counted with
 * its line number and reason; only an unusable header (or an empty file) is refused. Numbers may
 * be written in exponent notation (`1.0E7`); a value is refused for its range, not its spelling.
 *
 * Fast path: Dhan's compact file has no quoted fields, so fields are split on commas straight
 * from the bytes. A line containing a quote is handed to csv-parse, which handles quoting right.
 *
 * Streaming is linear in the input: an unfinished line is held as a list of pieces and joined once
 * its newline arrives. A line longer than MAX_LINE_BYTES (64 KB) is never buffered: it is skipped
 * with the reason "line longer than 64 KB" (the header: the file is refused) and the next rows parse.
 */
import { parse as parseCsvSync } from 'csv-parse/sync';
import { AppError } from '../../shared/errors';
import { SEGMENTS, type InstrumentKind, type Segment } from '../../shared/instruments';
import { hasHighByte, packCode, packDate, packString, parseDecimal, parseId } from './byte-fields';
import { civilToEpochDay } from './dates';
import {
  EXCHANGE_INDEX,
  InstrumentTableBuilder,
  KIND_INDEX,
  NO_EXPIRY,
  SEGMENT_INDEX,
  instrumentKey,
  type InstrumentTable,
} from './instrument-table';
import { KeyIndex } from './key-index';
import { mapHeader, type ColumnMap, type MasterFormat } from './master-format';
import { deriveUnderlying } from './symbols';

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
const EXCHANGE_CODES = new Map<number, number>([
  [packString('NSE'), EXCHANGE_INDEX.NSE],
  [packString('BSE'), EXCHANGE_INDEX.BSE],
  [packString('MCX'), EXCHANGE_INDEX.MCX],
]);
/** (exchange, segment letter) -> Dhan segment, as the SDKs map them. */
const SEGMENT_CODES = new Map<string, Segment>([
  ['NSE:E', 'NSE_EQ'], ['BSE:E', 'BSE_EQ'], ['NSE:D', 'NSE_FNO'], ['BSE:D', 'BSE_FNO'],
  ['NSE:C', 'NSE_CURRENCY'], ['BSE:C', 'BSE_CURRENCY'], ['MCX:M', 'MCX_COMM'], ['NSE:I', 'IDX_I'],
  ['BSE:I', 'IDX_I'], ['NSE:M', 'NSE_COMM'],
]);
const SEGMENT_BY_PAIR = new Map<number, number>();
for (const [pair, seg] of SEGMENT_CODES) {
  SEGMENT_BY_PAIR.set(EXCHANGE_INDEX[pair.slice(0, 3) as 'NSE']! * 256 + pair.charCodeAt(4), SEGMENT_INDEX[seg]);
}
const KIND_CODES = new Map<number, number>(
  (Object.keys(KIND_INDEX) as InstrumentKind[]).map((k) => [packString(k), KIND_INDEX[k]]),
);
const OPTION_CODES = new Map<number, number>([[packString('CE'), 1], [packString('PE'), 2]]);
const FLAG_CODES = new Map<number, number>([
  [packString('M'), 1], [packString('W'), 2], [packString('Q'), 3], [packString('H'), 4],
]);
const OPTION_KINDS = new Set(['OPTIDX', 'OPTSTK', 'OPTFUT', 'OPTCUR'].map((k) => KIND_INDEX[k as InstrumentKind]));
const FUTURE_KINDS = new Set(['FUTIDX', 'FUTSTK', 'FUTCOM', 'FUTCUR'].map((k) => KIND_INDEX[k as InstrumentKind]));
const KIND_EQUITY = KIND_INDEX.EQUITY;
const KIND_INDEX_ROW = KIND_INDEX.INDEX;
const NO_DATE = 10101; // 0001-01-01 packed

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
  /** Seen (segment, id) keys, to refuse repeats; dropped once the table is built. */
  private readonly keyIndex = new Map<number, number>();
  private readonly dateMemo = new Map<number, number>();
  private readonly seriesMemo = new Map<number, number>();
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private done = false;

  constructor(options: { capacityHint?: number } = {}) {
    this.builder = new InstrumentTableBuilder(options.capacityHint ?? 300_000);
  }

  /** Feed the next chunk of the file. */
  push(chunk: Buffer): void {
    if (this.done) throw new Error('MasterParser: push after end');
    let s = 0;
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
        this.line(whole, 0, whole.length);
      } else {
        this.line(chunk, s, nl);
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
      this.line(last, 0, last.length);
    }
    this.done = true;
    if (!this.cols) throw new AppError('MASTER_INVALID', 'scrip master is empty: no header line');
    const table = this.builder.finish();
    this.keyIndex.clear();
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

  private line(buf: Buffer, s: number, e: number): void {
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
    const width = this.cols.width;
    let n = 0;
    let fs = s;
    for (let i = s; i < e; i++) {
      const c = buf[i];
      if (c === 34 /* " */) {
        this.quotedLine(buf.toString('utf8', s, e));
        return;
      }
      if (c === 44 /* , */) {
        if (n < width) {
          this.starts[n] = fs;
          this.ends[n] = i;
        }
        n++;
        fs = i + 1;
      }
    }
    if (n < width) {
      this.starts[n] = fs;
      this.ends[n] = e;
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
    let at = 0;
    for (let i = 0; i < width; i++) {
      this.starts[i] = at;
      at += parts[i]!.length;
      this.ends[i] = at;
    }
    this.row(buf, this.starts, this.ends);
  }

  private text(buf: Buffer, st: Int32Array, en: Int32Array, col: number): string {
    if (col < 0) return '';
    const s = st[col]!;
    const e = en[col]!;
    if (s === e) return '';
    return hasHighByte(buf, s, e) ? buf.toString('utf8', s, e).trim() : buf.toString('latin1', s, e).trim();
  }

  private epochDay(packed: number): number {
    let d = this.dateMemo.get(packed);
    if (d === undefined) {
      d = civilToEpochDay(Math.floor(packed / 10000), Math.floor(packed / 100) % 100, packed % 100) ?? -1;
      this.dateMemo.set(packed, d);
    }
    return d;
  }

  private row(buf: Buffer, st: Int32Array, en: Int32Array): void {
    const c = this.cols!;
    const exch = EXCHANGE_CODES.get(packCode(buf, st[c.exchange]!, en[c.exchange]!));
    const segCol = c.segment;
    const segLetter = en[segCol]! - st[segCol]! === 1 ? buf[st[segCol]!]! : 0;
    const seg = exch === undefined ? undefined : SEGMENT_BY_PAIR.get(exch * 256 + segLetter);
    if (exch === undefined || seg === undefined) return this.skip('unknown exchange or segment');
    const id = parseId(buf, st[c.securityId]!, en[c.securityId]!);
    if (id < 0) return this.skip('bad security id');
    const kind = KIND_CODES.get(packCode(buf, st[c.instrument]!, en[c.instrument]!));
    if (kind === undefined) return this.skip('unknown instrument type');
    const isOption = OPTION_KINDS.has(kind);
    const isDerivative = isOption || FUTURE_KINDS.has(kind);

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
      optionType = OPTION_CODES.get(packCode(buf, st[c.optionType]!, en[c.optionType]!)) ?? 0;
      if (optionType === 0) return this.skip('bad option type');
    }

    // Symbols: compact has SEM_TRADING_SYMBOL; detailed puts the trading symbol of derivatives in
    // SYMBOL_NAME and the plain symbol of equities/indices in UNDERLYING_SYMBOL.
    let tradingSymbol: string;
    let name: string;
    let underlying: string;
    if (c.format === 'compact') {
      tradingSymbol = this.text(buf, st, en, c.tradingSymbol);
      name = this.text(buf, st, en, c.name);
      underlying = isDerivative ? deriveUnderlying(tradingSymbol) : tradingSymbol;
    } else {
      const sym = this.text(buf, st, en, c.underlyingSymbol);
      const symName = this.text(buf, st, en, c.name);
      tradingSymbol = isDerivative ? symName : sym || symName;
      name = isDerivative ? '' : symName;
      underlying = isDerivative ? sym || deriveUnderlying(symName) : tradingSymbol;
    }
    if (tradingSymbol === '' || underlying === '') return this.skip('missing trading symbol');

    const key = instrumentKey(seg, id);
    const prev = this.keyIndex.get(key);
    if (prev !== undefined) {
      const same = this.builder.tradingSymbol[prev] === tradingSymbol && this.builder.expiry[prev] === expiry;
      return this.skip(same ? 'duplicate row' : 'security id repeated within segment');
    }

    const b = this.builder;
    const r = b.nextRow();
    b.segment[r] = seg;
    b.exchange[r] = exch;
    b.kind[r] = kind;
    b.optionType[r] = optionType;
    b.expiryFlag[r] = c.expiryFlag < 0 ? 0 : (FLAG_CODES.get(packCode(buf, st[c.expiryFlag]!, en[c.expiryFlag]!)) ?? 0);
    b.securityId[r] = id;
    b.underlying[r] = b.intern(underlying);
    b.series[r] = this.series(buf, st, en);
    b.expiry[r] = expiry;
    b.lotSize[r] = lot;
    b.strike[r] = strike;
    // Tick size is in paise, except on INDEX rows, which carry rupees.
    b.tickSize[r] = kind === KIND_INDEX_ROW ? tickRaw : Math.round(tickRaw * 1e4) / 1e6;
    b.tradingSymbol[r] = tradingSymbol;
    b.displayName[r] = this.text(buf, st, en, c.displayName) || tradingSymbol;
    b.name[r] = kind === KIND_EQUITY || kind === KIND_INDEX_ROW || c.format === 'compact' ? name : '';
    this.keyIndex.set(key, r);
  }

  private series(buf: Buffer, st: Int32Array, en: Int32Array): number {
    const col = this.cols!.series;
    if (col < 0) return this.builder.intern('');
    const packed = packCode(buf, st[col]!, en[col]!);
    if (packed < 0) return this.builder.intern(this.text(buf, st, en, col));
    let i = this.seriesMemo.get(packed);
    if (i === undefined) {
      i = this.builder.intern(this.text(buf, st, en, col));
      this.seriesMemo.set(packed, i);
    }
    return i;
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
