/**
 * Text formats of Dhan's compact scrip master (DHAN-PROTOCOL.md §4.2-4.3), in one place so every
 * row kind prints numbers, dates and names exactly like the real file: lots `65.0`, ticks in paise
 * with 4 decimals, strikes with 5 decimals, `Feb2026` in symbols and `10 FEB` in display names.
 * Prices are carried as integer paise to keep strike arithmetic exact.
 */
import { parseDate } from '../shared/market-calendar';

/** The compact master's 16-column header, verbatim. */
export const MASTER_HEADER =
  'SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,SEM_TRADING_SYMBOL,' +
  'SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE,SEM_EXPIRY_FLAG,' +
  'SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME';

export const MASTER_COLUMNS = 16;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Pieces of an expiry date as the master spells them. */
export interface ExpiryText {
  /** `2026-02-10` */
  date: string;
  /** `Feb2026` (NSE/BSE symbols) */
  monYear: string;
  /** `10Feb2026` (MCX and BSE-currency symbols) */
  dayMonYear: string;
  /** `10 FEB` (option display names) */
  dayMon: string;
  /** `FEB` (futures display names) */
  mon: string;
}

const expiryTextCache = new Map<string, ExpiryText>();

/** Memoised text pieces of a `YYYY-MM-DD` expiry date. */
export function expiryText(date: string): ExpiryText {
  const cached = expiryTextCache.get(date);
  if (cached) return cached;
  const [year, month] = parseDate(date);
  const monthName = MONTHS[month - 1] ?? 'Jan';
  const dd = date.slice(8, 10);
  const text: ExpiryText = {
    date,
    monYear: `${monthName}${year}`,
    dayMonYear: `${dd}${monthName}${year}`,
    dayMon: `${dd} ${monthName.toUpperCase()}`,
    mon: monthName.toUpperCase(),
  };
  expiryTextCache.set(date, text);
  return text;
}

/** Rupees to integer paise. */
export function toPaise(rupees: number): number {
  return Math.round(rupees * 100);
}

/** SEM_LOT_UNITS: `65.0`. */
export function lotText(lot: number): string {
  return Number.isInteger(lot) ? `${lot}.0` : String(lot);
}

/** SEM_TICK_SIZE: paise with 4 decimals, `5.0000` = ₹0.05. */
export function tickText(paise: number): string {
  return paise.toFixed(4);
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** SEM_STRIKE_PRICE of a strike in paise: `25300.00000`, `78.25000`. */
export function strikeText(paise: number): string {
  return `${Math.floor(paise / 100)}.${twoDigits(paise % 100)}000`;
}

/** Strike inside a trading symbol: `25300`, `78.25`, `78.5`. */
export function strikeSymbolText(paise: number): string {
  const rupees = Math.floor(paise / 100);
  const fraction = paise % 100;
  if (fraction === 0) return String(rupees);
  return fraction % 10 === 0 ? `${rupees}.${fraction / 10}` : `${rupees}.${twoDigits(fraction)}`;
}

/** Strike inside a display name: `25300`, `78.50`. */
export function strikeDisplayText(paise: number): string {
  const fraction = paise % 100;
  return fraction === 0 ? String(paise / 100) : `${Math.floor(paise / 100)}.${twoDigits(fraction)}`;
}
