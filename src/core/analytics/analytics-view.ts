/**
 * The analytics as the REST option chain and the stream show them (snake_case, nulls for
 * absent numbers), built here once so both transports agree. Units: `iv` a fraction (0.15 =
 * 15%), `delta` per unit of forward, `gamma` per unit of forward squared, `theta` per calendar
 * day, `vega` per volatility point; `pcr` by OI, `max_pain` a strike.
 */
import type { ChainAnalyticsFields, LegAnalyticsFields } from '../../shared/analytics';
import type { ChainAnalytics } from './chain-analytics';

export type { ChainAnalyticsFields, LegAnalyticsFields };

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
