/**
 * (segment, security id) -> row, as one sorted Float64Array per segment holding
 * `securityId * 2^21 + row` (exact in a double: ids < 2^31, rows < 2^21). Binary search finds a
 * row in ~18 steps; the arrays cost 8 bytes a row, build with a native sort and can be written to
 * and read from a snapshot as they are, unlike a Map of 290k entries.
 */

const ROW_SPAN = 2 ** 21;

export class KeyIndex {
  /** One sorted array per segment index. */
  constructor(readonly bySegment: Float64Array[]) {}

  /** Build from the table's segment and security-id columns. */
  static build(segment: Uint8Array, securityId: Int32Array, count: number, segments: number): KeyIndex {
    if (count >= ROW_SPAN) throw new Error(`KeyIndex: ${count} rows exceed ${ROW_SPAN}`);
    const sizes = new Int32Array(segments);
    for (let r = 0; r < count; r++) sizes[segment[r]!]!++;
    const rows = Array.from(sizes, (n) => new Int32Array(n));
    const fill = new Int32Array(segments);
    for (let r = 0; r < count; r++) {
      const s = segment[r]!;
      rows[s]![fill[s]!++] = r;
    }
    return new KeyIndex(
      rows.map((segRows) => {
        const sorted = sortRowsById(segRows, securityId);
        const a = new Float64Array(sorted.length);
        for (let i = 0; i < sorted.length; i++) a[i] = securityId[sorted[i]!]! * ROW_SPAN + sorted[i]!;
        return a;
      }),
    );
  }

  /** Row of (segment index, security id), or -1. */
  find(segmentIndex: number, securityId: number): number {
    const a = this.bySegment[segmentIndex];
    if (!a || !Number.isInteger(securityId) || securityId < 0) return -1;
    const lo0 = securityId * ROW_SPAN;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! < lo0) lo = mid + 1;
      else hi = mid;
    }
    if (lo < a.length && a[lo]! - lo0 < ROW_SPAN) return a[lo]! - lo0;
    return -1;
  }
}

/**
 * Rows (ascending) ordered by security id, ties kept in row order: an LSD radix sort, 11 bits a
 * pass, as many passes as the largest id needs (two for real ids). Several times faster than
 * sorting 290k doubles by comparison.
 */
function sortRowsById(rows: Int32Array, ids: Int32Array): Int32Array {
  let max = 0;
  for (let i = 0; i < rows.length; i++) if (ids[rows[i]!]! > max) max = ids[rows[i]!]!;
  let src: Int32Array = rows;
  let dst: Int32Array = new Int32Array(rows.length);
  const counts = new Int32Array(2048);
  for (let shift = 0; shift < 32 && (shift === 0 || max >>> shift > 0); shift += 11) {
    counts.fill(0);
    for (let i = 0; i < src.length; i++) counts[(ids[src[i]!]! >>> shift) & 2047]!++;
    let at = 0;
    for (let d = 0; d < 2048; d++) {
      const n = counts[d]!;
      counts[d] = at;
      at += n;
    }
    for (let i = 0; i < src.length; i++) {
      const r = src[i]!;
      dst[counts[(ids[r]! >>> shift) & 2047]!++] = r;
    }
    [src, dst] = [dst, src];
  }
  return src;
}

/** Ids below this are tracked in a bitset per segment while parsing; real ids are below ~1.3M. */
const BITSET_IDS = 1 << 24;

/**
 * While parsing: which (segment, security id) keys are taken, and by which row, to refuse repeats.
 * A master rarely repeats a key, so the common case is a bit per id in a per-segment bitset (ids
 * come in runs, so the bits of neighbouring rows share cache lines). The first time a bit is
 * already set, or an id is too large for the bitset, a hash table of every row so far is built
 * and used from then on, which names the earlier row.
 */
export class SeenKeys {
  private readonly bits: Int32Array[] = [];
  private table: RowKeyTable | null = null;

  constructor(private readonly capacityHint = 1024) {}

  /** The row already holding (segment, id), or -1; the builder's rows 0..count-1 are in the columns. */
  find(segment: number, id: number, segCol: Uint8Array, idCol: Int32Array, count: number): number {
    if (this.table === null) {
      if (id < BITSET_IDS) {
        const bits = this.bits[segment];
        if (bits === undefined || (id >> 5) >= bits.length || (bits[id >> 5]! & (1 << (id & 31))) === 0) return -1;
      }
      this.table = new RowKeyTable(Math.max(this.capacityHint, count * 2));
      for (let r = 0; r < count; r++) this.table.add(r, segCol, idCol);
    }
    return this.table.find(segment, id, segCol, idCol);
  }

  /** Record `row`, whose key `find` has just reported free. */
  add(row: number, segCol: Uint8Array, idCol: Int32Array): void {
    if (this.table !== null) return this.table.add(row, segCol, idCol);
    const segment = segCol[row]!;
    const id = idCol[row]!;
    let bits = this.bits[segment];
    if (bits === undefined || (id >> 5) >= bits.length) bits = this.growBits(segment, id);
    bits[id >> 5]! |= 1 << (id & 31);
  }

  private growBits(segment: number, id: number): Int32Array {
    const old = this.bits[segment];
    let words = Math.max(old ? old.length * 2 : 1 << 12, 64);
    while (words <= id >> 5) words *= 2;
    const bits = new Int32Array(words);
    if (old) bits.set(old);
    this.bits[segment] = bits;
    return bits;
  }
}

/** (segment, security id) -> first row with that key: an open-addressed table of row numbers. */
class RowKeyTable {
  /** Row + 1, 0 for an empty slot. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity: number) {
    let size = 1024;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The row holding (segment, id), or -1. */
  find(segment: number, id: number, segCol: Uint8Array, idCol: Int32Array): number {
    for (let slot = slotOf(segment, id) & this.mask; ; slot = (slot + 1) & this.mask) {
      const r = this.slots[slot]! - 1;
      if (r < 0) return -1;
      if (idCol[r] === id && segCol[r] === segment) return r;
    }
  }

  /** Record `row`, whose key is not in the table yet. */
  add(row: number, segCol: Uint8Array, idCol: Int32Array): void {
    if (++this.count * 2 > this.mask) this.grow(segCol, idCol);
    this.place(row, segCol[row]!, idCol[row]!);
  }

  private place(row: number, segment: number, id: number): void {
    let slot = slotOf(segment, id) & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = row + 1;
  }

  private grow(segCol: Uint8Array, idCol: Int32Array): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    this.mask = this.slots.length - 1;
    for (const v of old) if (v !== 0) this.place(v - 1, segCol[v - 1]!, idCol[v - 1]!);
  }
}

function slotOf(segment: number, id: number): number {
  const h = Math.imul(id ^ (segment << 26), 0x9e3779b1);
  return h ^ (h >>> 15);
}
