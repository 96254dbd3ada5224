/**
 * Building the registry's text straight from the master's bytes. A master has ~290k rows and three
 * text columns; making a JS string per field (and joining them later) was most of a cold load and
 * most of its garbage. Here a text column collects UTF-8 bytes and becomes one string with a single
 * decode, and repeating values (underlyings, series) are interned by their bytes, so a string is
 * made once per distinct value.
 *
 * Callers hand in UTF-8: the row's own bytes when a field is ASCII, or the re-encoding of a decoded
 * and trimmed string otherwise, so the bytes always decode back to exactly the value.
 */
import * as byteFields from './byte-fields';
import { TextColumn } from './text-column';

/** Bound once: see master-row.ts on imported functions in hot loops under tsx. */
const { bytesEqual } = byteFields;

/** Appends one value per row as UTF-8 bytes; `finish()` decodes them once into a TextColumn. */
export class TextColumnBuilder {
  private bytes: Uint8Array;
  private used = 0;
  /** offsets[i] is where value i starts; offsets[count] is the end. */
  private offsets: Uint32Array;
  private count = 0;
  /** Whether any byte >= 0x80 was written (the column then needs UTF-8 decoding). */
  private wide = false;

  constructor(rowCapacity = 1024, bytesPerRow = 24) {
    this.offsets = new Uint32Array(Math.max(16, rowCapacity) + 1);
    this.bytes = new Uint8Array(Math.max(256, rowCapacity * bytesPerRow));
  }

  get length(): number {
    return this.count;
  }

  /** Append bytes [s, e) of `src` as the next value; `wide` when they include non-ASCII bytes. */
  push(src: Buffer, s: number, e: number, wide: boolean): void {
    const n = e - s;
    if (this.used + n > this.bytes.length) this.growBytes(this.used + n);
    if (this.count + 1 >= this.offsets.length) this.growOffsets();
    // Buffer#copy is native and beat a byte loop about 2x on the master's ~20-byte fields.
    if (n > 0) src.copy(this.bytes, this.used, s, e);
    if (wide) this.wide = true;
    this.used += n;
    this.offsets[++this.count] = this.used;
  }

  /** True when value `row` is exactly bytes [s, e) of `src`. */
  equals(row: number, src: Uint8Array, s: number, e: number): boolean {
    const start = this.offsets[row]!;
    const n = this.offsets[row + 1]! - start;
    return n === e - s && bytesEqual(this.bytes, start, src, s, n);
  }

  /** One string for the whole column, with offsets counted in UTF-16 units as TextColumn wants. */
  finish(): TextColumn {
    const n = this.count;
    const view = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.used);
    if (!this.wide) return new TextColumn(view.toString('latin1'), this.offsets.slice(0, n + 1));
    // Valid UTF-8: each byte that is not a continuation byte starts one UTF-16 unit, and a 4-byte
    // sequence (lead byte >= 0xF0) becomes a surrogate pair, i.e. one unit more.
    const offsets = new Uint32Array(n + 1);
    let units = 0;
    let b = 0;
    for (let r = 1; r <= n; r++) {
      const end = this.offsets[r]!;
      for (; b < end; b++) {
        const c = this.bytes[b]!;
        if ((c & 0xc0) !== 0x80) units += c >= 0xf0 ? 2 : 1;
      }
      offsets[r] = units;
    }
    return new TextColumn(view.toString('utf8'), offsets);
  }

  private growBytes(need: number): void {
    const next = new Uint8Array(Math.max(need, this.bytes.length * 2));
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }

  private growOffsets(): void {
    const next = new Uint32Array(this.offsets.length * 2);
    next.set(this.offsets);
    this.offsets = next;
  }
}

/**
 * Distinct strings by their UTF-8 bytes, numbered in order of first appearance. An open-addressed
 * table of entry numbers over one byte store; a string is decoded only for a new value.
 */
export class ByteInterner {
  readonly strings: string[] = [];
  private keyBytes = new Uint8Array(1 << 16);
  private keyUsed = 0;
  /** Entry i's bytes are keyBytes[keyStart[i] .. keyStart[i + 1]). */
  private keyStart = new Int32Array(1025);
  /** Entry number + 1, 0 for an empty slot. */
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;

  get size(): number {
    return this.strings.length;
  }

  /** True when entry `index` is exactly bytes [s, e) of `src`: a cheap check of a likely repeat. */
  is(index: number, src: Uint8Array, s: number, e: number): boolean {
    const start = this.keyStart[index]!;
    const n = this.keyStart[index + 1]! - start;
    return n === e - s && bytesEqual(this.keyBytes, start, src, s, n);
  }

  /** The number of the string whose UTF-8 is bytes [s, e) of `src`, adding it if new. */
  intern(src: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
    for (let slot = (h ^ (h >>> 15)) & this.mask; ; slot = (slot + 1) & this.mask) {
      const k = this.slots[slot]!;
      if (k === 0) {
        const index = this.add(src, s, e);
        this.slots[slot] = index + 1;
        if (this.strings.length * 2 > this.mask) this.rehash();
        return index;
      }
      if (this.is(k - 1, src, s, e)) return k - 1;
    }
  }

  /** The number of `text`, adding it if new. */
  internString(text: string): number {
    const bytes = Buffer.from(text, 'utf8');
    return this.intern(bytes, 0, bytes.length);
  }

  private add(src: Uint8Array, s: number, e: number): number {
    const index = this.strings.length;
    const n = e - s;
    if (this.keyUsed + n > this.keyBytes.length) {
      const next = new Uint8Array(Math.max(this.keyUsed + n, this.keyBytes.length * 2));
      next.set(this.keyBytes.subarray(0, this.keyUsed));
      this.keyBytes = next;
    }
    if (index + 2 > this.keyStart.length) {
      const next = new Int32Array(this.keyStart.length * 2);
      next.set(this.keyStart);
      this.keyStart = next;
    }
    this.keyBytes.set(src.subarray(s, e), this.keyUsed);
    this.keyUsed += n;
    this.keyStart[index + 1] = this.keyUsed;
    const view = Buffer.from(this.keyBytes.buffer, this.keyBytes.byteOffset + this.keyStart[index]!, n);
    this.strings.push(view.toString('utf8'));
    return index;
  }

  private rehash(): void {
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let k = 0; k < this.strings.length; k++) {
      let h = 0x811c9dc5;
      for (let i = this.keyStart[k]!; i < this.keyStart[k + 1]!; i++) h = Math.imul(h ^ this.keyBytes[i]!, 0x01000193);
      let slot = (h ^ (h >>> 15)) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = k + 1;
    }
  }
}
