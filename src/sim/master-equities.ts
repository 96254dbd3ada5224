/**
 * Cash-market and index rows of the generated master: the named stocks, ETFs and indices of the
 * universe with their real ids, NSE test symbols, and deterministic synthetic filler standing in
 * for the thousands of other listings (main-board stocks, SME, ETFs, state and central government
 * bonds, corporate NCDs, gold bonds, REITs/InvITs on NSE; groups A/B/T/X/Z, debt and funds on BSE).
 * Filler names come from seeded permutations of word lists, so they are unique and stable per seed.
 */
import { tickText } from './master-format';
import type { IdAllocator } from './id-allocator';
import { createRandom, type Random } from './seeded-random';
import { CASH_ONLY_STOCKS, ETFS, FNO_STOCKS, INDICES, type StockSpec } from './universe';
import { FIRST_WORDS, SECOND_WORDS, STATES, SUFFIX_WORDS } from './filler-words';

/** NSE cash tick by price (paise): ₹0.01 below ₹250, 0.05 below ₹1,000, 0.10 below ₹5,000, ... */
export function nseCashTickPaise(price: number): number {
  if (price < 250) return 1;
  if (price < 1000) return 5;
  if (price < 5000) return 10;
  if (price < 10_000) return 50;
  if (price < 20_000) return 100;
  return 500;
}

function bseCashTickPaise(price: number): number {
  return price < 15 ? 1 : 5;
}

/** Every named stock, F&O first. */
export const NAMED_STOCKS: readonly StockSpec[] = [...FNO_STOCKS, ...CASH_ONLY_STOCKS];

/** NSE rows that are not filler: named stocks, ETFs and test symbols. */
export const NSE_TEST_SYMBOLS = ['011NSETEST', '021NSETEST', '031NSETEST', '041NSETEST', '051NSETEST', '061NSETEST', '071NSETEST', '081NSETEST'];
export const NAMED_NSE_ROWS = NAMED_STOCKS.length + ETFS.length + NSE_TEST_SYMBOLS.length;
export const NAMED_BSE_ROWS = NAMED_STOCKS.length;

const eq = (exch: 'NSE' | 'BSE', id: number, symbol: string, lot: string, name: string, tick: number, type: string, series: string, legal: string): string =>
  `${exch},E,${id},EQUITY,0,${symbol},${lot},${name},,,,${tickText(tick)},NA,${type},${series},${legal}`;

/** The IDX_I rows (NSE then BSE indices). */
export function renderIndices(out: string[]): void {
  for (const i of INDICES) {
    const tick = i.symbol === 'GIFTNIFTY' ? '0.0000' : i.exchange === 'NSE' ? '0.0500' : '0.0100';
    out.push(`${i.exchange},I,${i.securityId},INDEX,0,${i.symbol},1.0,${i.displayName},0001-01-01,,XX,${tick},,INDEX,X,${i.symbol}`);
  }
}

/** A seeded bijection of [0, size): index k maps to a distinct slot, so generated names never repeat. */
function permutation(size: number, random: Random): (k: number) => number {
  const multipliers = [7919, 7927, 7933, 7937, 7949, 7951, 7963, 7993];
  let multiplier = random.pick(multipliers);
  while (gcd(multiplier, size) !== 1) multiplier += 2;
  const offset = random.int(0, size - 1);
  return (k) => (k * multiplier + offset) % size;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

interface Company {
  symbol: string;
  name: string;
  legal: string;
  price: number;
}

/** Synthetic company k (k = 0, 1, ...): unique symbol and name for every k. */
function companyMaker(seed: number, reservedSymbols: ReadonlySet<string>): (k: number) => Company {
  const random = createRandom(seed, 'companies');
  const size = FIRST_WORDS.length * SECOND_WORDS.length * SUFFIX_WORDS.length;
  const slot = permutation(size, random);
  const priceRandom = createRandom(seed, 'company-prices');
  return (k) => {
    const p = slot(k % size);
    const round = Math.floor(k / size);
    const [first, firstCode] = FIRST_WORDS[p % FIRST_WORDS.length];
    const [second, secondCode] = SECOND_WORDS[Math.floor(p / FIRST_WORDS.length) % SECOND_WORDS.length];
    const [suffix, suffixCode] = SUFFIX_WORDS[Math.floor(p / (FIRST_WORDS.length * SECOND_WORDS.length))];
    let symbol = `${firstCode}${secondCode}${suffixCode}${round > 0 ? round : ''}`;
    if (reservedSymbols.has(symbol)) symbol = `${symbol}X`;
    const name = `${first} ${second}${suffix ? ` ${suffix}` : ''}${round > 0 ? ` ${round + 1}` : ''}`;
    const price = Math.round(Math.exp(Math.log(4) + priceRandom.next() * Math.log(2500)) * 100) / 100;
    return { symbol, name, legal: `${name.toUpperCase()} LTD`.slice(0, 25).trimEnd(), price };
  };
}

function couponText(basisPoints: number): [string, string] {
  // 656 -> ['656', '6.56']; 660 -> ['66', '6.6']
  const whole = Math.floor(basisPoints / 100);
  const frac = basisPoints % 100;
  if (frac === 0) return [String(whole), String(whole)];
  const digits = frac % 10 === 0 ? String(frac / 10) : String(frac).padStart(2, '0');
  return [`${whole}${digits}`, `${whole}.${digits}`];
}

/** A government-security or bond row generator over a seeded bijection (unique symbols). */
type Listing = [symbol: string, name: string];

function bondMaker(seed: number): { sdl(k: number): Listing; ncd(k: number): Listing; gsec(k: number): Listing } {
  const random = createRandom(seed, 'bonds');
  const sdlSlot = permutation(200 * STATES.length * 15, random);
  const ncdSlot = permutation(300 * FIRST_WORDS.length * 12, random);
  const gsecSlot = permutation(250 * 30, random);
  return {
    sdl(k) {
      const p = sdlSlot(k % (200 * STATES.length * 15));
      const [code, coupon] = couponText(600 + (p % 200));
      const state = STATES[Math.floor(p / 200) % STATES.length];
      const year = 2026 + Math.floor(p / (200 * STATES.length));
      return [`${code}${state}${String(year).slice(2)}${k >= 200 * STATES.length * 15 ? 'A' : ''}`, `SDL ${state} ${coupon}% ${year}`];
    },
    ncd(k) {
      const p = ncdSlot(k % (300 * FIRST_WORDS.length * 12));
      const [code, coupon] = couponText(700 + (p % 300));
      const issuer = FIRST_WORDS[Math.floor(p / 300) % FIRST_WORDS.length][1].slice(0, 4);
      const year = 2026 + Math.floor(p / (300 * FIRST_WORDS.length));
      return [`${code}${issuer}${String(year).slice(2)}`, `SEC RED NCD ${coupon}% ${issuer} ${year}`];
    },
    gsec(k) {
      const p = gsecSlot(k % (250 * 30));
      const [code, coupon] = couponText(600 + (p % 250));
      const year = 2027 + Math.floor(p / 250);
      return [`${code}GS${year}`, `GOI LOAN ${coupon}% ${year}`];
    },
  };
}

const NSE_FILLER_KINDS: readonly (readonly [number, string])[] = [
  [26, 'EQ'], [3, 'BE'], [1, 'BZ'], [5, 'SM'], [1, 'ST'], [3, 'ETF'], [27, 'SG'], [3, 'GS'], [28, 'NCD'], [1, 'GB'], [1, 'RR'], [1, 'IV'],
];
const BSE_FILLER_KINDS: readonly (readonly [number, string])[] = [
  [20, 'DUAL'], [45, 'ES'], [25, 'F'], [4, 'G'], [3, 'MF'], [3, 'ETF'],
];
const NCD_SERIES = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9', 'NA', 'NB', 'NC', 'ND', 'NE', 'NF', 'NG'];
const BSE_GROUPS = ['B', 'B', 'B', 'T', 'X', 'X', 'XT', 'Z', 'M', 'MT'];
const AMCS = ['NIPPON', 'SBI', 'ICICIPRU', 'HDFC', 'KOTAK', 'UTI', 'MIRAE', 'DSP', 'AXIS', 'MOTILAL', 'ZERODHA', 'BANDHAN'];
const ETF_TARGETS = ['NIFTY', 'NEXT50', 'BANK', 'IT', 'PSUBANK', 'GOLD', 'SILVER', 'MIDCAP', 'SMALLCAP', 'PHARMA', 'AUTO', 'FMCG', 'INFRA', 'LIQUID', 'GSEC', 'MOMENTUM', 'VALUE', 'QUALITY', 'LOWVOL', 'CPSE'];

function pickKind(kinds: readonly (readonly [number, string])[], random: Random): string {
  const total = kinds.reduce((sum, [w]) => sum + w, 0);
  let r = random.next() * total;
  for (const [w, kind] of kinds) {
    r -= w;
    if (r < 0) return kind;
  }
  return kinds[kinds.length - 1][1];
}

export interface EquityPlan {
  nseFiller: number;
  bseFiller: number;
}

/**
 * NSE and BSE equity rows: named rows first, then `plan` filler rows. BSE ids of named stocks
 * without a known scrip code are taken from the BSE allocator.
 */
export function renderEquities(out: string[], plan: EquityPlan, seed: number, nseIds: IdAllocator, bseIds: IdAllocator): void {
  for (const s of NAMED_STOCKS) {
    out.push(eq('NSE', s.nseId, s.symbol, '1.0', s.name, nseCashTickPaise(s.price), 'ES', 'EQ', s.legalName));
  }
  for (const e of ETFS) out.push(eq('NSE', e.securityId, e.symbol, '1.0', e.name, 1, 'ETF', 'EQ', e.legalName));
  for (const symbol of NSE_TEST_SYMBOLS) out.push(eq('NSE', nseIds.take(), symbol, '1.0', symbol, 5, 'ES', 'EQ', `NSE TEST SYMBOL ${symbol.slice(0, 3)}`));

  const reserved = new Set(NAMED_STOCKS.map((s) => s.symbol));
  const company = companyMaker(seed, reserved);
  const bond = bondMaker(seed);
  const random = createRandom(seed, 'nse-filler');
  const counters = new Map<string, number>();
  const next = (kind: string): number => {
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    return n;
  };
  let companies = 0;
  const listedOnNse: Company[] = [];
  for (let i = 0; i < plan.nseFiller; i += 1) {
    const kind = pickKind(NSE_FILLER_KINDS, random);
    const id = nseIds.take();
    if (kind === 'EQ' || kind === 'BE' || kind === 'BZ' || kind === 'SM' || kind === 'ST') {
      const c = company(companies++);
      if (kind === 'EQ') listedOnNse.push(c);
      out.push(eq('NSE', id, c.symbol, '1.0', c.name, nseCashTickPaise(c.price), 'ES', kind, c.legal));
    } else if (kind === 'SG' || kind === 'GS') {
      const [symbol, name] = kind === 'SG' ? bond.sdl(next(kind)) : bond.gsec(next(kind));
      out.push(eq('NSE', id, symbol, '100.0', name, 1, 'DBT', kind, name));
    } else if (kind === 'NCD') {
      const k = next(kind);
      const [symbol, name] = bond.ncd(k);
      out.push(eq('NSE', id, symbol, '1.0', name, 1, 'DEB', NCD_SERIES[k % NCD_SERIES.length], name));
    } else if (kind === 'ETF') {
      const k = next(kind);
      const amc = AMCS[k % AMCS.length];
      const target = ETF_TARGETS[Math.floor(k / AMCS.length) % ETF_TARGETS.length];
      const round = Math.floor(k / (AMCS.length * ETF_TARGETS.length));
      const symbol = `${amc.slice(0, 4)}${target}ETF${round > 0 ? round : ''}`;
      out.push(eq('NSE', id, symbol, '1.0', `${amc} ${target} ETF`, 1, 'ETF', 'EQ', `${amc} ${target} ETF`));
    } else if (kind === 'GB') {
      const k = next(kind);
      const year = 2026 + (k % 9);
      const symbol = `SGB${['MAR', 'JUN', 'SEP', 'DEC'][Math.floor(k / 9) % 4]}${String(year).slice(2)}${k >= 36 ? `V${Math.floor(k / 36)}` : ''}`;
      out.push(eq('NSE', id, symbol, '1.0', `SGB ${year} SR-${k + 1}`, 1, 'GB', 'GB', `2.50% GOLDBONDS ${year} SR-${k + 1}`));
    } else {
      const c = company(companies++);
      const trust = kind === 'RR' ? 'REIT' : 'INVIT';
      out.push(eq('NSE', id, `${c.symbol}${trust}`, '1.0', `${c.name} ${trust === 'REIT' ? 'REIT' : 'InvIT'}`, 1, kind === 'RR' ? 'REIT' : 'InvITU', kind, `${c.legal.slice(0, 18)} ${trust}`));
    }
  }

  for (const s of NAMED_STOCKS) {
    out.push(eq('BSE', s.bseId ?? bseIds.take(), s.symbol, '1.0', s.name, bseCashTickPaise(s.price), 'ES', 'A', s.bseLegalName));
  }
  const bseRandom = createRandom(seed, 'bse-filler');
  let dual = 0;
  for (let i = 0; i < plan.bseFiller; i += 1) {
    let kind = pickKind(BSE_FILLER_KINDS, bseRandom);
    if (kind === 'DUAL' && dual >= listedOnNse.length) kind = 'ES';
    const id = bseIds.take();
    if (kind === 'DUAL' || kind === 'ES') {
      const c = kind === 'DUAL' ? listedOnNse[dual++] ?? company(companies++) : company(companies++);
      const group = kind === 'DUAL' ? bseRandom.pick(['A', 'B', 'B', 'T', 'X']) : bseRandom.pick(BSE_GROUPS);
      out.push(eq('BSE', id, c.symbol, '1.0', c.name, bseCashTickPaise(c.price), 'ES', group, `${c.name.toUpperCase()} LTD.`));
    } else if (kind === 'F') {
      const [symbol, name] = bond.ncd(next('NCD'));
      out.push(eq('BSE', id, symbol, '1.0', name, 1, 'DEB', 'F', name));
    } else if (kind === 'G') {
      const [symbol, name] = bond.gsec(next('GS'));
      out.push(eq('BSE', id, symbol, '100.0', name, 1, 'DBT', 'G', name));
    } else if (kind === 'MF') {
      const c = company(companies++);
      out.push(eq('BSE', id, `${c.symbol}MF`, '1.0', `${c.name} Liquid Fund`, 1, 'MF', 'E', `${c.name.toUpperCase()} LIQUID FUND`));
    } else {
      const k = next('ETF');
      const amc = AMCS[k % AMCS.length];
      const target = ETF_TARGETS[Math.floor(k / AMCS.length) % ETF_TARGETS.length];
      out.push(eq('BSE', id, `${amc.slice(0, 4)}${target}BEES${k}`, '1.0', `${amc} ${target} ETF`, 1, 'ETF', 'IF', `${amc} ${target} ETF`));
    }
  }
}
