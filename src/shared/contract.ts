/**
 * The API, declared once. Commands are request -> response: their names and REST routes are the
 * command table (commands.ts); here each command's request schema and response type, in maps keyed
 * by exactly the table's names (`satisfies Record<CommandName, ...>` and the check below make a
 * missing or extra entry a compile error). The REST API v2, Electron IPC and in-process calls are
 * all derived from these, so a command left unimplemented is a compile error too. Field names are
 * the seed's (snake_case), so a client written against the seed's REST API keeps working; so
 * are its forms, read beside ours at the schema (seed-forms.ts): integer user ids, `DDMMMYYYY`
 * expiries and `SYMBOL_DDMMM_STRIKE{CE|PE}` tokens. Schemas normalise (a user id to a string, an
 * expiry to `YYYY-MM-DD`), so handlers see one form, and a parsed request parses again unchanged.
 * Requests are validated once per call at each transport's edge (validate.ts) with the zod
 * schemas below; handlers receive the parsed, typed request.
 */
import { z } from 'zod';
import type { ChainAnalyticsFields, LegAnalyticsFields } from './analytics';
import type { CommandName } from './commands';
import { epochMsSchema, expirySchema, symbolSchema as symbol } from './contract-fields';
import type { HistoryMinutesView, HistoryStrikesView } from './contract-history';
import { spotRangeSchema, strategyIdSchema, strategyLegsSchema, type SavedStrategyView, type StrategyEvaluationView } from './contract-strategy';
import type { ErrorInfo } from './errors';
import { formatSeedToken, parseSeedToken, userIdOf } from './seed-forms';

export type { CommandName } from './commands';
export { epochMsSchema, expirySchema } from './contract-fields';
export * from './contract-history';
export * from './contract-strategy';

export const INSTRUMENT_TYPES = ['EQUITY', 'STOCK_OPTION', 'INDEX_OPTION'] as const;

/** A user id: a string, or the seed's integer (1 and "1" are one user), handed on as a string. */
const userId = z
  .union([z.string().trim().min(1).max(64), z.int().min(0)], { error: 'expected a user id: a non-empty string (at most 64 characters) or a whole number' })
  .transform(userIdOf);
/** Dhan's form of an instrument token, `<SEGMENT>:<securityId>`. */
const DHAN_TOKEN = /^[A-Z_]+:\d{1,10}$/;
/**
 * An instrument token: Dhan's `NSE_FNO:42512`, or the seed's `RELIANCE_26FEB_2640CE` (any case,
 * handed on in its canonical spelling; the engine resolves its year and exchange).
 */
const instrumentToken = z
  .string()
  .trim()
  .max(80)
  .transform((text, ctx) => {
    if (DHAN_TOKEN.test(text)) return text;
    const seed = parseSeedToken(text);
    if (seed) return formatSeedToken(seed);
    ctx.addIssue({ code: 'custom', input: text, message: `"${text}" is not a token: give <SEGMENT>:<securityId> (NSE_FNO:42512) or SYMBOL_DDMMM_STRIKE{CE|PE} (RELIANCE_26FEB_2640CE)` });
    return z.NEVER;
  });
/** A REST chain view's id (option-chain:subscribe), also how the stream binds one (events.ts). */
export const viewIdSchema = z.string().trim().min(1).max(64);

export const requestSchemas = {
  'watchlist:add': z.strictObject({
    user_id: userId,
    symbol,
    expiry: expirySchema.optional(),
    instrument_type: z.enum(INSTRUMENT_TYPES),
    underlying_ltp: z.number().positive().finite().optional(),
  }),
  'watchlist:remove': z.strictObject({ user_id: userId, symbol, expiry: expirySchema.optional() }),
  'watchlist:list': z.strictObject({ user_id: userId }),
  'option-chain:get': z.strictObject({ symbol, expiry: expirySchema.optional() }),
  'option-chain:subscribe': z.strictObject({
    symbol,
    expiry: expirySchema.optional(),
    underlying_ltp: z.number().positive().finite().optional(),
    view_id: viewIdSchema.optional(),
  }),
  /** Close a REST chain view: its chain is released when no other owner holds it. */
  'option-chain:unsubscribe': z.strictObject({ view_id: viewIdSchema }),
  'subscriptions:status': z.strictObject({}),
  'subscriptions:active': z.strictObject({ tier: z.enum(['TIER_A', 'TIER_B']).optional() }),
  'subscriptions:get': z.strictObject({ token: instrumentToken }),
  'instruments:search': z.strictObject({ q: z.string().trim().min(1).max(80), limit: z.number().int().min(1).max(200).optional() }),
  'instruments:expiries': z.strictObject({ symbol }),
  'admin:unsubscribe-all-tier-a': z.strictObject({}),
  'admin:rebalance-ws': z.strictObject({}),
  'admin:ws-status': z.strictObject({}),
  /** A new Dhan token (they roll over daily): kept in the engine's memory only, never logged; the feed resumes. */
  'admin:set-credentials': z.strictObject({ client_id: z.string().trim().min(1).max(32), access_token: z.string().trim().min(10).max(4096) }),
  /** Every chain the engine holds open (Tier B config, watchlists, views), for the UI's lists. */
  'chains:list': z.strictObject({}),
  'settings:get': z.strictObject({}),
  /**
   * End-of-day behaviour (keep watchlist entries for the next session, re-centred then, or clear
   * them) and the risk-free rate of the option analytics (a fraction, 0.065 = 6.5%). Either or both.
   */
  'settings:set': z.strictObject({ keep_watchlists: z.boolean().optional(), risk_free_rate: z.number().min(0).max(0.5).optional() }),
  /** A chain's recorded minutes (epoch ms bounds); without `from`, one day: `to`'s, else the latest recorded one. */
  'history:minutes': z
    .strictObject({ symbol, expiry: expirySchema, from: epochMsSchema.optional(), to: epochMsSchema.optional() })
    .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, { message: 'from must not be after to', path: ['from'] }),
  /** A chain's strikes at the latest recorded minute at or before `t` (default: the latest). */
  'history:strikes': z.strictObject({ symbol, expiry: expirySchema, t: epochMsSchema.optional() }),
  /**
   * Evaluate a strategy of `symbol`'s options and futures (analysis only: nothing is ordered).
   * `at_date` (YYYY-MM-DD) values the at-date curve at that day's close (clamped to the first
   * expiry); `iv_shift` adds volatility points to every leg's IV (2 = +2%).
   */
  'strategy:evaluate': z.strictObject({
    symbol,
    legs: strategyLegsSchema,
    spot_range: spotRangeSchema.optional(),
    at_date: expirySchema.optional(),
    iv_shift: z.number().min(-100).max(100).optional(),
  }),
  /** Save a strategy: its legs with their entry prices (given, else the market's now). */
  'strategies:save': z.strictObject({ name: z.string().trim().min(1).max(80).optional(), symbol, legs: strategyLegsSchema }),
  'strategies:list': z.strictObject({}),
  'strategies:delete': z.strictObject({ id: strategyIdSchema }),
} satisfies Record<CommandName, z.ZodType>;

export type CommandRequest<K extends CommandName> = z.infer<(typeof requestSchemas)[K]>;

/**
 * A leg's latest values: what changes tick to tick (the stream sends only these).
 *
 * Honest data: `ltp` is a price traded today (the IST session day) or null; a leg with no trade
 * today keeps its previous close in `prev_close` only, with `change` null and `traded_today`
 * false. `stale` marks a traded value that may be out of date (src/core/api/views.ts has the
 * rule); an untraded leg is never stale, it is untraded.
 */
export interface LegQuote {
  /** Last traded price, only when it traded today; null otherwise (see `prev_close`). */
  ltp: number | null;
  prev_close: number | null;
  /** `ltp - prev_close`; null when either is (an untraded leg has no change). */
  change: number | null;
  oi: number;
  /** OI now minus at the previous close; null until the previous close's OI is known. */
  oi_change: number | null;
  volume: number;
  bid: number | null;
  ask: number | null;
  /**
   * True when the leg's last trade is from today's IST session day, false when it has not traded
   * today, null while its price is not known yet (no snapshot or tick since it was subscribed).
   */
  traded_today: boolean | null;
  /** Epoch ms of the last trade known (today's or an earlier day's); null when none is known. */
  last_trade_time: number | null;
  /** A traded value past its freshness limit (see views.ts); never true for an untraded leg. */
  stale: boolean;
}

/** A leg of a chain strike with its latest quote and analytics (IV, greeks). */
export interface LegView extends LegQuote, LegAnalyticsFields {
  token: string;
  security_id: number;
  trading_symbol: string;
  live: boolean;
}

export interface ChainView {
  symbol: string;
  expiry: string;
  segment: string;
  underlying_ltp: number;
  atm_strike: number;
  /**
   * The listed strike nearest the underlying's LTP (null without one). The ATM is the window's
   * centre and moves only after a full strike step, so the two can differ.
   */
  nearest_strike: number | null;
  strike_step: number;
  lot_size: number;
  strikes: number[];
  strikes_ce_pe: Record<string, { CE?: LegView; PE?: LegView }>;
  /** Put-call ratio by open interest (null without OI on the calls). */
  pcr: number | null;
  /** The strike where option writers pay out least at expiry, over the window's strikes. */
  max_pain: number | null;
  analytics: ChainAnalyticsFields;
}

export interface StatusView {
  total_subscriptions: number;
  ws_usage: Record<string, number>;
  utilization_percent: number;
  tier_a_count: number;
  tier_b_count: number;
  max_capacity: number;
  market: string;
  /** Where the feed comes from: Dhan, or the embedded simulator (no credentials). */
  mode: 'live' | 'simulator';
  /** Present when the Dhan token is about to expire or has expired. */
  token_warning?: string;
  /** Present when the instrument master in use is not today's. */
  master_warning?: string;
  /** Present when the embedded simulator is running a simulated session outside market hours. */
  simulated_session?: string;
}

export interface SubscriptionView {
  /** Dhan's form, `NSE_FNO:42512`: the instrument's identity. */
  token: string;
  /**
   * The seed's form, `RELIANCE_26FEB_2640CE`, for an option it names unambiguously (it resolves
   * back to this option: the nearest such expiry, NSE before BSE); null otherwise (equities,
   * indices, futures: the seed gives them no form).
   */
  seed_token: string | null;
  segment: string;
  security_id: number;
  symbol: string;
  trading_symbol: string;
  tier: 'TIER_A' | 'TIER_B';
  ws_connection_id: number | null;
  owners: string[];
  live: boolean;
  ltp: number | null;
}

/** A chain the engine holds open. */
export interface OpenChainView {
  symbol: string;
  expiry: string;
  /** TIER_B when any owner is a Tier B config entry (Tier B wins). */
  tier: 'TIER_A' | 'TIER_B';
  owners: string[];
  /** Instruments the chain holds: every CE/PE of the window plus its underlying. */
  instruments: number;
  atm_strike: number;
  strike_step: number;
  underlying_ltp: number;
}

/**
 * A watchlist entry. `status`: live (subscribed now), evicted (pushed out least-recently-used at
 * the 25,000 cap), released (by "unsubscribe all Tier A"), pending (waiting for a price or the
 * next session). An evicted or released entry comes back with one `watchlist:add` of the same
 * symbol and expiry.
 */
export interface WatchlistEntryView {
  symbol: string;
  expiry_date: string;
  instrument_type: string;
  added_at: number;
  added_order: number;
  status: 'live' | 'evicted' | 'released' | 'pending';
  /** Why it is evicted or released (which chain took its room, or the admin action); else null. */
  status_reason: string | null;
}

export interface SettingsView {
  mode: 'live' | 'simulator';
  /** The Dhan client id in use (null in simulator mode). The token itself never leaves the engine. */
  client_id: string | null;
  keep_watchlists: boolean;
  risk_free_rate: number;
}

export interface Responses {
  'watchlist:add': {
    success: true;
    message: string;
    option_chain: ChainView | null;
    /** The seed's count: the window's CE and PE legs (25 strikes x 2 = 50 for a stock); 0 for an equity. */
    strikes_subscribed: number;
    /**
     * The window's strike count (25 for a stock, 101 for an index; 0 for an equity). Always sent;
     * optional in this type only until the renderer's search-panel test fakes carry it.
     */
    strikes?: number;
  };
  'watchlist:remove': { success: true; message: string; unsubscribed: number };
  'watchlist:list': { user_id: string; entries: WatchlistEntryView[] };
  'option-chain:get': ChainView;
  'option-chain:subscribe': ChainView & { view_id: string; subscribed: number };
  'option-chain:unsubscribe': { success: true; message: string; view_id: string; unsubscribed: number };
  'subscriptions:status': StatusView;
  'subscriptions:active': { subscriptions: SubscriptionView[] };
  'subscriptions:get': SubscriptionView;
  'instruments:search': { results: { symbol: string; trading_symbol: string; segment: string; security_id: number; kind: string; expiry: string | null; strike: number | null; option_type: string | null }[] };
  'instruments:expiries': { symbol: string; expiries: string[] };
  'admin:unsubscribe-all-tier-a': { unsubscribed: number };
  'admin:rebalance-ws': { moved: number };
  'admin:set-credentials': { resumed: number; token_expires_at: number | null };
  'chains:list': { chains: OpenChainView[] };
  'settings:get': SettingsView;
  'settings:set': SettingsView;
  'history:minutes': HistoryMinutesView;
  'history:strikes': HistoryStrikesView;
  'strategy:evaluate': StrategyEvaluationView;
  'strategies:save': SavedStrategyView;
  'strategies:list': { strategies: SavedStrategyView[] };
  'strategies:delete': { success: true; message: string; id: number };
  'admin:ws-status': {
    total_subscriptions: number;
    max_capacity: number;
    utilization_percent: number;
    connected_connections: number;
    total_connections: number;
    per_connection: { id: number; state: string; instruments: number; frames: number; packets: number; last_frame_age_ms: number | null; reconnects: number; last_error: string | null }[];
  };
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time proof that Responses has exactly the command table's names (no value at run time). */
export type ResponsesMatchCommands = Assert<Same<keyof Responses, CommandName>>;

export type CommandResponse<K extends CommandName> = Responses[K];

/** One result envelope across every boundary. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** The contract's implementation: one async function per command. */
export type Api = { [K in CommandName]: (request: CommandRequest<K>) => Promise<CommandResponse<K>> };
