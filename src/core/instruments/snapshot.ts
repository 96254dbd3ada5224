/**
 * Binary snapshot of a parsed master, so a restart on the same master skips the CSV. Layout:
 * "SDKREG" magic + format version (8 bytes), u32 header length, JSON header, then 8-byte aligned
 * blocks: the typed-array columns as raw bytes, the key index, each text column as its string and
 * offsets, and the interned strings joined by newlines (master fields never contain one). Loading
 * is a file read plus views, no parsing per row. A snapshot that is missing, of another version,
 * for another master or damaged is ignored (it is only a cache): the caller parses the CSV.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SEGMENTS } from '../../shared/instruments';
import { InstrumentTable, type InstrumentColumns } from './instrument-table';
import { KeyIndex } from './key-index';
import type { ParsedMaster, ParseReport } from './master-parser';
import { TextColumn } from './text-column';

const MAGIC = 'SDKREG03';
const NUMERIC = ['segment', 'exchange', 'kind', 'optionType', 'expiryFlag', 'securityId', 'underlying', 'series', 'expiry', 'lotSize', 'strike', 'tickSize'] as const;
const TEXT = ['tradingSymbol', 'displayName', 'name'] as const;
type NumericCol = (typeof NUMERIC)[number];
type TextCol = (typeof TEXT)[number];
type ArrayKind = 'u8' | 'u32' | 'i32' | 'f64';

interface Block {
  name: string;
  kind: ArrayKind | 'text' | 'lines';
  offset: number;
  bytes: number;
  length: number;
}

/** Identifies the master a snapshot was built from. */
export interface SnapshotSource {
  sha1: string;
  size: number;
  mtimeMs: number;
}

interface Header {
  source: SnapshotSource;
  count: number;
  report: ParseReport;
  blocks: Block[];
}

type NumericArray = Uint8Array | Uint32Array | Int32Array | Float64Array;

function kindOf(a: NumericArray): ArrayKind {
  return a instanceof Uint8Array ? 'u8' : a instanceof Uint32Array ? 'u32' : a instanceof Int32Array ? 'i32' : 'f64';
}

function bytesOf(a: NumericArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const align8 = (n: number) => (n + 7) & ~7;

/** Write a snapshot atomically (temp file + rename). */
export function writeSnapshot(path: string, parsed: ParsedMaster, source: SnapshotSource): void {
  const cols = parsed.table.cols;
  const payloads: { name: string; kind: Block['kind']; data: Uint8Array; length: number }[] = [];
  for (const name of NUMERIC) {
    const a = cols[name];
    payloads.push({ name, kind: kindOf(a), data: bytesOf(a), length: a.length });
  }
  parsed.keyIndex.bySegment.forEach((a, i) => payloads.push({ name: `key:${i}`, kind: 'f64', data: bytesOf(a), length: a.length }));
  for (const name of TEXT) {
    const col = cols[name];
    payloads.push({ name: `${name}:offsets`, kind: 'u32', data: bytesOf(col.offsets), length: col.offsets.length });
    payloads.push({ name: `${name}:text`, kind: 'text', data: Buffer.from(col.text, 'utf8'), length: col.text.length });
  }
  payloads.push({ name: 'strings', kind: 'lines', data: Buffer.from(cols.strings.join('\n'), 'utf8'), length: cols.strings.length });
  const blocks: Block[] = [];
  let offset = 0;
  for (const p of payloads) {
    blocks.push({ name: p.name, kind: p.kind, offset, bytes: p.data.byteLength, length: p.length });
    offset = align8(offset + p.data.byteLength);
  }
  const header: Header = { source, count: cols.count, report: parsed.report, blocks };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(align8(12 + headerBytes.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(prefix, 12);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, prefix);
    const pad = Buffer.alloc(8);
    for (const p of payloads) {
      writeSync(fd, p.data);
      const extra = align8(p.data.byteLength) - p.data.byteLength;
      if (extra) writeSync(fd, pad, 0, extra);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The source recorded in a snapshot, or null if there is no readable snapshot. */
export function readSnapshotSource(path: string): SnapshotSource | null {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(12);
      if (readSync(fd, head, 0, 12, 0) < 12 || head.toString('latin1', 0, 8) !== MAGIC) return null;
      const len = head.readUInt32LE(8);
      const json = Buffer.alloc(len);
      if (readSync(fd, json, 0, len, 12) < len) return null;
      return (JSON.parse(json.toString('utf8')) as Header).source;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}


/**
 * Load a snapshot; null when it is missing, damaged, of another format version, or was built
 * from a master other than `expectedSha1`.
 */
export function readSnapshot(path: string, expectedSha1: string): ParsedMaster | null {
  if (!existsSync(path)) return null;
  try {
    const file = readFileSync(path);
    if (file.length < 12 || file.toString('latin1', 0, 8) !== MAGIC) return null;
    const len = file.readUInt32LE(8);
    const header = JSON.parse(file.toString('utf8', 12, 12 + len)) as Header;
    if (header.source.sha1 !== expectedSha1) return null;
    const base = align8(12 + len);
    // Read in place (bytes: any alignment); the numeric columns are copied into aligned memory below.
    const body = file.buffer as ArrayBuffer;
    const at = file.byteOffset + base;
    const end = at + (file.length - base);
    const numericBlocks: Header['blocks'] = [];
    const offsets: Partial<Record<TextCol, Uint32Array>> = {};
    const texts: Partial<Record<TextCol, string>> = {};
    let strings: string[] | null = null;
    for (const b of header.blocks) {
      const offset = at + b.offset;
      if (offset + b.bytes > end) return null;
      if (b.kind === 'text' || b.kind === 'lines') {
        const text = Buffer.from(body, offset, b.bytes).toString('utf8');
        if (b.kind === 'lines') {
          strings = b.length === 0 ? [] : text.split('\n');
          if (strings.length !== b.length) return null;
        } else {
          if (text.length !== b.length) return null;
          texts[b.name.slice(0, -':text'.length) as TextCol] = text;
        }
        continue;
      }
      numericBlocks.push(b);
    }
    // The numeric columns get one buffer of their own: views into the file's would keep its text
    // blocks (~14 MB on a full master, decoded into strings above) alive as long as the registry.
    const bytes = numericBlocks.reduce((sum, b) => sum + align8(b.bytes), 0);
    const own = new Uint8Array(bytes);
    const numeric: Partial<Record<NumericCol, NumericArray>> = {};
    const keys: Float64Array[] = [];
    let to = 0;
    for (const b of numericBlocks) {
      own.set(new Uint8Array(body, at + b.offset, b.bytes), to);
      const view =
        b.kind === 'u8'
          ? new Uint8Array(own.buffer, to, b.length)
          : b.kind === 'u32'
            ? new Uint32Array(own.buffer, to, b.length)
            : b.kind === 'i32'
              ? new Int32Array(own.buffer, to, b.length)
              : new Float64Array(own.buffer, to, b.length);
      to += align8(b.bytes);
      if (b.name.startsWith('key:')) keys[Number(b.name.slice(4))] = view as Float64Array;
      else if (b.name.endsWith(':offsets')) offsets[b.name.slice(0, -':offsets'.length) as TextCol] = view as Uint32Array;
      else numeric[b.name as NumericCol] = view;
    }
    if (keys.length !== SEGMENTS.length || NUMERIC.some((n) => !numeric[n]) || TEXT.some((n) => texts[n] === undefined || !offsets[n]) || !strings) return null;
    const text = Object.fromEntries(TEXT.map((n) => [n, new TextColumn(texts[n]!, offsets[n]!)])) as Record<TextCol, TextColumn>;
    if (TEXT.some((n) => text[n].length !== header.count || text[n].offsets[header.count] !== texts[n]!.length)) return null;
    const cols = { count: header.count, ...numeric, ...text, strings } as InstrumentColumns;
    return { table: new InstrumentTable(cols), keyIndex: new KeyIndex(keys), report: header.report };
  } catch {
    return null;
  }
}
