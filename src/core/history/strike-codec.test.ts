import { describe, expect, it } from 'vitest';
import { BlockBuilder, decodeBlock, eachVolumeMinute, strikeColumns, type StrikeColumns } from './strike-codec';

/** A 3-strike chain-minute; `bump` moves prices, OI and volume. */
function minute(strikes: number[], bump = 0): StrikeColumns {
  const c = strikeColumns(strikes.length);
  c.count = strikes.length;
  strikes.forEach((k, i) => {
    c.strikes[i] = k;
    c.ceLtp[i] = (12_035 + bump * 5 - i * 1_000) / 100;
    c.peLtp[i] = 80.1 + i * 10;
    c.ceOi[i] = 75 * (1_000 + bump + i);
    c.peOi[i] = 75 * (2_000 - bump);
    c.ceOiChange[i] = -75 * (5 + i);
    c.peOiChange[i] = 75 * bump;
    c.ceVolume[i] = 5_000_000_000 + 75 * bump; // above 2^32: stays exact
    c.peVolume[i] = 75 * bump;
    c.ceIv[i] = 0.1534;
    c.peIv[i] = (1612 + bump) / 10_000;
  });
  return c;
}

const rows = (c: StrikeColumns) =>
  Array.from({ length: c.count }, (_, i) => [c.strikes[i], c.ceLtp[i], c.peLtp[i], c.ceOi[i], c.peOi[i], c.ceOiChange[i], c.peOiChange[i], c.ceVolume[i], c.peVolume[i], c.ceIv[i], c.peIv[i]]);

describe('strike blocks', () => {
  it('give back every minute exactly: prices to the paisa, counts past 2^32, negatives, IV to 0.01%, nulls as null', () => {
    const b = new BlockBuilder(16);
    const m0 = minute([24_950, 25_000, 25_050.5]);
    const m1 = minute([24_950, 25_000, 25_050.5], 3);
    m1.ceLtp[1] = Number.NaN; // a leg that has no price at that minute
    m1.peIv[2] = Number.NaN;
    const m2 = minute([25_000, 25_050.5, 25_100], 4); // the window re-centred
    b.append(0, m0, null);
    b.append(1, m1, m0);
    b.append(5, m2, m1);
    const out = decodeBlock(b.bytes);
    expect(out.map((m) => m.offset)).toEqual([0, 1, 5]);
    expect(rows(out[0]!.columns)).toEqual(rows(m0));
    expect(rows(out[1]!.columns)).toEqual(rows(m1));
    expect(out[1]!.columns.ceLtp[1]).toBeNaN();
    expect(rows(out[2]!.columns)).toEqual(rows(m2));
    expect(decodeBlock(b.bytes, 4).map((m) => m.offset)).toEqual([0, 1]);
  });

  it('a minute that barely moved costs about a byte per number, far less than the first', () => {
    const strikes = Array.from({ length: 101 }, (_, i) => 20_000 + 50 * i);
    const b = new BlockBuilder();
    const first = minute(strikes);
    b.append(0, first, null);
    const afterFirst = b.bytes.length;
    b.append(1, minute(strikes, 1), first);
    const second = b.bytes.length - afterFirst;
    expect(second).toBeLessThanOrEqual(10 * 101 + 5 * 2 + 8);
    expect(second).toBeLessThan(afterFirst * 0.6);
  });

  it('refuses a block it does not know', () => {
    expect(() => decodeBlock(Uint8Array.of(9))).toThrow(/version 9/);
    const b = new BlockBuilder();
    b.append(0, minute([100]), null);
    expect(() => decodeBlock(b.bytes.subarray(0, b.bytes.length - 1))).toThrow(/ends early/);
  });

  it('walked for volumes only, gives the same strikes and volumes as a full decode, minute by minute', () => {
    const b = new BlockBuilder();
    const m0 = minute([24_950, 25_000, 25_050.5]);
    const m1 = minute([24_950, 25_000, 25_050.5], 3);
    m1.peVolume[0] = Number.NaN;
    const m2 = minute([25_000, 25_050.5, 25_100], 4); // re-centred: listed again
    const m3 = minute([25_000, 25_050.5, 25_100], 9);
    [m0, m1, m2, m3].forEach((m, i, all) => b.append(i * 2, m, i > 0 ? all[i - 1]! : null));
    const volumes = (c: Pick<StrikeColumns, 'count' | 'strikes' | 'ceVolume' | 'peVolume'>) =>
      Array.from({ length: c.count }, (_, i) => [c.strikes[i], c.ceVolume[i], c.peVolume[i]]);
    const walked: [number, number[][]][] = [];
    eachVolumeMinute(b.bytes, (offset, c) => walked.push([offset, volumes(c)]), 4);
    expect(walked).toEqual(decodeBlock(b.bytes, 4).map((m) => [m.offset, volumes(m.columns)]));
    expect(walked.map(([o]) => o)).toEqual([0, 2, 4]);
    expect(walked[1]![1][0]![2]).toBeNaN();
    expect(walked[2]![1]).toEqual(volumes(m2));
  });
});
