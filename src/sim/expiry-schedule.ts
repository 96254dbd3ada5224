/**
 * Expiry dates of the simulated contracts, relative to "today" (asOf).
 *
 * Policy (DHAN-PROTOCOL.md §6.2): NSE equity derivatives expire on Tuesdays (monthly = last Tuesday),
 * BSE ones on Thursdays; an expiry that falls on a holiday moves to the PREVIOUS trading day of that
 * exchange. A contract expiring on asOf itself is still live. MCX futures expire on a day of the
 * month per commodity (or the last trading day) and their options a fixed number of days earlier.
 * Currency futures and options expire two trading days before the month's last trading day
 * (weeklies on Fridays); the master keeps expired currency contracts, so the currency schedule
 * also reaches back before asOf.
 */
import type { ExpiryFlag } from '../shared/instruments';
import {
  addDays, addMonths, dayOfWeek, daysInMonth, formatDate, lastWeekdayOfMonth, parseDate, previousTradingDay, WEEKDAY,
} from '../shared/market-calendar';
import type { CommoditySpec, IndexDerivativeSpec, LongDatedSpec } from './universe';

export interface Expiry {
  date: string;
  flag: ExpiryFlag;
}

type Venue = 'NSE' | 'BSE';

/** Weekday of equity-derivative expiries: Tuesday on NSE, Thursday on BSE. */
export function expiryWeekday(exchange: Venue): number {
  return exchange === 'NSE' ? WEEKDAY.TUESDAY : WEEKDAY.THURSDAY;
}

/** The monthly equity-derivative expiry of (year, month): last expiry weekday, holiday-adjusted. */
export function monthlyExpiryOf(exchange: Venue, year: number, month: number): string {
  return previousTradingDay(exchange, lastWeekdayOfMonth(year, month, expiryWeekday(exchange)), true);
}

/** The next `count` monthly expiries on or after asOf. */
export function monthlyExpiries(exchange: Venue, asOf: string, count: number): string[] {
  const [year, month] = parseDate(asOf);
  const out: string[] = [];
  for (let i = 0; out.length < count; i += 1) {
    const [y, m] = addMonths(year, month, i);
    const date = monthlyExpiryOf(exchange, y, m);
    if (date >= asOf) out.push(date);
  }
  return out;
}

/** The next `count` weekly expiries on or after asOf that are not monthly expiries. */
export function weeklyExpiries(exchange: Venue, asOf: string, count: number, monthly: ReadonlySet<string>): string[] {
  const weekday = expiryWeekday(exchange);
  let day = addDays(asOf, (weekday - dayOfWeek(asOf) + 7) % 7);
  const out: string[] = [];
  for (; out.length < count; day = addDays(day, 7)) {
    const date = previousTradingDay(exchange, day, true);
    if (date >= asOf && !monthly.has(date)) out.push(date);
  }
  return out;
}

function longDatedExpiries(exchange: Venue, lastMonthly: string, spec: LongDatedSpec): Expiry[] {
  const out: Expiry[] = [];
  let [year, month] = parseDate(lastMonthly);
  const take = (count: number, everyMonths: number, flag: ExpiryFlag): void => {
    for (let n = 0; n < count;) {
      [year, month] = addMonths(year, month, 1);
      if (month % everyMonths !== 0) continue;
      out.push({ date: monthlyExpiryOf(exchange, year, month), flag });
      n += 1;
    }
  };
  take(spec.quarterly, 3, 'Q');
  take(spec.halfYearly, 6, 'H');
  return out;
}

/** Expiries of an index's options, ascending: weeklies (W), 3 monthlies (M), then long-dated (Q, H). */
export function indexOptionExpiries(spec: IndexDerivativeSpec, asOf: string): Expiry[] {
  const monthly = monthlyExpiries(spec.exchange, asOf, 3);
  const weekly = spec.weekly ? weeklyExpiries(spec.exchange, asOf, 4, new Set(monthly)) : [];
  const near: Expiry[] = [
    ...monthly.map((date): Expiry => ({ date, flag: 'M' })),
    ...weekly.map((date): Expiry => ({ date, flag: 'W' })),
  ].sort((a, b) => (a.date < b.date ? -1 : 1));
  const last = monthly[monthly.length - 1];
  const far = spec.longDated && last ? longDatedExpiries(spec.exchange, last, spec.longDated) : [];
  return [...near, ...far];
}

function lastDayOfMonth(year: number, month: number): string {
  return formatDate(year, month, daysInMonth(year, month));
}

/** Expiry of an MCX future for (year, month). */
export function mcxFutureExpiryOf(spec: CommoditySpec, year: number, month: number): string {
  const target = spec.expiryDay === 'last'
    ? lastDayOfMonth(year, month)
    : formatDate(year, month, Math.min(spec.expiryDay, daysInMonth(year, month)));
  return previousTradingDay('MCX', target, true);
}

/** The listed futures of an MCX commodity: the next `contracts` contract months expiring on or after asOf. */
export function mcxFutureExpiries(spec: CommoditySpec, asOf: string): string[] {
  const [year, month] = parseDate(asOf);
  const out: string[] = [];
  for (let i = 0; out.length < spec.contracts && i < 60; i += 1) {
    const [y, m] = addMonths(year, month, i);
    if (!spec.months.includes(m)) continue;
    const date = mcxFutureExpiryOf(spec, y, m);
    if (date >= asOf) out.push(date);
  }
  return out;
}

/** Option expiries on an MCX commodity's nearest `series` futures (live ones only), ascending. */
export function mcxOptionExpiries(spec: CommoditySpec, futures: readonly string[], asOf: string): string[] {
  if (!spec.option) return [];
  const { leadDays, series } = spec.option;
  return futures.slice(0, series)
    .map((future) => previousTradingDay('MCX', addDays(future, -leadDays), true))
    .filter((date) => date >= asOf);
}

/** Expiries of NSE's commodity options: a fixed day each month, moved to the previous NSE trading day. */
export function nseCommodityOptionExpiries(expiryDay: number, asOf: string, count: number): string[] {
  const [year, month] = parseDate(asOf);
  const out: string[] = [];
  for (let i = 0; out.length < count; i += 1) {
    const [y, m] = addMonths(year, month, i);
    const date = previousTradingDay('NSE', formatDate(y, m, Math.min(expiryDay, daysInMonth(y, m))), true);
    if (date >= asOf) out.push(date);
  }
  return out;
}

/** Monthly currency expiry: two trading days before the month's last trading day. */
export function currencyMonthlyExpiryOf(exchange: Venue, year: number, month: number): string {
  const lastTradingDay = previousTradingDay(exchange, lastDayOfMonth(year, month), true);
  return previousTradingDay(exchange, previousTradingDay(exchange, lastTradingDay));
}

export interface CurrencyWindow {
  /** Whole months before asOf's month whose contracts are still listed (expired). */
  pastMonths: number;
  /** Live monthly contracts listed from asOf on. */
  liveMonthly: number;
  /** Live weekly contracts (0 for none). */
  liveWeekly: number;
}

/**
 * Currency expiries from `pastMonths` months before asOf up to the live ones, ascending. Expired ones
 * (date < asOf) are included on purpose: the real master keeps them. Weeklies are Fridays that are
 * not monthly expiries.
 */
export function currencyExpiries(exchange: Venue, asOf: string, window: CurrencyWindow): Expiry[] {
  const [year, month] = parseDate(asOf);
  const monthly: string[] = [];
  let live = 0;
  for (let i = -window.pastMonths; live < window.liveMonthly; i += 1) {
    const [y, m] = addMonths(year, month, i);
    const date = currencyMonthlyExpiryOf(exchange, y, m);
    monthly.push(date);
    if (date >= asOf) live += 1;
  }
  const out: Expiry[] = monthly.map((date) => ({ date, flag: 'M' }));
  if (window.liveWeekly > 0) {
    const monthlySet = new Set(monthly);
    const [startYear, startMonth] = addMonths(year, month, -window.pastMonths);
    const first = formatDate(startYear, startMonth, 1);
    let liveWeeks = 0;
    for (let friday = addDays(first, (WEEKDAY.FRIDAY - dayOfWeek(first) + 7) % 7); liveWeeks < window.liveWeekly; friday = addDays(friday, 7)) {
      const date = previousTradingDay(exchange, friday, true);
      if (monthlySet.has(date)) continue;
      out.push({ date, flag: 'W' });
      if (date >= asOf) liveWeeks += 1;
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
