/**
 * How big each part of the generated master is, as a function of one scale factor s.
 *
 * Policy: s = 1 reproduces the proportions of the real Feb-2026 master at about 289k rows
 * (DHAN-PROTOCOL.md §4.1). Named instruments, futures and expiries never scale; strike depth,
 * the number of BSE stock-derivative underlyings and the synthetic equity filler do. Floors keep a
 * small master complete: the nearest expiry of NIFTY, BANKNIFTY, FINNIFTY, MIDCPNIFTY, SENSEX and
 * BANKEX always lists 101 strikes at the near step and every stock chain's nearest expiry 25.
 * NIFTY's near band never exceeds ±50 steps (±2,500 points); beyond it strikes are 100 apart.
 */
import type { ExpiryFlag } from '../shared/instruments';
import {
  currencyExpiries, indexOptionExpiries, mcxFutureExpiries, mcxOptionExpiries, monthlyExpiries, nseCommodityOptionExpiries,
  type Expiry,
} from './expiry-schedule';
import { futureBlock, optionBlock, VENUES, type Block, type ContractFamily, type OptionExpiry } from './master-blocks';
import { NAMED_BSE_ROWS, NAMED_NSE_ROWS, nseCashTickPaise, type EquityPlan } from './master-equities';
import { toPaise } from './master-format';
import { strikeLadder } from './strike-ladder';
import {
  commodityBySymbol, CURRENCY_PAIRS, FNO_STOCKS, INDEX_DERIVATIVES, indexBySymbol, MCX_COMMODITIES, NSE_COMMODITY_OPTIONS,
  type IndexDerivativeSpec, type StockSpec,
} from './universe';

/** Expiries depend only on asOf, so they are computed once per master. */
export interface Schedule {
  stockMonthly: Readonly<Record<'NSE' | 'BSE', readonly string[]>>;
  indexOptions: ReadonlyMap<string, readonly Expiry[]>;
  mcxFutures: ReadonlyMap<string, readonly string[]>;
  mcxOptions: ReadonlyMap<string, readonly string[]>;
  nseCommodity: ReadonlyMap<string, readonly string[]>;
  nseCurrencyFutures: readonly Expiry[];
  usdInrWeeklyFutures: readonly Expiry[];
  usdInrOptions: readonly Expiry[];
  nseCurrencyOptions: readonly Expiry[];
  bseCurrencyFutures: readonly Expiry[];
  bseCurrencyOptions: readonly Expiry[];
}

/** All expiry dates of the master for a given "today". */
export function buildSchedule(asOf: string): Schedule {
  const mcxFutures = new Map(MCX_COMMODITIES.map((c) => [c.symbol, mcxFutureExpiries(c, asOf)]));
  const usdInr = currencyExpiries('NSE', asOf, { pastMonths: 7, liveMonthly: 3, liveWeekly: 4 });
  return {
    stockMonthly: { NSE: monthlyExpiries('NSE', asOf, 3), BSE: monthlyExpiries('BSE', asOf, 3) },
    indexOptions: new Map(INDEX_DERIVATIVES.map((d) => [d.root, indexOptionExpiries(d, asOf)])),
    mcxFutures,
    mcxOptions: new Map(MCX_COMMODITIES.map((c) => [c.symbol, mcxOptionExpiries(c, mcxFutures.get(c.symbol) ?? [], asOf)])),
    nseCommodity: new Map(NSE_COMMODITY_OPTIONS.map((o) => [o.symbol, nseCommodityOptionExpiries(o.expiryDay, asOf, NSE_COMMODITY_EXPIRIES)])),
    nseCurrencyFutures: currencyExpiries('NSE', asOf, { pastMonths: 7, liveMonthly: 12, liveWeekly: 0 }),
    usdInrWeeklyFutures: usdInr.filter((e) => e.flag === 'W'),
    usdInrOptions: usdInr,
    nseCurrencyOptions: currencyExpiries('NSE', asOf, { pastMonths: 7, liveMonthly: 3, liveWeekly: 0 }),
    bseCurrencyFutures: currencyExpiries('BSE', asOf, { pastMonths: 18, liveMonthly: 12, liveWeekly: 0 }),
    bseCurrencyOptions: currencyExpiries('BSE', asOf, { pastMonths: 18, liveMonthly: 3, liveWeekly: 0 }),
  };
}

interface IndexDepth {
  /** Near strikes each side in the nearest expiry, at least. */
  minNearest: number;
  near: number;
  far: number;
  /** Depth of later expiries relative to the nearest. */
  later: number;
  /** Near strikes each side never exceed this (NIFTY: ±2,500 points at 50, then 100-point strikes). */
  maxNear?: number;
}

const INDEX_DEPTH: Readonly<Record<string, IndexDepth>> = {
  NIFTY: { minNearest: 50, near: 50, far: 80, later: 1, maxNear: 50 },
  BANKNIFTY: { minNearest: 50, near: 110, far: 40, later: 0.8 },
  FINNIFTY: { minNearest: 50, near: 110, far: 40, later: 0.8 },
  MIDCPNIFTY: { minNearest: 50, near: 110, far: 40, later: 0.8 },
  NIFTYNXT50: { minNearest: 10, near: 60, far: 20, later: 0.8 },
  SENSEX: { minNearest: 50, near: 100, far: 30, later: 0.8 },
  BANKEX: { minNearest: 50, near: 100, far: 25, later: 0.8 },
  SENSEX50: { minNearest: 10, near: 60, far: 20, later: 0.8 },
};

/** Targets at s = 1 (rows in the real master, scaled to 289k). */
const NSE_EQUITY_ROWS = 9_550;
const BSE_EQUITY_ROWS = 14_020;
/** Stock chains: near band covers about ±13% of the price; far strikes (double step) beyond. */
const STOCK_NEAR_BAND = 0.15;
const MCX_NEAR_BAND = 0.35;
const MCX_FAR_BAND = 0.4;
const NSE_COMMODITY_NEAR_BAND = 0.35;
const NSE_COMMODITY_FAR_BAND = 0.45;
const NSE_COMMODITY_EXPIRIES = 8;

const BSE_STOCKS_FIRST: readonly StockSpec[] = [...FNO_STOCKS.filter((s) => s.bseId), ...FNO_STOCKS.filter((s) => !s.bseId)];

/** BSE F&O mnemonics (RELIANCE -> RELI, as in RELIOPT/RELIFUT), unique per stock. */
export const BSE_MNEMONICS: ReadonlyMap<string, string> = (() => {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const s of FNO_STOCKS) {
    const letters = s.symbol.replace(/[^A-Z0-9]/g, '');
    let code = letters.slice(0, 4);
    for (let i = 4; taken.has(code) && i < letters.length; i += 1) code = letters.slice(0, 3) + letters.charAt(i);
    for (let n = 2; taken.has(code); n += 1) code = `${letters.slice(0, 3)}${n}`;
    taken.add(code);
    out.set(s.symbol, code);
  }
  return out;
})();

/** The sizes that depend on scale. */
export class ScalePlan {
  constructor(private readonly s: number) {}

  /** max(floor, round(s * target)) */
  depth(floor: number, target: number): number {
    return Math.max(floor, Math.round(this.s * target));
  }

  /** Synthetic NSE and BSE equity rows beyond the named ones. */
  equity(): EquityPlan {
    return {
      nseFiller: this.depth(20, NSE_EQUITY_ROWS - NAMED_NSE_ROWS),
      bseFiller: this.depth(20, BSE_EQUITY_ROWS - NAMED_BSE_ROWS),
    };
  }

  /** How many F&O stocks also have BSE futures and options (those with a known BSE code first). */
  bseStockCount(): number {
    return Math.min(FNO_STOCKS.length, this.depth(10, FNO_STOCKS.length));
  }
}

const family = (
  venue: ContractFamily['venue'], instrument: string, exchangeInstrument: string, root: string, lot: number, tickPaise: number,
  symbolName: string, displayRoot = root,
): ContractFamily => ({ venue, instrument, exchangeInstrument, root, displayRoot, lot, tickPaise, symbolName });

function ladder(price: number, nearStep: number, farStep: number, nearEach: number, farEach: number): number[] {
  return strikeLadder({ centre: toPaise(price), nearStep: toPaise(nearStep), farStep: toPaise(farStep), nearEach, farEach });
}

function monthly(dates: readonly string[], flag: ExpiryFlag = 'M'): Expiry[] {
  return dates.map((date) => ({ date, flag }));
}

function indexBlocks(spec: IndexDerivativeSpec, schedule: Schedule, plan: ScalePlan, futures: Block[], options: Block[]): void {
  const nse = spec.exchange === 'NSE';
  const venue = nse ? VENUES.NSE_FNO : VENUES.BSE_FNO;
  const price = indexBySymbol(spec.index).price;
  const depth = INDEX_DEPTH[spec.root] ?? { minNearest: 10, near: 30, far: 10, later: 0.6 };
  futures.push(futureBlock(
    family(venue, 'FUTIDX', nse ? 'FUT' : 'FUTIDX', spec.root, spec.lot, spec.futureTickPaise, nse ? '' : `${spec.mnemonic}FUT`),
    monthly(schedule.stockMonthly[spec.exchange]),
  ));
  let position = 0;
  const expiries: OptionExpiry[] = (schedule.indexOptions.get(spec.root) ?? []).map((e) => {
    const long = spec.longDated;
    if ((e.flag === 'Q' || e.flag === 'H') && long) {
      return { ...e, strikes: ladder(price, long.nearStep, long.farStep, plan.depth(2, 12), plan.depth(1, 10)) };
    }
    const factor = position === 0 ? 1 : depth.later;
    const near = Math.min(depth.maxNear ?? Infinity, plan.depth(position === 0 ? depth.minNearest : 3, depth.near * factor));
    position += 1;
    return { ...e, strikes: ladder(price, spec.nearStep, spec.farStep, near, plan.depth(1, depth.far * factor)) };
  });
  options.push(optionBlock(
    family(venue, 'OPTIDX', nse ? 'OP' : 'OPTIDX', spec.root, spec.lot, 5, nse ? '' : `${spec.mnemonic}OPT`),
    expiries,
  ));
}

function stockBlocks(stock: StockSpec, exchange: 'NSE' | 'BSE', schedule: Schedule, plan: ScalePlan, futures: Block[], options: Block[]): void {
  const nse = exchange === 'NSE';
  const venue = nse ? VENUES.NSE_FNO : VENUES.BSE_FNO;
  const cashTick = nse ? nseCashTickPaise(stock.price) : stock.price < 15 ? 1 : 5;
  const mnemonic = BSE_MNEMONICS.get(stock.symbol) ?? stock.symbol.slice(0, 4);
  const dates = schedule.stockMonthly[exchange];
  futures.push(futureBlock(
    family(venue, 'FUTSTK', nse ? 'FUT' : 'FUTSTK', stock.symbol, stock.lot, cashTick, nse ? '' : `${mnemonic}FUT`),
    monthly(dates),
  ));
  const band = Math.max(2, Math.round((STOCK_NEAR_BAND * stock.price) / stock.nearStep));
  const expiries = dates.map((date, i): OptionExpiry => {
    const factor = i === 0 ? 1 : 0.8;
    const near = nse
      ? plan.depth(i === 0 ? 12 : 1, band * factor)
      : plan.depth(3, band * 0.55 * factor);
    const far = plan.depth(0, (nse ? 24 : 6) * factor);
    return { date, flag: 'M', strikes: ladder(stock.price, stock.nearStep, stock.farStep, near, far) };
  });
  options.push(optionBlock(
    family(venue, 'OPTSTK', nse ? 'OP' : 'OPTSTK', stock.symbol, stock.lot, stock.price < 50 ? 1 : 5, nse ? '' : `${mnemonic}OPT`),
    expiries,
  ));
}

function commodityBlocks(schedule: Schedule, plan: ScalePlan): Block[] {
  const futures: Block[] = [];
  const options: Block[] = [];
  for (const c of MCX_COMMODITIES) {
    const isIndex = c.kind === 'FUTIDX';
    futures.push(futureBlock(
      family(VENUES.MCX, c.kind, c.kind, c.symbol, 1, c.futureTickPaise, c.symbol, c.displayRoot),
      monthly(schedule.mcxFutures.get(c.symbol) ?? []),
    ));
    const o = c.option;
    if (!o) continue;
    const near = plan.depth(2, (MCX_NEAR_BAND * c.price) / o.step);
    const far = plan.depth(0, (MCX_FAR_BAND * c.price) / o.farStep);
    const strikes = ladder(c.price, o.step, o.farStep, near, far);
    const instrument = isIndex ? 'OPTIDX' : 'OPTFUT';
    options.push(optionBlock(
      family(VENUES.MCX, instrument, instrument, c.symbol, 1, o.tickPaise, c.symbol, c.displayRoot),
      (schedule.mcxOptions.get(c.symbol) ?? []).map((date) => ({ date, flag: 'M', strikes })),
    ));
  }
  const nseCommodity = NSE_COMMODITY_OPTIONS.map((o) => {
    const c = commodityBySymbol(o.symbol);
    const near = plan.depth(1, (NSE_COMMODITY_NEAR_BAND * c.price) / o.step);
    const far = plan.depth(0, (NSE_COMMODITY_FAR_BAND * c.price) / o.farStep);
    const strikes = ladder(c.price, o.step, o.farStep, near, far);
    return optionBlock(
      family(VENUES.NSE_COMM, 'OPTFUT', 'OPTFUT', o.symbol, 1, o.tickPaise, o.symbol),
      (schedule.nseCommodity.get(o.symbol) ?? []).map((date) => ({ date, flag: 'M', strikes })),
    );
  });
  return [...futures, ...options, ...nseCommodity];
}

function currencyBlocks(schedule: Schedule, plan: ScalePlan): Block[] {
  const nse: Block[] = [];
  const nseOptions: Block[] = [];
  const bse: Block[] = [];
  const bseOptions: Block[] = [];
  for (const p of CURRENCY_PAIRS) {
    const nseFamily = (instrument: string, type: string): ContractFamily => family(VENUES.NSE_CURRENCY, instrument, type, p.pair, 1, 0.25, '');
    const bseFamily = (instrument: string): ContractFamily => family(VENUES.BSE_CURRENCY, instrument, instrument, p.pair, 1, 0.25, p.pair);
    const futures = p.weekly ? [...schedule.nseCurrencyFutures, ...schedule.usdInrWeeklyFutures] : schedule.nseCurrencyFutures;
    nse.push(futureBlock(nseFamily('FUTCUR', 'FUT'), [...futures].sort((a, b) => (a.date < b.date ? -1 : 1))));
    const nseStrikes = ladder(p.price, p.strikeStep, p.strikeStep * 2, plan.depth(1, 34), plan.depth(0, 5));
    nseOptions.push(optionBlock(
      nseFamily('OPTCUR', 'CUR OP'),
      (p.weekly ? schedule.usdInrOptions : schedule.nseCurrencyOptions).map((e) => ({ ...e, strikes: nseStrikes })),
    ));
    bse.push(futureBlock(bseFamily('FUTCUR'), schedule.bseCurrencyFutures));
    const bseStrikes = ladder(p.price, p.strikeStep, p.strikeStep * 2, plan.depth(1, 34), plan.depth(0, 5));
    bseOptions.push(optionBlock(bseFamily('OPTCUR'), schedule.bseCurrencyOptions.map((e) => ({ ...e, strikes: bseStrikes }))));
  }
  return [...nse, ...nseOptions, ...bse, ...bseOptions];
}

/** Every derivative block of the master at scale s, in file order. */
export function derivativeBlocks(schedule: Schedule, plan: ScalePlan): Block[] {
  const nseIndex = INDEX_DERIVATIVES.filter((d) => d.exchange === 'NSE');
  const bseIndex = INDEX_DERIVATIVES.filter((d) => d.exchange === 'BSE');
  const indexFutures: Block[] = [];
  const indexOptions: Block[] = [];
  for (const spec of [...nseIndex, ...bseIndex]) indexBlocks(spec, schedule, plan, indexFutures, indexOptions);
  const stockFutures: Block[] = [];
  const stockOptions: Block[] = [];
  const bseStockFutures: Block[] = [];
  const bseStockOptions: Block[] = [];
  for (const stock of FNO_STOCKS) stockBlocks(stock, 'NSE', schedule, plan, stockFutures, stockOptions);
  for (const stock of BSE_STOCKS_FIRST.slice(0, plan.bseStockCount())) {
    stockBlocks(stock, 'BSE', schedule, plan, bseStockFutures, bseStockOptions);
  }
  return [
    ...indexFutures, ...stockFutures, ...bseStockFutures, ...indexOptions, ...stockOptions, ...bseStockOptions,
    ...commodityBlocks(schedule, plan), ...currencyBlocks(schedule, plan),
  ];
}
