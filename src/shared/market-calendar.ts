/**
 * Exchange trading calendar on IST calendar days.
 *
 * Policy: a day is a trading day unless it is a Saturday, a Sunday or listed in
 * resources/holidays.json for that exchange. Years the file does not cover therefore count every
 * weekday as a trading day (see `holidayYears` to find out which years are covered); 2027 is
 * provisional in the file. MCX is "closed" only on days it closes both sessions.
 *
 * Dates are `YYYY-MM-DD` strings of the IST calendar; arithmetic goes through epoch-day integers
 * (days since 1970-01-01) with the proleptic Gregorian calendar, so nothing here depends on the
 * machine's local time zone.
 */
import holidays from '../../resources/holidays.json';
import { AppError } from './errors';
import { EXCHANGES, type Exchange } from './instruments';

/** India Standard Time is UTC+05:30 all year (no daylight saving). */
export const IST_OFFSET_MINUTES = 330;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** The same offset in milliseconds. */
export const IST_OFFSET_MS = IST_OFFSET_MINUTES * MS_PER_MINUTE;

/** Day-of-week numbers as returned by `dayOfWeek` (0 = Sunday, like `Date#getUTCDay`). */
export const WEEKDAY = {
  SUNDAY: 0, MONDAY: 1, TUESDAY: 2, WEDNESDAY: 3, THURSDAY: 4, FRIDAY: 5, SATURDAY: 6,
} as const;
export type Weekday = (typeof WEEKDAY)[keyof typeof WEEKDAY];

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const HOLIDAYS: Readonly<Record<Exchange, ReadonlyMap<string, string>>> = {
  NSE: new Map(Object.entries(holidays.NSE)),
  BSE: new Map(Object.entries(holidays.BSE)),
  MCX: new Map(Object.entries(holidays.MCX)),
};

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(epochDay: number): [number, number, number] {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Number of days in a month (month 1-12) of the Gregorian calendar. */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new AppError('BAD_REQUEST', `month must be 1-12, got ${month}`);
  }
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

/** Builds a `YYYY-MM-DD` string, validating the parts (month 1-12). */
export function formatDate(year: number, month: number, day: number): string {
  if (!Number.isInteger(year) || year < 1 || year > 9999 || !Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    throw new AppError('BAD_REQUEST', `not a calendar date: ${year}-${month}-${day}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Splits a `YYYY-MM-DD` string into [year, month 1-12, day]; throws BAD_REQUEST if malformed. */
export function parseDate(date: string): [number, number, number] {
  const m = DATE_PATTERN.exec(date);
  if (!m) throw new AppError('BAD_REQUEST', `expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new AppError('BAD_REQUEST', `not a calendar date: ${date}`);
  }
  return [year, month, day];
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function toEpochDay(date: string): number {
  const [year, month, day] = parseDate(date);
  return daysFromCivil(year, month, day);
}

/** The `YYYY-MM-DD` date of an epoch-day integer (days since 1970-01-01). */
export function fromEpochDay(epochDay: number): string {
  if (!Number.isInteger(epochDay)) throw new AppError('BAD_REQUEST', `epoch day must be an integer, got ${epochDay}`);
  const [year, month, day] = civilFromDays(epochDay);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The date `n` calendar days after `date` (negative `n` goes back). */
export function addDays(date: string, n: number): string {
  return fromEpochDay(toEpochDay(date) + n);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toEpochDay(to) - toEpochDay(from);
}

/** Day of the week of a date: 0 = Sunday ... 6 = Saturday (see `WEEKDAY`). */
export function dayOfWeek(date: string): Weekday {
  // 1970-01-01 was a Thursday.
  return ((((toEpochDay(date) + 4) % 7) + 7) % 7) as Weekday;
}

/** True on Saturdays and Sundays. */
export function isWeekend(date: string): boolean {
  const dow = dayOfWeek(date);
  return dow === WEEKDAY.SATURDAY || dow === WEEKDAY.SUNDAY;
}

/** The last given weekday (0 = Sunday ... 6 = Saturday) of a month (1-12), as `YYYY-MM-DD`. */
export function lastWeekdayOfMonth(year: number, month: number, weekday: number): string {
  if (!Number.isInteger(weekday) || weekday < 0 || weekday > 6) {
    throw new AppError('BAD_REQUEST', `weekday must be 0-6, got ${weekday}`);
  }
  const last = formatDate(year, month, daysInMonth(year, month));
  const back = (dayOfWeek(last) - weekday + 7) % 7;
  return addDays(last, -back);
}

/** (year, month 1-12) moved by `n` months (negative goes back), as [year, month]. */
export function addMonths(year: number, month: number, n: number): [number, number] {
  const index = year * 12 + (month - 1) + n;
  return [Math.floor(index / 12), (index % 12) + 1];
}

/** The IST calendar date (`YYYY-MM-DD`) of an instant. */
export function istDate(epochMs: number): string {
  return fromEpochDay(Math.floor((epochMs + IST_OFFSET_MS) / MS_PER_DAY));
}

/** Minutes since IST midnight (0-1439) of an instant. */
export function istMinutesOfDay(epochMs: number): number {
  const msOfDay = (((epochMs + IST_OFFSET_MS) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  return Math.floor(msOfDay / MS_PER_MINUTE);
}

/** The instant (epoch ms) of an IST wall-clock time: `minutesOfDay` minutes after IST midnight of `date`. */
export function istEpochMs(date: string, minutesOfDay = 0): number {
  return toEpochDay(date) * MS_PER_DAY + minutesOfDay * MS_PER_MINUTE - IST_OFFSET_MS;
}

/** The holiday's name when `date` is a listed weekday holiday of the exchange, else undefined. */
export function holidayName(exchange: Exchange, date: string): string | undefined {
  return HOLIDAYS[exchange].get(date);
}

/** Calendar years for which the holiday file lists the exchange's holidays, ascending. */
export function holidayYears(exchange: Exchange): readonly number[] {
  const years = new Set<number>();
  for (const date of HOLIDAYS[exchange].keys()) years.add(Number(date.slice(0, 4)));
  return [...years].sort((a, b) => a - b);
}

/** False on weekends and on the exchange's listed holidays. */
export function isTradingDay(exchange: Exchange, date: string): boolean {
  return !isWeekend(date) && !HOLIDAYS[exchange].has(date);
}

function stepTradingDay(exchange: Exchange, date: string, inclusive: boolean, direction: 1 | -1): string {
  let day = toEpochDay(date);
  if (!inclusive) day += direction;
  // Weekends and holidays never run for more than a few days; 30 is a safety bound.
  for (let i = 0; i < 30; i += 1, day += direction) {
    const candidate = fromEpochDay(day);
    if (isTradingDay(exchange, candidate)) return candidate;
  }
  throw new AppError('INTERNAL', `no ${exchange} trading day within 30 days of ${date}`);
}

/**
 * The last trading day before `date`, or `date` itself when `inclusive` and it is a trading day.
 * This is the rule exchanges use to move an expiry that falls on a holiday.
 */
export function previousTradingDay(exchange: Exchange, date: string, inclusive = false): string {
  return stepTradingDay(exchange, date, inclusive, -1);
}

/** The first trading day after `date`, or `date` itself when `inclusive` and it is a trading day. */
export function nextTradingDay(exchange: Exchange, date: string, inclusive = false): string {
  return stepTradingDay(exchange, date, inclusive, 1);
}

/** Checks the holiday file once at load: keys are dates, no weekend is listed. */
function validateHolidayFile(): void {
  for (const exchange of EXCHANGES) {
    for (const date of HOLIDAYS[exchange].keys()) {
      if (isWeekend(date)) throw new AppError('INTERNAL', `holidays.json lists a weekend for ${exchange}: ${date}`);
    }
  }
}
validateHolidayFile();

/*
 * Trading hours (IST minutes after midnight), pure and zone-free, so every layer (the engine's
 * session clock, the simulator) can ask the same question. DHAN-PROTOCOL.md §6.3:
 * - NSE and BSE cash and F&O trade 09:15-15:30 on the exchange's trading days; their currency
 *   derivatives 09:00-17:00.
 * - MCX non-agri trades 09:00-23:30 while US daylight saving is in effect (second Sunday of March
 *   to the first Sunday of November) and 09:00-23:55 otherwise; on an NSE holiday it is not
 *   closed for, it trades the evening session only (17:00 onwards). Not modelled: New Year's
 *   Day's evening closure, the special Sunday budget session.
 */

/** Minutes after IST midnight. */
export const EQUITY_OPEN_MINUTES = 9 * 60 + 15;
export const EQUITY_CLOSE_MINUTES = 15 * 60 + 30;
export const CURRENCY_OPEN_MINUTES = 9 * 60;
export const CURRENCY_CLOSE_MINUTES = 17 * 60;
export const COMMODITY_OPEN_MINUTES = 9 * 60;
export const COMMODITY_EVENING_OPEN_MINUTES = 17 * 60;
export const COMMODITY_CLOSE_MINUTES_US_DST = 23 * 60 + 30;
export const COMMODITY_CLOSE_MINUTES_US_STANDARD = 23 * 60 + 55;

/** What trades on an exchange: cash and F&O (NSE, BSE), currency derivatives, or MCX commodities. */
export type SessionMarket = 'equity' | 'currency' | 'commodity';

/** One day's session in IST minutes after midnight: trading in [open, close). */
export interface SessionHours {
  open: number;
  close: number;
}

/** The first Sunday on or after `date`. */
function sundayOnOrAfter(date: string): string {
  return addDays(date, (7 - dayOfWeek(date) + WEEKDAY.SUNDAY) % 7);
}

/**
 * True when US daylight saving is in effect on the IST date: from the second Sunday of March up
 * to the first Sunday of November. Both switches fall on a Sunday, when MCX is closed, so the
 * date alone decides every MCX session.
 */
export function usDaylightSaving(date: string): boolean {
  const [year] = parseDate(date);
  const start = addDays(sundayOnOrAfter(formatDate(year, 3, 1)), 7);
  const end = sundayOnOrAfter(formatDate(year, 11, 1));
  return date >= start && date < end;
}

/**
 * The session of `market` on `exchange` on an IST date, or null when it does not trade that day.
 * 'commodity' is MCX's (the exchange argument is ignored); 'equity' and 'currency' follow the
 * exchange's own holiday list.
 */
export function sessionHours(exchange: Exchange, market: SessionMarket, date: string): SessionHours | null {
  if (isWeekend(date)) return null;
  if (market === 'commodity') {
    if (HOLIDAYS.MCX.has(date)) return null;
    const close = usDaylightSaving(date) ? COMMODITY_CLOSE_MINUTES_US_DST : COMMODITY_CLOSE_MINUTES_US_STANDARD;
    return { open: HOLIDAYS.NSE.has(date) ? COMMODITY_EVENING_OPEN_MINUTES : COMMODITY_OPEN_MINUTES, close };
  }
  if (HOLIDAYS[exchange].has(date)) return null;
  return market === 'currency'
    ? { open: CURRENCY_OPEN_MINUTES, close: CURRENCY_CLOSE_MINUTES }
    : { open: EQUITY_OPEN_MINUTES, close: EQUITY_CLOSE_MINUTES };
}

/** True when `market` on `exchange` is trading at the instant `epochMs`. */
export function isSessionOpen(exchange: Exchange, market: SessionMarket, epochMs: number): boolean {
  const hours = sessionHours(exchange, market, istDate(epochMs));
  if (!hours) return false;
  const minutes = istMinutesOfDay(epochMs);
  return minutes >= hours.open && minutes < hours.close;
}
