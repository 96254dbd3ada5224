// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRequest, Responses } from '../../../../shared/contract';
import { FakeError } from '../../api/fake-transport';
import { renderWithServices } from '../../state/test-harness';
import { ErrorBanner, Toasts } from '../layout/ErrorBanner';
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
  // What GET /api/v2/instruments/search?q=reli answers (five rows, one underlying).
  RELI: [
    row('RELIANCE', 'EQUITY', 'NSE_EQ'),
    row('RELIANCE', 'EQUITY', 'BSE_EQ'),
    { ...row('RELIANCE', 'FUTSTK', 'NSE_FNO', '2026-12-29'), trading_symbol: 'RELIANCE-Dec2026-FUT' },
    { ...row('RELIANCE', 'FUTSTK', 'NSE_FNO', '2027-01-25'), trading_symbol: 'RELIANCE-Jan2027-FUT' },
    { ...row('RELIANCE', 'FUTSTK', 'NSE_FNO', '2027-02-23'), trading_symbol: 'RELIANCE-Feb2027-FUT' },
  ],
  NIFTYNXT: [{ ...row('NIFTYNXT50', 'FUTIDX', 'NSE_FNO', '2026-12-29'), trading_symbol: 'NIFTYNXT50-Dec2026-FUT' }],
};
const EXPIRIES: Record<string, string[]> = {
  RELIANCE: ['2027-01-25', '2026-12-29', '2027-02-23'], RELINFRA: [], NIFTY: ['2026-12-01', '2026-12-08'], 'NIFTY EV': [], NIFTYNXT50: ['2026-12-29'],
};
const entry = (symbol: string, expiry_date: string, instrument_type: string) => ({ symbol, expiry_date, instrument_type, added_at: 0, added_order: 1, status: 'live' as const, status_reason: null });

function setup() {
  const added: CommandRequest<'watchlist:add'>[] = [];
  const h = renderWithServices(
    <>
      <ErrorBanner />
      <Toasts />
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
const actions = () => results().map((r) => `${r.getAttribute('data-symbol')}: ${within(r).getByTestId('search-action').textContent}`);
const contracts = (symbol: string) =>
  within(results().find((r) => r.getAttribute('data-symbol') === symbol)!).queryAllByTestId('search-instrument').map((c) => c.getAttribute('data-trading-symbol'));

describe('InstrumentSearch', () => {
  it('groups by underlying, the first highlighted, and lists every row the engine returned under its symbol', async () => {
    const { user } = setup();
    await user.type(screen.getByTestId('search-input'), 'rel');
    await waitFor(() => expect(results()).toHaveLength(2));
    expect(results().map((r) => r.getAttribute('data-symbol'))).toEqual(['RELIANCE', 'RELINFRA']);
    // RELIANCE is headed by its NSE equity row, not the future that matched first.
    expect(results()[0]!.textContent).toContain('EQUITY');
    expect(results()[0]!.textContent).toContain('NSE_EQ');
    expect(highlighted()).toBe('RELIANCE');
    // Nothing the engine returned is hidden: RELIANCE's four rows are listed; RELINFRA's one is its heading.
    expect(contracts('RELIANCE')).toEqual(['RELIANCE', 'RELIANCE', 'RELIANCE', 'RELIANCE']);
    expect(contracts('RELINFRA')).toEqual([]);
  });

  it('"reli": the five rows the API returns are all shown, under RELIANCE', async () => {
    const { user } = setup();
    await user.type(screen.getByTestId('search-input'), 'reli');
    await waitFor(() => expect(results()).toHaveLength(1));
    expect(screen.getAllByTestId('search-instrument')).toHaveLength(5);
    expect(contracts('RELIANCE')).toEqual(['RELIANCE', 'RELIANCE', 'RELIANCE-Dec2026-FUT', 'RELIANCE-Jan2027-FUT', 'RELIANCE-Feb2027-FUT']);
    const lines = screen.getAllByTestId('search-instrument').map((l) => l.textContent);
    expect(lines[1]).toContain('BSE_EQ');
    expect(lines[2]).toContain('FUTSTK');
    expect(lines[2]).toContain('29 Dec 26');
  });

  it('labels each symbol with what Enter does, the kind secondary: an EQUITY with options adds stock options', async () => {
    const { user, added } = setup();
    const input = screen.getByTestId('search-input');
    await user.type(input, 'rel');
    await waitFor(() => expect(actions()).toEqual(['RELIANCE: Stock options', 'RELINFRA: Equity']));
    await waitFor(() => expect(screen.getByTestId('search-add').textContent).toBe('Add stock options ⏎'));
    await user.keyboard('{ArrowDown}');
    await waitFor(() => expect(screen.getByTestId('search-add').textContent).toBe('Add equity ⏎'));

    await user.clear(input);
    await user.type(input, 'nifty');
    // NIFTY EV is an index without options: Enter adds its spot, and says so.
    await waitFor(() => expect(actions()).toEqual(['NIFTY: Index options', 'NIFTY EV: Index spot']));
    await user.keyboard('{ArrowDown}');
    await waitFor(() => expect(screen.getByTestId('search-add').textContent).toBe('Add index spot ⏎'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(added).toEqual([{ user_id: 'default', symbol: 'NIFTY EV', instrument_type: 'EQUITY' }]));
  });

  it('an index known only by its futures is added as INDEX_OPTION', async () => {
    const { user, added } = setup();
    await user.type(screen.getByTestId('search-input'), 'niftynxt');
    await waitFor(() => expect(actions()).toEqual(['NIFTYNXT50: Index options']));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(added).toEqual([{ user_id: 'default', symbol: 'NIFTYNXT50', instrument_type: 'INDEX_OPTION', expiry: '2026-12-29' }]));
  });

  it("a double click on a future's line adds the option chain of that expiry", async () => {
    const { user, added } = setup();
    await user.type(screen.getByTestId('search-input'), 'reli');
    await waitFor(() => expect(contracts('RELIANCE')).toHaveLength(5));
    const jan = screen.getAllByTestId('search-instrument').find((l) => l.getAttribute('data-trading-symbol') === 'RELIANCE-Jan2027-FUT')!;
    await user.dblClick(jan);
    await waitFor(() => expect(added).toEqual([{ user_id: 'default', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION', expiry: '2027-01-25' }]));
  });

  it('a duplicate add opens the chain already on the watchlist, says so once, and shows no red banner', async () => {
    const { user, transport, services } = setup();
    transport.handle({
      'watchlist:list': () => ({ user_id: 'default', entries: [entry('NIFTY', '2026-12-01', 'INDEX_OPTION')] }),
      'watchlist:add': () => {
        throw new FakeError('DUPLICATE', 'NIFTY 2026-12-01 is already on the watchlist');
      },
    });
    const input = screen.getByTestId('search-input');
    await user.type(input, 'nifty');
    await waitFor(() => expect(screen.getByTestId('expiry-picker')).toHaveProperty('value', '2026-12-01'));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(services.store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' }));
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toBe('Watchlist NIFTY 2026-12-01 is already on the watchlist: showing it');
    expect(screen.queryByTestId('error-banner')).toBeNull();
    expect(toast.textContent).not.toContain('default');
    expect(input).toHaveProperty('value', '');
  });

  it('the add toast says once what happened', async () => {
    const { user, transport } = setup();
    transport.handle({
      'watchlist:add': (r) => ({ success: true, message: `${r.symbol} ${r.expiry} added: 101 strikes around ATM 26000 (step 50)`, option_chain: null, strikes_subscribed: 202 }),
    });
    await user.type(screen.getByTestId('search-input'), 'nifty');
    await waitFor(() => expect(screen.getByTestId('expiry-picker')).toHaveProperty('value', '2026-12-01'));
    await user.keyboard('{Enter}');
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toBe('Watchlist NIFTY 2026-12-01 added: 101 strikes around ATM 26000 (step 50)');
    expect(toast.textContent!.split('NIFTY 2026-12-01')).toHaveLength(2);
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
