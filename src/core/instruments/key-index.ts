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
    const arrays = Array.from(sizes, (n) => new Float64Array(n));
    const fill = new Int32Array(segments);
    for (let r = 0; r < count; r++) {
      const s = segment[r]!;
      arrays[s]![fill[s]!++] = securityId[r]! * ROW_SPAN + r;
    }
    for (const a of arrays) a.sort();
    return new KeyIndex(arrays);
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
