import { describe, expect, it } from 'vitest';
import { StreamViews, viewKey } from './stream-views';

describe('StreamViews', () => {
  it('holds two history views of different chains apart: closing one never silences the other', () => {
    const views = new StreamViews();
    const nifty = { op: 'subscribe', view: 'history', symbol: 'NIFTY', expiry: '2026-12-08' } as const;
    const bank = { op: 'subscribe', view: 'history', symbol: 'BANKNIFTY', expiry: '2026-12-29' } as const;
    expect(viewKey(nifty)).toBe('history|NIFTY|2026-12-08');
    expect(views.track({ ...nifty, id: 'a' })).toBe(true);
    expect(views.track(bank)).toBe(true);
    expect(views.track({ ...nifty, op: 'unsubscribe' })).toBe(true);
    // BANKNIFTY's view is still held and is replayed after a reconnect.
    expect(views.active()).toEqual([bank]);
  });

  it('sends the unsubscribe of a history view only when its last holder lets go', () => {
    const views = new StreamViews();
    const m = { op: 'subscribe', view: 'history', symbol: 'nifty', expiry: '2026-12-08' } as const;
    views.track(m);
    views.track({ ...m, symbol: 'NIFTY' });
    expect(views.track({ ...m, op: 'unsubscribe' })).toBe(false);
    expect(views.track({ ...m, op: 'unsubscribe' })).toBe(true);
    expect(views.active()).toEqual([]);
  });
});
