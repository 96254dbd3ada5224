import { describe, expect, it } from 'vitest';
import { KeyIndex, SeenKeys } from './key-index';

/** Feeds keys as the parser does: find, then add when free; returns each key's earlier row or -1. */
function feed(keys: [number, number][], seen = new SeenKeys(16)): number[] {
  const seg = new Uint8Array(keys.length);
  const ids = new Int32Array(keys.length);
  let count = 0;
  return keys.map(([s, id]) => {
    const prev = seen.find(s, id, seg, ids, count);
    if (prev < 0) {
      seg[count] = s;
      ids[count] = id;
      seen.add(count++, seg, ids);
    }
    return prev;
  });
}

describe('SeenKeys', () => {
  it('keeps ids apart by segment and names the earlier row of a repeat', () => {
    expect(feed([[0, 2885], [3, 2885], [0, 13], [0, 2885], [3, 13], [3, 2885]])).toEqual([-1, -1, -1, 0, -1, 1]);
  });

  it('handles ids past the bitset, and keeps answering after switching to the table', () => {
    const big = 2 ** 31 - 1;
    expect(feed([[1, 5], [1, big], [1, 6], [1, big], [1, 5], [2, big]])).toEqual([-1, -1, -1, 1, 0, -1]);
  });

  it('finds repeats among many rows', () => {
    const keys: [number, number][] = [];
    for (let i = 0; i < 50_000; i++) keys.push([i % 3, (i * 7919) % 40_000]);
    const prev = feed(keys);
    const firstAt = new Map<string, number>();
    let row = 0;
    const want = keys.map(([s, id]) => {
      const k = `${s}:${id}`;
      const at = firstAt.get(k);
      if (at !== undefined) return at;
      firstAt.set(k, row++);
      return -1;
    });
    expect(prev).toEqual(want);
  });
});

describe('KeyIndex', () => {
  it('finds every row by (segment, id), large ids and ids shared across segments included', () => {
    const ids = [2885, 2885, 13, 2 ** 31 - 1, 4096, 2049, 0, 1_100_000, 2 ** 22 + 5, 7];
    const segs = [0, 3, 0, 1, 0, 0, 2, 3, 1, 1];
    const index = KeyIndex.build(Uint8Array.from(segs), Int32Array.from(ids), ids.length, 4);
    ids.forEach((id, row) => expect(index.find(segs[row]!, id)).toBe(row));
    expect(index.find(0, 2049 + 2048)).toBe(-1);
    expect(index.find(2, 2885)).toBe(-1);
    for (const a of index.bySegment) for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
  });
});
