// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRequest, Responses } from '../../../../shared/contract';
import { chainView, renderWithServices } from '../../state/test-harness';
import { TierBList } from './TierBList';
import { WatchlistPanel } from './WatchlistPanel';

afterEach(cleanup);

type Entry = Responses['watchlist:list']['entries'][number];
const entry = (symbol: string, expiry: string, type = 'STOCK_OPTION', status: Entry['status'] = 'live', reason: string | null = null): Entry => ({
  symbol,
  expiry_date: expiry,
  instrument_type: type,
  added_at: 1,
  added_order: 1,
  status,
  status_reason: reason,
});

async function setup() {
  let entries = [entry('RELIANCE', '2026-12-29'), entry('TCS', '', 'EQUITY'), entry('INFY', '2026-12-29', 'STOCK_OPTION', 'evicted', 'evicted (least recently used) to make room for SBIN 2026-12-29')];
  const removed: CommandRequest<'watchlist:remove'>[] = [];
  const added: CommandRequest<'watchlist:add'>[] = [];
  const h = renderWithServices(
    <>
      <WatchlistPanel />
      <TierBList />
    </>,
    {
      'watchlist:list': () => ({ user_id: 'default', entries }),
      'chains:list': () => ({ chains: [chainView('NIFTY', '2026-12-08'), chainView('NIFTY', '2026-12-01'), chainView('BANKNIFTY', '2026-12-29'), chainView('RELIANCE', '2026-12-29', 'TIER_A', 51)] }),
      'watchlist:add': (r) => {
        added.push(r);
        entries = entries.map((e) => (e.symbol === r.symbol && e.expiry_date === (r.expiry ?? '') ? { ...e, status: 'live', status_reason: null } : e));
        return { success: true, message: `${r.symbol} ${r.expiry} re-added`, option_chain: null, strikes_subscribed: 25 };
      },
      'watchlist:remove': (r) => {
        removed.push(r);
        entries = entries.filter((e) => !(e.symbol === r.symbol && e.expiry_date === (r.expiry ?? '')));
        return { success: true, message: `${r.symbol} removed`, unsubscribed: 51 };
      },
    },
  );
  await act(() => Promise.all([h.services.actions.refreshWatchlist(), h.services.actions.refreshChains()]));
  return { ...h, removed, added, user: userEvent.setup() };
}

const entryOf = (symbol: string) => screen.getAllByTestId('watchlist-entry').find((e) => e.getAttribute('data-symbol') === symbol)!;

describe('WatchlistPanel', () => {
  it('an evicted entry says so (and why), and one click on its status adds it again', async () => {
    const { user, added } = await setup();
    const status = within(entryOf('INFY')).getByTestId('watchlist-status');
    expect(status.textContent).toBe('evicted');
    expect(within(entryOf('INFY')).getByTestId('watchlist-readd').getAttribute('title')).toMatch(/to make room for SBIN/);
    expect(within(entryOf('RELIANCE')).queryByTestId('watchlist-readd')).toBeNull();
    await user.click(within(entryOf('INFY')).getByTestId('watchlist-readd'));
    expect(added).toEqual([{ user_id: 'default', symbol: 'INFY', instrument_type: 'STOCK_OPTION', expiry: '2026-12-29' }]);
    await waitFor(() => expect(within(entryOf('INFY')).queryByTestId('watchlist-status')).toBeNull());
  });

  it('lists the entries with their expiry, and marks an entry that is not live', async () => {
    await setup();
    const rows = screen.getAllByTestId('watchlist-entry');
    expect(rows.map((r) => [r.getAttribute('data-symbol'), r.getAttribute('data-expiry')])).toEqual([
      ['RELIANCE', '2026-12-29'],
      ['TCS', ''],
      ['INFY', '2026-12-29'],
    ]);
    // The expiry reads "29 Dec" (with the year only outside 2026); the kind and full date are in the title.
    expect(entryOf('RELIANCE').textContent).toMatch(/^RELIANCE29 Dec( 26)?51/);
    expect(entryOf('RELIANCE').getAttribute('title')).toBe('Stock options, expiry 2026-12-29');
    expect(entryOf('TCS').textContent).toMatch(/^TCSEQ/);
    expect(entryOf('RELIANCE').textContent).not.toContain('evicted');
    expect(entryOf('INFY').textContent).toContain('evicted');
  });

  it('a click selects the chain', async () => {
    const { user, services } = await setup();
    await user.click(entryOf('RELIANCE'));
    expect(services.store.getState().selected).toEqual({ symbol: 'RELIANCE', expiry: '2026-12-29' });
    expect(entryOf('RELIANCE').getAttribute('aria-current')).toBe('true');
  });

  it('the remove button calls watchlist:remove and the entry disappears', async () => {
    const { user, removed, transport } = await setup();
    await user.click(within(entryOf('RELIANCE')).getByTestId('watchlist-remove'));
    await waitFor(() => expect(screen.getAllByTestId('watchlist-entry').map((r) => r.getAttribute('data-symbol'))).toEqual(['TCS', 'INFY']));
    expect(removed).toEqual([{ user_id: 'default', symbol: 'RELIANCE', expiry: '2026-12-29' }]);
    // The lists are fetched again afterwards.
    expect(transport.calls.slice(-2).map((c) => c.command).sort()).toEqual(['chains:list', 'watchlist:list']);
  });

  it('Delete on a focused entry removes it (an equity has no expiry to send)', async () => {
    const { user, removed } = await setup();
    entryOf('TCS').focus();
    await user.keyboard('{Delete}');
    await waitFor(() => expect(screen.getAllByTestId('watchlist-entry').map((r) => r.getAttribute('data-symbol'))).toEqual(['RELIANCE', 'INFY']));
    expect(removed).toEqual([{ user_id: 'default', symbol: 'TCS' }]);
  });

  it('arrow keys move through the watchlist and on into Tier B; Enter opens the focused chain', async () => {
    const { user, services } = await setup();
    entryOf('RELIANCE').focus();
    const focused = () => document.activeElement?.getAttribute('data-symbol');
    await user.keyboard('{ArrowDown}');
    expect(focused()).toBe('TCS');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('tierb-chain');
    expect(focused()).toBe('BANKNIFTY');
    await user.keyboard('{End}');
    expect(focused()).toBe('NIFTY');
    await user.keyboard('{ArrowDown}'); // the last row stays
    expect(focused()).toBe('NIFTY');
    await user.keyboard('{Enter}');
    expect(services.store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' });
    await user.keyboard('{ArrowUp}{Home}');
    expect(focused()).toBe('RELIANCE');
    await user.keyboard('{Enter}');
    expect(services.store.getState().selected).toEqual({ symbol: 'RELIANCE', expiry: '2026-12-29' });
  });

  it('removing the selected entry falls back to a Tier B chain', async () => {
    const { user, services } = await setup();
    await user.click(entryOf('RELIANCE'));
    await user.click(within(entryOf('RELIANCE')).getByTestId('watchlist-remove'));
    await waitFor(() => expect(services.store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' }));
  });
});

describe('TierBList', () => {
  it('shows one row per always-on symbol (not the Tier A chains); a row opens its nearest expiry, a chip a given one', async () => {
    const { user, services } = await setup();
    const rows = screen.getAllByTestId('tierb-chain');
    expect(rows.map((r) => r.getAttribute('data-symbol'))).toEqual(['BANKNIFTY', 'NIFTY']);
    await user.click(rows[1]!);
    expect(services.store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' });
    await user.click(within(rows[1]!).getByRole('button', { name: '08 Dec' }));
    expect(services.store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-08' });
  });
});
