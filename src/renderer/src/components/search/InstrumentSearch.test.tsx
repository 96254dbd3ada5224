// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRequest, Responses } from '../../../../shared/contract';
import { FakeError } from '../../api/fake-transport';
import { renderWithServices } from '../../state/test-harness';
import { ErrorBanner } from '../layout/ErrorBanner';
import { WatchlistPanel } from '../watchlist/WatchlistPanel';
import { InstrumentSearch } from './InstrumentSearch';

afterEach(cleanup);

type Row = Responses['instruments:search']['results'][number];
const row = (symbol: string, kind: string, segment: string, expiry: string | null = null): Row => ({ symbol, trading_symbol: symbol, segment, security_id: 1, kind, expiry, strike: null, option_type: null });

/** What the engine answers for a few queries (futures and options rows included, as it does). */
const RESULTS: Record<string, Row[]> = {
  REL: [
    row('RELIANCE', 'FUTSTK', 'NSE_FNO', '2026-12-29'),
    row('RELIANCE', 'EQUITY', 'BSE_EQ'),
    row('RELIANCE', 'EQUITY', 'NSE_EQ'),
    row('RELINFRA', 'EQUITY', 'NSE_EQ'),
    row('RELIANCE', 'OPTSTK', 'NSE_FNO', '2026-12-29'),
  ],
  NIFTY: [row('NIFTY', 'FUTIDX', 'NSE_FNO', '2026-12-29'), row('NIFTY', 'INDEX', 'IDX_I'), row('NIFTY EV', 'INDEX', 'IDX_I')],
};
const EXPIRIES: Record<string, string[]> = { RELIANCE: ['2027-01-25', '2026-12-29', '2027-02-23'], RELINFRA: [], NIFTY: ['2026-12-01', '2026-12-08'], 'NIFTY EV': [] };

function setup() {
  const added: CommandRequest<'watchlist:add'>[] = [];
  const h = renderWithServices(
    <>
      <ErrorBanner />
      <InstrumentSearch />
      <WatchlistPanel />
    </>,
    {
      'instruments:search': ({ q }) => ({ results: RESULTS[q.toUpperCase()] ?? [] }),
      'instruments:expiries': ({ symbol }) => ({ symbol, expiries: EXPIRIES[symbol] ?? [] }),
      'watchlist:add': (r) => {
        added.push(r);
        return { success: true, message: `${r.symbol} added`, option_chain: null, strikes_subscribed: 25 };
      },
    },
  );
  return { ...h, added, user: userEvent.setup() };
}

const results = () => screen.queryAllByTestId('search-result');
const highlighted = () => results().find((r) => r.getAttribute('aria-selected') === 'true')?.getAttribute('data-symbol');

describe('InstrumentSearch', () => {
  it('shows one row per underlying, with its kind and segment, the first highlighted', async () => {
    const { user } = setup();
    await user.type(screen.getByTestId('search-input'), 'rel');
    await waitFor(() => expect(results()).toHaveLength(2));
    expect(results().map((r) => r.getAttribute('data-symbol'))).toEqual(['RELIANCE', 'RELINFRA']);
    // RELIANCE is represented by its NSE equity row, not the future that matched first.
    expect(results()[0]!.textContent).toContain('EQUITY');
    expect(results()[0]!.textContent).toContain('NSE_EQ');
    expect(highlighted()).toBe('RELIANCE');
  });

  it('ArrowDown/ArrowUp move, Enter adds the highlighted symbol with the right instrument type and the nearest expiry', async () => {
    const { user, added, services } = setup();
    const input = screen.getByTestId('search-input');
    await user.type(input, 'nifty');
    await waitFor(() => expect(highlighted()).toBe('NIFTY'));
    await user.keyboard('{ArrowDown}');
    expect(highlighted()).toBe('NIFTY EV');
    await user.keyboard('{ArrowDown}'); // stays on the last
    await user.keyboard('{ArrowUp}');
    expect(highlighted()).toBe('NIFTY');
    await waitFor(() => expect(screen.getByTestId('expiry-picker')).toHaveProperty('value', '2026-12-01'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(added).toEqual([{ user_id: 'default', symbol: 'NIFTY', instrument_type: 'INDEX_OPTION', expiry: '2026-12-01' }]));
    // The new chain is selected and the search is cleared for the next one.
    await waitFor(() => expect(services.store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' }));
    expect(input).toHaveProperty('value', '');
  });

  it('a stock with expiries is added as STOCK_OPTION with the expiry picked, one without as EQUITY', async () => {
    const { user, added } = setup();
    const input = screen.getByTestId('search-input');
    await user.type(input, 'rel');
    await waitFor(() => expect(highlighted()).toBe('RELIANCE'));
    const picker = await screen.findByTestId('expiry-picker');
    await waitFor(() => expect(within(picker).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['2026-12-29', '2027-01-25', '2027-02-23']));
    await user.selectOptions(picker, '2027-01-25');
    await user.click(input);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(added).toHaveLength(1));
    expect(added[0]).toEqual({ user_id: 'default', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', expiry: '2027-01-25' });

    await user.type(input, 'rel');
    await waitFor(() => expect(highlighted()).toBe('RELIANCE'));
    await user.keyboard('{ArrowDown}{Enter}');
    await waitFor(() => expect(added).toHaveLength(2));
    expect(added[1]).toEqual({ user_id: 'default', symbol: 'RELINFRA', instrument_type: 'EQUITY' });
  });

  it('`/` anywhere focuses the search, but types a slash in another text field; Escape clears', async () => {
    const { user } = setup();
    const input = screen.getByTestId('search-input');
    expect(document.activeElement).toBe(document.body);
    await user.keyboard('/');
    expect(document.activeElement).toBe(input);
    expect(input).toHaveProperty('value', '');
    await user.type(input, 'rel');
    await waitFor(() => expect(results()).toHaveLength(2));
    await user.keyboard('{Escape}');
    expect(input).toHaveProperty('value', '');
    expect(results()).toHaveLength(0);

    const other = document.createElement('input');
    document.body.append(other);
    other.focus();
    await user.keyboard('/');
    expect(other.value).toBe('/');
    expect(document.activeElement).toBe(other);
    other.remove();
  });

  it("shows the engine's refusal clearly and adds nothing", async () => {
    const { user, transport } = setup();
    transport.handle({
      'watchlist:add': () => {
        throw new FakeError('CAPACITY', 'adding INFY needs 51 instruments; only 12 are free after evicting every Tier A chain');
      },
    });
    await user.type(screen.getByTestId('search-input'), 'rel');
    await waitFor(() => expect(highlighted()).toBe('RELIANCE'));
    await user.keyboard('{Enter}');
    const banner = await screen.findByTestId('error-banner');
    expect(banner.textContent).toContain('CAPACITY');
    expect(banner.textContent).toContain('only 12 are free');
    expect(banner.textContent).toContain('Add RELIANCE');
    expect(screen.queryAllByTestId('watchlist-entry')).toHaveLength(0);
    // The query stays, so the trader can pick something else.
    expect(screen.getByTestId('search-input')).toHaveProperty('value', 'rel');
  });

  it('ignores a slower answer to an earlier query', async () => {
    const { user, transport } = setup();
    const pending: { q: string; resolve: (v: Responses['instruments:search']) => void }[] = [];
    transport.handle({ 'instruments:search': ({ q }) => new Promise((resolve) => pending.push({ q, resolve })) });
    const input = screen.getByTestId('search-input');
    // Every keystroke queries at once: 'r', 're', then 'rel'; the answers come back out of order.
    await user.type(input, 're');
    await waitFor(() => expect(pending.at(-1)?.q).toBe('re'));
    await user.type(input, 'l');
    await waitFor(() => expect(pending.at(-1)?.q).toBe('rel'));
    const answer = (q: string, results: Responses['instruments:search']['results']) => pending.find((p) => p.q === q)!.resolve({ results });
    await act(async () => answer('rel', RESULTS.REL!));
    await waitFor(() => expect(results()).toHaveLength(2));
    await act(async () => answer('re', [row('REDINGTON', 'EQUITY', 'NSE_EQ')]));
    if (pending.some((p) => p.q === 'r')) await act(async () => answer('r', [row('RBLBANK', 'EQUITY', 'NSE_EQ')]));
    expect(results().map((r) => r.getAttribute('data-symbol'))).toEqual(['RELIANCE', 'RELINFRA']);
  });
});
