/**
 * Streaming scrip-master parser. Bytes go in as they arrive (file or download); complete lines
 * are parsed at once, columns by header name. Every malformed row is skipped and counted with
 * its line number and reason; only an unusable header (or an empty file) is refused. Numbers may
 * be written in exponent notation (`1.0E7`); a value is refused for its range, not its spelling.
 *
 * Fast path: Dhan's compact file has no quoted fields, so fields are split on commas straight
 * from the bytes. A line containing a quote is handed to csv-parse, which handles quoting right.
 * Each row's fields then go to master-row.ts, which reads them without making a string per field.
 *
 * Streaming is linear in the input: an unfinished line is held as a list of pieces and joined once
 * its newline arrives. A line longer than MAX_LINE_BYTES (64 KB) is never buffered: it is skipped
 * with the reason "line longer than 64 KB" (the header: the file is refused) and the next rows parse.
 */
import { isAscii } from 'node:buffer';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { AppError } from '../../shared/errors';
import { SEGMENTS } from '../../shared/instruments';
import type { InstrumentTable } from './instrument-table';
import { KeyIndex } from './key-index';
import { mapHeader, type ColumnMap, type MasterFormat } from './master-format';
import { RowReader } from './master-row';

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
  /** Reads the rows into the table; made once the header is known. */
  private reader: RowReader | null = null;
  private readonly capacity: number;
  /**
   * Where each field of the line starts (and, after the split, ends). Room for every comma a line
   * of MAX_LINE_BYTES can hold, so the split loop stores without a bounds check of its own.
   */
  private readonly starts = new Int32Array(MAX_LINE_BYTES + 2);
  private ends = new Int32Array(64);
  private done = false;
  /** The bytes being parsed are all ASCII (checked natively, once per chunk). */
  private ascii = false;

  constructor(options: { capacityHint?: number } = {}) {
    this.capacity = options.capacityHint ?? 300_000;
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
    const builder = this.reader!.builder;
    const table = builder.finish();
    return {
      table,
      keyIndex: KeyIndex.build(table.cols.segment, table.cols.securityId, table.count, SEGMENTS.length),
      report: {
        format: this.cols.format,
        rowsRead: this.rowsRead,
        instruments: builder.count,
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
      if (this.ends.length < this.cols.width) this.ends = new Int32Array(this.cols.width);
      this.reader = new RowReader(this.cols, this.capacity);
      return;
    }
    this.rowsRead++;
    if (quoted) return this.quotedLine(buf.toString('utf8', s, e));
    const width = this.cols.width;
    const starts = this.starts;
    // Field k is [starts[k], starts[k + 1] - 1): the hot loop only records where fields start.
    let n = 0;
    starts[0] = s;
    for (let i = s; i < e; i++) if (buf[i] === 44 /* , */) starts[++n] = i + 1;
    starts[++n] = e + 1;
    if (n !== width) {
      this.skip(n < width ? 'too few fields (truncated row)' : 'too many fields');
      return;
    }
    const ends = this.ends;
    for (let k = 0; k < width; k++) ends[k] = starts[k + 1]! - 1;
    this.addRow(buf, this.ascii);
  }

  private addRow(buf: Buffer, ascii: boolean): void {
    const why = this.reader!.read(buf, this.starts, this.ends, ascii);
    if (why !== null) this.skip(why);
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
    this.addRow(buf, isAscii(buf));
  }
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
