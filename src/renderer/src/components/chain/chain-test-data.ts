/**
 * Builders of chain messages for the chain component's tests (not shipped code paths: only the
 * tests import this file). Tokens are `T:<strike>:CE` / `T:<strike>:PE`.
 */
import type { ChainAnalyticsFields } from '../../../../shared/analytics';
import type { ChainView, LegView } from '../../../../shared/contract';
import type { StreamBatch, StreamChain, StreamLeg } from '../../../../shared/events';

/**
 * A leg (quote and analytics) whose values derive from a strike, with overrides. It traded today
 * (at 10:00 IST on 2026-12-01). The analytics are fixed and shaped like an ATM index leg: IV
 * 14.32%, delta 0.5123, gamma 0.001234, theta -12.34 a day, vega 10.5 a point.
 */
export function leg(strike: number, over: Partial<StreamLeg> = {}): StreamLeg {
  return {
    ltp: 100 + strike / 100,
    prev_close: 100,
    change: strike / 100,
    oi: 1_000 * strike,
    oi_change: 50,
    volume: 10 * strike,
    bid: 99.5,
    ask: 100.5,
    traded_today: true,
    last_trade_time: Date.parse('2026-12-01T04:30:00Z'),
    stale: false,
    iv: 0.1432,
    iv_reason: null,
    delta: 0.5123,
    gamma: 0.001234,
    theta: -12.34,
    vega: 10.5,
    greeks_from: 'own',
    ...over,
  };
}

/** Chain analytics for a chain at `atm`, with overrides. */
export function analytics(atm: number, over: Partial<ChainAnalyticsFields> = {}): ChainAnalyticsFields {
  return {
    pcr: 0.87,
    pcr_volume: 1.02,
    max_pain: atm,
    forward: atm + 21.2,
    forward_source: 'parity',
    years_to_expiry: 7 / 365,
    rate: 0.065,
    call_oi: 1_000_000,
    put_oi: 870_000,
    oi_change: 1_000,
    call_oi_change: 400,
    put_oi_change: 600,
    atm_strike: atm,
    atm_straddle: 245.3,
    implied_move: 245.3,
    implied_move_fraction: 245.3 / (atm + 21.2),
    ...over,
  };
}

/** The CE or PE token of a strike. */
export function tok(strike: number, side: 'CE' | 'PE'): string {
  return `T:${strike}:${side}`;
}

/** Strikes from `from` to `to` inclusive, every `step`. */
export function strikeRange(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to; s += step) out.push(s);
  return out;
}

/**
 * A leg that has not traded today: no LTP and no change, its previous close `prevClose`, no IV
 * (no two-sided quote), the last trade on the day before (16:25 IST on 2026-11-30).
 */
export function untradedLeg(strike: number, prevClose: number, over: Partial<StreamLeg> = {}): StreamLeg {
  return leg(strike, {
    ltp: null,
    prev_close: prevClose,
    change: null,
    bid: null,
    ask: null,
    volume: 0,
    traded_today: false,
    last_trade_time: Date.parse('2026-11-30T10:55:00Z'),
    iv: null,
    iv_reason: 'no-trade-today',
    greeks_from: 'pair',
    ...over,
  });
}

/** A snapshot chain over `strikes`, every leg with a value; the nearest strike is the ATM. */
export function snapshot(strikes: number[], atm: number, step: number, ltp: number, over: (strike: number, side: 'CE' | 'PE') => Partial<StreamLeg> = () => ({})): StreamChain {
  const legs: Record<string, StreamLeg> = {};
  for (const s of strikes) {
    legs[tok(s, 'CE')] = leg(s, over(s, 'CE'));
    legs[tok(s, 'PE')] = leg(s, over(s, 'PE'));
  }
  return {
    snapshot: true,
    atm_strike: atm,
    nearest_strike: atm,
    strike_step: step,
    underlying_ltp: ltp,
    strikes: strikes.map((strike) => ({ strike, CE: tok(strike, 'CE'), PE: tok(strike, 'PE') })),
    legs,
    analytics: analytics(atm),
  };
}

/** A delta chain carrying only `legs` (and the chain analytics, as every batch does). */
export function delta(atm: number, step: number, ltp: number, legs: Record<string, StreamLeg>, chainAnalytics: ChainAnalyticsFields = analytics(atm)): StreamChain {
  return { atm_strike: atm, nearest_strike: atm, strike_step: step, underlying_ltp: ltp, legs, analytics: chainAnalytics };
}

/** A batch carrying one chain under `key`. */
export function batch(seq: number, key: string, chain: StreamChain): StreamBatch {
  return { type: 'batch', seq, at: 1_700_000_000_000 + seq * 100, chains: { [key]: chain } };
}

/** What `option-chain:get` answers for `strikes`. */
export function chainView(symbol: string, expiry: string, strikes: number[], atm: number, step: number, ltp: number): ChainView {
  const view: ChainView = {
    symbol,
    expiry,
    segment: 'NSE_FNO',
    underlying_ltp: ltp,
    atm_strike: atm,
    nearest_strike: atm,
    strike_step: step,
    lot_size: 75,
    strikes,
    strikes_ce_pe: {},
    pcr: 0.87,
    max_pain: atm,
    analytics: analytics(atm),
  };
  let id = 1;
  const legView = (strike: number, side: 'CE' | 'PE'): LegView => ({
    ...leg(strike),
    token: tok(strike, side),
    security_id: id++,
    trading_symbol: `${symbol}-${strike}-${side}`,
    live: true,
  });
  for (const s of strikes) view.strikes_ce_pe[String(s)] = { CE: legView(s, 'CE'), PE: legView(s, 'PE') };
  return view;
}
