/**
 * The strategy builder's part of the contract (issue 19): a leg as a request gives it, a saved
 * strategy's id, and what evaluating and saving answer. contract.ts re-exports all of it and
 * uses these schemas in its command map.
 */
import { z } from 'zod';
import { expirySchema } from './contract-fields';
import { MAX_STRATEGY_LEGS } from './product';

/**
 * A saved strategy's id: a whole number from 1, or its digits as a string (a REST path and a
 * stream message may carry either), handed on as a number.
 */
export const strategyIdSchema = z.union([z.number(), z.string().max(20)], { error: 'expected a strategy id: a whole number from 1' }).transform((raw, ctx) => {
  const id = typeof raw === 'number' ? raw : /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(id) && id >= 1) return id;
  ctx.addIssue({ code: 'custom', input: raw, message: `${JSON.stringify(raw)} is not a strategy id: give a whole number from 1` });
  return z.NEVER;
});

/** One of `values`, in any case (`buy`, `Buy`), handed on upper-cased. */
const upperEnum = <const T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z
    .string({ error: `${what} must be one of ${values.join(', ')}` })
    .trim()
    .toUpperCase()
    .pipe(z.enum(values, { error: (iss) => `${what} must be one of ${values.join(', ')}, not ${JSON.stringify(iss.input)}` }));

/** A price per unit given by the client: finite and above zero. */
const unitPrice = z.number({ error: 'expected a price: a number above zero' }).finite().positive({ error: (iss) => `a price must be above zero, not ${String(iss.input)}` });

/**
 * One leg of a strategy (issue 19). `strike` is needed for CE/PE and ignored for FUT; `price`
 * (per unit) defaults to the live mid, else the LTP; the lot size is the master's. Whether the
 * expiry and the strike are listed is the engine's to say.
 */
export const strategyLegSchema = z
  .strictObject({
    expiry: expirySchema,
    strike: z.number({ error: 'expected a strike: a number above zero' }).finite().positive({ error: (iss) => `a strike must be above zero, not ${String(iss.input)}` }).optional(),
    option_type: upperEnum(['CE', 'PE', 'FUT'], 'option_type'),
    side: upperEnum(['BUY', 'SELL'], 'side'),
    lots: z.number({ error: 'expected lots: a whole number from 1' }).superRefine((n, ctx) => {
      if (!(Number.isInteger(n) && n >= 1 && n <= 100_000)) ctx.addIssue({ code: 'custom', input: n, message: `lots must be a whole number from 1 to 100000, not ${n}` });
    }),
    price: unitPrice.optional(),
  })
  .superRefine((leg, ctx) => {
    if (leg.option_type !== 'FUT' && leg.strike === undefined) ctx.addIssue({ code: 'custom', input: leg, path: ['strike'], message: `a ${leg.option_type} leg needs its strike` });
  });

/** A strategy's legs: 1 to MAX_STRATEGY_LEGS, the count checked before the legs themselves. */
export const strategyLegsSchema = z
  .array(z.unknown(), { error: 'expected legs: an array of legs' })
  .superRefine((legs, ctx) => {
    if (legs.length === 0) ctx.addIssue({ code: 'custom', input: legs, message: 'a strategy needs at least one leg' });
    else if (legs.length > MAX_STRATEGY_LEGS) ctx.addIssue({ code: 'custom', input: legs, message: `a strategy has at most ${MAX_STRATEGY_LEGS} legs, not ${legs.length}` });
  })
  .pipe(z.array(strategyLegSchema));

/** The x range of the payoff curves, [lo, hi] with 0 < lo < hi. */
export const spotRangeSchema = z.tuple([z.number(), z.number()], { error: 'spot_range must be [lo, hi]: two prices' }).superRefine(([lo, hi], ctx) => {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && lo < hi)) ctx.addIssue({ code: 'custom', input: [lo, hi], message: `spot_range must be [lo, hi] with 0 < lo < hi, not [${lo}, ${hi}]` });
});

/** Net greeks of a strategy, in rupees for the whole position. */
export interface StrategyGreeksView {
  /** Rupees per 1-point rise of the underlying. */
  delta: number;
  /** Change of `delta` per 1-point rise of the underlying. */
  gamma: number;
  /** Rupees per calendar day. */
  theta: number;
  /** Rupees per volatility point on every leg. */
  vega: number;
}

/** A strategy leg as resolved: the request's leg with the contract it names and its price. */
export interface StrategyLegView {
  expiry: string;
  /** Null for a future. */
  strike: number | null;
  option_type: 'CE' | 'PE' | 'FUT';
  side: 'BUY' | 'SELL';
  lots: number;
  /** Entry price per unit: the request's, else the live mid, else the LTP. */
  price: number;
  /** The master's lot size: the position is lots x lot_size units. */
  lot_size: number;
  /** Dhan's form, `NSE_FNO:42512`. */
  token: string;
  trading_symbol: string;
}

/** What `strategy:evaluate` answers. Money in rupees for the whole position, 2 decimals. */
export interface StrategyEvaluationView {
  /** Cash at entry: positive = credit received, negative = debit paid. */
  net_premium: number;
  /** Largest P&L at the first expiry; null when unlimited. */
  max_profit: number | null;
  /** Smallest P&L at the first expiry (negative for a loss); null when unlimited. */
  max_loss: number | null;
  /** Underlying prices at the first expiry where the P&L crosses zero, ascending. */
  breakevens: number[];
  /**
   * Probability that the P&L at the first expiry is above zero (0..1), from the ATM IV; null when
   * no ATM IV is known (before any option of the first expiry is priced).
   */
  pop: number | null;
  greeks: StrategyGreeksView;
  /** [underlying, P&L] at the first expiry. */
  payoff_expiry: [number, number][];
  /** [underlying, P&L] at `at_date` (default now) with IVs moved by `iv_shift`. */
  payoff_at_date: [number, number][];
  /** The legs with their IV now (a fraction; null when none can be solved, then the ATM IV is used). */
  legs: (StrategyLegView & { iv: number | null })[];
  /** The first expiry among the legs, YYYY-MM-DD. */
  first_expiry: string;
  /** The underlying's price the figures are computed at. */
  spot: number;
  /** The first expiry's ATM IV (a fraction), null when unknown. */
  atm_iv: number | null;
}

/** A saved strategy: its legs at their entry prices (the prices at save time unless given). */
export interface SavedStrategyView {
  id: number;
  name: string;
  symbol: string;
  legs: StrategyLegView[];
  /** Epoch ms. */
  created_at: number;
}
