import { describe, expect, it } from 'vitest';
import { istEpochMs } from '../../shared/market-calendar';
import { FeedPacket } from './feed-codec';
import { RESPONSE_CODE } from './feed-protocol';
import { restTradeTimeToLtt } from './market-data';
import { QuoteStore, roundToTick } from './quote-store';

function packet(code: number, fields: Partial<FeedPacket>): FeedPacket {
  return Object.assign(new FeedPacket(), { code, segment: 'NSE_FNO', securityId: 42512 }, fields);
}

/** Dhan's LTT (epoch seconds of IST wall-clock time) of `date` at `minutes` after IST midnight. */
const lttOf = (date: string, minutes: number): number => (istEpochMs(date, minutes) + 19_800_000) / 1000;

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
    expect(store.get('NSE_FNO:42512')).toMatchObject({ ltp: 121.1, prevClose: 120.35, prevOi: 123_450, ltq: 65, volume: 650, oi: 2_500_000, high: 122, updatedAt: 2000, quiet: false });
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

  it('marks a quote quiet after the limit, and grows past its initial capacity', () => {
    let t = 1;
    const store = new QuoteStore({ capacity: 4, now: () => t, staleAfterMs: 1000 });
    for (let i = 1; i <= 10; i++) store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: i }), { securityId: i }));
    expect(store.size).toBe(10);
    expect(store.ltp('NSE_FNO:10')).toBe(10);
    expect(store.get('NSE_FNO:1')!.quiet).toBe(false);
    t = 5000;
    expect(store.get('NSE_FNO:1')!.quiet).toBe(true);
    expect(store.get('NSE_FNO:99')).toBeUndefined();
  });

  it('knows whether a leg traded today from its last trade time, against the IST session day', () => {
    let t = istEpochMs('2026-02-10', 11 * 60); // Tuesday 11:00 IST, an NSE trading day
    const store = new QuoteStore({ now: () => t });
    const at = (id: number) => store.get(`NSE_FNO:${id}`)!;
    // A quote packet of a trade at 10:30 today.
    store.apply(Object.assign(packet(RESPONSE_CODE.QUOTE, { ltp: 120, ltt: lttOf('2026-02-10', 630) }), { securityId: 1 }));
    expect(at(1)).toMatchObject({ ltp: 120, tradedToday: true, lastTradeMs: istEpochMs('2026-02-10', 630) });
    // Dhan answering a subscription with yesterday's last trade: a price, not today's.
    store.apply(Object.assign(packet(RESPONSE_CODE.FULL, { ltp: 80, ltt: lttOf('2026-02-09', 929) }), { securityId: 2 }));
    expect(at(2)).toMatchObject({ ltp: 80, tradedToday: false, lastTradeMs: istEpochMs('2026-02-09', 929) });
    // Only the prev-close packet: no price, no trade.
    store.apply(Object.assign(packet(RESPONSE_CODE.PREV_CLOSE, { prevClose: 55 }), { securityId: 3 }));
    expect(at(3)).toMatchObject({ ltp: null, prevClose: 55, tradedToday: false, lastTradeMs: null });
    // A REST snapshot of an untraded contract (no trade time: last_price is the previous close) ...
    store.seed('NSE_FNO:4', { ltp: 55, prevClose: 55 });
    expect(at(4)).toMatchObject({ ltp: 55, tradedToday: false, lastTradeMs: null });
    // ... and of one that traded this morning.
    store.seed('NSE_FNO:5', { ltp: 61, prevClose: 55, ltt: lttOf('2026-02-10', 560) });
    expect(at(5).tradedToday).toBe(true);
    // The prev-close-only leg then trades: now it has traded today.
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 57, ltt: lttOf('2026-02-10', 659) }), { securityId: 3 }));
    expect(at(3)).toMatchObject({ ltp: 57, prevClose: 55, tradedToday: true });
    expect(store.tradedTodayAt(store.slotOf('NSE_FNO', 3)!)).toBe(true);
    // Next morning before the open nothing has traded today yet: the same prices are yesterday's.
    t = istEpochMs('2026-02-11', 8 * 60 + 30);
    expect([1, 2, 3, 4, 5].map((id) => at(id).tradedToday)).toEqual([false, false, false, false, false]);
  });

  it('on a weekend or a holiday the session day is the last trading day of the instrument\'s exchange', () => {
    let t = istEpochMs('2026-02-14', 10 * 60); // Saturday
    const store = new QuoteStore({ now: () => t });
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 10, ltt: lttOf('2026-02-13', 900) }), { securityId: 1 })); // Friday
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 10, ltt: lttOf('2026-02-12', 900) }), { securityId: 2 })); // Thursday
    expect(store.get('NSE_FNO:1')!.tradedToday).toBe(true);
    expect(store.get('NSE_FNO:2')!.tradedToday).toBe(false);
    // 2026-11-24 is an NSE holiday on which MCX trades: NSE's session day is the 23rd, MCX's the 24th.
    t = istEpochMs('2026-11-24', 18 * 60);
    const monday = lttOf('2026-11-23', 900);
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 10, ltt: monday }), { securityId: 3 }));
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 10, ltt: monday }), { segment: 'MCX_COMM', segmentCode: 5, securityId: 3 }));
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 10, ltt: lttOf('2026-11-24', 17 * 60 + 5) }), { segment: 'MCX_COMM', segmentCode: 5, securityId: 4 }));
    expect(store.get('NSE_FNO:3')!.tradedToday).toBe(true);
    expect(store.get('MCX_COMM:3')!.tradedToday).toBe(false);
    expect(store.get('MCX_COMM:4')!.tradedToday).toBe(true);
  });

  it('takes a REST snapshot\'s trade time as the feed\'s LTT; Dhan\'s untraded sentinel is no trade time', () => {
    expect(restTradeTimeToLtt('10/02/2026 09:20:05')).toBe(lttOf('2026-02-10', 560) + 5);
    expect(restTradeTimeToLtt('01/01/1980 00:00:00')).toBeNaN();
    expect(restTradeTimeToLtt(undefined)).toBeNaN();
    expect(restTradeTimeToLtt('2026-02-10 09:20:05')).toBeNaN();
    const store = new QuoteStore({ now: () => istEpochMs('2026-02-10', 600) });
    store.seed('NSE_FNO:1', { ltp: 12, ltt: restTradeTimeToLtt('10/02/2026 09:20:05') });
    store.seed('NSE_FNO:2', { ltp: 12, ltt: restTradeTimeToLtt('01/01/1980 00:00:00') });
    expect([store.get('NSE_FNO:1')!.tradedToday, store.get('NSE_FNO:2')!.tradedToday]).toEqual([true, false]);
    expect(store.get('NSE_FNO:2')!.lastTradeMs).toBeNull();
  });

  it('reads the best bid and ask in place (NaN when a side is missing)', () => {
    const store = new QuoteStore();
    const depth = new Float64Array(30);
    depth.set([650, 325, 5, 3, Math.fround(120.3), Math.fround(120.4)]);
    store.apply(packet(RESPONSE_CODE.FULL, { ltp: 120.35, depth }));
    store.apply(Object.assign(packet(RESPONSE_CODE.TICKER, { ltp: 5 }), { securityId: 7 }));
    const slot = store.slotOf('NSE_FNO', 42512)!;
    expect([store.bestBidAt(slot), store.bestAskAt(slot)]).toEqual([120.3, 120.4]);
    const bare = store.slotOf('NSE_FNO', 7)!;
    expect([store.bestBidAt(bare), store.bestAskAt(bare)]).toEqual([Number.NaN, Number.NaN]);
  });
});
