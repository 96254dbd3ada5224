/**
 * Option analytics as the API shows them (REST option chain, event stream, UI), computed in the
 * core from the live chain (src/core/analytics). Units: `iv` a fraction (0.15 = 15%), `delta` per
 * unit of forward, `gamma` per unit of forward squared, `theta` per calendar day, `vega` per
 * volatility point; `pcr` by OI, `max_pain` a strike.
 */

/**
 * Why a leg has no IV. 'below-intrinsic': the price is under intrinsic value (shown as such, never
 * as 0). 'no-trade-today': no two-sided quote and no trade today; its only price is an earlier
 * day's (the previous close), which says nothing about today's volatility.
 */
export type IvReason = 'no-price' | 'no-forward' | 'expired' | 'below-intrinsic' | 'no-time-value' | 'above-max' | 'bad-input' | 'no-trade-today';
/** 'pair' when a leg's greeks use the same strike's other leg's IV (this leg has none). */
export type GreeksFrom = 'own' | 'pair';
/** Where the chain's forward came from: put-call parity at the ATM pair, the future, or spot carried at the rate. */
export type ForwardSource = 'parity' | 'future' | 'spot' | 'none';

/** Per-leg analytics. */
export interface LegAnalyticsFields {
  iv: number | null;
  /** Why `iv` is null; null when there is an IV. */
  iv_reason: IvReason | null;
  delta: number | null;
  gamma: number | null;
  theta: number | null;
  vega: number | null;
  greeks_from: GreeksFrom | null;
}

/** Per-chain analytics. */
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
  /** The strike nearest the forward, where the straddle is priced. */
  atm_strike: number | null;
  atm_straddle: number | null;
  implied_move: number | null;
  /** The implied move as a fraction of the forward. */
  implied_move_fraction: number | null;
}
