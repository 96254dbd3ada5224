/**
 * Market session facts for an instant, from an injected clock (never the machine's time zone).
 *
 * Policy (DHAN-PROTOCOL.md §6.3, resources/holidays.json):
 * - NSE (and BSE) F&O trade 09:15-15:30 IST on trading days; the day's end-of-day job belongs to
 *   15:30. Weekends and the listed holidays have no session.
 * - MCX non-agri trades 09:00-23:30 IST while US daylight saving is in effect (second Sunday of
 *   March to the first Sunday of November) and 09:00-23:55 otherwise. The holiday file lists only
 *   days MCX is closed for both sessions; an NSE holiday on which MCX trades is modelled as the
 *   evening session only (17:00 onwards), which the file's note says holds for most of them.
 *   Not modelled: New Year's Day's evening closure, the special Sunday budget session.
 * - Start-up after 15:30 or on a non-trading day restores no Tier A: the market is closed.
 */
import {
  addDays, COMMODITY_OPEN_MINUTES, EQUITY_CLOSE_MINUTES, holidayName, istDate, istEpochMs, istMinutesOfDay, isWeekend,
  nextTradingDay, previousTradingDay, sessionHours, usDaylightSaving,
} from '../../shared/market-calendar';

/** Minutes after IST midnight (the hours themselves are declared once, in src/shared/market-calendar.ts). */
export const NSE_CLOSE_MINUTES = EQUITY_CLOSE_MINUTES;
export const MCX_OPEN_MINUTES = COMMODITY_OPEN_MINUTES;

export type SessionPhase = 'pre-open' | 'open' | 'closed-for-day' | 'holiday' | 'weekend';

/** One exchange's session on the IST date of an instant. */
export interface MarketSession {
  exchange: 'NSE' | 'MCX';
  /** IST calendar date, YYYY-MM-DD. */
  date: string;
  tradingDay: boolean;
  phase: SessionPhase;
  /** Epoch ms of the day's open and close; null when the day has no session. */
  opensAt: number | null;
  closesAt: number | null;
  /** Epoch ms of the next opening at or after the instant (today's when still to come). */
  nextOpenAt: number;
  /** The holiday's name on a listed holiday (for MCX, also an NSE holiday it trades evening only). */
  holiday?: string;
}

interface DayHours {
  open: number;
  close: number;
  holiday?: string;
}

function phaseOf(date: string, hours: DayHours | null, minutes: number): SessionPhase {
  if (!hours) return isWeekend(date) ? 'weekend' : 'holiday';
  if (minutes < hours.open) return 'pre-open';
  return minutes < hours.close ? 'open' : 'closed-for-day';
}

function session(exchange: 'NSE' | 'MCX', nowMs: number, hoursOf: (date: string) => DayHours | null): MarketSession {
  const date = istDate(nowMs);
  const hours = hoursOf(date);
  const phase = phaseOf(date, hours, istMinutesOfDay(nowMs));
  let nextOpenAt: number;
  if (hours && phase === 'pre-open') {
    nextOpenAt = istEpochMs(date, hours.open);
  } else {
    let day = addDays(date, 1);
    // Closures never run for more than a few days; 30 bounds the search.
    for (let i = 0; i < 30 && !hoursOf(day); i += 1) day = addDays(day, 1);
    nextOpenAt = istEpochMs(day, hoursOf(day)?.open ?? MCX_OPEN_MINUTES);
  }
  const holiday = hours?.holiday ?? holidayName(exchange, date);
  return {
    exchange,
    date,
    tradingDay: hours !== null,
    phase,
    opensAt: hours ? istEpochMs(date, hours.open) : null,
    closesAt: hours ? istEpochMs(date, hours.close) : null,
    nextOpenAt,
    ...(holiday ? { holiday } : {}),
  };
}

function nseHours(date: string): DayHours | null {
  return sessionHours('NSE', 'equity', date);
}

function mcxHours(date: string): DayHours | null {
  const hours = sessionHours('MCX', 'commodity', date);
  const nseHoliday = holidayName('NSE', date);
  return hours && nseHoliday ? { ...hours, holiday: nseHoliday } : hours;
}

/** True when US daylight saving is in effect on the IST date (MCX's close follows it). */
export const isUsDaylightSaving = usDaylightSaving;

/** The NSE F&O session (09:15-15:30 IST) on the IST date of `nowMs`. */
export function nseSession(nowMs: number): MarketSession {
  return session('NSE', nowMs, nseHours);
}

/** The MCX non-agri session (09:00-23:30 or 23:55 IST by US DST; evening only on NSE holidays). */
export function mcxSession(nowMs: number): MarketSession {
  return session('MCX', nowMs, mcxHours);
}

/**
 * The first instant strictly after `nowMs` that is `minutesOfDay` IST on an NSE trading day
 * (e.g. 15:30 for the end of day, 08:45 for the pre-session job).
 */
export function nextNseTimeAt(nowMs: number, minutesOfDay: number): number {
  const today = istDate(nowMs);
  let day = nextTradingDay('NSE', today, true);
  if (day === today && istEpochMs(day, minutesOfDay) <= nowMs) day = nextTradingDay('NSE', today);
  return istEpochMs(day, minutesOfDay);
}

/** The next 15:30 IST on an NSE trading day, strictly after `nowMs`. */
export function nextEodAt(nowMs: number): number {
  return nextNseTimeAt(nowMs, NSE_CLOSE_MINUTES);
}

/**
 * The IST date of the latest end of day at or before `nowMs`: the latest NSE trading day whose
 * 15:30 IST has passed (today's from 15:30, else the trading day before).
 */
export function latestEodDate(nowMs: number): string {
  const today = istDate(nowMs);
  const day = previousTradingDay('NSE', today, true);
  return day === today && istEpochMs(day, NSE_CLOSE_MINUTES) > nowMs ? previousTradingDay('NSE', today) : day;
}

/** What start-up should do at `nowMs`: restore Tier A only before the day's close on a trading day. */
export function startupDecision(nowMs: number): { restoreTierA: boolean; status: string; session: MarketSession } {
  const s = nseSession(nowMs);
  switch (s.phase) {
    case 'pre-open':
      return { restoreTierA: true, status: 'NSE opens at 09:15 IST', session: s };
    case 'open':
      return { restoreTierA: true, status: 'NSE is open until 15:30 IST', session: s };
    case 'closed-for-day':
      return { restoreTierA: false, status: `market closed for the day; next session ${istDate(s.nextOpenAt)} 09:15 IST`, session: s };
    case 'holiday':
      return { restoreTierA: false, status: `market closed (holiday${s.holiday ? `: ${s.holiday}` : ''}); next session ${istDate(s.nextOpenAt)} 09:15 IST`, session: s };
    case 'weekend':
      return { restoreTierA: false, status: `market closed (weekend); next session ${istDate(s.nextOpenAt)} 09:15 IST`, session: s };
  }
}

/**
 * The start (09:00 IST, the first open of the day across NSE and MCX) of the latest session at or
 * before `nowMs`: today's once it has begun, else the previous trading day's. A last-trade time
 * before it is from an earlier session, so it never moves a chain.
 */
export function latestSessionStart(nowMs: number): number {
  const today = istDate(nowMs);
  let day = previousTradingDay('NSE', today, true);
  if (day === today && istEpochMs(day, MCX_OPEN_MINUTES) > nowMs) day = previousTradingDay('NSE', today);
  return istEpochMs(day, MCX_OPEN_MINUTES);
}
