/**
 * Feed codec benchmark: decode rate for Dhan's packet mix (60% ticker, 30% quote, 10% full), one
 * packet per frame as Dhan sends them, into the decoder's preallocated packet, plus the same
 * packets stacked 10 to a frame. Target (issue 4): >= 5,000,000 packets/s decoded; the official
 * Python SDK's decoder does about 250,000/s here on that mix.
 */
import { createRandom } from '../src/sim/seeded-random';
import { FeedDecoder, FeedPacket } from '../src/core/feed/feed-codec';
import { writePacket } from '../src/core/feed/feed-encoder';
import { RESPONSE_CODE } from '../src/core/feed/feed-protocol';
import { median, round, type Benchmark, type Figure } from './harness';

const FRAMES = 200_000;

function buildFrames(stack: number): Buffer[] {
  const rnd = createRandom(7, 'codec-bench');
  const f = new FeedPacket();
  Object.assign(f, { ltp: 24_812.35, ltq: 75, ltt: 1_770_714_900, atp: 24_790.5, volume: 1_000_000, totalSellQty: 1, totalBuyQty: 2, oi: 3, oiDayHigh: 4, oiDayLow: 2, open: 1, close: 0, high: 2, low: 1 });
  const frames: Buffer[] = [];
  for (let i = 0; i < FRAMES / stack; i++) {
    const buf = Buffer.alloc(162 * stack);
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    for (let k = 0; k < stack; k++) {
      const x = rnd.next();
      const code = x < 0.6 ? RESPONSE_CODE.TICKER : x < 0.9 ? RESPONSE_CODE.QUOTE : RESPONSE_CODE.FULL;
      f.ltp = 100 + rnd.next() * 25_000;
      at += writePacket(v, at, code, 'NSE_FNO', 35_000 + rnd.int(0, 25_000), f);
    }
    frames.push(buf.subarray(0, at));
  }
  return frames;
}

function rate(frames: Buffer[]): number {
  const decoder = new FeedDecoder();
  let sum = 0;
  const sink = (p: FeedPacket) => {
    sum += p.ltp;
  };
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const before = decoder.stats.packets;
    const t0 = performance.now();
    for (const f of frames) decoder.decode(f, sink);
    const ms = performance.now() - t0;
    runs.push(((decoder.stats.packets - before) / ms) * 1000);
  }
  if (!(sum > 0)) throw new Error('decoder produced nothing');
  return median(runs.slice(2)); // first runs warm the JIT
}

export const codecBenchmark: Benchmark = {
  name: 'codec',
  description: 'feed decode rate, 60/30/10 ticker/quote/full mix, into a reused packet',
  async run(): Promise<Figure[]> {
    const single = rate(buildFrames(1));
    const stacked = rate(buildFrames(10));
    return [
      { name: 'codec.decode_packets_per_s', value: round(single, -3), unit: 'packets/s (1 per frame)', target: 5_000_000, better: 'min' },
      { name: 'codec.decode_stacked_packets_per_s', value: round(stacked, -3), unit: 'packets/s (10 per frame)' },
    ];
  },
};
