import { describe, expect, it } from 'vitest';
import { FakeError, createFakeTransport } from '../api/fake-transport';
import { existingEntry } from './actions';
import { createServices } from './app-context';
import { engineHandlers } from './test-harness';

const entry = (symbol: string, expiry_date: string, instrument_type = expiry_date ? 'INDEX_OPTION' : 'EQUITY') => ({
  symbol, expiry_date, instrument_type, added_at: 0, added_order: 0, status: 'live' as const, status_reason: null,
});

describe('existingEntry (the entry a duplicate add names)', () => {
  const list = [entry('NIFTY', '2026-12-08'), entry('NIFTY', '2026-12-01'), entry('RELIANCE', '')];
  it('names the asked expiry, the equity, or the nearest option entry when no expiry was asked', () => {
    expect(existingEntry(list, { symbol: 'nifty', instrument_type: 'INDEX_OPTION', expiry: '2026-12-08' })).toEqual({ symbol: 'NIFTY', expiry: '2026-12-08' });
    expect(existingEntry(list, { symbol: 'RELIANCE', instrument_type: 'EQUITY' })).toEqual({ symbol: 'RELIANCE', expiry: '' });
    expect(existingEntry(list, { symbol: 'NIFTY', instrument_type: 'INDEX_OPTION' })).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' });
    expect(existingEntry(list, { symbol: 'BANKNIFTY', instrument_type: 'INDEX_OPTION' })).toBeNull();
  });
});

describe('actions.add', () => {
  function setup(list: ReturnType<typeof entry>[], message: string) {
    const transport = createFakeTransport({
      ...engineHandlers(),
      'watchlist:list': () => ({ user_id: 'default', entries: list }),
      'watchlist:add': () => {
        throw new FakeError('DUPLICATE', message);
      },
    });
    return createServices(transport);
  }

  it('a duplicate without an expiry selects the entry found on the refreshed list; no banner', async () => {
    const { actions, store } = setup([entry('NIFTY', '2026-12-08'), entry('NIFTY', '2026-12-01')], 'NIFTY 2026-12-01 is already on the watchlist');
    expect(await actions.add({ symbol: 'NIFTY', instrument_type: 'INDEX_OPTION' })).toBe(true);
    expect(store.getState().error).toBeNull();
    expect(store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' });
    expect(store.getState().toasts.map((t) => `${t.context} ${t.message}`)).toEqual(['Watchlist NIFTY 2026-12-01 is already on the watchlist: showing it']);
  });

  it("a duplicate the list does not show falls back to the engine's sentence", async () => {
    const { actions, store } = setup([], 'NIFTY 2026-12-01 is already on the watchlist');
    expect(await actions.add({ symbol: 'NIFTY', instrument_type: 'INDEX_OPTION' })).toBe(true);
    expect(store.getState().error).toBeNull();
    expect(store.getState().toasts.map((t) => t.message)).toEqual(['NIFTY 2026-12-01 is already on the watchlist']);
  });

  it('other refusals still go to the banner', async () => {
    const { actions, store } = createServices(createFakeTransport({
      ...engineHandlers(),
      'watchlist:add': () => {
        throw new FakeError('CAPACITY', 'no room');
      },
    }));
    expect(await actions.add({ symbol: 'NIFTY', instrument_type: 'INDEX_OPTION', expiry: '2026-12-01' })).toBe(false);
    expect(store.getState().error).toMatchObject({ context: 'Add NIFTY 2026-12-01', code: 'CAPACITY', message: 'no room' });
    expect(store.getState().toasts).toEqual([]);
  });
});
