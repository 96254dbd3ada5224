import { describe, expect, it } from 'vitest';
import { istEpochMs } from '../../shared/market-calendar';
import { FeedPacket } from '../feed/feed-codec';
import { RESPONSE_CODE } from '../feed/feed-protocol';
import { QUIET_AFTER_MS, QuoteStore } from '../feed/quote-store';
import { legQuote, nearestStrike } from './views';

/** Dhan's LTT (epoch seconds of IST wall-clock time) of `date` at `minutes` after IST midnight. */
const lttOf = (date: string, minutes: number): number => (istEpochMs(date, minutes) + 19_800_000) / 1000;
const DAY = '2026-02-10'; // a Tuesday, an NSE trading day

/** A store on a clock a test moves, and a feed whose liveness it sets. */
function setup(start = istEpochMs(DAY, 11 * 60)) {
  const clock = { t: start };
  const store = new QuoteStore({ now: () => clock.t });
  const live = { value: true };
  const feed = { isLive: () => live.value, health: () => [], rebalanceNow: () => ({ moved: 0 }) } as unknown as Parameters<typeof legQuote>[0]['feed'];
  return { clock, store, live, services: { store, feed } };
}

describe('legQuote', () => {
  it('gives no OI change until the leg has been quoted (its OI would read 0), then OI minus the previous close', () => {
    const { store, services } = setup();
    const token = 'NSE_FNO:35001';
    store.track(token, 0.05);
    store.seed(token, { prevClose: 10, prevOi: 500 });
    // The feed's prev-close packet alone: not known yet whether it traded (not "untraded").
    expect(legQuote(services, token)).toMatchObject({ ltp: null, prev_close: 10, oi: 0, oi_change: null, traded_today: null });
    store.seed(token, { ltp: 12.5, oi: 650, ltt: lttOf(DAY, 10 * 60) });
    expect(legQuote(services, token)).toMatchObject({ ltp: 12.5, change: 2.5, oi: 650, oi_change: 150, traded_today: true });
  });

  it('shows an untraded leg\'s previous close as such: ltp and change null, prev_close kept, never stale', () => {
    const { clock, store, live, services } = setup();
    // A REST snapshot of a contract that has not traded today: last_price is the previous close.
    store.seed('NSE_FNO:1', { ltp: 42.5, prevClose: 42.5, oi: 900, prevOi: 900 });
    // Dhan's answer to a subscription with yesterday's last trade.
    store.seed('NSE_FNO:2', { ltp: 18.05, prevClose: 18, ltt: lttOf('2026-02-09', 15 * 60 + 10) });
    const a = legQuote(services, 'NSE_FNO:1');
    expect(a).toMatchObject({ ltp: null, prev_close: 42.5, change: null, traded_today: false, last_trade_time: null, stale: false, oi_change: 0 });
    const b = legQuote(services, 'NSE_FNO:2');
    expect(b).toMatchObject({ ltp: null, prev_close: 18, change: null, traded_today: false, last_trade_time: istEpochMs('2026-02-09', 15 * 60 + 10), stale: false });
    // Quiet for an hour in session on a dead socket: still untraded, not stale.
    clock.t += 3_600_000;
    live.value = false;
    expect(legQuote(services, 'NSE_FNO:1')).toMatchObject({ traded_today: false, stale: false });
    // An instrument the store never saw.
    expect(legQuote(services, 'NSE_FNO:3')).toMatchObject({ ltp: null, prev_close: null, change: null, traded_today: null, last_trade_time: null, stale: false });
  });

  it('marks a traded value stale past the freshness limit in session, or off a live socket; after the close it is the day\'s last', () => {
    const { clock, store, live, services } = setup();
    store.seed('NSE_FNO:1', { ltp: 101, prevClose: 100, ltt: lttOf(DAY, 10 * 60 + 59) });
    store.seed('MCX_COMM:9', { ltp: 51, prevClose: 50, ltt: lttOf(DAY, 10 * 60 + 59) });
    expect(legQuote(services, 'NSE_FNO:1')).toMatchObject({ ltp: 101, change: 1, traded_today: true, last_trade_time: istEpochMs(DAY, 10 * 60 + 59), stale: false });
    clock.t += QUIET_AFTER_MS - 1_000;
    expect(legQuote(services, 'NSE_FNO:1').stale).toBe(false);
    clock.t += 2_000;
    expect(legQuote(services, 'NSE_FNO:1').stale).toBe(true);
    // Any update makes it fresh again (Dhan sends only on change): an OI packet here.
    store.apply(Object.assign(new FeedPacket(), { code: RESPONSE_CODE.OI, segment: 'NSE_FNO', securityId: 1, oi: 1_200 }));
    expect(legQuote(services, 'NSE_FNO:1')).toMatchObject({ oi: 1_200, stale: false });
    clock.t += QUIET_AFTER_MS + 1_000;
    // After 15:30 IST: NSE's values are the day's last; MCX trades on.
    clock.t = istEpochMs(DAY, 16 * 60);
    expect(legQuote(services, 'NSE_FNO:1').stale).toBe(false);
    expect(legQuote(services, 'MCX_COMM:9').stale).toBe(true);
    // Off a live socket nothing would tell us of a change: stale whatever the time.
    live.value = false;
    expect(legQuote(services, 'NSE_FNO:1').stale).toBe(true);
  });
});

describe('nearestStrike', () => {
  const chain = { strikes: [5_450, 5_500, 5_550, 5_600, 5_650].map((strike) => ({ strike, ce: null, pe: null })) };
  it('is the listed strike nearest the LTP, which the ATM (the window centre) may not be', () => {
    expect(nearestStrike(chain, 5_560)).toBe(5_550);
    expect(nearestStrike(chain, 5_590)).toBe(5_600);
    expect(nearestStrike(chain, 5_575)).toBe(5_600); // a tie goes up, as the ATM rounds
    expect(nearestStrike(chain, 9_999)).toBe(5_650);
    expect(nearestStrike(chain, null)).toBeNull();
    expect(nearestStrike(chain, 0)).toBeNull();
    expect(nearestStrike(chain, Number.NaN)).toBeNull();
    expect(nearestStrike({ strikes: [] }, 5_560)).toBeNull();
  });
});
