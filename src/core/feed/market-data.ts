/**
 * Market data wiring: subscription changes go to the feed pool and get a first paint from a REST
 * snapshot (Dhan sends a tick only on change, so a quiet strike would otherwise stay blank);
 * packets go to the quote store; a tick of a chain's underlying feeds the ATM engine's re-centre
 * decision, whose diff goes through the subscription manager like any other change.
 *
 * Paint policy: every paint is one queued REST request shared with whatever else waits (see
 * rest/quote-queue.ts). What a change subscribes is painted in the `now` lane, ahead of any bulk
 * paint, unless the change happens inside `inBackground` (the start-up's Tier B, a restore): a
 * chain the trader just added never waits behind the start-up. An instrument already priced, or
 * whose paint is in flight, is not asked again: a caller waits for the paint in flight.
 */
import { parseToken, SEGMENT_FEED_CODE, type InstrumentToken, type Segment } from '../../shared/instruments';
import type { InstrumentRegistry } from '../instruments/registry';
import type { DhanRestClient, QuotePriority, RestQuote } from '../rest/dhan-rest';
import type { FeedPacket } from './feed-codec';
import { RESPONSE_CODE } from './feed-protocol';
import type { FeedPool } from './feed-pool';
import { lttToEpochMs, type QuoteStore } from './quote-store';

export { lttToEpochMs };

/** What market data needs of the owner registry: its changes, its open chains, and re-centring. */
export interface ChainHolder {
  onChange(listener: (change: SubscriptionChangeLike) => void): () => void;
  openChains(): { state: { chain: { symbol: string; expiry: string; underlying: { segment: Segment; securityId: number } | null } } }[];
  onPrice(symbol: string, expiry: string, ltp: number, options: { ltt?: number; sessionStart?: number }): { decision: { kind: string } };
}

/** The upstream change the feed pool applies. */
export interface SubscriptionChangeLike {
  subscribed: { token: InstrumentToken; socket: number }[];
  unsubscribed: { token: InstrumentToken; socket: number }[];
}

export interface MarketDataOptions {
  registry: InstrumentRegistry;
  owners: ChainHolder;
  pool: Pick<FeedPool, 'apply'>;
  store: QuoteStore;
  rest?: Pick<DhanRestClient, 'quotes'>;
  /** Epoch ms of today's session start: older last-trade times do not move chains. */
  sessionStart?: () => number;
  onError?: (message: string) => void;
}

/**
 * A REST quote's `last_trade_time` (`DD/MM/YYYY HH:MM:SS`, IST wall clock) as Dhan's feed LTT
 * (epoch seconds of IST wall-clock time), or NaN when absent, malformed or Dhan's untraded
 * sentinel (01/01/1980 00:00:00, or anything before 2000): such a snapshot has no trade time and
 * its `last_price` is the previous close, not a trade of today.
 */
export function restTradeTimeToLtt(text: string | undefined): number {
  const m = text ? /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim()) : null;
  if (!m) return Number.NaN;
  const [day, month, year, h, min, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (year < 2000 || month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
  return Date.UTC(year, month - 1, day, h, min, sec) / 1000;
}

export class MarketData {
  private readonly o: MarketDataOptions;
  /**
   * Per feed segment code, underlying security id -> chains it drives. Keyed by numbers so the
   * per-packet lookup builds no string.
   */
  private drivers: Map<number, { symbol: string; expiry: string }[]>[] = [];
  private disposers: (() => void)[] = [];
  /** Paints in flight, by instrument: a second caller waits for the first paint. */
  private readonly painting = new Map<InstrumentToken, Promise<void>>();
  /** How changes paint now: `inBackground` and `quietly` set it for the work they run. */
  private paintMode: QuotePriority | 'none' = 'now';
  recentres = 0;

  constructor(options: MarketDataOptions) {
    this.o = options;
  }

  start(): void {
    this.disposers.push(this.o.owners.onChange((change) => this.onChange(change)));
    this.rebuildDrivers();
  }

  stop(): void {
    for (const d of this.disposers) d();
    this.disposers = [];
  }

  /** The handler to give the feed pool. */
  readonly onPacket = (p: FeedPacket): void => {
    this.o.store.apply(p);
    if (p.code !== RESPONSE_CODE.TICKER && p.code !== RESPONSE_CODE.QUOTE && p.code !== RESPONSE_CODE.FULL) return;
    const chains = this.drivers[p.segmentCode]?.get(p.securityId);
    if (!chains) return;
    const ltp = this.o.store.ltp(`${p.segment}:${p.securityId}`);
    if (ltp === undefined) return;
    for (const c of chains) {
      try {
        const res = this.o.owners.onPrice(c.symbol, c.expiry, ltp, {
          ltt: lttToEpochMs(p.ltt),
          ...(this.o.sessionStart ? { sessionStart: this.o.sessionStart() } : {}),
        });
        if (res.decision.kind === 'recentre') this.recentres++;
      } catch (err) {
        this.o.onError?.(`re-centre of ${c.symbol} ${c.expiry} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  private onChange(change: SubscriptionChangeLike): void {
    this.o.pool.apply(change);
    const fresh: InstrumentToken[] = [];
    for (const { token } of change.subscribed) {
      const ref = parseToken(token);
      if (!ref) continue;
      const row = this.o.registry.rowOf(ref.segment, ref.securityId);
      this.o.store.track(token, row >= 0 ? this.o.registry.table.cols.tickSize[row] : undefined);
      fresh.push(token);
    }
    this.rebuildDrivers();
    if (fresh.length && this.paintMode !== 'none') void this.paint(fresh, this.paintMode);
  }

  /** Run `fn` (synchronous subscription work) with its changes painted in the background lane. */
  inBackground<T>(fn: () => T): T {
    return this.withPaintMode('background', fn);
  }

  /** Run `fn` with its changes not painted: the caller paints later, in the order it wants. */
  quietly<T>(fn: () => T): T {
    return this.withPaintMode('none', fn);
  }

  private withPaintMode<T>(mode: QuotePriority | 'none', fn: () => T): T {
    const before = this.paintMode;
    this.paintMode = mode;
    try {
      return fn();
    } finally {
      this.paintMode = before;
    }
  }

  /**
   * First paint: fill the quotes of `tokens` nobody has priced yet from one queued REST snapshot.
   * Resolves when they are painted (or the snapshot failed: reported through `onError`, never
   * thrown), so a caller can wait for a price it needs.
   */
  paint(tokens: readonly InstrumentToken[], priority: QuotePriority = 'now'): Promise<void> {
    const rest = this.o.rest;
    const waits: Promise<void>[] = [];
    const ask: InstrumentToken[] = [];
    for (const t of new Set(tokens)) {
      const inFlight = this.painting.get(t);
      if (inFlight) waits.push(inFlight);
      else if (rest && this.o.store.ltp(t) === undefined && parseToken(t)) ask.push(t);
    }
    if (ask.length && rest) {
      const done = rest
        .quotes(ask.map((t) => parseToken(t)!), 'quote', { priority })
        .then((quotes) => {
          for (const [token, q] of quotes) this.o.store.seed(token, snapshotValues(q));
        })
        .catch((err: unknown) => this.o.onError?.(`first-paint snapshot failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          for (const t of ask) if (this.painting.get(t) === done) this.painting.delete(t);
        });
      for (const t of ask) this.painting.set(t, done);
      waits.push(done);
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Resolves once no paint is in flight (start-up's Tier B painted, say). */
  async painted(): Promise<void> {
    while (this.painting.size > 0) await Promise.all(new Set(this.painting.values()));
  }

  private rebuildDrivers(): void {
    const next: Map<number, { symbol: string; expiry: string }[]>[] = [];
    for (const { state } of this.o.owners.openChains()) {
      const u = state.chain.underlying;
      const code = u ? SEGMENT_FEED_CODE[u.segment] : null;
      if (!u || code === null) continue;
      const bySegment = (next[code] ??= new Map());
      const list = bySegment.get(u.securityId) ?? [];
      list.push({ symbol: state.chain.symbol, expiry: state.chain.expiry });
      bySegment.set(u.securityId, list);
    }
    this.drivers = next;
  }
}

function snapshotValues(q: RestQuote): Record<string, number> {
  const v: Record<string, number> = { ltp: q.last_price };
  if (q.ohlc) {
    v.open = q.ohlc.open;
    v.high = q.ohlc.high;
    v.low = q.ohlc.low;
    v.prevClose = q.ohlc.close;
  }
  if (q.volume !== undefined) v.volume = q.volume;
  if (q.oi !== undefined) v.oi = q.oi;
  if (q.average_price !== undefined) v.atp = q.average_price;
  if (q.last_quantity !== undefined) v.ltq = q.last_quantity;
  // The trade time decides whether `last_price` traded today (NaN is not stored: untraded).
  v.ltt = restTradeTimeToLtt(q.last_trade_time);
  return v;
}
