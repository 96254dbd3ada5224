/**
 * Market data wiring: subscription changes go to the feed pool and get a first paint from a REST
 * snapshot (Dhan sends a tick only on change, so a quiet strike would otherwise stay blank);
 * packets go to the quote store; a tick of a chain's underlying feeds the ATM engine's re-centre
 * decision, whose diff goes through the subscription manager like any other change.
 */
import { parseToken, SEGMENT_FEED_CODE, type InstrumentToken, type Segment } from '../../shared/instruments';
import type { InstrumentRegistry } from '../instruments/registry';
import type { DhanRestClient, RestQuote } from '../rest/dhan-rest';
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
  /** Snapshots in flight, so a burst of changes makes one request per instrument. */
  private pendingSnapshots = new Set<InstrumentToken>();
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
      if (this.o.store.ltp(token) === undefined && !this.pendingSnapshots.has(token)) fresh.push(token);
    }
    this.rebuildDrivers();
    if (fresh.length && this.o.rest) void this.snapshot(fresh);
  }

  /** First paint: fill quotes nobody has ticked yet from a REST snapshot. */
  private async snapshot(tokens: InstrumentToken[]): Promise<void> {
    for (const t of tokens) this.pendingSnapshots.add(t);
    try {
      const refs = tokens.map((t) => parseToken(t)!);
      const quotes = await this.o.rest!.quotes(refs, 'quote');
      for (const [token, q] of quotes) this.o.store.seed(token, snapshotValues(q));
    } catch (err) {
      this.o.onError?.(`first-paint snapshot failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      for (const t of tokens) this.pendingSnapshots.delete(t);
    }
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
