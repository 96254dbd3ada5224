// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeTransport } from '../api/fake-transport';
import { createServices } from './app-context';
import { LOG_LIMIT } from './app-store';
import { DEFAULT_LAYOUT, LAYOUT_STORAGE_KEY, loadLayout } from './layout-storage';
import { startSync } from './sync';
import { chainView, engineHandlers, statusView } from './test-harness';

beforeEach(() => {
  vi.useFakeTimers();
  localStorage.clear();
});
afterEach(() => vi.useRealTimers());

function setup() {
  const transport = createFakeTransport(engineHandlers());
  const services = createServices(transport, localStorage);
  const stop = startSync(services.store, services.actions, transport, { storage: localStorage });
  return { transport, services, stop };
}

describe('startSync', () => {
  it('subscribes the status and log views, and unsubscribes them when stopped', async () => {
    const { transport, stop } = setup();
    expect(transport.sent).toEqual([
      { op: 'subscribe', view: 'status' },
      { op: 'subscribe', view: 'log' },
    ]);
    stop();
    expect(transport.sent.slice(2)).toEqual([
      { op: 'unsubscribe', view: 'status' },
      { op: 'unsubscribe', view: 'log' },
    ]);
  });

  it('polls admin:ws-status every 2 s, and stops polling when stopped', async () => {
    const { transport, stop } = setup();
    const polls = () => transport.calls.filter((c) => c.command === 'admin:ws-status').length;
    await vi.advanceTimersByTimeAsync(0);
    expect(polls()).toBe(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(polls()).toBe(3);
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(polls()).toBe(3);
  });

  it('selects NIFTY nearest by default, and refreshes the lists when the tier counts move', async () => {
    const { transport, services, stop } = setup();
    await vi.advanceTimersByTimeAsync(0);
    expect(services.store.getState().selected).toEqual({ symbol: 'NIFTY', expiry: '2026-12-01' });
    transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, status: statusView() });
    transport.handle({ 'chains:list': () => ({ chains: [chainView('NIFTY', '2026-12-01'), chainView('INFY', '2026-12-29', 'TIER_A', 51)] }) });
    transport.push({ type: 'batch', seq: 2, at: 0, chains: {}, status: statusView({ tier_a_count: 51, total_subscriptions: 3019 }) });
    expect(services.store.getState().status?.tier_a_count).toBe(51);
    await vi.advanceTimersByTimeAsync(1000);
    expect(services.store.getState().chains.map((c) => c.symbol)).toEqual(['NIFTY', 'INFY']);
    stop();
  });

  it('keeps the newest log entries only', () => {
    const { transport, services, stop } = setup();
    const entry = (id: number) => ({ id, action: 'SUBSCRIBE', segment: 'NSE_FNO', security_id: id, name: null, owner: null, reason: null, ts: 0 });
    transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, log: Array.from({ length: LOG_LIMIT + 50 }, (_, i) => entry(i + 1)) });
    const log = services.store.getState().log;
    expect(log).toHaveLength(LOG_LIMIT);
    expect(log[0]!.id).toBe(51);
    expect(log.at(-1)!.id).toBe(LOG_LIMIT + 50);
    stop();
  });

  it('remembers the selected chain, panel sizes and folded panels across a reload', async () => {
    const first = setup();
    first.services.actions.select({ symbol: 'BANKNIFTY', expiry: '2026-12-29' });
    first.services.actions.resize('sidebar', 333);
    first.services.actions.resize('status', 10_000); // clamped
    first.services.actions.togglePanel('status');
    first.stop();
    const layout = { sidebar: 333, status: 640, collapsed: { sidebar: false, status: true } };
    expect(JSON.parse(localStorage.getItem(LAYOUT_STORAGE_KEY)!)).toEqual({ layout, selected: { symbol: 'BANKNIFTY', expiry: '2026-12-29' } });
    const second = setup();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.services.store.getState().selected).toEqual({ symbol: 'BANKNIFTY', expiry: '2026-12-29' });
    expect(second.services.store.getState().layout).toEqual(layout);
    second.stop();
  });

  it('ignores a stored layout it cannot read', () => {
    localStorage.setItem(LAYOUT_STORAGE_KEY, '{"layout":{"sidebar":"wide","collapsed":{"status":"yes"}},"selected":{"symbol":""}}');
    expect(loadLayout(localStorage)).toEqual({ layout: DEFAULT_LAYOUT, selected: null });
    // A layout saved before panels could fold opens with both shown.
    localStorage.setItem(LAYOUT_STORAGE_KEY, '{"layout":{"sidebar":250,"status":300}}');
    expect(loadLayout(localStorage).layout).toEqual({ ...DEFAULT_LAYOUT, sidebar: 250 });
    localStorage.setItem(LAYOUT_STORAGE_KEY, 'not json');
    expect(loadLayout(localStorage).selected).toBeNull();
  });
});
