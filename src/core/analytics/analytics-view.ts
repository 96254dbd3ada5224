/**
 * The analytics as the REST option chain and the stream show them (snake_case, nulls for
 * absent numbers), built here once so both transports agree. Units: `iv` a fraction (0.15 =
 * 15%), `delta` per unit of forward, `gamma` per unit of forward squared, `theta` per calendar
 * day, `vega` per volatility point; `pcr` by OI, `max_pain` a strike.
 */
import type { ChainAnalytics } from './chain-analytics';
import type { ForwardSource } from './forward';
import type { GreeksFrom, IvReason } from './leg-analytics';

/** Per-leg fields for a chain view's CE/PE entry. */
export interface LegAnalyticsFields {
  iv: number | null;
  /** Why `iv` is null ('below-intrinsic', 'no-price', 'expired', ...); null when there is an IV. */
  iv_reason: IvReason | null;
  delta: number | null;
  gamma: number | null;
  theta: number | null;
  vega: number | null;
  /** 'pair' when the greeks use the same strike's other leg's IV (this leg has none). */
  greeks_from: GreeksFrom | null;
}

/** Per-chain fields for a chain view. */
export interface ChainAnalyticsFields {
  /** Put-call ratio by open interest. */
  pcr: number | null;
  pcr_volume: number | null;
  max_pain: number | null;
  forward: number | null;
  forward_source: ForwardSource;
  years_to_expiry: number;
  rate: number;
  call_oi: number;
  put_oi: number;
  oi_change: number | null;
  call_oi_change: number | null;
  put_oi_change: number | null;
  atm_strike: number | null;
  atm_straddle: number | null;
  implied_move: number | null;
  /** The implied move as a fraction of the forward. */
  implied_move_fraction: number | null;
}

const NO_LEG: LegAnalyticsFields = {
  iv: null, iv_reason: 'no-price', delta: null, gamma: null, theta: null, vega: null, greeks_from: null,
};

/** The analytics of the `side` leg at `strike` (a leg of a strike outside the window reads as no price). */
export function legAnalyticsFields(analytics: ChainAnalytics, strike: number, side: 'CE' | 'PE'): LegAnalyticsFields {
  const i = analytics.indexOf(strike);
  if (i < 0) return { ...NO_LEG };
  const a = analytics.leg(i, side === 'CE');
  return { iv: a.iv, iv_reason: a.ivReason, delta: a.delta, gamma: a.gamma, theta: a.theta, vega: a.vega, greeks_from: a.greeksFrom };
}

/** The chain-level analytics of the last update. */
export function chainAnalyticsFields(analytics: ChainAnalytics): ChainAnalyticsFields {
  const s = analytics.summary;
  return {
    pcr: s.pcrOi,
    pcr_volume: s.pcrVolume,
    max_pain: s.maxPain,
    forward: s.forward,
    forward_source: analytics.forward.source,
    years_to_expiry: s.years,
    rate: analytics.riskFreeRate,
    call_oi: s.callOi,
    put_oi: s.putOi,
    oi_change: s.oiChange,
    call_oi_change: s.callOiChange,
    put_oi_change: s.putOiChange,
    atm_strike: s.atmStrike,
    atm_straddle: s.straddle,
    implied_move: s.impliedMove,
    implied_move_fraction: s.impliedMoveFraction,
  };
}
