import { describe, expect, it } from 'vitest';
import type { InstrumentToken } from '../../shared/instruments';
import { QuoteQueue } from './quote-queue';

/** A queue over a fake exchange that records each request; pacing waits move a manual clock. */
function setup(options: { failOn?: number; refuse?: number[] } = {}) {
  let t = 0;
  const sent: { at: number; kind: string; tokens: InstrumentToken[] }[] = [];
  const q = new QuoteQueue<string, number>({
    intervalMs: 1000,
    maxPerRequest: 1000,
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    retryable: (err) => err instanceof Error && err.message.startsWith('805'),
    fetch: async (kind, tokens) => {
      sent.push({ at: t, kind, tokens });
      if (options.failOn === sent.length) throw new Error('exchange down');
      if (options.refuse?.includes(sent.length)) throw new Error('805 too many requests');
      // The exchange knows every instrument but the ones whose id ends in 9.
      return new Map(tokens.filter((x) => !x.endsWith('9')).map((x) => [x, Number(x.split(':')[1])]));
    },
  });
  return { q, sent };
}

const tokens = (from: number, n: number): InstrumentToken[] => Array.from({ length: n }, (_, i) => `NSE_FNO:${from + i}`);

describe('quote queue', () => {
  it('paints a big background job in ceil(N/1,000) requests a second apart, and answers each instrument once', async () => {
    const { q, sent } = setup();
    const got = await q.request('quote', tokens(1, 2500), 'background');
    expect(sent.map((s) => s.tokens.length)).toEqual([1000, 1000, 500]);
    expect(sent.map((s) => s.at)).toEqual([0, 1000, 2000]);
    expect(got.size).toBe(2500 - 250); // ids ending in 9 are unknown to the exchange: absent, not an error
    expect(got.get('NSE_FNO:1234')).toBe(1234);
    expect(q.stats()).toEqual({ requests: 3, instruments: 2500, waiting: 0 });
  });

  it('puts a trader waiting for a chain ahead of the start-up paint still queued', async () => {
    const { q, sent } = setup();
    const startUp = q.request('quote', tokens(1, 3000), 'background');
    await Promise.resolve();
    await Promise.resolve(); // the first request is on the wire
    const add = q.request('quote', tokens(100_000, 51), 'now');
    const answered = await add;
    expect(answered.size).toBe(51 - 5);
    // The add went in the second request, ahead of the start-up's remaining 2,000, which fill the rest.
    expect(sent[1]!.tokens.slice(0, 51)).toEqual(tokens(100_000, 51));
    expect(sent[1]!.tokens).toHaveLength(1000);
    await startUp;
    expect(sent.map((s) => s.tokens.length)).toEqual([1000, 1000, 1000, 51]);
  });

  it('paints the newest add first: after a burst, the chain a trader added last is the one on screen', async () => {
    const { q, sent } = setup();
    const burst = Array.from({ length: 30 }, (_, i) => q.request('quote', tokens(1000 * (i + 1), 50)));
    await Promise.resolve();
    await Promise.resolve(); // the first request (the last 20 chains of the burst) is on the wire
    const last = q.request('quote', tokens(900_000, 50));
    await last;
    expect(sent[1]!.tokens.slice(0, 50)).toEqual(tokens(900_000, 50));
    await Promise.all(burst);
    expect(sent.map((s) => s.tokens.length)).toEqual([1000, 550]);
    expect(sent[0]!.tokens.slice(0, 50)).toEqual(tokens(30_000, 50));
  });

  it('shares one request among callers of the same turn and asks an instrument once', async () => {
    const { q, sent } = setup();
    const [a, b] = await Promise.all([q.request('quote', tokens(1, 10)), q.request('quote', tokens(5, 10))]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.tokens).toHaveLength(14);
    expect([...a.keys()]).toEqual(tokens(1, 10).filter((x) => !x.endsWith('9')));
    expect(b.get('NSE_FNO:14')).toBe(14);
  });

  it('sends a refused request again a full interval after the refusal, and the next one an interval after that', async () => {
    const { q, sent } = setup({ refuse: [1, 2] });
    expect((await q.request('quote', tokens(1, 10))).size).toBe(9);
    await q.request('quote', tokens(500, 10));
    // Refused at 0 and 1,000; answered at 2,000; the next request waits for 3,000 (never sooner).
    expect(sent.map((s) => s.at)).toEqual([0, 1000, 2000, 3000]);
    expect(sent[2]!.tokens).toEqual(sent[0]!.tokens);
  });

  it('gives up after the retries and fails the jobs the request carried', async () => {
    const { q, sent } = setup({ refuse: [1, 2, 3] });
    await expect(q.request('quote', tokens(1, 5))).rejects.toThrow('805');
    expect(sent).toHaveLength(3);
  });

  it('keeps kinds apart, and a failed request fails only the jobs it carried', async () => {
    const { q, sent } = setup({ failOn: 1 });
    const ltp = q.request('ltp', tokens(1, 3));
    const quote = q.request('quote', tokens(1, 3));
    // The newest goes first, alone in its kind; it fails, the ltp request goes on a second later.
    await expect(quote).rejects.toThrow('exchange down');
    expect((await ltp).size).toBe(3);
    expect(sent.map((s) => [s.kind, s.at])).toEqual([
      ['quote', 0],
      ['ltp', 1000],
    ]);
  });
});
