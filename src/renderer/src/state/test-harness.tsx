/**
 * Shared set-up for the shell's component tests: services over the fake transport, rendered in an
 * AppProvider, and engine answers that look like the simulator's. Test-only (nothing in the app
 * imports it).
 */
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { OpenChainView, Responses, StatusView } from '../../../shared/contract';
import { createFakeTransport, type FakeHandlers, type FakeTransport } from '../api/fake-transport';
import { AppProvider, createServices, type AppServices } from './app-context';

/** A status view like the simulator's at start-up (Tier B only). */
export function statusView(over: Partial<StatusView> = {}): StatusView {
  return {
    total_subscriptions: 2968,
    ws_usage: { '1': 594, '2': 594, '3': 594, '4': 593, '5': 593 },
    utilization_percent: 11.87,
    tier_a_count: 0,
    tier_b_count: 2968,
    max_capacity: 25000,
    market: 'NSE is open until 15:30 IST',
    mode: 'simulator',
    ...over,
  };
}

/** An open chain. */
export function chainView(symbol: string, expiry: string, tier: OpenChainView['tier'] = 'TIER_B', instruments = 203): OpenChainView {
  return { symbol, expiry, tier, owners: [tier === 'TIER_B' ? `tierb:${symbol}:${expiry}` : `watch:default:${symbol}:${expiry}`], instruments, atm_strike: 100, strike_step: 10, underlying_ltp: 101 };
}

/** Five open sockets. */
export function wsStatusView(over: Partial<Responses['admin:ws-status']['per_connection'][number]>[] = []): Responses['admin:ws-status'] {
  const per = [1, 2, 3, 4, 5].map((id, i) => ({ id, state: 'open', instruments: 594, frames: 100, packets: 100, last_frame_age_ms: 12, reconnects: 0, last_error: null, ...over[i] }));
  return { total_subscriptions: 2970, max_capacity: 25000, utilization_percent: 11.88, connected_connections: per.filter((c) => c.state === 'open').length, total_connections: 5, per_connection: per };
}

/** Handlers that answer like an idle engine; tests override what they exercise. */
export function engineHandlers(): FakeHandlers {
  return {
    'watchlist:list': () => ({ user_id: 'default', entries: [] }),
    'chains:list': () => ({ chains: [chainView('NIFTY', '2026-12-01'), chainView('NIFTY', '2026-12-08'), chainView('BANKNIFTY', '2026-12-29')] }),
    'settings:get': () => ({ mode: 'simulator', client_id: null, keep_watchlists: false, risk_free_rate: 0.065 }),
    'subscriptions:status': () => statusView(),
    'admin:ws-status': () => wsStatusView(),
  };
}

export interface Harness extends RenderResult {
  transport: FakeTransport;
  services: AppServices;
}

/** Render `ui` with services over a fake transport answering `handlers` (on top of `engineHandlers`). */
export function renderWithServices(ui: ReactNode, handlers: FakeHandlers = {}): Harness {
  const transport = createFakeTransport({ ...engineHandlers(), ...handlers });
  const services = createServices(transport);
  const result = render(<AppProvider services={services}>{ui}</AppProvider>);
  return { ...result, transport, services };
}
