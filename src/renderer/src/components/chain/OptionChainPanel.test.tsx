// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamClientMessage } from '../../../../shared/events';
import { istEpochMs } from '../../../../shared/market-calendar';
import { createFakeTransport, FakeError, type FakeTransport } from '../../api/fake-transport';
import { analytics, batch, chainView, delta, leg, snapshot, strikeRange, tok, untradedLeg } from './chain-test-data';
import { OptionChainPanel } from './OptionChainPanel';

const EXP = '2026-12-01';
const EXP2 = '2026-12-08';
const KEY = `NIFTY|${EXP}`;
const STRIKES = strikeRange(25_300, 25_700, 50); // 9 strikes, ATM 25,500
// 2 days 4 hours before 15:30 IST on the expiry.
const NOW = istEpochMs(EXP, 15 * 60 + 30) - (2 * 24 + 4) * 3_600_000;

interface Harness {
  fake: FakeTransport;
  onExpiryChange: ReturnType<typeof vi.fn>;
  listeners: () => number;
  rerender(expiry: string): void;
  unmount(): void;
}

function setup(expiry: string | null = EXP, getFails = false): Harness {
  const fake = createFakeTransport({
    'option-chain:get': (req) => {
      if (getFails) throw new FakeError('UNKNOWN_SYMBOL', `${req.symbol} has no live option expiry`);
      return chainView('NIFTY', req.expiry ?? EXP, STRIKES, 25_500, 50, 25_510.4);
    },
    'instruments:expiries': () => ({ symbol: 'NIFTY', expiries: [EXP, EXP2] }),
  });
  // Count live stream listeners, to check the panel disposes of what it added.
  let live = 0;
  const onStream = fake.onStream.bind(fake);
  fake.onStream = (l) => {
    live += 1;
    const dispose = onStream(l);
    return () => {
      live -= 1;
      dispose();
    };
  };
  const onExpiryChange = vi.fn();
  const ui = (e: string | null) => <OptionChainPanel transport={fake} symbol="NIFTY" expiry={e} onExpiryChange={onExpiryChange} now={() => NOW} suppressRowVirtualisation />;
  const r = render(ui(expiry));
  return { fake, onExpiryChange, listeners: () => live, rerender: (e) => r.rerender(ui(e)), unmount: r.unmount };
}

/** Unique strikes of the rendered rows, ascending. */
function rowStrikes(): number[] {
  const ids = new Set([...document.querySelectorAll('[data-testid="chain-grid"] .ag-row[row-id]')].map((r) => r.getAttribute('row-id')!));
  return [...ids].map(Number).sort((a, b) => a - b);
}

function atmRows(): string[] {
  return [...new Set([...document.querySelectorAll('[data-testid="chain-grid"] .ag-row.atm-row')].map((r) => r.getAttribute('row-id')!))];
}

function cell(strike: number, colId: string): HTMLElement | null {
  return document.querySelector(`[data-testid="chain-grid"] .ag-row[row-id="${strike}"] .ag-cell[col-id="${colId}"]`);
}

const chainMsgs = (sent: StreamClientMessage[]) => sent.filter((m) => m.view === 'chain').map((m) => ({ op: m.op, symbol: 'symbol' in m ? m.symbol : '', expiry: 'expiry' in m ? m.expiry : undefined }));

beforeEach(() => localStorage.clear());
afterEach(() => cleanup());

describe('OptionChainPanel', () => {
  it('subscribes the chain view on mount and unsubscribes and lets go of the stream on unmount', async () => {
    const h = setup();
    expect(chainMsgs(h.fake.sent)).toEqual([{ op: 'subscribe', symbol: 'NIFTY', expiry: EXP }]);
    expect(h.listeners()).toBe(1);
    await waitFor(() => expect(rowStrikes()).toHaveLength(STRIKES.length));
    h.unmount();
    expect(chainMsgs(h.fake.sent)).toEqual([
      { op: 'subscribe', symbol: 'NIFTY', expiry: EXP },
      { op: 'unsubscribe', symbol: 'NIFTY', expiry: EXP },
    ]);
    expect(h.listeners()).toBe(0);
  });

  it('switches subscriptions when the expiry changes, and a tab click asks for the new expiry', async () => {
    const h = setup();
    await waitFor(() => expect(screen.getAllByTestId('expiry-tab')).toHaveLength(2));
    const tabs = screen.getAllByTestId('expiry-tab');
    expect(tabs.map((t) => [t.dataset.expiry, t.getAttribute('aria-selected')])).toEqual([
      [EXP, 'true'],
      [EXP2, 'false'],
    ]);
    fireEvent.click(tabs[1]!);
    expect(h.onExpiryChange).toHaveBeenCalledWith(EXP2);
    // The keyboard does the same: the active tab is the one Tab reaches, Right moves to the next expiry.
    expect(tabs.map((t) => t.tabIndex)).toEqual([0, -1]);
    h.onExpiryChange.mockClear();
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' });
    expect(h.onExpiryChange).toHaveBeenCalledWith(EXP2);
    expect(document.activeElement).toBe(tabs[1]);
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowLeft' }); // already the first: nothing to change
    expect(h.onExpiryChange).toHaveBeenCalledTimes(1);
    h.rerender(EXP2);
    expect(chainMsgs(h.fake.sent)).toEqual([
      { op: 'subscribe', symbol: 'NIFTY', expiry: EXP },
      { op: 'unsubscribe', symbol: 'NIFTY', expiry: EXP },
      { op: 'subscribe', symbol: 'NIFTY', expiry: EXP2 },
    ]);
    expect(h.listeners()).toBe(1);
    expect(screen.getByTestId('chain-panel').dataset.expiry).toBe(EXP2);
    await waitFor(() => expect(within(screen.getByRole('tablist', { name: 'Expiries' })).getByRole('tab', { selected: true }).dataset.expiry).toBe(EXP2));
  });

  it('paints the first rows from option-chain:get: ascending strikes, ATM marked, header filled', async () => {
    setup();
    await waitFor(() => expect(rowStrikes()).toEqual(STRIKES));
    expect(atmRows()).toEqual(['25500']);
    expect(screen.getByTestId('chain-header-atm').textContent).toBe('25500');
    expect(screen.getByTestId('chain-header-step').textContent).toBe('50');
    expect(screen.getByTestId('chain-header-ltp').textContent).toBe('25,510.40');
    expect(screen.getByTestId('chain-header-tte').textContent).toBe('2d 4h');
    // Indian grouping: OI of 25,500 CE is 1000 x 25500.
    expect(cell(25_500, 'ce_oi')?.textContent).toBe('2.55Cr'); // 2,55,00,000 does not fit the OI column at its minimum width
    expect(cell(25_500, 'ce_ltp')?.textContent).toBe('355.00');
    expect(cell(25_500, 'strike')?.textContent).toBe('25500');
    // In the money: calls below the underlying, puts above.
    expect(document.querySelector('.ag-row[row-id="25500"]')?.classList.contains('ce-itm')).toBe(true);
    expect(document.querySelector('.ag-row[row-id="25550"]')?.classList.contains('pe-itm')).toBe(true);
    expect(document.querySelector('.ag-row[row-id="25550"]')?.classList.contains('ce-itm')).toBe(false);
  });

  it('a pushed batch updates the header and only the cells that changed', async () => {
    const h = setup();
    await waitFor(() => expect(rowStrikes()).toHaveLength(STRIKES.length));
    act(() => h.fake.push(batch(1, KEY, snapshot(STRIKES, 25_500, 50, 25_512))));
    act(() =>
      h.fake.push(
        batch(2, KEY, delta(25_550, 50, 25_561.25, { [tok(25_500, 'CE')]: leg(25_500, { ltp: 321.45, change: -12.5 }), [tok(25_600, 'PE')]: leg(25_600, { oi_change: -123_456 }) })),
      ),
    );
    expect(screen.getByTestId('chain-header-atm').textContent).toBe('25550');
    expect(screen.getByTestId('chain-header-ltp').textContent).toBe('25,561.25');
    await waitFor(() => expect(cell(25_500, 'ce_ltp')?.textContent).toBe('321.45'));
    expect(cell(25_500, 'ce_change')?.textContent).toBe('-12.50');
    expect(cell(25_500, 'ce_change')?.classList.contains('chain-down')).toBe(true);
    expect(cell(25_600, 'pe_oi_change')?.textContent).toBe('-1.23L'); // -1,23,456 in lakhs: the OI-change column holds 7 characters
    expect(cell(25_450, 'ce_ltp')?.textContent).toBe('354.50');
    expect(atmRows()).toEqual(['25550']);
    // A batch for another chain changes nothing here.
    act(() => h.fake.push(batch(3, `NIFTY|${EXP2}`, delta(1, 1, 1, { [tok(25_500, 'CE')]: leg(25_500, { ltp: 1 }) }))));
    expect(screen.getByTestId('chain-header-atm').textContent).toBe('25550');
    await new Promise((r) => setTimeout(r, 120)); // past ag-grid's 50 ms async-transaction window
    expect(cell(25_500, 'ce_ltp')?.textContent).toBe('321.45');
  });

  it('a re-centre snapshot moves the ATM row and the window', async () => {
    const h = setup();
    await waitFor(() => expect(atmRows()).toEqual(['25500']));
    const moved = strikeRange(25_200, 25_600, 50);
    act(() => h.fake.push(batch(1, KEY, snapshot(moved, 25_400, 50, 25_396))));
    await waitFor(() => expect(atmRows()).toEqual(['25400']));
    expect(rowStrikes()).toEqual(moved);
    expect(screen.getByTestId('chain-header-atm').textContent).toBe('25400');
    // Rows stay in strike order after strikes entered below the old window.
    const byIndex = new Map<number, number>();
    for (const r of document.querySelectorAll('[data-testid="chain-grid"] .ag-row[row-index]')) byIndex.set(Number(r.getAttribute('row-index')), Number(r.getAttribute('row-id')));
    expect([...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i))).toEqual(moved);
  });

  it('marks stale legs with a class and a title', async () => {
    const h = setup();
    await waitFor(() => expect(rowStrikes()).toHaveLength(STRIKES.length));
    act(() => h.fake.push(batch(1, KEY, snapshot(STRIKES, 25_500, 50, 25_510, (s, side) => ({ stale: s === 25_400 && side === 'PE' })))));
    await waitFor(() => expect(document.querySelector('.ag-row[row-id="25400"]')?.classList.contains('pe-stale')).toBe(true));
    expect(document.querySelector('.ag-row[row-id="25400"]')?.classList.contains('ce-stale')).toBe(false);
    expect(cell(25_400, 'pe_ltp')?.getAttribute('title')).toMatch(/stale/i);
    expect(cell(25_400, 'ce_ltp')?.getAttribute('title')).toBeNull();
    expect(screen.getByTestId('chain-stale-count').textContent).toBe('1 stale');
  });

  it('shows an untraded leg\'s previous close dimmed and marked, never as an LTP, with an empty change', async () => {
    const h = setup();
    await waitFor(() => expect(rowStrikes()).toHaveLength(STRIKES.length));
    act(() => h.fake.push(batch(1, KEY, snapshot(STRIKES, 25_500, 50, 25_510, (s, side) => (s === 25_700 && side === 'CE' ? untradedLeg(25_700, 3.45) : {})))));
    await waitFor(() => expect(cell(25_700, 'ce_ltp')?.classList.contains('chain-untraded')).toBe(true));
    const ltp = cell(25_700, 'ce_ltp')!;
    expect(ltp.textContent).toBe('3.45');
    expect(ltp.getAttribute('title')).toBe('No trade today: previous close (last trade 30 Nov 16:25:00 IST)');
    expect(cell(25_700, 'ce_change')?.textContent).toBe('');
    expect(cell(25_700, 'ce_iv')?.textContent).toBe('no trd');
    // Untraded is not stale: the row keeps its side undimmed, the other cells as they are.
    expect(document.querySelector('.ag-row[row-id="25700"]')?.classList.contains('ce-stale')).toBe(false);
    expect(cell(25_700, 'pe_ltp')?.classList.contains('chain-untraded')).toBe(false);
    expect(cell(25_650, 'ce_ltp')?.classList.contains('chain-untraded')).toBe(false);
    expect(screen.getByTestId('chain-untraded-count').textContent).toBe('1 untraded');
    expect(screen.getByTestId('chain-stale-count').hidden).toBe(true);
    // It trades: a plain LTP and change again.
    act(() => h.fake.push(batch(2, KEY, delta(25_500, 50, 25_510, { [tok(25_700, 'CE')]: leg(25_700, { ltp: 3.9, prev_close: 3.45, change: 0.45 }) }))));
    await waitFor(() => expect(cell(25_700, 'ce_ltp')?.textContent).toBe('3.90'));
    expect(cell(25_700, 'ce_ltp')?.classList.contains('chain-untraded')).toBe(false);
    expect(cell(25_700, 'ce_ltp')?.getAttribute('title')).toBeNull();
    expect(cell(25_700, 'ce_change')?.textContent).toBe('+0.45');
    expect(screen.getByTestId('chain-untraded-count').hidden).toBe(true);
  });

  it('marks the strike nearest the underlying where it differs from the ATM, which keeps its highlight', async () => {
    const h = setup();
    await waitFor(() => expect(atmRows()).toEqual(['25500']));
    expect(document.querySelectorAll('.ag-row.nearest-row')).toHaveLength(0);
    expect(screen.getByTestId('chain-header-nearest').hidden).toBe(true);
    // The underlying at 25,440: nearest 25,450 while the window stays centred on 25,500.
    act(() => h.fake.push(batch(1, KEY, { ...delta(25_500, 50, 25_440, {}), nearest_strike: 25_450 })));
    await waitFor(() => expect(cell(25_450, 'strike')?.classList.contains('chain-nearest')).toBe(true));
    expect([...new Set([...document.querySelectorAll('.ag-row.nearest-row')].map((r) => r.getAttribute('row-id')))]).toEqual(['25450']);
    expect(atmRows()).toEqual(['25500']);
    expect(cell(25_500, 'strike')?.classList.contains('chain-nearest')).toBe(false);
    expect(cell(25_450, 'strike')?.getAttribute('title')).toMatch(/nearest the underlying/i);
    expect(screen.getByTestId('chain-header-nearest').textContent).toBe('≈25450');
    expect(screen.getByTestId('chain-header-nearest').hidden).toBe(false);
    // A re-centre puts the ATM on the nearest strike: one marker again.
    act(() => h.fake.push(batch(2, KEY, { ...snapshot(strikeRange(25_250, 25_650, 50), 25_450, 50, 25_440), nearest_strike: 25_450 })));
    await waitFor(() => expect(atmRows()).toEqual(['25450']));
    await waitFor(() => expect(document.querySelectorAll('.ag-row.nearest-row')).toHaveLength(0));
    expect(screen.getByTestId('chain-header-nearest').hidden).toBe(true);
  });

  it('shows that the expiry tabs scroll: an arrow on each edge with more tabs, which scrolls them', async () => {
    const many = Array.from({ length: 18 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`);
    const fake = createFakeTransport({
      'option-chain:get': (req) => chainView('NIFTY', req.expiry ?? EXP, STRIKES, 25_500, 50, 25_510.4),
      'instruments:expiries': () => ({ symbol: 'NIFTY', expiries: many }),
    });
    render(<OptionChainPanel transport={fake} symbol="NIFTY" expiry={EXP} onExpiryChange={() => {}} now={() => NOW} suppressRowVirtualisation />);
    await waitFor(() => expect(screen.getAllByTestId('expiry-tab')).toHaveLength(18));
    const bar = screen.getByTestId('expiry-tabs');
    const strip = screen.getByRole('tablist', { name: 'Expiries' });
    // jsdom has no layout: give the strip a width narrower than its tabs.
    Object.defineProperty(strip, 'clientWidth', { configurable: true, value: 400 });
    Object.defineProperty(strip, 'scrollWidth', { configurable: true, value: 1_100 });
    fireEvent.scroll(strip);
    expect([bar.dataset.moreLeft, bar.dataset.moreRight]).toEqual(['false', 'true']);
    // The arrow scrolls a page; the scroll marks the other edge too.
    fireEvent.click(bar.querySelector('.chain-expiries-more-right')!);
    await waitFor(() => expect(strip.scrollLeft).toBeGreaterThan(0));
    fireEvent.scroll(strip);
    expect([bar.dataset.moreLeft, bar.dataset.moreRight]).toEqual(['true', 'true']);
    strip.scrollLeft = 700;
    fireEvent.scroll(strip);
    expect([bar.dataset.moreLeft, bar.dataset.moreRight]).toEqual(['true', 'false']);
    // The arrows are not in the tab order: Tab reaches the active tab, Left/Right still move.
    expect(bar.querySelector('.chain-expiries-more-left')?.getAttribute('tabindex')).toBe('-1');
    expect(screen.getAllByTestId('expiry-tab').filter((t) => t.tabIndex === 0).map((t) => t.dataset.expiry)).toEqual([EXP]);
  });

  it('shows the stream error answered to its subscribe, and not errors for other requests', async () => {
    const h = setup();
    const sub = h.fake.sent.find((m) => m.op === 'subscribe')!;
    act(() => h.fake.push({ type: 'error', error: { code: 'NOT_FOUND', message: 'some other view failed' }, id: 'someone-else' }));
    expect(screen.queryByTestId('chain-error')).toBeNull();
    act(() => h.fake.push({ type: 'error', error: { code: 'UNKNOWN_SYMBOL', message: 'NIFTY has no live option expiry' }, id: sub.id! }));
    expect(screen.getByTestId('chain-error').textContent).toBe('NIFTY has no live option expiry');
  });

  it('shows why the first paint failed', async () => {
    setup(EXP, true);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('NIFTY has no live option expiry'));
  });

  it('says when the stream is disconnected', () => {
    const h = setup();
    expect(screen.getByTestId('chain-stream-state').dataset.state).toBe('open');
    act(() => h.fake.setStreamState('closed'));
    expect(screen.getByTestId('chain-stream-state').textContent).toMatch(/stream disconnected/);
    act(() => h.fake.setStreamState('open'));
    expect(screen.getByTestId('chain-stream-state').textContent).toBe('live');
  });

  it('without an expiry, shows the nearest one the engine picked and follows its stream key', async () => {
    const h = setup(null);
    expect(chainMsgs(h.fake.sent)).toEqual([{ op: 'subscribe', symbol: 'NIFTY', expiry: undefined }]);
    await waitFor(() => expect(screen.getByTestId('chain-panel').dataset.expiry).toBe(EXP));
    act(() => h.fake.push(batch(1, KEY, snapshot(STRIKES, 25_650, 50, 25_640))));
    expect(screen.getByTestId('chain-header-atm').textContent).toBe('25650');
  });

  it('hides a metric on both sides from the column menu and remembers it', async () => {
    setup();
    await waitFor(() => expect(cell(25_500, 'ce_volume')).not.toBeNull());
    fireEvent.click(screen.getByTestId('chain-columns-button'));
    const menu = screen.getByRole('menu');
    fireEvent.click(within(menu).getByLabelText('Volume'));
    await waitFor(() => expect(cell(25_500, 'ce_volume')).toBeNull());
    expect(cell(25_500, 'pe_volume')).toBeNull();
    expect(cell(25_500, 'ce_ltp')).not.toBeNull();
    expect(JSON.parse(localStorage.getItem('strikedesk.chain.hidden-metrics')!)).toEqual(['volume']);
    cleanup();
    // A new panel starts with the choice.
    setup();
    await waitFor(() => expect(cell(25_500, 'ce_ltp')).not.toBeNull());
    expect(cell(25_500, 'ce_volume')).toBeNull();
  });

  it('shows IV as a percentage and a missing IV as a dim reason marker with a title, never 0', async () => {
    localStorage.setItem('strikedesk.chain.shown-metrics', JSON.stringify(['delta'])); // delta is hidden by default
    const h = setup();
    await waitFor(() => expect(cell(25_500, 'ce_iv')?.textContent).toBe('14.3'));
    expect(cell(25_500, 'pe_iv')?.textContent).toBe('14.3');
    expect(cell(25_500, 'ce_delta')?.textContent).toBe('0.51');
    act(() =>
      h.fake.push(
        batch(1, KEY, snapshot(STRIKES, 25_500, 50, 25_510, (s, side) => (s === 25_300 && side === 'CE' ? { iv: null, iv_reason: 'below-intrinsic', delta: 0.97, greeks_from: 'pair' } : {}))),
      ),
    );
    await waitFor(() => expect(cell(25_300, 'ce_iv')?.textContent).toBe('<intr'));
    expect(cell(25_300, 'ce_iv')?.getAttribute('title')).toBe('Price below intrinsic value');
    expect(cell(25_300, 'ce_iv')?.classList.contains('chain-no-iv')).toBe(true);
    expect(cell(25_300, 'ce_delta')?.getAttribute('title')).toMatch(/put's IV/);
    expect(cell(25_300, 'pe_iv')?.textContent).toBe('14.3');
    expect(cell(25_300, 'pe_iv')?.classList.contains('chain-no-iv')).toBe(false);
    // An analytics-only change reaches the cell.
    act(() => h.fake.push(batch(2, KEY, delta(25_500, 50, 25_510, { [tok(25_500, 'PE')]: leg(25_500, { iv: 0.1549, delta: -0.4871 }) }))));
    await waitFor(() => expect(cell(25_500, 'pe_iv')?.textContent).toBe('15.5'));
    expect(cell(25_500, 'pe_delta')?.textContent).toBe('-0.49');
  });

  it('shows IV by default, hides the greeks, and turns gamma and vega on from the column menu, remembered', async () => {
    setup();
    await waitFor(() => expect(cell(25_500, 'ce_iv')).not.toBeNull());
    for (const id of ['ce_delta', 'pe_delta', 'ce_gamma', 'pe_gamma', 'ce_theta', 'ce_vega']) expect(cell(25_500, id)).toBeNull();
    fireEvent.click(screen.getByTestId('chain-columns-button'));
    const menu = screen.getByRole('menu');
    expect((within(menu).getByLabelText('Gamma') as HTMLInputElement).checked).toBe(false);
    fireEvent.click(within(menu).getByLabelText('Gamma'));
    fireEvent.click(within(menu).getByLabelText('Vega'));
    await waitFor(() => expect(cell(25_500, 'ce_gamma')?.textContent).toBe('0.0012'));
    expect(cell(25_500, 'pe_gamma')?.textContent).toBe('0.0012');
    expect(cell(25_500, 'pe_vega')?.textContent).toBe('10.50');
    expect(cell(25_500, 'ce_theta')).toBeNull();
    cleanup();
    // A new panel starts with the choice.
    setup();
    await waitFor(() => expect(cell(25_500, 'ce_gamma')).not.toBeNull());
    expect(cell(25_500, 'ce_vega')).not.toBeNull();
    expect(cell(25_500, 'ce_theta')).toBeNull();
  });

  it('shows the chain analytics in the header from the first paint and from each batch', async () => {
    const h = setup();
    await waitFor(() => expect(screen.getByTestId('chain-header-pcr').textContent).toBe('0.87'));
    expect(screen.getByTestId('chain-header-maxpain').textContent).toBe('25500');
    const next = analytics(25_500, {
      pcr: 1.234,
      max_pain: 25_400,
      forward: 25_530.1,
      forward_source: 'future',
      atm_strike: 25_550,
      atm_straddle: 250.5,
      implied_move: 250.5,
      implied_move_fraction: 0.00981,
    });
    act(() => h.fake.push(batch(1, KEY, delta(25_500, 50, 25_512, {}, next))));
    expect(screen.getByTestId('chain-header-pcr').textContent).toBe('1.23');
    expect(screen.getByTestId('chain-header-maxpain').textContent).toBe('25400');
    expect(screen.getByTestId('chain-header-straddle').textContent).toBe('250.50');
    expect(screen.getByTestId('chain-header-straddle').getAttribute('title')).toBe('Call + put at 25550');
    expect(screen.getByTestId('chain-header-move').textContent).toBe('±250.50 (0.98%)');
    expect(screen.getByTestId('chain-header-forward').textContent).toBe('25,530.10');
    expect(screen.getByTestId('chain-header-forward-source').textContent).toBe('future');
    // Missing values read as missing, not as 0.
    act(() => h.fake.push(batch(2, KEY, delta(25_500, 50, 25_512, {}, analytics(25_500, { pcr: null, max_pain: null, forward: null, forward_source: 'none', atm_straddle: null, implied_move: null, implied_move_fraction: null })))));
    expect(screen.getByTestId('chain-header-pcr').textContent).toBe('—');
    expect(screen.getByTestId('chain-header-maxpain').textContent).toBe('—');
    expect(screen.getByTestId('chain-header-move').textContent).toBe('—');
    expect(screen.getByTestId('chain-header-forward-source').textContent).toBe('');
  });
});
