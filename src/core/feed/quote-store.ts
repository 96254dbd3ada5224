/**
 * Latest values per instrument, in preallocated columns: a packet updates numbers in place, no
 * object is created per tick. Consumers do not get a callback per tick either: each keeps a
 * cursor and asks what changed since it last looked, so views receive coalesced batches in which
 * the latest value always arrives and nothing is dropped inside a window.
 *
 * Traded today: the store keeps the last trade time (LTT) it knows with the last traded price:
 * from ticker/quote/full packets, or from a REST snapshot's `last_trade_time` (`seed`). A price
 * traded today is one whose LTT falls on the instrument's IST session day: today when today is a
 * trading day of its exchange (resources/holidays.json), else the last trading day (a weekend
 * shows Friday's session). Before the open nothing has traded today: every leg shows its previous
 * close until it trades. A price with no LTT (a snapshot of an untraded contract, whose
 * `last_price` is the previous close and whose trade time is Dhan's 01/01/1980 sentinel) or an
 * earlier day's LTT has not traded today. Readers decide what to show from `tradedToday`; the
 * store keeps the number either way.
 *
 * Quiet: `quiet` says only that nothing arrived for the instrument (any packet or snapshot) for
 * longer than `staleAfterMs`. Whether that makes a value stale depends on the feed and the
 * session (Dhan sends only on change); that policy is src/core/api/views.ts's.
 */
import { previousTradingDay, toEpochDay, fromEpochDay, IST_OFFSET_MS } from '../../shared/market-calendar';
import { EXCHANGES, parseToken, SEGMENT_FEED_CODE, type Exchange, type InstrumentToken, type Segment } from '../../shared/instruments';
import { DEPTH_STRIDE, type FeedPacket } from './feed-codec';
import { DEPTH_LEVELS, RESPONSE_CODE } from './feed-protocol';

// Hot-path constants as module locals (see feed-codec.ts).
const TICKER = RESPONSE_CODE.TICKER;
const QUOTE = RESPONSE_CODE.QUOTE;
const FULL = RESPONSE_CODE.FULL;
const OI = RESPONSE_CODE.OI;
const PREV_CLOSE = RESPONSE_CODE.PREV_CLOSE;
const DEPTH_WIDTH = DEPTH_LEVELS * DEPTH_STRIDE;
const PRICE_FIELD = 4; // bid and ask prices sit at 4 and 5 of each level

/** Feed segment code of a segment; NSE_COMM, which has none, uses 15. */
const codeOf = (segment: Segment): number => SEGMENT_FEED_CODE[segment] ?? 15;

/** Default quiet limit: nothing heard of an instrument for this long (the API's freshness limit). */
export const QUIET_AFTER_MS = 5 * 60_000;

const MS_PER_DAY = 86_400_000;
const S_PER_DAY = 86_400;

/** The exchange whose calendar a segment's instruments trade on (indices: NSE's). */
export function exchangeOfSegment(segment: Segment): Exchange {
  if (segment === 'MCX_COMM') return 'MCX';
  return segment.startsWith('BSE_') ? 'BSE' : 'NSE';
}

/** Dhan's LTT (epoch seconds of IST wall-clock time) as real epoch ms. */
export function lttToEpochMs(ltt: number): number {
  return ltt * 1000 - IST_OFFSET_MS;
}

/** Numeric fields of a quote, each a column. */
export const QUOTE_FIELDS = [
  'ltp', 'ltq', 'ltt', 'atp', 'volume', 'totalBuyQty', 'totalSellQty', 'open', 'high', 'low', 'close',
  'oi', 'oiDayHigh', 'oiDayLow', 'prevClose', 'prevOi', 'updatedAt',
] as const;
export type QuoteField = (typeof QUOTE_FIELDS)[number];

/** A quote as handed to the API: a copy, safe to keep. */
export interface Quote {
  token: InstrumentToken;
  ltp: number | null;
  ltq: number;
  /** Last trade time, epoch seconds of IST wall-clock time (as Dhan sends it). */
  ltt: number;
  atp: number;
  volume: number;
  totalBuyQty: number;
  totalSellQty: number;
  open: number;
  high: number;
  low: number;
  close: number;
  oi: number;
  oiDayHigh: number;
  oiDayLow: number;
  prevClose: number | null;
  prevOi: number;
  /** True when the last trade known is from the instrument's IST session day (see the header). */
  tradedToday: boolean;
  /** Epoch ms of the last trade known (from its LTT), or null when none is known. */
  lastTradeMs: number | null;
  /** bid/ask per level: [{ bidPrice, bidQty, bidOrders, askPrice, askQty, askOrders }] */
  depth: { bidPrice: number; bidQty: number; bidOrders: number; askPrice: number; askQty: number; askOrders: number }[];
  /** Epoch ms when the store last changed this instrument; 0 if never. */
  updatedAt: number;
  /** True when nothing arrived for longer than the quiet limit, or nothing ever did (see the header). */
  quiet: boolean;
}

/** Round a float32 price to its tick (and to 4 decimals, so 247.8000030517578 reads 247.8). */
export function roundToTick(price: number, tick: number): number {
  const t = tick > 0 ? tick : 0.01;
  return Math.round(Math.round(price / t) * t * 10_000) / 10_000;
}

export interface QuoteStoreOptions {
  /** Instruments the columns hold before they grow (25,000 live plus head room). */
  capacity?: number;
  now?: () => number;
  /** An instrument with no update for this long is quiet (the API's freshness limit, see views.ts). */
  staleAfterMs?: number;
}

export class QuoteStore {
  private readonly now: () => number;
  private readonly staleAfterMs: number;
  private cap: number;
  /** Per feed segment code, security id -> slot (small-integer keys: no allocation per lookup). */
  private readonly slots: Map<number, number>[] = Array.from({ length: 16 }, () => new Map<number, number>());
  private readonly tokens: InstrumentToken[] = [];
  private cols: Record<QuoteField, Float64Array>;
  private tick: Float64Array;
  private depth: Float64Array;
  private version: Float64Array;
  /** Per slot, the index in EXCHANGES of the calendar it trades on. */
  private exchange: Uint8Array;
  /** The IST day (days since 1970-01-01) the session days below were worked out for. */
  private sessionFor = Number.NaN;
  /** Per exchange (EXCHANGES order), the epoch day of its session day. */
  private readonly sessionDays = new Float64Array(EXCHANGES.length);
  private seq = 0;

  constructor(options: QuoteStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.staleAfterMs = options.staleAfterMs ?? QUIET_AFTER_MS;
    this.cap = options.capacity ?? 32_768;
    this.cols = Object.fromEntries(QUOTE_FIELDS.map((f) => [f, new Float64Array(this.cap)])) as Record<QuoteField, Float64Array>;
    this.cols.ltp.fill(NaN);
    this.cols.prevClose.fill(NaN);
    this.tick = new Float64Array(this.cap).fill(0.05);
    this.depth = new Float64Array(this.cap * DEPTH_LEVELS * DEPTH_STRIDE);
    this.version = new Float64Array(this.cap);
    this.exchange = new Uint8Array(this.cap);
  }

  /** The store's clock (the engine's), for readers that judge how old its values are. */
  nowMs(): number {
    return this.now();
  }

  /** Instruments known to the store. */
  get size(): number {
    return this.tokens.length;
  }

  /** The current change sequence: pass it back to `changedSince`. */
  get sequence(): number {
    return this.seq;
  }

  /** Register an instrument (with its tick size for rounding); returns its slot. */
  track(token: InstrumentToken, tickSize?: number): number {
    const ref = parseToken(token);
    if (!ref) throw new Error(`not an instrument token: ${token}`);
    const bySegment = this.slots[codeOf(ref.segment)]!;
    let slot = bySegment.get(ref.securityId);
    if (slot === undefined) {
      slot = this.tokens.length;
      if (slot === this.cap) this.grow();
      bySegment.set(ref.securityId, slot);
      this.tokens.push(token);
      this.exchange[slot] = EXCHANGES.indexOf(exchangeOfSegment(ref.segment));
    }
    if (tickSize !== undefined && tickSize > 0) this.tick[slot] = tickSize;
    return slot;
  }

  /** The slot of an instrument, or undefined if never seen (for `valueAt`). */
  slotOf(segment: Segment, securityId: number): number | undefined {
    return this.slots[codeOf(segment)]!.get(securityId);
  }

  /**
   * One field of the quote in `slot`, read in place (no copy of the quote or its depth): for
   * readers that walk a whole chain per batch. LTP and previous close are NaN until known.
   */
  valueAt(slot: number, field: QuoteField): number {
    return this.cols[field][slot]!;
  }

  /** Best bid price in `slot`, NaN when there is none (read in place). */
  bestBidAt(slot: number): number {
    const v = this.depth[slot * DEPTH_WIDTH + PRICE_FIELD]!;
    return v > 0 ? v : Number.NaN;
  }

  /** Best ask price in `slot`, NaN when there is none (read in place). */
  bestAskAt(slot: number): number {
    const v = this.depth[slot * DEPTH_WIDTH + PRICE_FIELD + 1]!;
    return v > 0 ? v : Number.NaN;
  }

  /**
   * True when the instrument in `slot` has a last traded price whose LTT falls on its IST session
   * day (see the header). Allocation-free; the session days are worked out once per IST day.
   */
  tradedTodayAt(slot: number): boolean {
    const ltt = this.cols.ltt[slot]!;
    if (!(ltt > 0) || Number.isNaN(this.cols.ltp[slot]!)) return false;
    // LTT is IST wall-clock seconds, so its whole days are IST calendar days.
    return Math.floor(ltt / S_PER_DAY) >= this.sessionDay(this.exchange[slot]!);
  }

  /** The epoch day of the session day of exchange `e` (index in EXCHANGES) as of now. */
  private sessionDay(e: number): number {
    const today = Math.floor((this.now() + IST_OFFSET_MS) / MS_PER_DAY);
    if (today !== this.sessionFor) {
      const date = fromEpochDay(today);
      for (let i = 0; i < EXCHANGES.length; i += 1) this.sessionDays[i] = toEpochDay(previousTradingDay(EXCHANGES[i]!, date, true));
      this.sessionFor = today;
    }
    return this.sessionDays[e]!;
  }

  /** Apply one decoded packet. Packets for untracked instruments are tracked on first sight. */
  apply(p: FeedPacket): void {
    let slot = this.slots[p.segmentCode & 15]!.get(p.securityId);
    if (slot === undefined) slot = this.track(`${p.segment}:${p.securityId}`);
    const c = this.cols;
    const tick = this.tick[slot]!;
    switch (p.code) {
      case TICKER:
        c.ltp[slot] = roundToTick(p.ltp, tick);
        c.ltt[slot] = p.ltt;
        break;
      case QUOTE:
      case FULL:
        c.ltp[slot] = roundToTick(p.ltp, tick);
        c.ltq[slot] = p.ltq;
        c.ltt[slot] = p.ltt;
        c.atp[slot] = roundToTick(p.atp, tick);
        c.volume[slot] = p.volume;
        c.totalBuyQty[slot] = p.totalBuyQty;
        c.totalSellQty[slot] = p.totalSellQty;
        c.open[slot] = roundToTick(p.open, tick);
        c.high[slot] = roundToTick(p.high, tick);
        c.low[slot] = roundToTick(p.low, tick);
        c.close[slot] = roundToTick(p.close, tick);
        if (p.code === FULL) {
          c.oi[slot] = p.oi;
          c.oiDayHigh[slot] = p.oiDayHigh;
          c.oiDayLow[slot] = p.oiDayLow;
          const base = slot * DEPTH_WIDTH;
          const d = this.depth;
          const src = p.depth;
          for (let i = 0; i < DEPTH_WIDTH; i += DEPTH_STRIDE) {
            for (let k = 0; k < PRICE_FIELD; k++) d[base + i + k] = src[i + k]!;
            d[base + i + PRICE_FIELD] = roundToTick(src[i + PRICE_FIELD]!, tick);
            d[base + i + PRICE_FIELD + 1] = roundToTick(src[i + PRICE_FIELD + 1]!, tick);
          }
        }
        break;
      case OI:
        c.oi[slot] = p.oi;
        break;
      case PREV_CLOSE:
        c.prevClose[slot] = roundToTick(p.prevClose, tick);
        c.prevOi[slot] = p.prevOi;
        break;
      default:
        return;
    }
    c.updatedAt[slot] = this.now();
    this.version[slot] = ++this.seq;
  }

  /** Set values from a REST snapshot (first paint before any tick). Only fills what is missing or older. */
  seed(token: InstrumentToken, values: Partial<Record<QuoteField, number>>): void {
    const slot = this.track(token);
    if (this.version[slot]! > 0 && !Number.isNaN(this.cols.ltp[slot]!)) return;
    for (const [k, v] of Object.entries(values) as [QuoteField, number][]) {
      if (Number.isFinite(v)) this.cols[k][slot] = k === 'ltp' || k === 'prevClose' ? roundToTick(v, this.tick[slot]!) : v;
    }
    this.cols.updatedAt[slot] = this.now();
    this.version[slot] = ++this.seq;
  }

  /** Latest LTP (NaN-free: undefined when none yet). */
  ltp(token: InstrumentToken): number | undefined {
    const ref = parseToken(token);
    const slot = ref && this.slotOf(ref.segment, ref.securityId);
    if (slot === undefined || slot === null) return undefined;
    const v = this.cols.ltp[slot]!;
    return Number.isNaN(v) ? undefined : v;
  }

  /** A copy of the instrument's quote, or undefined if never seen. */
  get(token: InstrumentToken): Quote | undefined {
    const ref = parseToken(token);
    const slot = ref ? this.slotOf(ref.segment, ref.securityId) : undefined;
    return slot === undefined ? undefined : this.read(slot);
  }

  /** Tokens changed after sequence `since`, and the sequence to pass next time. */
  changedSince(since: number, within?: readonly InstrumentToken[]): { tokens: InstrumentToken[]; sequence: number } {
    const out: InstrumentToken[] = [];
    if (within) {
      for (const t of within) {
        const ref = parseToken(t);
        const slot = ref ? this.slotOf(ref.segment, ref.securityId) : undefined;
        if (slot !== undefined && this.version[slot]! > since) out.push(t);
      }
    } else {
      for (let s = 0; s < this.tokens.length; s++) if (this.version[s]! > since) out.push(this.tokens[s]!);
    }
    return { tokens: out, sequence: this.seq };
  }

  private read(slot: number): Quote {
    const c = this.cols;
    const base = slot * DEPTH_LEVELS * DEPTH_STRIDE;
    const d = this.depth;
    const depth = [];
    for (let i = 0; i < DEPTH_LEVELS; i++) {
      const k = base + i * DEPTH_STRIDE;
      depth.push({ bidQty: d[k]!, askQty: d[k + 1]!, bidOrders: d[k + 2]!, askOrders: d[k + 3]!, bidPrice: d[k + 4]!, askPrice: d[k + 5]! });
    }
    const ltp = c.ltp[slot]!;
    const prevClose = c.prevClose[slot]!;
    const updatedAt = c.updatedAt[slot]!;
    const ltt = c.ltt[slot]!;
    return {
      token: this.tokens[slot]!,
      ltp: Number.isNaN(ltp) ? null : ltp,
      ltq: c.ltq[slot]!,
      ltt: c.ltt[slot]!,
      atp: c.atp[slot]!,
      volume: c.volume[slot]!,
      totalBuyQty: c.totalBuyQty[slot]!,
      totalSellQty: c.totalSellQty[slot]!,
      open: c.open[slot]!,
      high: c.high[slot]!,
      low: c.low[slot]!,
      close: c.close[slot]!,
      oi: c.oi[slot]!,
      oiDayHigh: c.oiDayHigh[slot]!,
      oiDayLow: c.oiDayLow[slot]!,
      prevClose: Number.isNaN(prevClose) ? null : prevClose,
      prevOi: c.prevOi[slot]!,
      tradedToday: this.tradedTodayAt(slot),
      lastTradeMs: ltt > 0 ? lttToEpochMs(ltt) : null,
      depth,
      updatedAt,
      quiet: updatedAt === 0 || this.now() - updatedAt > this.staleAfterMs,
    };
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = (a: Float64Array, n: number, fill?: number) => {
      const b = new Float64Array(n);
      if (fill !== undefined) b.fill(fill);
      b.set(a);
      return b;
    };
    for (const f of QUOTE_FIELDS) this.cols[f] = g(this.cols[f], cap, f === 'ltp' || f === 'prevClose' ? NaN : undefined);
    this.tick = g(this.tick, cap, 0.05);
    this.depth = g(this.depth, cap * DEPTH_LEVELS * DEPTH_STRIDE);
    this.version = g(this.version, cap);
    const exchange = new Uint8Array(cap);
    exchange.set(this.exchange);
    this.exchange = exchange;
    this.cap = cap;
  }
}
