/**
 * What the simulated market trades, as data: indices, index derivatives, F&O stocks, MCX
 * commodities, NSE commodity options and currency pairs. The master generator lists exactly these
 * (plus synthetic filler) and the simulator prices exactly these, so both agree on ids and prices.
 *
 * Facts come from DHAN-PROTOCOL.md: real IDX_I ids for the traded indices, lot sizes and strike
 * steps of the Feb-2026 master. Index ids not named there are invented (NSE from 101, BSE from 52)
 * and marked below; prices are plausible early-2026 levels, not quotes. Amounts are in rupees.
 */
import { AppError } from '../shared/errors';
import { BSE_LEGAL_NAMES, CASH_ONLY_ROWS, FNO_STOCK_ROWS, NSE_LEGAL_NAMES } from './universe-stocks';

export interface IndexSpec {
  exchange: 'NSE' | 'BSE';
  /** IDX_I security id (one id space for NSE and BSE indices). */
  securityId: number;
  /** SEM_TRADING_SYMBOL and SM_SYMBOL_NAME, e.g. `NIFTY`, `NIFTY 100`, `SNSX50`. */
  symbol: string;
  /** SEM_CUSTOM_SYMBOL, e.g. `Nifty 50`. */
  displayName: string;
  price: number;
}

export interface LongDatedSpec {
  quarterly: number;
  halfYearly: number;
  nearStep: number;
  farStep: number;
}

export interface IndexDerivativeSpec {
  /** Symbol of the derivatives (`NIFTY`, `NIFTYNXT50`, `SENSEX50`). */
  root: string;
  /** IndexSpec.symbol of the underlying index. */
  index: string;
  exchange: 'NSE' | 'BSE';
  lot: number;
  nearStep: number;
  farStep: number;
  /** Futures tick in paise (the master's unit). */
  futureTickPaise: number;
  /** Weekly expiries besides the monthlies (NIFTY on Tuesdays, SENSEX on Thursdays). */
  weekly: boolean;
  longDated?: LongDatedSpec;
  /** BSE SM_SYMBOL_NAME prefix: `BSX` gives BSXOPT / BSXFUT. */
  mnemonic?: string;
}

export interface StockSpec {
  symbol: string;
  nseId: number;
  /** SEM_CUSTOM_SYMBOL, e.g. `Reliance Industries`. */
  name: string;
  /** NSE SM_SYMBOL_NAME, e.g. `RELIANCE INDUSTRIES LTD`. */
  legalName: string;
  /** BSE SM_SYMBOL_NAME. */
  bseLegalName: string;
  price: number;
  lot: number;
  nearStep: number;
  farStep: number;
  fno: boolean;
  /** BSE_EQ scrip code where known; the generator allocates the rest. */
  bseId?: number;
}

export interface CommodityOptionSpec {
  step: number;
  farStep: number;
  tickPaise: number;
  /** Option expiry = this many calendar days before its future's expiry, then the previous MCX trading day. */
  leadDays: number;
  /** Options are listed on this many of the nearest futures. */
  series: number;
}

export interface CommoditySpec {
  symbol: string;
  /** Root used in SEM_CUSTOM_SYMBOL (NATGASMINI shows as `NATURALGASM`). */
  displayRoot: string;
  /** FUTCOM for commodities, FUTIDX for MCX's own indices. */
  kind: 'FUTCOM' | 'FUTIDX';
  price: number;
  futureTickPaise: number;
  /** Contract months (1-12). */
  months: readonly number[];
  /** Futures expire on this day of the month (previous MCX trading day if closed), or on the last trading day. */
  expiryDay: number | 'last';
  /** Futures listed at once. */
  contracts: number;
  option?: CommodityOptionSpec;
}

export interface NseCommodityOptionSpec {
  /** CommoditySpec.symbol whose price centres the strikes. */
  symbol: string;
  step: number;
  farStep: number;
  tickPaise: number;
  /** Expires on this day of the month, moved to the previous NSE trading day. */
  expiryDay: number;
}

export interface CurrencySpec {
  pair: string;
  price: number;
  strikeStep: number;
  /** NSE also lists weekly (Friday) contracts. */
  weekly: boolean;
}

export interface EtfSpec {
  symbol: string;
  securityId: number;
  name: string;
  legalName: string;
  price: number;
}

const nse = (securityId: number, symbol: string, displayName: string, price: number): IndexSpec =>
  ({ exchange: 'NSE', securityId, symbol, displayName, price });
const bse = (securityId: number, symbol: string, displayName: string, price: number): IndexSpec =>
  ({ exchange: 'BSE', securityId, symbol, displayName, price });

/** Indices with the ids of the real master (DHAN-PROTOCOL.md §4.3 and the excerpt fixture). */
const REAL_INDICES: readonly IndexSpec[] = [
  nse(13, 'NIFTY', 'Nifty 50', 25_800),
  nse(25, 'BANKNIFTY', 'Nifty Bank', 57_000),
  nse(27, 'FINNIFTY', 'Finnifty', 27_500),
  nse(442, 'MIDCPNIFTY', 'Nifty Midcap Select', 13_500),
  nse(38, 'NIFTY NEXT 50', 'Nifty Next 50', 70_000),
  nse(21, 'INDIA VIX', 'India VIX', 13.5),
  nse(5024, 'GIFTNIFTY', 'Gift Nifty', 25_850),
  nse(17, 'NIFTY 100', 'NIFTY 100', 26_500),
  nse(1, 'NIFTY MIDCAP 150', 'NIFTY Midcap 150', 22_000),
  bse(51, 'SENSEX', 'Sensex', 84_000),
  bse(69, 'BANKEX', 'BSE BANKEX', 66_000),
  bse(83, 'SNSX50', 'BSE Sensex 50', 26_500),
];

/** Other real NSE index names with invented ids (from 101): [symbol, display name, price]. */
const OTHER_NSE_INDICES: readonly (readonly [string, string, number])[] = [
  ['NIFTY 200', 'NIFTY 200', 14_200], ['NIFTY 500', 'NIFTY 500', 23_500],
  ['NIFTY MIDCAP 50', 'NIFTY Midcap 50', 16_800], ['NIFTY MIDCAP 100', 'NIFTY Midcap 100', 60_500],
  ['NIFTY SMLCAP 100', 'NIFTY Smallcap 100', 18_500], ['NIFTY SMLCAP 50', 'NIFTY Smallcap 50', 8_600],
  ['NIFTY SMLCAP 250', 'NIFTY Smallcap 250', 17_200], ['NIFTY MIDSML 400', 'NIFTY MidSmallcap 400', 21_000],
  ['NIFTY500 MULTICAP', 'NIFTY500 Multicap 50:25:25', 17_000], ['NIFTY LARGEMID250', 'NIFTY LargeMidcap 250', 16_500],
  ['NIFTY TOTAL MKT', 'NIFTY Total Market', 14_500], ['NIFTY MICROCAP250', 'NIFTY Microcap 250', 23_500],
  ['NIFTY AUTO', 'Nifty Auto', 27_000], ['NIFTY FMCG', 'Nifty FMCG', 55_000], ['NIFTY IT', 'Nifty IT', 37_500],
  ['NIFTY MEDIA', 'Nifty Media', 1_600], ['NIFTY METAL', 'Nifty Metal', 10_500],
  ['NIFTY PHARMA', 'Nifty Pharma', 22_500], ['NIFTY PSU BANK', 'Nifty PSU Bank', 8_200],
  ['NIFTY PVT BANK', 'Nifty Private Bank', 28_500], ['NIFTY REALTY', 'Nifty Realty', 900],
  ['NIFTY HEALTHCARE', 'Nifty Healthcare', 14_800], ['NIFTY CONSR DURBL', 'Nifty Consumer Durables', 38_000],
  ['NIFTY OIL AND GAS', 'Nifty Oil & Gas', 12_000], ['NIFTY ENERGY', 'Nifty Energy', 35_500],
  ['NIFTY INFRA', 'Nifty Infrastructure', 9_300], ['NIFTY COMMODITIES', 'Nifty Commodities', 9_200],
  ['NIFTY CPSE', 'Nifty CPSE', 6_600], ['NIFTY PSE', 'Nifty PSE', 10_000], ['NIFTY MNC', 'Nifty MNC', 30_000],
  ['NIFTY SERV SECTOR', 'Nifty Services Sector', 33_500], ['NIFTY CONSUMPTION', 'Nifty India Consumption', 12_000],
  ['NIFTY DIV OPPS 50', 'Nifty Dividend Opportunities 50', 6_300], ['NIFTY GROWSECT 15', 'Nifty Growth Sectors 15', 12_500],
  ['NIFTY100 QUALTY30', 'Nifty100 Quality 30', 5_700], ['NIFTY50 VALUE 20', 'Nifty50 Value 20', 13_000],
  ['NIFTY ALPHA 50', 'Nifty Alpha 50', 52_000], ['NIFTY100 LOWVOL30', 'Nifty100 Low Volatility 30', 21_000],
  ['NIFTY200 MOMENTM30', 'Nifty200 Momentum 30', 33_000], ['NIFTY IND DEFENCE', 'Nifty India Defence', 8_000],
  ['NIFTY INDIA MFG', 'Nifty India Manufacturing', 14_500], ['NIFTY IND DIGITAL', 'Nifty India Digital', 9_500],
  ['NIFTY CAPITAL MKT', 'Nifty Capital Markets', 4_400], ['NIFTY EV', 'Nifty EV & New Age Automotive', 3_400],
  ['NIFTY50 EQL WGT', 'Nifty50 Equal Weight', 33_000], ['NIFTY100 EQL WGT', 'Nifty100 Equal Weight', 34_000],
  ['NIFTY FINSRV25 50', 'Nifty Financial Services 25/50', 30_000], ['NIFTY MS FIN SERV', 'Nifty MidSmall Financial Services', 28_000],
  ['NIFTY MS IT TELCM', 'Nifty MidSmall IT & Telecom', 40_000], ['NIFTY HOUSING', 'Nifty Housing', 12_500],
  ['NIFTY TRANS LOGIS', 'Nifty Transportation & Logistics', 25_000], ['NIFTY IND TOURISM', 'Nifty India Tourism', 9_000],
  ['NIFTY NONCYC CONS', 'Nifty Non-Cyclical Consumer', 15_500], ['NIFTY GS 10YR', 'Nifty 10 yr Benchmark G-Sec', 2_500],
];

/** Other real BSE index names with invented ids (from 52, skipping 69 and 83): [symbol, display name, price]. */
const OTHER_BSE_INDICES: readonly (readonly [string, string, number])[] = [
  ['BSE100', 'BSE 100', 26_500], ['BSE200', 'BSE 200', 11_500], ['BSE500', 'BSE 500', 36_000],
  ['MIDCAP', 'BSE MidCap', 46_500], ['SMLCAP', 'BSE SmallCap', 53_000], ['BSEIT', 'BSE IT', 36_000],
  ['AUTO', 'BSE Auto', 58_000], ['METAL', 'BSE Metal', 33_000], ['OILGAS', 'BSE Oil & Gas', 27_000],
  ['POWER', 'BSE Power', 6_800], ['REALTY', 'BSE Realty', 7_000], ['TECK', 'BSE Teck', 17_500],
  ['HC', 'BSE Healthcare', 44_500], ['FMC', 'BSE FMCG', 20_500], ['CG', 'BSE Capital Goods', 70_000],
  ['CD', 'BSE Consumer Durables', 60_000], ['ALLCAP', 'BSE AllCap', 10_500], ['LRGCAP', 'BSE LargeCap', 9_800],
  ['SNXT50', 'BSE Sensex Next 50', 80_000], ['BSEPSU', 'BSE PSU', 19_500], ['INFRA', 'BSE India Infrastructure', 600],
  ['ENERGY', 'BSE Energy', 11_500], ['FINSER', 'BSE Financial Services', 13_000], ['BSEIPO', 'BSE IPO', 15_000],
  ['CPSE', 'BSE CPSE', 3_800], ['TELCOM', 'BSE Telecommunication', 3_100],
];

function withInventedIds(
  exchange: 'NSE' | 'BSE', rows: readonly (readonly [string, string, number])[], firstId: number, taken: ReadonlySet<number>,
): IndexSpec[] {
  let id = firstId;
  return rows.map(([symbol, displayName, price]) => {
    while (taken.has(id)) id += 1;
    const spec = { exchange, securityId: id, symbol, displayName, price };
    id += 1;
    return spec;
  });
}

const REAL_INDEX_IDS = new Set(REAL_INDICES.map((i) => i.securityId));

/** Every index row of the master (IDX_I), real ones first. */
export const INDICES: readonly IndexSpec[] = [
  ...REAL_INDICES,
  ...withInventedIds('NSE', OTHER_NSE_INDICES, 101, REAL_INDEX_IDS),
  ...withInventedIds('BSE', OTHER_BSE_INDICES, 52, REAL_INDEX_IDS),
];

/** Index futures and options (Feb-2026 lots and steps, DHAN-PROTOCOL.md §4.3, §6.1). */
export const INDEX_DERIVATIVES: readonly IndexDerivativeSpec[] = [
  {
    root: 'NIFTY', index: 'NIFTY', exchange: 'NSE', lot: 65, nearStep: 50, farStep: 100, futureTickPaise: 10, weekly: true,
    longDated: { quarterly: 3, halfYearly: 8, nearStep: 500, farStep: 1000 },
  },
  { root: 'BANKNIFTY', index: 'BANKNIFTY', exchange: 'NSE', lot: 30, nearStep: 100, farStep: 500, futureTickPaise: 20, weekly: false },
  { root: 'FINNIFTY', index: 'FINNIFTY', exchange: 'NSE', lot: 60, nearStep: 50, farStep: 100, futureTickPaise: 10, weekly: false },
  { root: 'MIDCPNIFTY', index: 'MIDCPNIFTY', exchange: 'NSE', lot: 120, nearStep: 25, farStep: 100, futureTickPaise: 5, weekly: false },
  { root: 'NIFTYNXT50', index: 'NIFTY NEXT 50', exchange: 'NSE', lot: 25, nearStep: 100, farStep: 500, futureTickPaise: 20, weekly: false },
  {
    root: 'SENSEX', index: 'SENSEX', exchange: 'BSE', lot: 20, nearStep: 100, farStep: 500, futureTickPaise: 5, weekly: true,
    longDated: { quarterly: 3, halfYearly: 2, nearStep: 1000, farStep: 2000 }, mnemonic: 'BSX',
  },
  { root: 'BANKEX', index: 'BANKEX', exchange: 'BSE', lot: 30, nearStep: 100, farStep: 500, futureTickPaise: 5, weekly: false, mnemonic: 'BKX' },
  { root: 'SENSEX50', index: 'SNSX50', exchange: 'BSE', lot: 75, nearStep: 50, farStep: 100, futureTickPaise: 5, weekly: false, mnemonic: 'SX50' },
];

/** The F&O stocks, in table order. */
export const FNO_STOCKS: readonly StockSpec[] = FNO_STOCK_ROWS.map(([symbol, nseId, name, price, lot, nearStep, bseId]) =>
  stockSpec(symbol, nseId, name, price, lot, nearStep, true, bseId));

/** Named stocks without derivatives (YESBANK, MRF). */
export const CASH_ONLY_STOCKS: readonly StockSpec[] = CASH_ONLY_ROWS.map(([symbol, nseId, name, price, bseId]) =>
  stockSpec(symbol, nseId, name, price, 1, 0, false, bseId));

function stockSpec(
  symbol: string, nseId: number, name: string, price: number, lot: number, nearStep: number, fno: boolean, bseId?: number,
): StockSpec {
  const upper = name.toUpperCase();
  return {
    symbol, nseId, name, price, lot, nearStep, farStep: nearStep * 2, fno, bseId,
    legalName: NSE_LEGAL_NAMES[symbol] ?? `${upper} LTD`.slice(0, 25).trimEnd(),
    bseLegalName: BSE_LEGAL_NAMES[symbol] ?? `${upper} LTD.`,
  };
}

/** Named ETFs (NSE). */
export const ETFS: readonly EtfSpec[] = [
  { symbol: 'NIFTYBEES', securityId: 10576, name: 'Nippon Nifty 50 ETF (NIFTYBEES)', legalName: 'NIP IND ETF NIFTY BEES', price: 290 },
];

const ALL_MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;
const opt = (step: number, farStep: number, tickPaise: number, leadDays: number, series: number): CommodityOptionSpec =>
  ({ step, farStep, tickPaise, leadDays, series });
const mcx = (
  symbol: string, price: number, futureTickPaise: number, months: readonly number[], expiryDay: number | 'last',
  contracts: number, option?: CommodityOptionSpec, displayRoot = symbol, kind: 'FUTCOM' | 'FUTIDX' = 'FUTCOM',
): CommoditySpec => ({ symbol, displayRoot, kind, price, futureTickPaise, months, expiryDay, contracts, option });

/** MCX futures (and options on futures); MCX lots are always `1.0` in the master. */
export const MCX_COMMODITIES: readonly CommoditySpec[] = [
  mcx('CRUDEOIL', 5_600, 100, ALL_MONTHS, 19, 6, opt(50, 100, 10, 2, 4)),
  mcx('CRUDEOILM', 5_600, 100, ALL_MONTHS, 19, 6, opt(50, 100, 10, 2, 3)),
  mcx('NATURALGAS', 300, 10, ALL_MONTHS, 25, 6, opt(5, 10, 5, 4, 4)),
  mcx('NATGASMINI', 300, 10, ALL_MONTHS, 25, 6, opt(5, 10, 5, 4, 3), 'NATURALGASM'),
  mcx('GOLD', 150_000, 100, [2, 4, 6, 8, 10, 12], 5, 6, opt(100, 500, 50, 34, 3)),
  mcx('GOLDM', 150_000, 100, ALL_MONTHS, 5, 6, opt(100, 500, 50, 8, 3)),
  mcx('GOLDGUINEA', 120_000, 100, ALL_MONTHS, 'last', 4),
  mcx('GOLDPETAL', 15_000, 100, ALL_MONTHS, 'last', 4),
  mcx('GOLDTEN', 150_000, 100, ALL_MONTHS, 'last', 4),
  mcx('SILVER', 250_000, 100, [3, 5, 7, 9, 12], 5, 5, opt(250, 1000, 50, 9, 3)),
  mcx('SILVERM', 250_000, 100, [2, 4, 6, 8, 11], 'last', 5, opt(250, 1000, 50, 5, 3)),
  mcx('SILVERMIC', 250_000, 100, [2, 4, 6, 8, 11], 'last', 5),
  mcx('COPPER', 1_100, 5, ALL_MONTHS, 'last', 6, opt(5, 10, 5, 3, 3)),
  mcx('ZINC', 300, 5, ALL_MONTHS, 'last', 6, opt(2.5, 5, 5, 3, 3)),
  mcx('ZINCMINI', 300, 5, ALL_MONTHS, 'last', 6),
  mcx('ALUMINIUM', 260, 5, ALL_MONTHS, 'last', 6, opt(2.5, 5, 5, 3, 3)),
  mcx('ALUMINI', 260, 5, ALL_MONTHS, 'last', 6),
  mcx('LEAD', 185, 5, ALL_MONTHS, 'last', 6, opt(2.5, 5, 5, 3, 3)),
  mcx('LEADMINI', 185, 5, ALL_MONTHS, 'last', 6),
  mcx('NICKEL', 1_400, 10, ALL_MONTHS, 'last', 6, opt(10, 20, 5, 3, 3)),
  mcx('COTTONCNDY', 56_000, 1000, [1, 3, 5, 7, 9, 11], 'last', 4),
  mcx('MENTHAOIL', 950, 10, ALL_MONTHS, 'last', 4),
  mcx('KAPAS', 1_550, 50, [2, 4, 11], 'last', 3),
  mcx('MCXBULLDEX', 36_000, 100, ALL_MONTHS, 24, 3, opt(100, 500, 50, 0, 1), 'MCXBULLDEX', 'FUTIDX'),
  mcx('MCXMETLDEX', 21_000, 100, ALL_MONTHS, 22, 3, opt(50, 250, 50, 0, 1), 'MCXMETLDEX', 'FUTIDX'),
];

/** NSE's own commodity options (`NSE,M,...,OPTFUT`, expiry time 20:00). */
export const NSE_COMMODITY_OPTIONS: readonly NseCommodityOptionSpec[] = [
  { symbol: 'CRUDEOIL', step: 50, farStep: 100, tickPaise: 10, expiryDay: 10 },
  { symbol: 'NATURALGAS', step: 5, farStep: 10, tickPaise: 5, expiryDay: 20 },
  { symbol: 'GOLDM', step: 100, farStep: 500, tickPaise: 50, expiryDay: 26 },
  { symbol: 'SILVERM', step: 250, farStep: 1000, tickPaise: 50, expiryDay: 26 },
  { symbol: 'COPPER', step: 5, farStep: 10, tickPaise: 5, expiryDay: 24 },
  { symbol: 'ZINC', step: 2.5, farStep: 5, tickPaise: 5, expiryDay: 24 },
  { symbol: 'ALUMINIUM', step: 2.5, farStep: 5, tickPaise: 5, expiryDay: 24 },
];

/** Currency pairs on NSE and BSE; strikes 0.25 apart, tick ₹0.0025. */
export const CURRENCY_PAIRS: readonly CurrencySpec[] = [
  { pair: 'USDINR', price: 88.5, strikeStep: 0.25, weekly: true },
  { pair: 'EURINR', price: 103.5, strikeStep: 0.25, weekly: false },
  { pair: 'GBPINR', price: 118.5, strikeStep: 0.25, weekly: false },
  { pair: 'JPYINR', price: 58.5, strikeStep: 0.25, weekly: false },
];

/** Looks up an index by its trading symbol. */
export function indexBySymbol(symbol: string): IndexSpec {
  const found = INDICES.find((i) => i.symbol === symbol);
  if (!found) throw new AppError('UNKNOWN_SYMBOL', `unknown index ${symbol}`);
  return found;
}

/** Looks up an MCX commodity by symbol. */
export function commodityBySymbol(symbol: string): CommoditySpec {
  const found = MCX_COMMODITIES.find((c) => c.symbol === symbol);
  if (!found) throw new AppError('UNKNOWN_SYMBOL', `unknown commodity ${symbol}`);
  return found;
}
