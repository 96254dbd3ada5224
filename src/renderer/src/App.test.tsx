// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { Responses } from '../../shared/contract';
import { createFakeTransport } from './api/fake-transport';
import { App } from './App';
import { chainView, engineHandlers, statusView } from './state/test-harness';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

/** The whole shell wired to a fake engine: the panels are tested one by one beside their code. */
describe('App', () => {
  it('starts on the default Tier B chain, and a keyboard add opens the new chain and lists it', async () => {
    let entries: Responses['watchlist:list']['entries'] = [];
    const transport = createFakeTransport({
      ...engineHandlers(),
      'watchlist:list': () => ({ user_id: 'default', entries }),
      // No option-chain:get: the chain panel (tested beside its code) shows its error; the shell is under test here.
      'instruments:search': () => ({ results: [{ symbol: 'INFY', trading_symbol: 'INFY', segment: 'NSE_EQ', security_id: 1594, kind: 'EQUITY', expiry: null, strike: null, option_type: null }] }),
      'instruments:expiries': ({ symbol }) => ({ symbol, expiries: symbol === 'INFY' ? ['2026-12-29'] : ['2026-12-01', '2026-12-08'] }),
      'watchlist:add': (r) => {
        entries = [{ symbol: r.symbol, expiry_date: r.expiry ?? '', instrument_type: r.instrument_type, added_at: 1, added_order: 1, status: 'live', status_reason: null }];
        transport.handle({ 'chains:list': () => ({ chains: [chainView('NIFTY', '2026-12-01'), chainView('INFY', '2026-12-29', 'TIER_A', 51)] }) });
        return { success: true, message: 'INFY 2026-12-29 added', option_chain: null, strikes_subscribed: 25 };
      },
    });
    render(<App transport={transport} storage={localStorage} />);
    await waitFor(() => expect(screen.getAllByTestId('tierb-chain').map((r) => r.getAttribute('data-symbol'))).toEqual(['BANKNIFTY', 'NIFTY']));
    act(() => transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, status: statusView() }));
    expect(screen.getByTestId('mode-badge').textContent).toBe('SIMULATOR');
    expect(screen.getByTestId('capacity-meter').getAttribute('data-tier-b')).toBe('2968');
    await waitFor(() => expect(document.querySelector('[data-testid="chain-panel"]')?.getAttribute('data-symbol')).toBe('NIFTY'));

    const user = userEvent.setup();
    await user.keyboard('/');
    await user.keyboard('infy');
    await waitFor(() => expect(screen.getAllByTestId('search-result')[0]?.getAttribute('aria-selected')).toBe('true'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getAllByTestId('watchlist-entry').map((e) => e.getAttribute('data-symbol'))).toEqual(['INFY']));
    await waitFor(() => expect(document.querySelector('[data-testid="chain-panel"]')?.getAttribute('data-symbol')).toBe('INFY'));
    expect(JSON.parse(localStorage.getItem('strikedesk.layout.v1')!).selected).toEqual({ symbol: 'INFY', expiry: '2026-12-29' });
  });

  it('[ and ] fold the side panels away and back; the capacity moves to the top bar; / reopens the lists to search', async () => {
    const nearlyFull = statusView({ total_subscriptions: 24_900, tier_a_count: 21_932 });
    const transport = createFakeTransport({ ...engineHandlers(), 'subscriptions:status': () => nearlyFull, 'watchlist:list': () => ({ user_id: 'default', entries: [] }) });
    render(<App transport={transport} storage={localStorage} />);
    act(() => transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, status: nearlyFull }));
    const user = userEvent.setup();
    const folded = (id: string) => screen.getByTestId(id).classList.contains('collapsed');
    expect(screen.queryByTestId('topbar-capacity')).toBeNull();

    await user.keyboard(']');
    expect(folded('status-column')).toBe(true);
    expect(screen.getByTestId('toggle-status').getAttribute('aria-pressed')).toBe('false');
    // The budget stays in sight, with the eviction warning (100 free < an index chain's 203).
    expect(screen.getByTestId('topbar-capacity').textContent).toBe('⚠ 24,900 / 25,000');
    expect(screen.getByTestId('topbar-capacity').dataset.warning).toBe('evict');
    expect(screen.getByTestId('topbar-capacity').title).toBe('100 free (< 203): the next chain added evicts the least recently used Tier A chain.');

    await user.keyboard('[['); // user-event's escape for a literal [
    expect(folded('sidebar')).toBe(true);
    expect(JSON.parse(localStorage.getItem('strikedesk.layout.v1')!).layout.collapsed).toEqual({ sidebar: true, status: true });

    // `/` brings the lists back with the search focused; there `[` and `]` type, they fold nothing.
    await user.keyboard('/');
    expect(folded('sidebar')).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('search-input')));
    await user.keyboard('[[]');
    expect((screen.getByTestId('search-input') as HTMLInputElement).value).toBe('[]');
    expect(folded('sidebar')).toBe(false);
    expect(folded('status-column')).toBe(true);

    await user.click(screen.getByTestId('toggle-status'));
    expect(folded('status-column')).toBe(false);
    expect(screen.queryByTestId('topbar-capacity')).toBeNull();
  });
});
