import { describe, expect, it } from 'vitest';
import { FeedPacket } from './feed-codec';
import { RESPONSE_CODE } from './feed-protocol';
import { QuoteStore, roundToTick } from './quote-store';

function packet(code: number, fields: Partial<FeedPacket>): FeedPacket {
  return Object.assign(new FeedPacket(), { code, segment: 'NSE_FNO', securityId: 42512 }, fields);
}

describe('quote store', () => {
  it('rounds float32 prices to the tick', () => {
    expect(roundToTick(Math.fround(247.8), 0.05)).toBe(247.8);
    expect(roundToTick(Math.fround(25642.8), 0.05)).toBe(25642.8);
    expect(roundToTick(Math.fround(78.2525), 0.0025)).toBe(78.2525);
    expect(roundToTick(101.03, 0.05)).toBe(101.05);
  });

  it('keeps the latest value of every field, per instrument, keyed by segment and id', () => {
    let t = 1000;
    const store = new QuoteStore({ now: () => t });
    store.track('NSE_FNO:42512', 0.05);
    store.apply(packet(RESPONSE_CODE.PREV_CLOSE, { prevClose: Math.fround(120.35), prevOi: 123_450 }));
    store.apply(packet(RESPONSE_CODE.QUOTE, { ltp: Math.fround(121.1), ltq: 65, ltt: 1_770_714_900, volume: 650, open: 120, high: 122, low: 119.5 }));
    t = 2000;
    store.apply(packet(RESPONSE_CODE.OI, { oi: 2_500_000 }));
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: Math.fround(99.95) }), { segment: 'NSE_EQ', securityId: 42512 }));
    expect(store.get('NSE_FNO:42512')).toMatchObject({ ltp: 121.1, prevClose: 120.35, prevOi: 123_450, ltq: 65, volume: 650, oi: 2_500_000, high: 122, updatedAt: 2000, stale: false });
    expect(store.ltp('NSE_EQ:42512')).toBe(99.95);
    expect(store.ltp('BSE_EQ:42512')).toBeUndefined();
  });

  it('reports what changed since a consumer last looked, once per window, with the latest value', () => {
    const store = new QuoteStore();
    const a = 'NSE_FNO:1';
    const b = 'NSE_FNO:2';
    store.track(a);
    store.track(b);
    const start = store.sequence;
    for (const ltp of [10, 11, 12]) store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp }), { securityId: 1 }));
    const first = store.changedSince(start);
    expect(first.tokens).toEqual([a]);
    expect(store.get(a)!.ltp).toBe(12);
    expect(store.changedSince(first.sequence).tokens).toEqual([]);
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 5 }), { securityId: 2 }));
    expect(store.changedSince(first.sequence, [a, b]).tokens).toEqual([b]);
    expect(store.changedSince(first.sequence, [a]).tokens).toEqual([]);
  });

  it('fills a first paint from a snapshot without overwriting a tick that came first', () => {
    const store = new QuoteStore();
    store.seed('NSE_FNO:1', { ltp: 50.05, prevClose: 49, volume: 10 });
    expect(store.get('NSE_FNO:1')).toMatchObject({ ltp: 50.05, prevClose: 49, volume: 10 });
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 51 }), { securityId: 2 }));
    store.seed('NSE_FNO:2', { ltp: 40 });
    expect(store.ltp('NSE_FNO:2')).toBe(51);
  });

  it('marks a quote stale after the limit, and grows past its initial capacity', () => {
    let t = 1;
    const store = new QuoteStore({ capacity: 4, now: () => t, staleAfterMs: 1000 });
    for (let i = 1; i <= 10; i++) store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: i }), { securityId: i }));
    expect(store.size).toBe(10);
    expect(store.ltp('NSE_FNO:10')).toBe(10);
    expect(store.get('NSE_FNO:1')!.stale).toBe(false);
    t = 5000;
    expect(store.get('NSE_FNO:1')!.stale).toBe(true);
    expect(store.get('NSE_FNO:99')).toBeUndefined();
  });
});
