// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderWithServices, statusView } from '../../state/test-harness';
import { IstClock } from './IstClock';
import { TopBar } from './TopBar';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function setup() {
  const h = renderWithServices(<TopBar onOpenSettings={() => undefined} />);
  return h;
}

describe('TopBar', () => {
  it('shows a SIMULATOR badge in simulator mode, LIVE with Dhan, and the market status', () => {
    const { services } = setup();
    expect(screen.queryByTestId('mode-badge')).toBeNull(); // nothing known yet
    act(() => services.store.setState({ status: statusView({ mode: 'simulator', market: 'NSE opens at 09:15 IST' }) }));
    expect(screen.getByTestId('mode-badge').textContent).toBe('SIMULATOR');
    expect(screen.getByTestId('market-status').textContent).toBe('NSE opens at 09:15 IST');
    act(() => services.store.setState({ status: statusView({ mode: 'live', market: 'NSE is open until 15:30 IST' }) }));
    expect(screen.getByTestId('mode-badge').textContent).toBe('LIVE');
    expect(screen.getByTestId('market-status').className).toContain('market-open');
  });

  it('shows the token and master warnings and a disconnected stream', () => {
    const { services } = setup();
    act(() => services.store.setState({ status: statusView({ token_warning: 'the Dhan token expires in 40 minutes', master_warning: "using yesterday's instrument master" }), streamState: 'open' }));
    expect(screen.getByTestId('warning-token').textContent).toContain('the Dhan token expires in 40 minutes');
    expect(screen.getByTestId('warning-master').textContent).toContain("yesterday's instrument master");
    expect(screen.queryByTestId('warning-stream')).toBeNull();
    act(() => services.store.setState({ streamState: 'closed' }));
    expect(screen.getByTestId('warning-stream').textContent).toMatch(/disconnected/i);
  });

  it('says plainly when the simulator runs a simulated session outside market hours', () => {
    const { services } = setup();
    act(() => services.store.setState({ status: statusView({ mode: 'simulator' }), streamState: 'open' }));
    expect(screen.queryByTestId('warning-sim-session')).toBeNull();
    act(() => services.store.setState({ status: statusView({ mode: 'simulator', simulated_session: 'simulated session outside market hours (NSE, BSE closed by the calendar)' }) }));
    expect(screen.getByTestId('warning-sim-session').textContent).toContain('simulated session outside market hours');
  });
});

describe('IstClock', () => {
  it('shows IST (UTC+05:30) as HH:MM:SS and ticks every second', () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 25, 9, 59, 58, 500)); // 15:29:58.5 IST
    render(<IstClock />);
    const clock = screen.getByTestId('ist-clock');
    expect(clock.textContent).toBe('15:29:58 IST');
    act(() => vi.advanceTimersByTime(500));
    expect(clock.textContent).toBe('15:29:59 IST');
    act(() => vi.advanceTimersByTime(1000));
    expect(clock.textContent).toBe('15:30:00 IST');
  });
});
