/**
 * The contract's pushed half: events on the stream (`GET /api/v2/stream`, a WebSocket on the same
 * loopback port as the REST API v2). Commands stay in contract.ts; streams never go through
 * request/response. The server coalesces ticks to the latest value per instrument and pushes one
 * `batch` per interval to each client, only when something changed for the views it asked for.
 * See src/server/event-stream.ts for the delivery policy.
 */
import { z } from 'zod';
import type { ChainAnalyticsFields, LegAnalyticsFields } from './analytics';
import { expirySchema, strategyIdSchema, viewIdSchema, type HistoryMinuteView, type LegQuote, type StatusView, type StrategyGreeksView } from './contract';

/** The views a client can subscribe to. */
export const STREAM_VIEWS = ['chain', 'status', 'log', 'history', 'strategy'] as const;
export type StreamView = (typeof STREAM_VIEWS)[number];

const correlationId = z.string().min(1).max(100);

/**
 * The literal form of a strategy view, `{"op":"subscribe","view":"strategy","id":3}`,
 * names the strategy by a numeric `id`: read as `strategy_id` (a correlation id is a string, so a
 * number cannot be one). `strategy_id` is the unambiguous form and wins when both are given.
 */
function strategyIdFromId(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const m = raw as Record<string, unknown>;
  if (m.view !== 'strategy' || m.strategy_id !== undefined || typeof m.id !== 'number') return raw;
  const { id, ...rest } = m;
  return { ...rest, strategy_id: id };
}

/** client -> server: one JSON text frame each. `id` is echoed back on the ack or the error. */
export const streamClientMessageSchema = z.preprocess(strategyIdFromId, z.discriminatedUnion('view', [
  z.strictObject({
    op: z.enum(['subscribe', 'unsubscribe']),
    view: z.literal('chain'),
    symbol: z.string().trim().min(1).max(40),
    /** `YYYY-MM-DD` or the seed's `DDMMMYYYY`, read as `YYYY-MM-DD` (the chain key's form). */
    expiry: expirySchema.optional(),
    /** Binds that REST view (option-chain:subscribe) to this stream client: the view closes when the client goes away. */
    view_id: viewIdSchema.optional(),
    id: correlationId.optional(),
  }),
  z.strictObject({ op: z.enum(['subscribe', 'unsubscribe']), view: z.literal('status'), id: correlationId.optional() }),
  z.strictObject({ op: z.enum(['subscribe', 'unsubscribe']), view: z.literal('log'), id: correlationId.optional() }),
  /** A chain's session history (issue 18): the day so far, then each minute as it closes. */
  z.strictObject({
    op: z.enum(['subscribe', 'unsubscribe']),
    view: z.literal('history'),
    symbol: z.string().trim().min(1).max(40),
    expiry: expirySchema,
    id: correlationId.optional(),
  }),
  /**
   * A saved strategy's live P&L (issue 19), named by `strategy_id` (a number, or its digits; or a
   * numeric `id`, the issue's form, see strategyIdFromId); the
   * ack's `key` and the batches' `strategy` map carry it as a string. `id` stays what it is on
   * every view, a correlation id echoed back (and dropped when views are replayed on a reconnect).
   */
  z.strictObject({ op: z.enum(['subscribe', 'unsubscribe']), view: z.literal('strategy'), strategy_id: strategyIdSchema, id: correlationId.optional() }),
]));
export type StreamClientMessage = z.infer<typeof streamClientMessageSchema>;

/** A leg's latest values (the contract's LegQuote: what changes tick to tick) and its analytics. */
export type StreamLeg = LegQuote & LegAnalyticsFields;

/** One row of a chain snapshot: the tokens of a strike's legs. */
export interface StreamStrikeRow {
  strike: number;
  CE: string | null;
  PE: string | null;
}

/** A chain's part of a batch, keyed `"<SYMBOL>|<expiry>"` in `StreamBatch.chains`. */
export interface StreamChain {
  /**
   * Present (true) when this is the whole chain: the first batch after a subscribe, or the window
   * re-centred (its token set changed). The client rebuilds its rows from `strikes` and `legs`.
   */
  snapshot?: true;
  atm_strike: number;
  /** The listed strike nearest the underlying's LTP (null without one); may differ from the ATM (see ChainView). */
  nearest_strike: number | null;
  strike_step: number;
  underlying_ltp: number;
  /** Only on snapshots: every strike of the window, ascending, with its leg tokens. */
  strikes?: StreamStrikeRow[];
  /**
   * Token -> latest values: every leg on a snapshot and on an analytics refresh (at most once a
   * second, as IV and greeks move with the forward and the clock), else only the legs changed
   * since the last batch.
   */
  legs: Record<string, StreamLeg>;
  /** The chain's analytics (PCR, max pain, forward, straddle, ...), as of this batch. */
  analytics: ChainAnalyticsFields;
}

/** A subscription_log row as pushed to the `log` view. */
export interface StreamLogEntry {
  id: number;
  action: string;
  segment: string;
  security_id: number;
  /** The instrument as a trader reads it (Dhan's display name, e.g. `RELIANCE 29 DEC 1400 CALL`); null when the master no longer lists it. */
  name: string | null;
  owner: string | null;
  reason: string | null;
  ts: number;
}

/** server -> client: the coalesced update. */
export interface StreamBatch {
  type: 'batch';
  /** Per connection, 1, 2, 3, ... (a skipped slow-client batch does not use a number). */
  seq: number;
  /** Epoch ms when the batch was built. */
  at: number;
  chains: Record<string, StreamChain>;
  /** The subscriptions status, when it changed since the last batch (always in the first after a subscribe). */
  status?: StatusView;
  /** New subscription_log entries, oldest first. */
  log?: StreamLogEntry[];
  /** True when more log entries were written than one batch carries; the oldest were left out. */
  log_truncated?: true;
  /** Per subscribed history view (key `"<SYMBOL>|<expiry>"`): its new minutes, oldest first. */
  history?: Record<string, StreamHistory>;
  /**
   * Per subscribed strategy view (key: its id): its value now, only when it changed since the
   * last batch (at most once per batch, whatever the ticks between).
   */
  strategy?: Record<string, StreamStrategy>;
}

/** One leg of a saved strategy, valued now. */
export interface StreamStrategyLeg {
  token: string;
  /** The last traded price known; null when none is. */
  ltp: number | null;
  /** The price the leg is valued at: the mid when both sides are quoted, else the LTP; null when none. */
  mark: number | null;
  /** (mark - entry price) x lots x lot size, negated for a SELL (rupees); null without a mark. */
  pnl: number | null;
  /**
   * The mark may no longer be the market's: the leg is not live on a feed socket (its chain is
   * closed, the strike is outside the chain's window, or the socket is down) or, in session, had
   * no update for 5 minutes (the chains' freshness rule). False without a mark.
   */
  stale: boolean;
}

/** A saved strategy's part of a batch, keyed by its id in `StreamBatch.strategy`. */
export interface StreamStrategy {
  id: number;
  /** The position's P&L now against the saved entry prices (rupees); null while a leg has no price. */
  pnl: number | null;
  /** Legs whose mark is stale (see StreamStrategyLeg.stale): the P&L is then not live. */
  stale_legs: number;
  /** Cash at entry: positive = credit received. */
  net_premium: number;
  /** Net greeks now, as strategy:evaluate gives them; null while the underlying has no price. */
  greeks: StrategyGreeksView | null;
  legs: StreamStrategyLeg[];
  /** When it was valued (epoch ms). */
  t: number;
}

/** A history view's part of a batch. */
export interface StreamHistory {
  /**
   * Present (true) when `minutes` is the whole day so far: the first batch after a subscribe, and
   * after a back-fill filled earlier minutes. Otherwise the minutes closed since the last batch.
   */
  snapshot?: true;
  minutes: HistoryMinuteView[];
}

/** server -> client: a subscribe/unsubscribe was accepted; data follows in the next batches. */
export interface StreamAck {
  type: 'subscribed' | 'unsubscribed';
  view: StreamView;
  /** The chain key `"<SYMBOL>|<expiry>"` for chain and history views; the strategy's id for a strategy view. */
  key?: string;
  id?: string;
}

/** server -> client: a refused message; the socket stays open. */
export interface StreamErrorMessage {
  type: 'error';
  error: { code: 'BAD_REQUEST' | 'NOT_FOUND' | 'UNKNOWN_SYMBOL' | 'INTERNAL'; message: string };
  id?: string;
}

export type StreamServerMessage = StreamBatch | StreamAck | StreamErrorMessage;
