/**
 * The strategy builder's pure model (issue 19): the inputs `evaluateStrategy` (strategy.ts) takes
 * and the figures it returns. Resolved values only: the API (src/core/api) turns a request's legs
 * into these from the registry (lot size, expiry), the quote store (price: mid, else LTP) and the
 * chain analytics (IV, forward); the model itself reads no clock and no store.
 *
 * Units: prices in rupees per unit of the underlying; money figures in rupees for the whole
 * position (per-unit figure x lots x lot size); volatilities as decimals (0.15 = 15%); times as
 * epoch milliseconds, converted to ACT/365 years the way the chain analytics do.
 */

/** Which way a leg is traded. */
export type StrategySide = 'BUY' | 'SELL';

/** What a leg is: a call, a put, or the future. */
export type StrategyLegKind = 'CE' | 'PE' | 'FUT';

/** One resolved leg. */
export interface StrategyLegModel {
  kind: StrategyLegKind;
  side: StrategySide;
  /** Strike (options); ignored for FUT. */
  strike: number;
  /** The leg's expiry instant (session close, epoch ms). */
  expiryMs: number;
  /** Lots (> 0) and the master's lot size: the position is lots x lotSize units. */
  lots: number;
  lotSize: number;
  /** Entry price per unit. */
  price: number;
  /** The leg's implied volatility now (decimal); NaN or <= 0 when unknown (then the ATM IV is used). */
  iv: number;
  /**
   * The leg's forward now (the price of the underlying carried to this leg's expiry). The model
   * keeps each leg's carry when it moves the spot: forward(S) = S x forward / spot now, and the
   * carry runs off with the time left, so at the leg's expiry its forward is S (strategy-payoff.ts).
   */
  forward: number;
}

/** Everything `evaluateStrategy` needs. */
export interface StrategyModel {
  legs: readonly StrategyLegModel[];
  /** The underlying's price now (the x axis is the underlying's price). */
  spot: number;
  /** The moment of valuation "today" (epoch ms). */
  nowMs: number;
  /** The chosen date for `payoffAtDate` (epoch ms; default nowMs). */
  atDateMs?: number;
  /** Volatility change added to every leg's IV for the today / at-date curves (decimal: 0.02 = +2 points). */
  ivShift?: number;
  /** Continuously compounded rate (decimal). */
  rate: number;
  /** The ATM IV (decimal) for the probability of profit and for legs whose IV is unknown. */
  atmIv: number;
  /** The x range of the curves; default spot x [0.8, 1.2] (wider to include every strike and breakeven). */
  spotRange?: readonly [number, number];
  /** Points per curve (default 201; 2 to 10,001). */
  points?: number;
}

/** Net greeks of the position, in rupees. */
export interface StrategyGreeks {
  /** Rupees per 1-point rise of the underlying. */
  delta: number;
  /** Change of `delta` per 1-point rise of the underlying. */
  gamma: number;
  /** Rupees per calendar day that passes. */
  theta: number;
  /** Rupees per one volatility point (0.01) on every leg. */
  vega: number;
}

/** What `evaluateStrategy` returns. */
export interface StrategyEvaluation {
  /** Cash at entry: positive = credit received, negative = debit paid (sum of -side x price x qty). */
  netPremium: number;
  /**
   * Largest P&L at the first expiry over every spot price >= 0 (null when unlimited); exact: from
   * the payoff's kinks and end slopes, not from the sampled curve.
   */
  maxProfit: number | null;
  /** Smallest P&L at the first expiry, negative for a loss (null when unlimited). */
  maxLoss: number | null;
  /** Spot prices at the first expiry where the P&L crosses zero, ascending. */
  breakevens: number[];
  /**
   * Probability that the P&L at the first expiry is > 0: the underlying at that expiry lognormal
   * around the first expiry's forward with the ATM IV (no drift beyond the forward).
   */
  pop: number;
  greeks: StrategyGreeks;
  /** [spot, P&L in rupees] at the first expiry (later legs valued by Black-76 at their IV then). */
  payoffExpiry: [number, number][];
  /** [spot, P&L] valued at `atDateMs` (default now) with IVs shifted by `ivShift`. */
  payoffAtDate: [number, number][];
  /** The first expiry among the legs (epoch ms). */
  firstExpiryMs: number;
}
