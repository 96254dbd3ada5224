/**
 * What the simulator serves, read from a scrip master with the same parser the workstation uses:
 * the instruments the market model prices, a token lookup, and option-chain groups for
 * `/v2/optionchain`; plus the market interface the servers read (`SimMarket`, which the market
 * model satisfies) and the copy of its quote state into the codec's packet fields.
 *
 * Policy: rows the live feed cannot address are left out, so they are "unknown" to the feed and
 * the REST API exactly as an unknown id is: the master's `NSE,M` rows (no feed segment code in
 * Dhan's annexure) and contracts that expired before `asOf` (the real master keeps expired
 * currency rows; Dhan streams nothing for them).
 *
 * Option-chain groups are keyed by (options segment, underlying symbol). An underlying reference
 * (`UnderlyingScrip` + `UnderlyingSeg`) finds its group through the index row (IDX_I, with the
 * master's aliases such as NIFTYNXT50 -> "NIFTY NEXT 50"), the equity row (NSE_EQ -> NSE_FNO,
 * BSE_EQ -> BSE_FNO) or any future of the same symbol in the options' segment (MCX, currency).
 */
import { readFile } from 'node:fs/promises';
import { parseMasterBuffer } from '../core/instruments/master-parser';
import { INDEX_ALIASES } from '../core/instruments/symbols';
import { SEGMENT_FEED_CODE, isFutureKind, isOptionKind, tokenOf, type Segment } from '../shared/instruments';
import { generateMaster } from './master-generator';
import type { PacketFields } from '../core/feed/feed-encoder';
import { DEPTH_STRIDE } from '../core/feed/feed-codec';
import { DEPTH_LEVELS } from '../core/feed/feed-protocol';
import type { FairValue, MarketModelOptions, MoveResult, QuoteState, SimInstrument } from './market-types';

export type { SimInstrument };

/** One strike of a chain: its call and put where listed. */
export interface ChainStrike {
  strike: number;
  ce: SimInstrument | null;
  pe: SimInstrument | null;
}

/** The listed options of one underlying in one segment, by expiry (`YYYY-MM-DD`, ascending). */
export interface ChainGroup {
  segment: Segment;
  symbol: string;
  /** Strikes ascending per expiry. */
  expiries: ReadonlyMap<string, readonly ChainStrike[]>;
}

/** An underlying reference resolved to its chain. */
export interface ChainRef {
  underlying: SimInstrument;
  group: ChainGroup;
}

/** The simulator's instrument universe. */
export class SimUniverse {
  private readonly byToken = new Map<string, number>();

  constructor(
    readonly instruments: readonly SimInstrument[],
    private readonly chains: ReadonlyMap<string, ChainRef>,
  ) {
    instruments.forEach((inst, i) => this.byToken.set(tokenOf(inst), i));
  }

  get size(): number {
    return this.instruments.length;
  }

  /** The instrument of a token, or undefined when the simulator does not serve it. */
  get(token: string): SimInstrument | undefined {
    const i = this.byToken.get(token);
    return i === undefined ? undefined : this.instruments[i];
  }

  /** Position of a token in `instruments` (the market model's numbering), or -1. */
  indexOf(token: string): number {
    return this.byToken.get(token) ?? -1;
  }

  /** The option chain of an underlying reference, or null. */
  chain(segment: Segment, securityId: number): ChainRef | null {
    return this.chains.get(tokenOf({ segment, securityId })) ?? null;
  }
}

const groupKey = (segment: Segment, symbol: string): string => `${segment}|${symbol}`;

/** Options segment of an index's derivatives. */
const FNO_OF_EXCHANGE: Readonly<Record<string, Segment>> = { NSE: 'NSE_FNO', BSE: 'BSE_FNO' };

/**
 * Read a compact (or detailed) master and build the universe. `asOf` (`YYYY-MM-DD`, IST) drops
 * contracts that expired before it.
 */
export function buildSimUniverse(master: Buffer, asOf: string): SimUniverse {
  const { table } = parseMasterBuffer(master);
  const instruments: SimInstrument[] = [];
  const exchanges: string[] = [];
  for (let row = 0; row < table.count; row++) {
    const segment = table.segmentOf(row);
    if (SEGMENT_FEED_CODE[segment] === null) continue;
    const expiry = table.expiryOf(row);
    if (expiry !== null && expiry < asOf) continue;
    const inst = table.get(row);
    instruments.push({
      segment,
      securityId: inst.securityId,
      kind: inst.kind,
      symbol: inst.underlying,
      tradingSymbol: inst.tradingSymbol,
      expiry: inst.kind === 'INDEX' || inst.kind === 'EQUITY' ? null : expiry,
      strike: inst.strike,
      optionType: inst.optionType,
      lotSize: inst.lotSize,
      tickSize: inst.tickSize,
    });
    exchanges.push(inst.exchange);
  }
  return new SimUniverse(instruments, buildChains(instruments, exchanges));
}

function buildChains(instruments: readonly SimInstrument[], exchanges: readonly string[]): Map<string, ChainRef> {
  const groups = new Map<string, { segment: Segment; symbol: string; byExpiry: Map<string, Map<number, ChainStrike>> }>();
  for (const inst of instruments) {
    if (!isOptionKind(inst.kind) || inst.expiry === null || inst.strike === null || inst.optionType === null) continue;
    const key = groupKey(inst.segment, inst.symbol);
    let g = groups.get(key);
    if (!g) {
      g = { segment: inst.segment, symbol: inst.symbol, byExpiry: new Map() };
      groups.set(key, g);
    }
    let strikes = g.byExpiry.get(inst.expiry);
    if (!strikes) {
      strikes = new Map();
      g.byExpiry.set(inst.expiry, strikes);
    }
    let s = strikes.get(inst.strike);
    if (!s) {
      s = { strike: inst.strike, ce: null, pe: null };
      strikes.set(inst.strike, s);
    }
    if (inst.optionType === 'CE') s.ce = inst;
    else s.pe = inst;
  }
  const finished = new Map<string, ChainGroup>();
  for (const [key, g] of groups) {
    const expiries = new Map<string, ChainStrike[]>();
    for (const expiry of [...g.byExpiry.keys()].sort()) {
      expiries.set(expiry, [...g.byExpiry.get(expiry)!.values()].sort((a, b) => a.strike - b.strike));
    }
    finished.set(key, { segment: g.segment, symbol: g.symbol, expiries });
  }

  // Index symbol -> the roots of its options ("NIFTY NEXT 50" -> NIFTYNXT50).
  const rootsOfIndex = new Map<string, string[]>();
  for (const [root, index] of Object.entries(INDEX_ALIASES)) rootsOfIndex.set(index, [...(rootsOfIndex.get(index) ?? []), root]);

  const refs = new Map<string, ChainRef>();
  const link = (underlying: SimInstrument, key: string): void => {
    const group = finished.get(key);
    const token = tokenOf(underlying);
    if (group && !refs.has(token)) refs.set(token, { underlying, group });
  };
  instruments.forEach((inst, i) => {
    if (inst.kind === 'INDEX') {
      const fno = FNO_OF_EXCHANGE[exchanges[i]!];
      if (!fno) return;
      for (const root of [inst.symbol, ...(rootsOfIndex.get(inst.symbol) ?? [])]) link(inst, groupKey(fno, root));
    } else if (inst.kind === 'EQUITY') {
      if (inst.segment === 'NSE_EQ') link(inst, groupKey('NSE_FNO', inst.symbol));
      else if (inst.segment === 'BSE_EQ') link(inst, groupKey('BSE_FNO', inst.symbol));
    } else if (isFutureKind(inst.kind)) {
      link(inst, groupKey(inst.segment, inst.symbol));
    }
  });
  return refs;
}

/**
 * The master bytes: the buffer given, the file at a path, or (absent) a master generated for
 * `asOf` with the generator's default size.
 */
export async function loadMaster(master: Buffer | string | undefined, asOf: string, seed: number): Promise<Buffer> {
  if (Buffer.isBuffer(master)) return master;
  if (typeof master === 'string') return readFile(master);
  return Buffer.from(generateMaster({ asOf, seed }), 'utf8');
}

/** The market behind the simulator, as the servers use it (the market model satisfies it). */
export interface SimMarket {
  subscribe(tokens: readonly string[]): readonly string[];
  unsubscribe(tokens: readonly string[]): readonly string[];
  setAggregateRate(pps: number | null): void;
  /**
   * Advance to `nowMs` and apply at most `limit` due trades (the rest stay due); `onTrade(index)`
   * runs right after each, while `quoteAt(index)` shows it. Returns the number of trades.
   */
  due(nowMs: number, onTrade: (index: number) => void, limit?: number): number;
  quote(token: string): Readonly<QuoteState> | undefined;
  quoteAt(index: number): Readonly<QuoteState>;
  fairValue(token: string): FairValue | undefined;
  /**
   * Jump the underlying `symbol` names by `pct` percent at the market's clock (see
   * MarketModel.move); `onTrade` as in `due`, for each subscribed instrument re-printed.
   * Undefined for a symbol no instrument carries.
   */
  move(symbol: string, pct: number, onTrade?: (index: number) => void): MoveResult | undefined;
}

export type SimMarketFactory = (options: MarketModelOptions) => SimMarket;

/** A zeroed packet-fields record. */
export function newPacketFields(): PacketFields {
  return {
    ltp: 0, ltq: 0, ltt: 0, atp: 0, volume: 0, totalSellQty: 0, totalBuyQty: 0, oi: 0, oiDayHigh: 0, oiDayLow: 0,
    open: 0, close: 0, high: 0, low: 0, prevClose: 0, prevOi: 0, disconnectReason: 0,
    depth: new Float64Array(DEPTH_LEVELS * DEPTH_STRIDE),
  };
}

/** Copy a quote into the record the packet writer reads (`f`, reused: no allocation). */
export function fillPacketFields(q: Readonly<QuoteState>, f: PacketFields): PacketFields {
  f.ltp = q.ltp;
  f.ltq = q.ltq;
  f.ltt = q.ltt;
  f.atp = q.atp;
  f.volume = q.volume;
  f.totalSellQty = q.totalSellQty;
  f.totalBuyQty = q.totalBuyQty;
  f.oi = q.oi;
  f.oiDayHigh = q.oiDayHigh;
  f.oiDayLow = q.oiDayLow;
  f.open = q.open;
  f.close = q.close;
  f.high = q.high;
  f.low = q.low;
  f.prevClose = q.prevClose;
  f.prevOi = q.prevOi;
  const d = f.depth;
  for (let i = 0; i < DEPTH_LEVELS; i++) {
    const k = i * DEPTH_STRIDE;
    d[k] = q.bidQty[i] ?? 0;
    d[k + 1] = q.askQty[i] ?? 0;
    d[k + 2] = q.bidOrders[i] ?? 0;
    d[k + 3] = q.askOrders[i] ?? 0;
    d[k + 4] = q.bidPrice[i] ?? 0;
    d[k + 5] = q.askPrice[i] ?? 0;
  }
  return f;
}
