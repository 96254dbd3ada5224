/**
 * The seed's forms (docs SEED.md), read beside strikedesk's own so that a client written against
 * the seed's examples works unchanged. Pure parsing and formatting, no registry: what a form
 * names is looked up by the engine.
 *
 * Policy:
 * - Expiry: strikedesk's `YYYY-MM-DD` or the seed's `DDMMMYYYY` (`26FEB2026`; the month in any
 *   case). Either must be a real calendar date (`2026-13-45`, `31FEB2026` are not) and is read as
 *   `YYYY-MM-DD`; answers always carry `YYYY-MM-DD`.
 * - User id: the seed's ids are integers, strikedesk's strings; 1 and "1" name the same user.
 *   Integers are read as their decimal string. A string id is kept as given (trimmed): "01" is
 *   not "1".
 * - Token: the seed names an option `SYMBOL_DDMMM_STRIKE{CE|PE}` (`RELIANCE_26FEB_2640CE`),
 *   without a year or an exchange. The engine resolves the year to the nearest live expiry on
 *   that day and month, and the exchange as a trader expects (NSE before BSE). The seed gives no
 *   form for futures or equities (its `option_type` is NULL there, with no example), so only
 *   options have one. The form is read in any case and written in upper case, the strike without
 *   trailing zeros (`2640`, `2642.5`).
 */

export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;

/** Days in `month` (1-12) of `year`; for `year` undefined, the most any year has (29 in February). */
function daysIn(month: number, year?: number): number {
  if (month === 2 && year === undefined) return 29;
  return new Date(Date.UTC(year ?? 2000, month, 0)).getUTCDate();
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of a calendar date, or null when there is no such day. */
function isoOf(year: number, month: number, day: number): string | null {
  if (!(year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year))) return null;
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** A month abbreviation (any case) as 1-12, or 0. */
function monthOf(name: string): number {
  return MONTHS.indexOf(name.toUpperCase() as (typeof MONTHS)[number]) + 1;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const SEED_DATE = /^(\d{2})([A-Za-z]{3})(\d{4})$/;

/**
 * An expiry as `YYYY-MM-DD`, from `YYYY-MM-DD` or the seed's `DDMMMYYYY`; null when it is neither
 * or names no calendar day.
 */
export function parseExpiry(text: string): string | null {
  const iso = ISO.exec(text);
  if (iso) return isoOf(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const seed = SEED_DATE.exec(text);
  if (seed) return isoOf(Number(seed[3]), monthOf(seed[2]!), Number(seed[1]));
  return null;
}

/** A user id as the engine keys it: integers as their decimal string, strings as given. */
export function userIdOf(id: string | number): string {
  return typeof id === 'number' ? String(id) : id;
}

/** An option as the seed's token names it: no year, no exchange. */
export interface SeedToken {
  /** Underlying symbol, upper case. */
  symbol: string;
  /** Day of month, 1-31. */
  day: number;
  /** Month, 1-12. */
  month: number;
  strike: number;
  optionType: 'CE' | 'PE';
}

const SEED_TOKEN = /^(\S{1,40})_(\d{2})([A-Z]{3})_(\d{1,7}(?:\.\d{1,4})?)(CE|PE)$/;

/**
 * The seed's token `SYMBOL_DDMMM_STRIKE{CE|PE}` (any case), or null when it is not one: a wrong
 * shape, an unknown month, or a day no year has in that month (`31FEB`).
 */
export function parseSeedToken(text: string): SeedToken | null {
  const m = SEED_TOKEN.exec(text.trim().toUpperCase());
  if (!m) return null;
  const day = Number(m[2]);
  const month = monthOf(m[3]!);
  if (month === 0 || day < 1 || day > daysIn(month)) return null;
  const strike = Number(m[4]);
  if (!(strike > 0)) return null;
  return { symbol: m[1]!, day, month, strike, optionType: m[5] as 'CE' | 'PE' };
}

/** A strike as the seed writes it: `2640`, `2642.5` (no trailing zeros). */
function strikeText(strike: number): string {
  return Number.isInteger(strike) ? String(strike) : String(Number(strike.toFixed(4)));
}

/** The seed's token of a parsed one (its canonical spelling). */
export function formatSeedToken(t: SeedToken): string {
  return `${t.symbol}_${pad(t.day)}${MONTHS[t.month - 1]}_${strikeText(t.strike)}${t.optionType}`;
}

/**
 * The seed's token of an option (`underlying`, `expiry` as `YYYY-MM-DD`, strike, CE/PE); null for
 * anything that is not an option. Whether the token resolves back to this very contract (the
 * nearest such expiry, NSE before BSE) is the engine's to check.
 */
export function seedTokenOf(i: { underlying: string; expiry: string | null; strike: number | null; optionType: 'CE' | 'PE' | null }): string | null {
  if (i.expiry === null || i.strike === null || i.optionType === null) return null;
  const iso = ISO.exec(i.expiry);
  if (!iso || !i.underlying || /\s/.test(i.underlying)) return null;
  return formatSeedToken({ symbol: i.underlying.toUpperCase(), day: Number(iso[3]), month: Number(iso[2]), strike: i.strike, optionType: i.optionType });
}
