import { describe, expect, it } from 'vitest';
import {
  addDays, addMonths, dayOfWeek, daysInMonth, fromEpochDay, holidayName, holidayYears, isTradingDay,
  istDate, istEpochMs, istMinutesOfDay, lastWeekdayOfMonth, nextTradingDay, previousTradingDay, toEpochDay,
  WEEKDAY,
} from './market-calendar';

describe('trading days', () => {
  it('Republic Day 2026 is not an NSE, BSE or MCX trading day', () => {
    expect(dayOfWeek('2026-01-26')).toBe(WEEKDAY.MONDAY);
    expect(isTradingDay('NSE', '2026-01-26')).toBe(false);
    expect(isTradingDay('BSE', '2026-01-26')).toBe(false);
    expect(isTradingDay('MCX', '2026-01-26')).toBe(false);
    expect(holidayName('NSE', '2026-01-26')).toBe('Republic Day');
  });

  it('an ordinary weekday is a trading day and a weekend is not', () => {
    expect(isTradingDay('NSE', '2026-01-27')).toBe(true);
    expect(isTradingDay('NSE', '2026-01-24')).toBe(false); // Saturday
    expect(isTradingDay('NSE', '2026-01-25')).toBe(false); // Sunday
  });

  it('MCX stays open (evening session) on Holi, when NSE is shut', () => {
    expect(isTradingDay('NSE', '2026-03-03')).toBe(false);
    expect(isTradingDay('MCX', '2026-03-03')).toBe(true);
  });

  it('previousTradingDay moves back across a holiday and a weekend', () => {
    // Good Friday 2026-04-03; the day before Monday 04-06 is therefore Thursday 04-02.
    expect(previousTradingDay('NSE', '2026-04-06')).toBe('2026-04-02');
    expect(previousTradingDay('NSE', '2026-04-05', true)).toBe('2026-04-02');
    // Republic Day Monday 2026-01-26: Tuesday's previous trading day is Friday 01-23.
    expect(previousTradingDay('NSE', '2026-01-27')).toBe('2026-01-23');
  });

  it('inclusive keeps a trading day and moves a holiday Tuesday expiry to Monday', () => {
    expect(previousTradingDay('NSE', '2026-02-24', true)).toBe('2026-02-24');
    expect(previousTradingDay('NSE', '2026-03-31', true)).toBe('2026-03-30'); // Mahavir Jayanti
    expect(previousTradingDay('BSE', '2026-03-26', true)).toBe('2026-03-25'); // Ram Navami
  });

  it('nextTradingDay skips a weekend', () => {
    expect(nextTradingDay('NSE', '2026-01-23')).toBe('2026-01-27');
    expect(nextTradingDay('NSE', '2026-01-27', true)).toBe('2026-01-27');
  });

  it('lists the covered years', () => {
    expect(holidayYears('NSE')).toEqual([2026, 2027]);
  });
});

describe('IST clock', () => {
  const utc = (iso: string): number => Date.parse(iso);

  it('istDate changes at 18:30 UTC, which is IST midnight', () => {
    expect(istDate(utc('2026-02-09T18:29:59.999Z'))).toBe('2026-02-09');
    expect(istDate(utc('2026-02-09T18:30:00.000Z'))).toBe('2026-02-10');
    expect(istDate(utc('2026-02-10T00:00:00.000Z'))).toBe('2026-02-10');
    // 23:59 UTC on the 31st is already 05:29 on the 1st in India, across a year end.
    expect(istDate(utc('2025-12-31T23:59:00Z'))).toBe('2026-01-01');
  });

  it('istMinutesOfDay counts from IST midnight', () => {
    expect(istMinutesOfDay(utc('2026-02-09T18:30:00Z'))).toBe(0);
    expect(istMinutesOfDay(utc('2026-02-10T03:45:00Z'))).toBe(9 * 60 + 15); // 09:15 IST
    expect(istMinutesOfDay(utc('2026-02-10T10:00:00Z'))).toBe(15 * 60 + 30); // 15:30 IST
    expect(istMinutesOfDay(utc('1969-12-31T20:00:00Z'))).toBe(90); // before the epoch: 01:30 IST
  });

  it('istEpochMs is the inverse of istDate and istMinutesOfDay', () => {
    const t = istEpochMs('2026-02-10', 9 * 60 + 15);
    expect(new Date(t).toISOString()).toBe('2026-02-10T03:45:00.000Z');
    expect(istDate(t)).toBe('2026-02-10');
    expect(istMinutesOfDay(t)).toBe(555);
  });
});

describe('date helpers', () => {
  it('round-trips epoch days, including leap days and pre-1970 dates', () => {
    expect(toEpochDay('1970-01-01')).toBe(0);
    expect(fromEpochDay(toEpochDay('2028-02-29'))).toBe('2028-02-29');
    expect(fromEpochDay(-1)).toBe('1969-12-31');
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
  });

  it('agrees with Date.UTC weekdays over several years', () => {
    for (let day = toEpochDay('2025-01-01'); day <= toEpochDay('2028-12-31'); day += 1) {
      const date = fromEpochDay(day);
      expect(dayOfWeek(date)).toBe(new Date(day * 86_400_000).getUTCDay());
    }
  });

  it('finds the last Tuesday and Thursday of a month', () => {
    expect(lastWeekdayOfMonth(2026, 2, WEEKDAY.TUESDAY)).toBe('2026-02-24');
    expect(lastWeekdayOfMonth(2026, 3, WEEKDAY.TUESDAY)).toBe('2026-03-31');
    expect(lastWeekdayOfMonth(2026, 2, WEEKDAY.THURSDAY)).toBe('2026-02-26');
    expect(lastWeekdayOfMonth(2026, 1, WEEKDAY.SATURDAY)).toBe('2026-01-31');
  });

  it('counts month lengths and moves months across years', () => {
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2026, 12)).toBe(31);
    expect(addMonths(2026, 11, 3)).toEqual([2027, 2]);
    expect(addMonths(2026, 1, -1)).toEqual([2025, 12]);
  });

  it('rejects malformed dates', () => {
    expect(() => toEpochDay('2026-02-30')).toThrow(/not a calendar date/);
    expect(() => toEpochDay('26-02-01')).toThrow(/YYYY-MM-DD/);
  });
});
