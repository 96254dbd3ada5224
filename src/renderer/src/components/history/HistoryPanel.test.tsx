// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeTransport } from '../../api/fake-transport';
import type { Column, DaySeries, StrikePicture } from './history-model';
import type { HistoryChartContainers, HistoryCharts, OiMode } from './history-charts';
import { HistoryPanel } from './HistoryPanel';
import { historyBatch, minute, strikesView, T0 } from './history-test-data';

/** Records what the panel asks the charts to draw (jsdom has no canvas). */
function fakeCharts() {
  const drawn = { days: [] as DaySeries[], strikes: [] as { now: StrikePicture | null; picked: StrikePicture | null; earlier: Column | null }[], modes: [] as OiMode[], containers: null as HistoryChartContainers | null, destroyed: 0 };
  const create = (c: HistoryChartContainers): HistoryCharts => {
    drawn.containers = c;
    return {
      day: (s) => drawn.days.push(s),
      strikes: (now, picked, earlier) => drawn.strikes.push({ now, picked, earlier }),
      oiMode: (m) => drawn.modes.push(m),
      destroy: () => (drawn.destroyed += 1),
    };
  };
  return { drawn, create };
}

const flush = (): Promise<void> => act(async () => {
  await new Promise((r) => setTimeout(r, 0));
});

afterEach(cleanup);

function setup() {
  const fake = createFakeTransport({ 'history:strikes': (req) => strikesView(req.t ?? T0 + 120_000) });
  const charts = fakeCharts();
  const view = render(<HistoryPanel transport={fake} symbol="NIFTY" expiry="2026-12-08" createCharts={charts.create} />);
  return { fake, charts, view };
}

describe('HistoryPanel', () => {
  it('has the four chart containers, each a tab stop, and says when nothing is recorded yet', () => {
    const { charts } = setup();
    const containers = screen.getAllByTestId('history-chart');
    expect(containers.map((c) => c.dataset.chart)).toEqual(['oi', 'straddle', 'pcr', 'smile']);
    for (const c of containers) expect(c.tabIndex).toBe(0);
    expect(charts.drawn.containers!.oi).toBe(containers[0]);
    expect(screen.getByTestId('history-empty').textContent).toMatch(/No minutes recorded for NIFTY 2026-12-08/);
    expect((screen.getByTestId('history-slider') as HTMLInputElement).disabled).toBe(true);
  });

  it('draws each closed minute and moves through the day by keyboard on a chart', async () => {
    const { fake, charts } = setup();
    act(() => fake.push(historyBatch([minute(0), minute(1), minute(2, { backfilled: true })], true)));
    await flush();
    expect(charts.drawn.days.at(-1)!.t).toHaveLength(3);
    expect(screen.queryByTestId('history-empty')).toBeNull();
    const slider = screen.getByTestId('history-slider') as HTMLInputElement;
    expect(slider.max).toBe('2');
    expect(slider.value).toBe('2');
    expect(screen.getByTestId('history-panel').textContent).toContain('3 min recorded, 1 back-filled');
    expect(screen.getByTestId('history-minute').textContent).toBe('09:32');

    // Left on the OI chart: the minute before, its strikes read and drawn beside now's smile.
    const oi = screen.getAllByTestId('history-chart')[0]!;
    fireEvent.keyDown(oi, { key: 'ArrowLeft' });
    await flush();
    expect(screen.getByTestId('history-minute').textContent).toBe('09:31');
    expect(fake.calls.at(-1)).toEqual({ command: 'history:strikes', request: { symbol: 'NIFTY', expiry: '2026-12-08', t: T0 + 60_000 } });
    const last = charts.drawn.strikes.at(-1)!;
    expect(last.picked!.t).toBe(T0 + 60_000);
    expect(last.earlier).not.toBeNull();
    expect(screen.getAllByText(/at 09:31/).length).toBeGreaterThan(0);
    expect((screen.getByTestId('history-live') as HTMLButtonElement).disabled).toBe(false);

    // Home: the first minute; End: follow the latest again.
    fireEvent.keyDown(oi, { key: 'Home' });
    await flush();
    expect(screen.getByTestId('history-minute').textContent).toBe('09:30');
    fireEvent.keyDown(oi, { key: 'End' });
    await flush();
    expect(charts.drawn.strikes.at(-1)!.picked).toBeNull();
    expect((screen.getByTestId('history-live') as HTMLButtonElement).disabled).toBe(true);

    // A new minute while following live moves the slider to it.
    act(() => fake.push(historyBatch([minute(3)])));
    await flush();
    expect(slider.max).toBe('3');
    expect(screen.getByTestId('history-minute').textContent).toBe('09:33');
  });

  it('shows ±10, ±20 or ±50 strikes around the ATM, redrawn from what it has, and keeps the choice for the next chain', async () => {
    localStorage.removeItem('strikedesk.history.window');
    const { fake, charts, view } = setup();
    act(() => fake.push(historyBatch([minute(0), minute(1)], true)));
    await flush();
    expect(screen.getByTestId('history-window-20').getAttribute('aria-checked')).toBe('true');
    const reads = fake.calls.length;
    const drawn = charts.drawn.strikes.length;
    fireEvent.click(screen.getByTestId('history-window-10'));
    expect(screen.getByTestId('history-window-10').getAttribute('aria-checked')).toBe('true');
    expect(screen.getByTestId('history-window-20').getAttribute('aria-checked')).toBe('false');
    expect(charts.drawn.strikes.length).toBe(drawn + 1); // re-cut and drawn again
    expect(fake.calls).toHaveLength(reads); // without asking the engine again
    view.unmount();
    setup();
    expect(screen.getByTestId('history-window-10').getAttribute('aria-checked')).toBe('true');
    localStorage.removeItem('strikedesk.history.window');
  });

  it('switches the OI bars to OI change and releases the charts and the view when it closes', async () => {
    const { fake, charts, view } = setup();
    fireEvent.click(screen.getByTestId('history-mode-change'));
    expect(charts.drawn.modes.at(-1)).toBe('change');
    expect(screen.getByTestId('history-mode-change').getAttribute('aria-checked')).toBe('true');
    view.unmount();
    expect(charts.drawn.destroyed).toBe(1);
    expect(fake.sent.at(-1)).toEqual({ op: 'unsubscribe', view: 'history', symbol: 'NIFTY', expiry: '2026-12-08' });
  });
});
