/**
 * The market model's index over its instrument list: (segment, security id) lookups, which future
 * an option is priced off, expiry instants, and the static pricing and sizing of each instrument.
 *
 * Policy: construction is one pass over the list that touches only the key fields and the futures
 * (about 1% of a master), so a 289k-instrument master indexes in tens of milliseconds; everything
 * else is computed per instrument when it is first touched. Contracts expire at their segment's
 * session close: 15:30 IST for NSE/BSE cash and F&O, 17:00 for currency derivatives (their
 * session, DHAN-PROTOCOL.md §6.3), 23:30 for MCX and NSE commodity options (whose forward is the
 * MCX future). Futures carry a small deterministic basis per contract; options share their
 * future's basis.
 *
 * A symbol (for the control API's market moves) names the underlyings of the instruments that
 * carry it, by their own symbol or by their underlying's name: `NIFTYNXT50` and `NIFTY NEXT 50`
 * both name the index. That index is built on the first lookup, not at construction.
 */
import { isFutureKind, isOptionKind, parseToken, type Segment } from '../shared/instruments';
import { istEpochMs } from '../shared/market-calendar';
import { FLAG_FNO, FLAG_INDEX, FLAG_OI } from './market-layout';
import { FORM_FUTURE, FORM_OPTION, FORM_SPOT, type Form } from './market-pricing';
import type { LinkSetup, QuoteSizing } from './market-quotes';
import type { SimInstrument } from './market-types';
import { classify, isFnoStock, type AssetClass, type UnderlyingSpec } from './market-underlyings';
import { deriveSeed } from './seeded-random';

const DAY_MS = 86_400_000;

/** Session close (IST minutes) of each segment: when an expiring contract stops trading. */
const SESSION_CLOSE: Readonly<Record<Segment, number>> = {
  IDX_I: 930, NSE_EQ: 930, BSE_EQ: 930, NSE_FNO: 930, BSE_FNO: 930,
  NSE_CURRENCY: 1020, BSE_CURRENCY: 1020, MCX_COMM: 1410, NSE_COMM: 1410,
};

/** Trade size (lots) and open-interest scale (lots) by asset class. */
const OPTION_LOTS: Readonly<Record<AssetClass, number>> = { index: 5, equity: 3, commodity: 2, currency: 10 };
const FUTURE_LOTS: Readonly<Record<AssetClass, number>> = { index: 3, equity: 2, commodity: 2, currency: 20 };
const OPTION_OI_LOTS: Readonly<Record<AssetClass, number>> = { index: 100_000, equity: 2_000, commodity: 2_000, currency: 20_000 };
const FUTURE_OI_LOTS: Readonly<Record<AssetClass, number>> = { index: 150_000, equity: 40_000, commodity: 8_000, currency: 100_000 };
const BASIS_WIDTH: Readonly<Record<AssetClass, number>> = { index: 0.002, equity: 0.002, commodity: 0.004, currency: 0.001 };

const isCommodity = (segment: Segment): boolean => segment === 'MCX_COMM' || segment === 'NSE_COMM';

/** One underlying as a symbol names it: its driver's identity and its listed spot and futures. */
export interface NamedUnderlying {
  assetClass: AssetClass;
  name: string;
  /** Instrument indices of its non-option instruments (spot listings and futures), in list order. */
  listed: number[];
}

/** Order of several underlyings under one symbol (a custom master may reuse a name across classes). */
const CLASS_ORDER: Readonly<Record<AssetClass, number>> = { index: 0, equity: 1, commodity: 2, currency: 3 };

/** Lookups over the instrument list. */
export class MarketCatalog {
  /** securityId -> instrument index, one map per segment. */
  private readonly ids = new Map<Segment, Map<number, number>>();
  /** `seg|symbol|YYYY-MM-DD` and `seg|symbol|YYYY-MM` (the month's last) -> future index. */
  private readonly futures = new Map<string, number>();
  /** MCX futures per symbol, by expiry. */
  private readonly mcxFutures = new Map<string, number[]>();
  /** Symbol or underlying name -> the underlyings it names (built on first use). */
  private named: Map<string, NamedUnderlying[]> | null = null;

  constructor(readonly instruments: readonly SimInstrument[], private readonly seed: number) {
    for (let i = 0; i < instruments.length; i += 1) this.register(i);
    const expiryOf = (i: number): string => instruments[i].expiry ?? '';
    for (const list of this.mcxFutures.values()) list.sort((a, b) => (expiryOf(a) < expiryOf(b) ? -1 : 1));
  }

  /** Instrument index of a `<segment>:<securityId>` token, or -1. */
  indexOf(token: string): number {
    const ref = parseToken(token);
    if (!ref) return -1;
    return this.ids.get(ref.segment)?.get(ref.securityId) ?? -1;
  }

  /** The instant a contract stops trading (NaN without a valid expiry). */
  expiryMsOf(inst: SimInstrument): number {
    if (inst.expiry === null) return Number.NaN;
    try {
      return istEpochMs(inst.expiry, SESSION_CLOSE[inst.segment]);
    } catch {
      return Number.NaN;
    }
  }

  /**
   * Static pricing fields of an instrument priced off driver number `driver` (with `spec`);
   * `jitter` (0.8-1.2) varies its liquidity.
   */
  link(inst: SimInstrument, driver: number, spec: UnderlyingSpec, rate: number, jitter: number): LinkSetup {
    const expiryMs = this.expiryMsOf(inst);
    const dated = Number.isFinite(expiryMs);
    const option = dated && isOptionKind(inst.kind) && inst.strike !== null && inst.strike > 0 && inst.optionType !== null;
    const form: Form = option ? FORM_OPTION : dated && !isOptionKind(inst.kind) ? FORM_FUTURE : FORM_SPOT;
    let basis = 1;
    let refExpiryMs = expiryMs;
    if (form === FORM_FUTURE) basis = this.basisOf(inst, spec.assetClass);
    if (form === FORM_OPTION) {
      const f = this.futureFor(inst);
      if (f >= 0) {
        const future = this.instruments[f];
        basis = this.basisOf(future, spec.assetClass);
        // Commodity options are on the future itself; others are carried to their own expiry.
        if (isCommodity(inst.segment)) refExpiryMs = this.expiryMsOf(future);
      }
    }
    const fno = (inst.segment === 'NSE_EQ' || inst.segment === 'BSE_EQ') && isFnoStock(inst.symbol);
    const flags = (inst.segment === 'IDX_I' ? FLAG_INDEX : 0) | (form === FORM_SPOT ? 0 : FLAG_OI) | (fno ? FLAG_FNO : 0);
    return {
      form, basis, carry: spec.carry, refExpiryMs, expiryMs, strike: inst.strike ?? 0, isCall: inst.optionType === 'CE',
      rate, jitter, driver, lot: inst.lotSize, tickSize: inst.tickSize, flags,
    };
  }

  /**
   * The underlyings `symbol` names: those of every instrument whose symbol, or whose underlying's
   * name, it is (exact, else upper-cased). Undefined when nothing carries it.
   */
  underlyingsNamed(symbol: string): readonly NamedUnderlying[] | undefined {
    this.named ??= this.indexNames();
    return this.named.get(symbol) ?? this.named.get(symbol.trim().toUpperCase());
  }

  private indexNames(): Map<string, NamedUnderlying[]> {
    const byKey = new Map<string, NamedUnderlying>();
    const named = new Map<string, NamedUnderlying[]>();
    const add = (label: string, u: NamedUnderlying): void => {
      const list = named.get(label);
      if (!list) named.set(label, [u]);
      else if (!list.includes(u)) list.push(u);
    };
    let last: SimInstrument | null = null;
    let u: NamedUnderlying | null = null;
    for (let i = 0; i < this.instruments.length; i += 1) {
      const inst = this.instruments[i];
      const option = isOptionKind(inst.kind);
      // The underlying depends only on (segment, kind, symbol), and a chain's rows come in runs.
      if (!(u && last && last.segment === inst.segment && last.kind === inst.kind && last.symbol === inst.symbol)) {
        const { assetClass, name } = classify(inst);
        const key = `${assetClass}:${name}`;
        u = byKey.get(key) ?? null;
        if (!u) {
          u = { assetClass, name, listed: [] };
          byKey.set(key, u);
        }
        add(inst.symbol, u);
        if (name !== inst.symbol) add(name, u);
      }
      last = inst;
      if (!option) u.listed.push(i);
    }
    for (const list of named.values()) if (list.length > 1) list.sort((a, b) => CLASS_ORDER[a.assetClass] - CLASS_ORDER[b.assetClass]);
    return named;
  }

  private register(i: number): void {
    const inst = this.instruments[i];
    let bySegment = this.ids.get(inst.segment);
    if (!bySegment) {
      bySegment = new Map();
      this.ids.set(inst.segment, bySegment);
    }
    bySegment.set(inst.securityId, i);
    if (!isFutureKind(inst.kind) || inst.expiry === null) return;
    if (inst.segment === 'MCX_COMM') {
      const list = this.mcxFutures.get(inst.symbol);
      if (list) list.push(i);
      else this.mcxFutures.set(inst.symbol, [i]);
      return;
    }
    const key = `${inst.segment}|${inst.symbol}|`;
    this.futures.set(key + inst.expiry, i);
    const month = key + inst.expiry.slice(0, 7);
    const held = this.futures.get(month);
    if (held === undefined || (this.instruments[held].expiry ?? '') < inst.expiry) this.futures.set(month, i);
  }

  /** Deterministic futures basis (multiplicative) of a future. */
  private basisOf(future: SimInstrument, assetClass: AssetClass): number {
    const u = deriveSeed(this.seed, `basis:${future.segment}:${future.securityId}`) / 4_294_967_296;
    return 1 + (u - 0.5) * BASIS_WIDTH[assetClass];
  }

  /** The future an option is priced off, or -1: MCX's first future expiring on or after it, else same expiry or month. */
  private futureFor(inst: SimInstrument): number {
    const expiry = inst.expiry ?? '';
    if (isCommodity(inst.segment)) {
      for (const f of this.mcxFutures.get(inst.symbol) ?? []) if ((this.instruments[f].expiry ?? '') >= expiry) return f;
      return -1;
    }
    const key = `${inst.segment}|${inst.symbol}|`;
    return this.futures.get(key + expiry) ?? this.futures.get(key + expiry.slice(0, 7)) ?? -1;
  }
}

/**
 * Trade size, book depth and previous-day OI of a fresh instrument. `distance` is the option's
 * standardised moneyness at the previous close, `u` a uniform draw, `nearMs` time to expiry.
 */
export function quoteSizing(
  form: Form, spec: UnderlyingSpec, spotPrice: number, distance: number, liquidity: number, timeLeftMs: number, u: number,
): QuoteSizing {
  const near = form === FORM_SPOT || timeLeftMs < 40 * DAY_MS;
  const known = spec.known ? 1 : 0.1;
  let meanLots = 1;
  let oiLots = 0;
  if (form === FORM_OPTION) {
    meanLots = OPTION_LOTS[spec.assetClass];
    oiLots = OPTION_OI_LOTS[spec.assetClass] * (0.05 + Math.exp(-0.5 * distance * distance)) * (0.5 + u) * (near ? 1 : 0.25) * known;
  } else if (form === FORM_FUTURE) {
    meanLots = FUTURE_LOTS[spec.assetClass];
    oiLots = FUTURE_OI_LOTS[spec.assetClass] * (0.5 + u) * (near ? 1 : 0.2) * known;
  } else if (spec.assetClass === 'equity') {
    // Shares, not lots: about Rs 20,000 a trade.
    meanLots = Math.min(Math.max(Math.round(20_000 / spotPrice), 1), 500);
  }
  return { meanLots, bookLots: meanLots * (2 + 6 * liquidity), oiLots, liquidity };
}
