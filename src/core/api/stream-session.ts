/**
 * The contract's pushed half, transport-free: one `StreamSession` per client (a WebSocket in
 * src/server, the Electron window in src/main). The transport owns the timer and the wire; the
 * session owns what a client asked for and what it has already seen.
 *
 * Coalescing policy:
 * - Each chain view keeps a cursor into QuoteStore's change sequence; a batch carries each changed
 *   leg once, with its latest values. Nothing inside a window is dropped: the latest value always
 *   arrives, however many ticks came between two batches.
 * - Snapshots: the first batch after a chain subscribe, and any batch where the chain's token set
 *   changed (a re-centre), carry the whole chain with `snapshot: true` and `strikes`.
 * - Analytics (src/core/analytics) ride in the same batches: each changed leg carries its IV and
 *   greeks, every chain part its PCR, max pain and the rest; IV and greeks of unchanged legs move
 *   with the forward and the clock, so every leg is re-sent at most once a second. That refresh
 *   also carries what moves with the clock alone: `stale` and, at a new IST session day,
 *   `traded_today` (views.ts).
 * - A chain view is only for a chain that is open (some owner holds it); if it closes later the
 *   view stays silent and resumes with a snapshot when the chain reopens.
 * - status: sent when it differs from what this client last got; log: entries newer than the
 *   client's cursor, at most 1000 per batch.
 * - history (issue 18): the day so far on subscribe (`snapshot`), then the minutes closed since;
 *   the history is read again only when its write counts moved (once a minute), and a back-fill,
 *   which lands behind minutes already sent, sends the day again as a snapshot.
 * - strategy (issue 19): a saved strategy's P&L and greeks, valued when its legs or underlying
 *   moved (or a second passed), sent when the value changed (strategy-stream.ts). Subscribing
 *   paints its instruments that nobody priced yet; it does not subscribe them on the feed (a
 *   saved list must not evict watchlist chains at the cap), so legs that are not live say `stale`.
 * - Cursors advance only when the transport says the batch went out (`commit`), so a client that
 *   skipped a batch (slow) still gets the latest values in the next one.
 */
import type { StatusView } from '../../shared/contract';
import type { StreamAck, StreamBatch, StreamChain, StreamClientMessage, StreamErrorMessage, StreamHistory, StreamLeg, StreamLogEntry } from '../../shared/events';
import { historyMinuteView } from './history-views';
import { chainKey } from '../../shared/keys';
import type { ApiEngine, ApiServices } from './engine';
import { isSegment, tokenOf } from '../../shared/instruments';
import { chainAnalyticsFields, legAnalyticsFields } from '../analytics/analytics-view';
import { legQuote, nearestStrike, statusView } from './views';
import { strategyPart, strategyTokens, type StrategySub } from './strategy-stream';

const MAX_LOG_PER_BATCH = 1000;
export const MAX_CHAIN_VIEWS = 64;

interface ChainSub {
  symbol: string;
  expiry: string;
  /** QuoteStore sequence this client has seen for the chain; -1 forces a snapshot. */
  since: number;
  /** The token set last sent, joined; '' before the first snapshot. */
  tokenSet: string;
  /** When every leg's analytics were last sent (epoch ms). */
  analyticsAt: number;
}

interface HistorySub {
  symbol: string;
  expiry: string;
  /** The next batch carries the whole day (after a subscribe, or a back-fill). */
  snapshot: boolean;
  /** The last minute sent (epoch ms). */
  since: number;
  /** The history's write counts when last read. */
  live: number;
  backfills: number;
}

/** A built batch; call `commit()` once it was delivered so the cursors move past it. */
export interface PendingBatch {
  batch: StreamBatch;
  commit(): void;
}

/** Every how often a chain view carries all legs' analytics (IV and greeks move with the forward and the clock). */
export const ANALYTICS_REFRESH_MS = 1000;

/** What a chain view contributes to a batch (undefined: nothing changed), and its next cursor. */
function chainDelta(app: ApiServices, sub: ChainSub, at: number): { part: StreamChain; since: number; tokenSet: string; refreshed: boolean } | undefined {
  const state = app.owners.chain(sub.symbol, sub.expiry);
  if (!state) return undefined;
  const { chain, optionTokens, underlyingToken } = state;
  const tokenSet = optionTokens.join(',');
  const snapshot = sub.since < 0 || tokenSet !== sub.tokenSet;
  const refresh = snapshot || at - sub.analyticsAt >= ANALYTICS_REFRESH_MS;
  const watched = underlyingToken ? [...optionTokens, underlyingToken] : optionTokens;
  const changed = app.store.changedSince(snapshot ? -1 : sub.since, watched);
  if (!refresh && changed.tokens.length === 0) return undefined;
  const analytics = app.analytics.of(state);
  const wanted = refresh ? null : new Set(changed.tokens);
  const legs: Record<string, StreamLeg> = {};
  for (const s of chain.strikes) {
    for (const [side, ref] of [['CE', s.ce], ['PE', s.pe]] as const) {
      if (!ref) continue;
      const t = tokenOf(ref);
      if (wanted && !wanted.has(t)) continue;
      legs[t] = { ...legQuote(app, t), ...legAnalyticsFields(analytics, s.strike, side) };
    }
  }
  const underlying = (underlyingToken ? app.store.ltp(underlyingToken) : undefined) ?? chain.ltp;
  const part: StreamChain = {
    atm_strike: chain.atm,
    nearest_strike: nearestStrike(chain, underlying),
    strike_step: chain.step,
    underlying_ltp: underlying,
    legs,
    analytics: chainAnalyticsFields(analytics),
  };
  if (snapshot) {
    part.snapshot = true;
    part.strikes = chain.strikes.map((s) => ({
      strike: s.strike,
      CE: s.ce ? tokenOf(s.ce) : null,
      PE: s.pe ? tokenOf(s.pe) : null,
    }));
  }
  return { part, since: changed.sequence, tokenSet, refreshed: refresh };
}

/** What one history view adds to a batch (see the header): its part, and the cursor to commit. */
function historyPart(app: ApiServices, sub: HistorySub): { part: StreamHistory | null; next: Omit<HistorySub, 'symbol' | 'expiry'> } | null {
  const w = app.history.writes();
  if (!sub.snapshot && w.live === sub.live && w.backfills === sub.backfills) return null;
  const snapshot = sub.snapshot || (sub.backfills >= 0 && w.backfills !== sub.backfills);
  const read = app.history.minutes(sub.symbol, sub.expiry, snapshot ? {} : { from: sub.since + 1 });
  const minutes = (read?.minutes ?? []).map(historyMinuteView);
  const since = minutes.length ? minutes[minutes.length - 1]!.t : sub.since;
  const next = { snapshot: false, since, live: w.live, backfills: w.backfills };
  if (!snapshot && minutes.length === 0) return { part: null, next };
  return { part: snapshot ? { snapshot: true, minutes } : { minutes }, next };
}

/** One client's views and cursors. */
export class StreamSession {
  private seq = 0;
  private readonly chains = new Map<string, ChainSub>();
  private readonly histories = new Map<string, HistorySub>();
  private readonly strategies = new Map<number, StrategySub>();
  /** Last status JSON sent; null when not subscribed, '' to force the next. */
  private status: string | null = null;
  /** Last log id sent; null when not subscribed. */
  private logSince: number | null = null;

  private static clients = 0;
  /** This client's id, for binding REST views to it. */
  readonly clientId = `stream-${++StreamSession.clients}`;

  constructor(private readonly engine: ApiEngine) {}

  /** The client went away: REST views bound to it close. Call once, from the transport. */
  dispose(): void {
    this.chains.clear();
    this.histories.clear();
    this.strategies.clear();
    try {
      this.engine.services.views.clientGone(this.clientId);
    } catch {
      // the engine stopped first: its views went with it
    }
  }

  /** Apply a subscribe/unsubscribe: the ack, or the error to answer. */
  handle(m: StreamClientMessage): StreamAck | StreamErrorMessage {
    const app = this.engine.services;
    const ack = (key?: string): StreamAck => ({
      type: m.op === 'subscribe' ? 'subscribed' : 'unsubscribed',
      view: m.view,
      ...(key !== undefined ? { key } : {}),
      ...(m.id !== undefined ? { id: m.id } : {}),
    });
    const fail = (code: StreamErrorMessage['error']['code'], message: string): StreamErrorMessage => ({ type: 'error', error: { code, message }, ...(m.id !== undefined ? { id: m.id } : {}) });
    if (m.view === 'status') {
      this.status = m.op === 'subscribe' ? '' : null;
      return ack();
    }
    if (m.view === 'log') {
      // Only what is written from now on.
      this.logSince = m.op === 'subscribe' ? (this.logSince ?? app.log.recent(1)[0]?.id ?? 0) : null;
      return ack();
    }
    if (m.view === 'history') {
      const symbol = m.symbol.toUpperCase();
      const key = chainKey(symbol, m.expiry);
      if (m.op === 'unsubscribe') {
        this.histories.delete(key);
        return ack(key);
      }
      if (app.registry.rowsOfSymbol(symbol).length === 0) return fail('UNKNOWN_SYMBOL', `unknown symbol "${m.symbol}"`);
      if (!this.histories.has(key) && this.histories.size >= MAX_CHAIN_VIEWS) return fail('BAD_REQUEST', `at most ${MAX_CHAIN_VIEWS} history views per connection`);
      this.histories.set(key, { symbol, expiry: m.expiry, snapshot: true, since: Number.NEGATIVE_INFINITY, live: -1, backfills: -1 });
      return ack(key);
    }
    if (m.view === 'strategy') {
      const id = m.strategy_id;
      const key = String(id);
      if (m.op === 'unsubscribe') {
        this.strategies.delete(id);
        return ack(key);
      }
      const saved = app.strategies.get(id);
      if (!saved) return fail('NOT_FOUND', `no saved strategy has id ${id}`);
      if (!this.strategies.has(id) && this.strategies.size >= MAX_CHAIN_VIEWS) return fail('BAD_REQUEST', `at most ${MAX_CHAIN_VIEWS} strategy views per connection`);
      this.strategies.set(id, { id, since: -1, valuedAt: 0, sent: '' });
      // Prices nobody holds yet come from one snapshot; the batch after it carries them.
      void app.marketData.paint(strategyTokens(app, saved), 'now');
      return ack(key);
    }
    const symbol = m.symbol.toUpperCase();
    const registry = app.registry;
    const expiry = m.expiry ?? registry.expiries(symbol)[0];
    if (m.op === 'unsubscribe') {
      if (expiry) this.chains.delete(chainKey(symbol, expiry));
      return ack(expiry ? chainKey(symbol, expiry) : undefined);
    }
    if (!expiry) return fail(registry.rowsOfSymbol(symbol).length ? 'NOT_FOUND' : 'UNKNOWN_SYMBOL', `${symbol} has no live option expiry`);
    const key = chainKey(symbol, expiry);
    if (!app.owners.chain(symbol, expiry)) {
      return fail('NOT_FOUND', `the ${key} chain is not open: add it first (watchlist:add or option-chain:subscribe)`);
    }
    if (m.view_id !== undefined && !app.views.bind(m.view_id, this.clientId)) {
      return fail('NOT_FOUND', `no view "${m.view_id}" is open: open it first (option-chain:subscribe)`);
    }
    if (!this.chains.has(key) && this.chains.size >= MAX_CHAIN_VIEWS) return fail('BAD_REQUEST', `at most ${MAX_CHAIN_VIEWS} chain views per connection`);
    this.chains.set(key, { symbol, expiry, since: -1, tokenSet: '', analyticsAt: 0 });
    return ack(key);
  }

  private historyParts(app: ApiServices, batch: StreamBatch, advance: (() => void)[]): void {
    for (const [key, sub] of this.histories) {
      const d = historyPart(app, sub);
      if (!d) continue;
      // Nothing new to send: the counts move now (nothing can be lost by it).
      if (!d.part) {
        Object.assign(sub, d.next);
        continue;
      }
      (batch.history ??= {})[key] = d.part;
      advance.push(() => Object.assign(sub, d.next));
    }
  }

  private strategyParts(app: ApiServices, batch: StreamBatch, at: number, advance: (() => void)[]): void {
    for (const sub of this.strategies.values()) {
      const d = strategyPart(app, sub, at);
      if (!d) continue;
      // Valued, unchanged: nothing to send, and nothing lost by moving the cursor now.
      if (!d.part) {
        Object.assign(sub, d.next);
        continue;
      }
      (batch.strategy ??= {})[String(sub.id)] = d.part;
      advance.push(() => Object.assign(sub, d.next));
    }
  }

  /**
   * The batch of everything that changed for this client's views since its last committed batch,
   * or null when nothing did. `status` gives the status JSON (shared by every session of a tick).
   */
  build(at: number, status: () => string = () => JSON.stringify(statusView(this.engine))): PendingBatch | null {
    const app = this.engine.services;
    const batch: StreamBatch = { type: 'batch', seq: 0, at, chains: {} };
    const advance: (() => void)[] = [];
    for (const [key, sub] of this.chains) {
      const d = chainDelta(app, sub, at);
      if (!d) continue;
      batch.chains[key] = d.part;
      advance.push(() => {
        sub.since = d.since;
        sub.tokenSet = d.tokenSet;
        if (d.refreshed) sub.analyticsAt = at;
      });
    }
    if (this.histories.size > 0) this.historyParts(app, batch, advance);
    if (this.strategies.size > 0) this.strategyParts(app, batch, at, advance);
    if (this.status !== null) {
      const s = status();
      if (s !== this.status) {
        batch.status = JSON.parse(s) as StatusView;
        advance.push(() => (this.status = s));
      }
    }
    if (this.logSince !== null) {
      const rows = app.log.recent(MAX_LOG_PER_BATCH, this.logSince);
      if (rows.length) {
        const registry = app.registry;
        const entries: StreamLogEntry[] = rows.reverse().map((e) => ({
          id: e.id,
          action: e.action,
          segment: e.segment,
          security_id: e.securityId,
          name: isSegment(e.segment) ? (registry.get({ segment: e.segment, securityId: e.securityId })?.displayName ?? null) : null,
          owner: e.owner,
          reason: e.reason,
          ts: e.ts,
        }));
        batch.log = entries;
        if (rows.length === MAX_LOG_PER_BATCH) batch.log_truncated = true;
        const last = entries[entries.length - 1]!.id;
        advance.push(() => (this.logSince = last));
      }
    }
    if (!advance.length) return null;
    return {
      batch,
      commit: () => {
        batch.seq = ++this.seq;
        for (const a of advance) a();
      },
    };
  }
}
