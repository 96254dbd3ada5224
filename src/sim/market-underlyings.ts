/**
 * The simulated market's risk factors: one price driver per underlying (an index, a stock, a
 * commodity, a currency pair), shared by everything priced off it, so NSE and BSE listings of a
 * stock, a future and its whole option chain move together.
 *
 * Policy: drivers follow driftless geometric Brownian motion in calendar time (365-day years),
 * stepped exactly (log-normal increment for the whole elapsed time) and lazily, when something
 * reads the price, from each driver's own seeded stream. Lazy exact steps cost nothing for the
 * ~24k underlyings nobody watches, and give the same distribution as stepping on every clock move.
 * Volatilities sit in the bands traders expect (indices 13-16%, banks ~20%, stocks 20-40%, crude
 * and gas 35-60%, gold 12-15%, currencies 4-6%), jittered per symbol by a hash so two stocks differ.
 * Symbols the universe does not know get a stable pseudo price from a hash of the symbol.
 * A control-API jump (`Driver.jump`) steps the path to its instant, then rescales the level; the
 * walk continues from the new level with the same stream, so a jump adds a gap, never a new regime.
 * Smile shape per class (see market-pricing's SSVI): equity indices skew hardest (rho -0.55 to
 * -0.7), stocks less, commodities mildly, currency pairs the other way (calls richer: the rupee
 * weakens in a scare).
 *
 * Close marks (see market-hours): the walk records its price at each day's close mark as it
 * passes it (the step is split there, which is exact for GBM), so every instrument priced off the
 * driver takes its previous close from one price at one instant. The walk starts at the universe
 * price at the last mark before the model's first day; the overnight gap is the walk from there.
 */
import type { Segment } from '../shared/instruments';
import { homeVenue, istDayStart, type SessionGate } from './market-hours';
import { createRandom, deriveSeed, type Random } from './seeded-random';
import {
  CASH_ONLY_STOCKS, CURRENCY_PAIRS, ETFS, FNO_STOCKS, INDEX_DERIVATIVES, INDICES, MCX_COMMODITIES,
} from './universe';
import type { SimInstrument } from './market-types';

export type AssetClass = 'index' | 'equity' | 'commodity' | 'currency';

/** Milliseconds in the model's year (365 days, the convention for both GBM and option expiry). */
export const YEAR_MS = 365 * 86_400_000;

/** What a driver is and how options on it are priced. */
export interface UnderlyingSpec {
  /** `<class>:<name>`: the driver's identity. */
  key: string;
  assetClass: AssetClass;
  /** Index symbol (`NIFTY NEXT 50`), stock, commodity or currency pair. */
  name: string;
  basePrice: number;
  /** Annual volatility of the GBM. */
  vol: number;
  /** Smile (SSVI, see market-pricing): correlation-like skew in (-1, 1), negative = puts richer. */
  rho: number;
  /**
   * Smile width: phi = smileSlope / (atm * sqrt(T)), so strikes are measured in at-the-money
   * standard deviations; capped where the no-arbitrage conditions need it.
   */
  smileSlope: number;
  /** Cost of carry of its futures (annual, continuous). */
  carry: number;
  /** True when the universe (or basePrices) names it; unknown symbols are thinly traded. */
  known: boolean;
}

/** Derivative root -> index symbol (NIFTYNXT50 -> NIFTY NEXT 50, SENSEX50 -> SNSX50). */
const INDEX_OF_ROOT: ReadonlyMap<string, string> = new Map(INDEX_DERIVATIVES.map((d) => [d.root, d.index]));

const UNIVERSE_PRICES: Readonly<Record<AssetClass, ReadonlyMap<string, number>>> = {
  index: new Map(INDICES.map((i) => [i.symbol, i.price])),
  equity: new Map([...FNO_STOCKS, ...CASH_ONLY_STOCKS, ...ETFS].map((s) => [s.symbol, s.price])),
  commodity: new Map(MCX_COMMODITIES.map((c) => [c.symbol, c.price])),
  currency: new Map(CURRENCY_PAIRS.map((p) => [p.pair, p.price])),
};

const FNO_SYMBOLS: ReadonlySet<string> = new Set(FNO_STOCKS.map((s) => s.symbol));
const BANK_STOCKS: ReadonlySet<string> = new Set([
  ...[...FNO_STOCKS, ...CASH_ONLY_STOCKS].filter((s) => /\bBank\b/.test(s.name)).map((s) => s.symbol),
  'SBIN', 'PNB', 'FEDERALBNK', 'INDUSINDBK', 'IDFCFIRSTB',
]);

/** Interest-rate differential INR minus the foreign currency (forward premium of the pair). */
const CURRENCY_CARRY: Readonly<Record<string, number>> = { USDINR: 0.02, EURINR: 0.045, GBPINR: 0.025, JPYINR: 0.06 };

/** A stable uniform in [0, 1) from a label (independent of the model seed). */
export function hashUnit(label: string): number {
  return deriveSeed(0x5eed, label) / 4_294_967_296;
}

/** Pseudo price for a symbol the universe does not know: log-uniform in 50..5000. */
export function pseudoPrice(name: string): number {
  return Math.round(50 * Math.pow(100, hashUnit(`price:${name}`)) * 20) / 20;
}

/** Asset class and driver name of an instrument. */
export function classify(inst: SimInstrument): { assetClass: AssetClass; name: string } {
  return classifyParts(inst.segment, inst.kind, inst.symbol);
}

function classifyParts(segment: Segment, kind: string, symbol: string): { assetClass: AssetClass; name: string } {
  switch (segment) {
    case 'IDX_I':
      return { assetClass: 'index', name: symbol };
    case 'NSE_EQ':
    case 'BSE_EQ':
      return { assetClass: 'equity', name: symbol };
    case 'NSE_FNO':
    case 'BSE_FNO':
      return kind === 'FUTIDX' || kind === 'OPTIDX'
        ? { assetClass: 'index', name: INDEX_OF_ROOT.get(symbol) ?? symbol }
        : { assetClass: 'equity', name: symbol };
    case 'MCX_COMM':
    case 'NSE_COMM':
      return { assetClass: 'commodity', name: symbol };
    case 'NSE_CURRENCY':
    case 'BSE_CURRENCY':
      return { assetClass: 'currency', name: symbol };
    default: {
      const never: never = segment;
      throw new TypeError(`unknown segment ${String(never)}`);
    }
  }
}

function indexVol(name: string, h: number): number {
  if (name.includes('VIX')) return 0.7 + 0.2 * h;
  if (/BANK|BNK|FIN/.test(name)) return 0.18 + 0.04 * h;
  if (/MID|SML|SMALL|MICRO/.test(name)) return 0.16 + 0.04 * h;
  return 0.13 + 0.03 * h;
}

function commodityVol(name: string, h: number): number {
  if (name.startsWith('CRUDE')) return 0.35 + 0.08 * h;
  if (name.startsWith('NATURALGAS') || name.startsWith('NATGAS')) return 0.5 + 0.1 * h;
  if (name.startsWith('GOLD') || name === 'MCXBULLDEX') return 0.12 + 0.03 * h;
  if (name.startsWith('SILVER')) return 0.2 + 0.06 * h;
  if (/^(COPPER|ZINC|ALUMIN|LEAD|NICKEL|MCXMETLDEX)/.test(name)) return 0.18 + 0.07 * h;
  return 0.2 + 0.15 * h;
}

function annualVol(assetClass: AssetClass, name: string, h: number): number {
  switch (assetClass) {
    case 'index': return indexVol(name, h);
    case 'equity': return BANK_STOCKS.has(name) ? 0.18 + 0.06 * h : 0.2 + 0.2 * h;
    case 'commodity': return commodityVol(name, h);
    case 'currency': return 0.04 + 0.02 * h;
  }
}

function carryOf(assetClass: AssetClass, name: string, rate: number): number {
  switch (assetClass) {
    case 'index':
    case 'equity': return rate;
    case 'commodity': return 0.055;
    case 'currency': return CURRENCY_CARRY[name] ?? 0.03;
  }
}

/** The spec of the driver behind an instrument. */
export function underlyingSpec(
  assetClass: AssetClass, name: string, basePrices: Readonly<Record<string, number>> | undefined, rate: number,
): UnderlyingSpec {
  const given = basePrices?.[name];
  const known = UNIVERSE_PRICES[assetClass].has(name);
  const basePrice = given !== undefined && given > 0 ? given : UNIVERSE_PRICES[assetClass].get(name) ?? pseudoPrice(name);
  const h = (label: string): number => hashUnit(`${label}:${assetClass}:${name}`);
  return {
    key: `${assetClass}:${name}`,
    assetClass,
    name,
    basePrice,
    vol: annualVol(assetClass, name, h('vol')),
    ...smileShape(assetClass, h('skew'), h('width')),
    carry: carryOf(assetClass, name, rate),
    known: known || given !== undefined,
  };
}

function smileShape(assetClass: AssetClass, hSkew: number, hWidth: number): { rho: number; smileSlope: number } {
  switch (assetClass) {
    case 'index': return { rho: -(0.55 + 0.15 * hSkew), smileSlope: 1.1 + 0.3 * hWidth };
    case 'equity': return { rho: -(0.3 + 0.2 * hSkew), smileSlope: 0.9 + 0.3 * hWidth };
    case 'commodity': return { rho: -(0.05 + 0.3 * hSkew), smileSlope: 0.8 + 0.3 * hWidth };
    case 'currency': return { rho: 0.1 + 0.25 * hSkew, smileSlope: 0.7 + 0.3 * hWidth };
  }
}

/** True for NSE F&O stocks (liquid underlyings). */
export function isFnoStock(name: string): boolean {
  return FNO_SYMBOLS.has(name);
}

/** A standard normal draw (Box-Muller, cosine branch). */
export function gaussian(rng: Random): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** The close mark kept for previous closes: an instant and the underlying's price then. */
export interface CloseMark {
  ms: number;
  price: number;
}

/** Close marks kept per driver (the newest first); a record rolls its day from one of them. */
const KEPT_MARKS = 4;

/** One underlying's price path. */
export class Driver {
  /** Price at `lastMs`. */
  price: number;
  lastMs: number;
  private readonly rng: Random;
  private readonly venue: number;
  /** The latest close marks passed, newest first. */
  private readonly markMs = new Float64Array(KEPT_MARKS).fill(Number.NaN);
  private readonly markPrice = new Float64Array(KEPT_MARKS).fill(Number.NaN);
  private nextMarkMs: number;
  /** How many marks are kept (up to KEPT_MARKS). */
  private kept = 0;
  /** `closeFor` answers for instants in [cachedDayStart, cachedDayStart + 1 day). */
  private cachedDayStart = Number.NaN;
  private cached: CloseMark = { ms: Number.NaN, price: Number.NaN };

  constructor(readonly spec: UnderlyingSpec, seed: number, startMs: number, private readonly gate: SessionGate) {
    this.rng = createRandom(seed, `driver:${spec.key}`);
    this.venue = homeVenue(spec.assetClass);
    // The previous session closed at the universe price; the walk from there is the overnight gap.
    const first = gate.markAtOrBefore(this.venue, istDayStart(startMs));
    this.price = spec.basePrice;
    this.lastMs = first;
    this.record(first, this.price);
    this.nextMarkMs = gate.markAfter(this.venue, first);
    this.at(startMs);
  }

  /** The price at `ms`, stepping the path exactly; times before the last step read the current price. */
  at(ms: number): number {
    if (ms > this.lastMs) {
      while (this.nextMarkMs <= ms) {
        this.step(this.nextMarkMs);
        this.record(this.nextMarkMs, this.price);
        this.nextMarkMs = this.gate.markAfter(this.venue, this.nextMarkMs);
      }
      this.step(ms);
    }
    return this.price;
  }

  /**
   * The close a record's day starting at or before `ms` rolls from: the latest mark at or before
   * the start of `ms`'s IST day, with the price then. Steps the walk to `ms` first.
   */
  closeFor(ms: number): CloseMark {
    this.at(ms);
    const dayStart = istDayStart(ms);
    if (dayStart === this.cachedDayStart) return this.cached;
    const target = this.gate.markAtOrBefore(this.venue, dayStart);
    // The newest kept mark at or before the target (the target itself once the walk passed it),
    // else the oldest kept.
    let k = 0;
    while (k + 1 < this.kept && this.markMs[k] > target) k += 1;
    this.cachedDayStart = dayStart;
    this.cached = { ms: this.markMs[k], price: this.markPrice[k] };
    return this.cached;
  }

  /**
   * Jumps the path at `ms` by `factor` (1.03 = up 3%): steps to `ms` first, so the jump lands on
   * the level the walk had reached. Returns the price before and after.
   */
  jump(ms: number, factor: number): { before: number; after: number } {
    if (!(Number.isFinite(factor) && factor > 0)) throw new RangeError(`jump factor must be a positive number, got ${factor}`);
    const before = this.at(ms);
    this.price = before * factor;
    return { before, after: this.price };
  }

  /** One exact GBM step to `ms`. */
  private step(ms: number): void {
    if (!(ms > this.lastMs)) return;
    const years = (ms - this.lastMs) / YEAR_MS;
    const vol = this.spec.vol;
    this.price *= Math.exp(-0.5 * vol * vol * years + vol * Math.sqrt(years) * gaussian(this.rng));
    this.lastMs = ms;
  }

  private record(ms: number, price: number): void {
    this.markMs.copyWithin(1, 0);
    this.markPrice.copyWithin(1, 0);
    this.markMs[0] = ms;
    this.markPrice[0] = price;
    this.kept = Math.min(this.kept + 1, KEPT_MARKS);
    // A cached answer may now be the newer mark.
    this.cachedDayStart = Number.NaN;
  }
}
