// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { StreamLogEntry } from '../../../../shared/events';
import { startSync } from '../../state/sync';
import { renderWithServices, statusView, wsStatusView } from '../../state/test-harness';
import { StatusPanel } from './StatusPanel';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
  cleanup();
});

const logEntry = (id: number, action = 'SUBSCRIBE', name: string | null = `RELIANCE 29 DEC ${1000 + id} CALL`): StreamLogEntry => ({ id, action, segment: 'NSE_FNO', security_id: 40000 + id, name, owner: 'watch:default:RELIANCE:2026-12-29', reason: 'chain RELIANCE 2026-12-29', ts: Date.UTC(2026, 10, 25, 4, 30, id) });

async function setup(handlers: Parameters<typeof renderWithServices>[1] = {}) {
  const h = renderWithServices(<StatusPanel />, handlers);
  const stop = startSync(h.services.store, h.services.actions, h.transport);
  disposers.push(stop);
  const user = userEvent.setup();
  await waitFor(() => expect(screen.getAllByTestId('socket-row')).toHaveLength(5));
  return { ...h, user };
}

const meter = () => screen.getByTestId('capacity-meter');

describe('StatusPanel', () => {
  it('the capacity meter shows Tier B / Tier A / free with numbers, and no warning while there is room', async () => {
    const { transport } = await setup();
    act(() => transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, status: statusView({ tier_a_count: 51, tier_b_count: 2968, total_subscriptions: 3019 }) }));
    expect(meter().getAttribute('data-tier-a')).toBe('51');
    expect(meter().getAttribute('data-tier-b')).toBe('2968');
    expect(meter().getAttribute('data-total')).toBe('3019');
    expect(meter().getAttribute('data-cap')).toBe('25000');
    expect(meter().textContent).toContain('3,019 / 25,000');
    expect(meter().textContent).toMatch(/Tier B\s*2,968/);
    expect(meter().textContent).toMatch(/Tier A\s*51/);
    expect(meter().textContent).toMatch(/Free\s*21,981/);
    expect(screen.queryByTestId('eviction-warning')).toBeNull();
  });

  it('warns before an eviction when fewer than 203 instruments are free', async () => {
    const { transport } = await setup();
    // 203 free: an index chain (101 strikes x CE/PE + the underlying) still fits.
    act(() => transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, status: statusView({ tier_a_count: 21_829, tier_b_count: 2968, total_subscriptions: 24_797 }) }));
    expect(screen.queryByTestId('eviction-warning')).toBeNull();
    act(() => transport.push({ type: 'batch', seq: 2, at: 0, chains: {}, status: statusView({ tier_a_count: 21_830, tier_b_count: 2968, total_subscriptions: 24_798 }) }));
    const warning = screen.getByTestId('eviction-warning');
    expect(warning.textContent).toContain('202 free');
    expect(warning.textContent).toContain('the next chain added evicts the least recently used Tier A chain');
  });

  it('one row per feed socket: id, state, instruments of 5,000, last frame age, reconnects', async () => {
    await setup({ 'admin:ws-status': () => wsStatusView([{}, { state: 'reconnecting', instruments: 0, last_frame_age_ms: null, reconnects: 3, last_error: 'closed by peer' }]) });
    const rows = screen.getAllByTestId('socket-row');
    const cells = (i: number) => within(rows[i]!).getAllByRole('cell').map((c) => c.textContent);
    expect(cells(0)).toEqual(['1', 'open', '594 / 5,000', '12 ms', '0']);
    expect(cells(1)).toEqual(['2', 'reconnecting', '0 / 5,000', '—', '3']);
    expect(rows[1]!.getAttribute('title')).toBe('closed by peer');
  });

  it('shows the subscription log from the stream, newest first, keeping the last 200', async () => {
    const { transport } = await setup();
    act(() => transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, log: Array.from({ length: 150 }, (_, i) => logEntry(i + 1)) }));
    act(() => transport.push({ type: 'batch', seq: 2, at: 0, chains: {}, log: Array.from({ length: 100 }, (_, i) => logEntry(i + 151, i === 99 ? 'RATE_LIMIT_EVICT' : 'SUBSCRIBE')) }));
    const rows = screen.getAllByTestId('log-entry');
    expect(rows).toHaveLength(200);
    expect(rows[0]!.textContent).toBe('10:04:10EVICTRELIANCE 29 DEC 1250 CALL'); // 04:30 UTC + 250 s, in IST
    expect(rows[0]!.getAttribute('title')).toBe('NSE_FNO:40250 · for watch:default:RELIANCE:2026-12-29 · chain RELIANCE 2026-12-29');
    expect(rows[199]!.textContent).toContain('RELIANCE 29 DEC 1051 CALL');
  });

  it('names a log entry by its token when the master no longer lists it', async () => {
    const { transport } = await setup();
    act(() => transport.push({ type: 'batch', seq: 1, at: 0, chains: {}, log: [logEntry(7, 'UNSUBSCRIBE', null)] }));
    expect(screen.getByTestId('log-entry').textContent).toBe('10:00:07UNSUBNSE_FNO:40007');
  });

  it('"Unsubscribe all Tier A" asks first and calls the command only when confirmed', async () => {
    let calls = 0;
    const { user } = await setup({
      'admin:unsubscribe-all-tier-a': () => {
        calls += 1;
        return { unsubscribed: 102 };
      },
    });
    await user.click(screen.getByTestId('admin-unsubscribe-all'));
    await user.click(screen.getByTestId('confirm-cancel'));
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
    expect(calls).toBe(0);
    await user.click(screen.getByTestId('admin-unsubscribe-all'));
    await user.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(calls).toBe(1));
  });

  it('"Rebalance" calls admin:rebalance-ws and then reads the sockets again', async () => {
    const { user, transport } = await setup({ 'admin:rebalance-ws': () => ({ moved: 12 }) });
    const before = transport.calls.filter((c) => c.command === 'admin:ws-status').length;
    await user.click(screen.getByTestId('admin-rebalance'));
    await waitFor(() => expect(transport.calls.some((c) => c.command === 'admin:rebalance-ws')).toBe(true));
    await waitFor(() => expect(transport.calls.filter((c) => c.command === 'admin:ws-status').length).toBe(before + 1));
  });
});
