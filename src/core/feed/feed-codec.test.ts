import { describe, expect, it } from 'vitest';
import { createRandom } from '../../sim/seeded-random';
import { DEPTH_STRIDE, FeedDecoder, FeedPacket } from './feed-codec';
import { disconnectPacket, writePacket } from './feed-encoder';
import { RESPONSE_CODE } from './feed-protocol';

const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');

/** Decode a frame and copy out every packet (the decoder reuses one object). */
function decodeAll(frame: Uint8Array, decoder = new FeedDecoder()): FeedPacket[] {
  const out: FeedPacket[] = [];
  decoder.decode(frame, (p) => {
    const copy = Object.assign(new FeedPacket(), p);
    (copy as { depth: Float64Array }).depth = Float64Array.from(p.depth);
    out.push(copy);
  });
  return out;
}

describe('decoding the worked byte examples of DHAN-PROTOCOL.md §2.10', () => {
  it('ticker: RELIANCE NSE_EQ 2885, LTP 1402.5, LTT 1770714900', () => {
    const [p] = decodeAll(hex('02 10 00 01 45 0b 00 00 00 50 af 44 14 f7 8a 69'));
    expect(p).toMatchObject({ code: 2, length: 16, segment: 'NSE_EQ', securityId: 2885, ltp: 1402.5, ltt: 1770714900 });
  });

  it('prev close: NSE_FNO 35060, 120.35, prev OI 123450', () => {
    const [p] = decodeAll(hex('06 10 00 02 f4 88 00 00 33 b3 f0 42 3a e2 01 00'));
    expect(p).toMatchObject({ code: 6, segment: 'NSE_FNO', securityId: 35060, prevOi: 123450 });
    expect(p!.prevClose).toBeCloseTo(120.35, 4);
  });

  it('OI: NSE_FNO 35060, 2,500,000', () => {
    expect(decodeAll(hex('05 0c 00 02 f4 88 00 00 a0 25 26 00'))[0]).toMatchObject({ code: 5, securityId: 35060, oi: 2_500_000 });
  });

  it('disconnect 805', () => {
    expect(decodeAll(hex('32 0a 00 00 00 00 00 00 25 03'))[0]).toMatchObject({ code: 50, disconnectReason: 805 });
    expect(decodeAll(disconnectPacket(807))[0]).toMatchObject({ code: 50, disconnectReason: 807 });
  });

  it('quote (50 bytes): every field in the documented order (open, close, high, low)', () => {
    const frame = hex(
      '04 32 00 01 45 0b 00 00 | 00 50 af 44 | 0a 00 | 14 f7 8a 69 | 00 d8 ae 44 | 87 d6 12 00 | 50 c3 00 00 | 60 ea 00 00 | 00 60 ae 44 | 00 00 00 00 | 00 a0 af 44 | 33 c3 ad 44',
    );
    const [p] = decodeAll(frame);
    expect(p).toMatchObject({
      code: 4, length: 50, segment: 'NSE_EQ', securityId: 2885, ltp: 1402.5, ltq: 10, ltt: 1770714900, atp: 1398.75,
      volume: 1_234_567, totalSellQty: 50_000, totalBuyQty: 60_000, open: 1395, close: 0, high: 1405,
    });
    expect(p!.low).toBeCloseTo(1390.1, 3);
  });

  it('the real 162-byte full-packet capture prefix: NSE_FNO 55796, LTP 152.3, LTQ 75', () => {
    const frame = Buffer.alloc(162);
    hex('08 a2 00 02 f4 d9 00 00 cd 4c 18 43 4b 00').copy(frame);
    const [p] = decodeAll(frame);
    expect(p).toMatchObject({ code: 8, length: 162, segment: 'NSE_FNO', securityId: 55796, ltq: 75 });
    expect(p!.ltp).toBeCloseTo(152.3, 4);
  });

  it('one full depth level: bid 650 @ 120.3 (5 orders), ask 325 @ 120.4 (3 orders)', () => {
    const frame = Buffer.alloc(162);
    hex('08 a2 00 02 f4 d9 00 00').copy(frame);
    hex('8a 02 00 00 45 01 00 00 05 00 03 00 9a 99 f0 42 cd cc f0 42').copy(frame, 62);
    const d = decodeAll(frame)[0]!.depth;
    expect([d[0], d[1], d[2], d[3]]).toEqual([650, 325, 5, 3]);
    expect(d[4]).toBeCloseTo(120.3, 4);
    expect(d[5]).toBeCloseTo(120.4, 4);
  });
});

function sampleFields(): FeedPacket {
  const f = new FeedPacket();
  Object.assign(f, { ltp: 24_812.35, ltq: 75, ltt: 1_770_714_900, atp: 24_790.5, volume: 4_000_000_000, totalSellQty: 12_345, totalBuyQty: 54_321, oi: 3_100_000, oiDayHigh: 3_200_000, oiDayLow: 2_900_000, open: 24_700, close: 0, high: 24_900.05, low: 24_650.1, prevClose: 24_680.2, prevOi: 3_000_000, disconnectReason: 805 });
  for (let i = 0; i < 5; i++) f.depth.set([100 * (i + 1), 90 * (i + 1), i + 1, i + 2, 24_812 - i * 0.05, 24_812.4 + i * 0.05], i * DEPTH_STRIDE);
  return f;
}

describe('encode -> decode round trip and stacking', () => {
  it('round-trips every packet type, prices through float32', () => {
    const f = sampleFields();
    const buf = Buffer.alloc(1024);
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    const codes = [RESPONSE_CODE.TICKER, RESPONSE_CODE.QUOTE, RESPONSE_CODE.OI, RESPONSE_CODE.PREV_CLOSE, RESPONSE_CODE.FULL, RESPONSE_CODE.MARKET_STATUS, RESPONSE_CODE.DISCONNECT];
    for (const code of codes) at += writePacket(v, at, code, 'NSE_FNO', 123_456, f);
    const decoder = new FeedDecoder();
    const packets = decodeAll(buf.subarray(0, at), decoder);
    expect(packets.map((p) => p.code)).toEqual(codes);
    expect(decoder.stats).toMatchObject({ frames: 1, packets: 7, truncated: 0, unknown: 0, malformed: 0, oversized: 0 });
    const full = packets[4]!;
    expect(full.securityId).toBe(123_456);
    expect(full.ltp).toBe(Math.fround(24_812.35));
    expect(full).toMatchObject({ ltq: 75, volume: 4_000_000_000, oi: 3_100_000, oiDayHigh: 3_200_000, oiDayLow: 2_900_000, close: 0 });
    expect(Array.from(full.depth)).toEqual(Array.from(f.depth, (x, i) => (i % DEPTH_STRIDE >= 4 ? Math.fround(x) : x)));
    expect(packets[3]!.prevClose).toBe(Math.fround(24_680.2));
    expect(packets[6]!.disconnectReason).toBe(805);
  });

  it('counts and skips truncated, oversized, undersized and unknown packets, keeping the good ones', () => {
    const f = sampleFields();
    const good = Buffer.alloc(16);
    writePacket(new DataView(good.buffer, good.byteOffset, 16), 0, RESPONSE_CODE.TICKER, 'NSE_EQ', 2885, f);
    const unknown = Buffer.from(good);
    unknown[0] = 99;
    const oversized = Buffer.concat([good, Buffer.alloc(4)]);
    oversized.writeUInt16LE(20, 1);
    const undersized = Buffer.from(good.subarray(0, 12));
    undersized.writeUInt16LE(12, 1);
    const badSegment = Buffer.from(good);
    badSegment[3] = 6;
    const decoder = new FeedDecoder();
    const frame = Buffer.concat([good, unknown, oversized, undersized, badSegment, good, good.subarray(0, 10)]);
    expect(decodeAll(frame, decoder)).toHaveLength(2);
    expect(decoder.stats).toMatchObject({ packets: 2, unknown: 1, oversized: 1, malformed: 1, badSegment: 1, truncated: 1 });
    expect(decodeAll(Buffer.from([2, 3]), decoder)).toHaveLength(0);
    expect(decoder.stats.truncated).toBe(2);
    const zeroLength = Buffer.from(good);
    zeroLength.writeUInt16LE(0, 1);
    expect(decodeAll(Buffer.concat([zeroLength, good]), decoder)).toHaveLength(0);
    expect(decoder.stats.malformed).toBe(2);
  });
});

describe('fuzz: random and mutated frames', () => {
  it('never throws, never reads out of bounds, and accounts for every frame', () => {
    const rnd = createRandom(42, 'codec-fuzz');
    const f = sampleFields();
    const decoder = new FeedDecoder();
    const codes = [2, 4, 5, 6, 7, 8, 50];
    let delivered = 0;
    for (let i = 0; i < 20_000; i++) {
      let frame: Buffer;
      if (rnd.chance(0.3)) {
        frame = Buffer.alloc(rnd.int(0, 400));
        for (let k = 0; k < frame.length; k++) frame[k] = rnd.int(0, 255);
      } else {
        const buf = Buffer.alloc(1200);
        const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        let at = 0;
        const count = rnd.int(1, 6);
        for (let k = 0; k < count; k++) at += writePacket(v, at, rnd.pick(codes), 'NSE_FNO', rnd.int(1, 2_000_000), f);
        frame = buf.subarray(rnd.int(0, 3), at - rnd.int(0, 3));
        const flips = rnd.int(0, 4);
        for (let k = 0; k < flips && frame.length; k++) frame[rnd.int(0, frame.length - 1)] = rnd.int(0, 255);
      }
      // Decode the frame as a view into a larger buffer whose neighbouring bytes are poison: any
      // read past the frame's end would change the result against a tight copy of the frame.
      const shifted = Buffer.concat([Buffer.alloc(7, 0xee), frame, Buffer.alloc(200, 0xee)]).subarray(7, 7 + frame.length);
      const seen: number[] = [];
      const tight: number[] = [];
      expect(() => (delivered += decoder.decode(shifted, () => undefined))).not.toThrow();
      new FeedDecoder().decode(shifted, (p) => seen.push(p.code, p.securityId, p.ltp, p.oi, p.prevClose, p.depth[29]!));
      new FeedDecoder().decode(Buffer.from(frame), (p) => tight.push(p.code, p.securityId, p.ltp, p.oi, p.prevClose, p.depth[29]!));
      expect(seen).toEqual(tight);
    }
    const s = decoder.stats;
    expect(s.frames).toBe(20_000);
    expect(s.packets).toBe(delivered);
    expect(s.packets).toBeGreaterThan(5_000); // the fuzz really exercised the good path too
    expect(s.truncated + s.malformed + s.unknown + s.oversized + s.badSegment).toBeGreaterThan(1_000);
  });
});

describe('decodeRange: a frame inside a larger buffer', () => {
  it('reads only bytes [start, end), alternating between two buffers, as decode of the slice does', () => {
    const ticker = hex('02 10 00 01 45 0b 00 00 00 50 af 44 14 f7 8a 69');
    const oi = hex('05 0c 00 02 f4 88 00 00 a0 25 26 00');
    const readBuf = Buffer.concat([Buffer.from([5, 0x0c, 0, 2]), ticker, oi, Buffer.from([2, 0x10])]); // junk either side
    const carry = Buffer.concat([Buffer.alloc(7, 0xff), oi]);
    const decoder = new FeedDecoder();
    const got: string[] = [];
    const record = (p: FeedPacket) => got.push(`${p.code}:${p.securityId}`);
    expect(decoder.decodeRange(readBuf, 4, 20, record)).toBe(1);
    expect(decoder.decodeRange(carry, 7, 19, record)).toBe(1);
    expect(decoder.decodeRange(readBuf, 20, 32, record)).toBe(1);
    expect(decoder.decodeRange(readBuf.subarray(4), 0, 28, record)).toBe(2);
    expect(got).toEqual(['2:2885', '5:35060', '5:35060', '2:2885', '5:35060']);
    expect(decoder.stats).toMatchObject({ frames: 4, packets: 5, truncated: 0, malformed: 0 });
  });
});
