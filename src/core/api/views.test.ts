import { describe, expect, it } from 'vitest';
import { QuoteStore } from '../feed/quote-store';
import { legQuote } from './views';

describe('legQuote', () => {
  it('gives no OI change until the leg has been quoted (its OI would read 0), then OI minus the previous close', () => {
    const store = new QuoteStore({ now: () => 0 });
    const token = 'NSE_FNO:35001';
    store.track(token, 0.05);
    store.seed(token, { prevClose: 10, prevOi: 500 });
    expect(legQuote({ store }, token)).toMatchObject({ ltp: null, prev_close: 10, oi: 0, oi_change: null });
    store.seed(token, { ltp: 12.5, oi: 650 });
    expect(legQuote({ store }, token)).toMatchObject({ ltp: 12.5, change: 2.5, oi: 650, oi_change: 150 });
  });
});
