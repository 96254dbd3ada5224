import { describe, expect, it } from 'vitest';
import { istEpochMs } from '../../shared/market-calendar';
import { isUsDaylightSaving, latestEodDate, mcxSession, nextEodAt, nseSession, startupDecision } from './session-clock';

/** Epoch ms of an IST wall-clock time, e.g. ist('2026-11-25', '15:30'). */
const ist = (date: string, hhmm: string) => istEpochMs(date, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

describe('NSE session', () => {
  it('is pre-open, open, then closed for the day on a trading day (Wed 2026-11-25)', () => {
    expect(nseSession(ist('2026-11-25', '09:00'))).toMatchObject({
      date: '2026-11-25', tradingDay: true, phase: 'pre-open', opensAt: ist('2026-11-25', '09:15'), closesAt: ist('2026-11-25', '15:30'), nextOpenAt: ist('2026-11-25', '09:15'),
    });
    expect(nseSession(ist('2026-11-25', '09:15')).phase).toBe('open');
    expect(nseSession(ist('2026-11-25', '15:29')).phase).toBe('open');
    expect(nseSession(ist('2026-11-25', '15:30'))).toMatchObject({ phase: 'closed-for-day', nextOpenAt: ist('2026-11-26', '09:15') });
    // 00:30 IST is still the IST date, whatever the machine's zone.
    expect(nseSession(ist('2026-11-26', '00:30'))).toMatchObject({ date: '2026-11-26', phase: 'pre-open' });
  });

  it('knows weekends and the holidays in holidays.json', () => {
    expect(nseSession(ist('2026-11-28', '10:00'))).toMatchObject({ phase: 'weekend', tradingDay: false, opensAt: null, nextOpenAt: ist('2026-11-30', '09:15') });
    expect(nseSession(ist('2026-11-24', '10:00'))).toMatchObject({ phase: 'holiday', holiday: 'Prakash Gurpurb Sri Guru Nanak Dev', nextOpenAt: ist('2026-11-25', '09:15') });
    // Christmas (Friday) runs into the weekend.
    expect(nseSession(ist('2026-12-24', '16:00')).nextOpenAt).toBe(ist('2026-12-28', '09:15'));
  });

  it('nextEodAt is the next 15:30 IST on a trading day, skipping holidays and weekends', () => {
    expect(nextEodAt(ist('2026-11-23', '10:00'))).toBe(ist('2026-11-23', '15:30'));
    expect(nextEodAt(ist('2026-11-23', '15:30'))).toBe(ist('2026-11-25', '15:30'));
    expect(nextEodAt(ist('2026-11-27', '16:00'))).toBe(ist('2026-11-30', '15:30'));
  });

  it('latestEodDate is the trading day of the latest 15:30 IST passed, skipping holidays and weekends', () => {
    expect(latestEodDate(ist('2026-11-25', '15:29'))).toBe('2026-11-23'); // the 24th is a holiday
    expect(latestEodDate(ist('2026-11-25', '15:30'))).toBe('2026-11-25');
    expect(latestEodDate(ist('2026-11-25', '23:59'))).toBe('2026-11-25');
    expect(latestEodDate(ist('2026-11-26', '00:30'))).toBe('2026-11-25');
    expect(latestEodDate(ist('2026-11-24', '18:00'))).toBe('2026-11-23');
    expect(latestEodDate(ist('2026-11-29', '10:00'))).toBe('2026-11-27'); // Sunday: Friday's
  });

  it('start-up restores Tier A only before the close of a trading day', () => {
    expect(startupDecision(ist('2026-11-25', '08:30')).restoreTierA).toBe(true);
    expect(startupDecision(ist('2026-11-25', '11:00')).restoreTierA).toBe(true);
    const late = startupDecision(ist('2026-11-25', '16:10'));
    expect(late).toMatchObject({ restoreTierA: false });
    expect(late.status).toMatch(/closed for the day; next session 2026-11-26/);
    expect(startupDecision(ist('2026-11-24', '10:00')).status).toMatch(/holiday: Prakash Gurpurb/);
    expect(startupDecision(ist('2026-11-29', '10:00'))).toMatchObject({ restoreTierA: false, status: expect.stringMatching(/weekend/) });
  });
});

describe('MCX session', () => {
  it('runs into the evening: 23:55 outside US daylight saving, 23:30 within it', () => {
    expect(mcxSession(ist('2026-11-25', '20:00'))).toMatchObject({ phase: 'open', closesAt: ist('2026-11-25', '23:55') });
    expect(nseSession(ist('2026-11-25', '20:00')).phase).toBe('closed-for-day');
    expect(mcxSession(ist('2026-07-15', '23:40'))).toMatchObject({ phase: 'closed-for-day', closesAt: ist('2026-07-15', '23:30') });
    expect(mcxSession(ist('2026-11-25', '08:59')).phase).toBe('pre-open');
  });

  it('trades only the evening on an NSE holiday it does not list, and closes on its own holidays', () => {
    const guruNanak = mcxSession(ist('2026-11-24', '10:00'));
    expect(guruNanak).toMatchObject({ tradingDay: true, phase: 'pre-open', opensAt: ist('2026-11-24', '17:00'), holiday: 'Prakash Gurpurb Sri Guru Nanak Dev' });
    expect(mcxSession(ist('2026-11-24', '18:00')).phase).toBe('open');
    expect(mcxSession(ist('2026-12-25', '18:00'))).toMatchObject({ phase: 'holiday', nextOpenAt: ist('2026-12-28', '09:00') });
  });

  it('US daylight saving runs from the second Sunday of March to the first Sunday of November', () => {
    expect(isUsDaylightSaving('2026-03-06')).toBe(false);
    expect(isUsDaylightSaving('2026-03-09')).toBe(true);
    expect(isUsDaylightSaving('2026-10-30')).toBe(true);
    expect(isUsDaylightSaving('2026-11-02')).toBe(false);
    expect(isUsDaylightSaving('2027-03-12')).toBe(false); // 2027: from Sunday 14 March
    expect(isUsDaylightSaving('2027-03-15')).toBe(true);
  });
});
