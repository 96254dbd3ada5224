import { describe, expect, it } from 'vitest';
import { isSessionOpen, istEpochMs, sessionHours } from '../shared/market-calendar';
import {
  SessionGate, VENUE_BSE, VENUE_BSE_CURRENCY, VENUE_COMMODITY, VENUE_NSE, VENUE_NSE_CURRENCY, venueOf, venueStatus,
} from './market-hours';
import { createRandom } from './seeded-random';

describe('session hours (src/shared/market-calendar)', () => {
  it('NSE/BSE 09:15-15:30 on trading days, currency 09:00-17:00, MCX to 23:30 or 23:55 and evening only on NSE holidays', () => {
    expect(sessionHours('NSE', 'equity', '2026-11-25')).toEqual({ open: 555, close: 930 });
    expect(sessionHours('BSE', 'equity', '2026-11-25')).toEqual({ open: 555, close: 930 });
    expect(sessionHours('NSE', 'currency', '2026-11-25')).toEqual({ open: 540, close: 1020 });
    expect(sessionHours('NSE', 'equity', '2026-11-24')).toBeNull(); // Guru Nanak's birthday
    expect(sessionHours('NSE', 'equity', '2026-11-28')).toBeNull(); // a Saturday
    expect(sessionHours('MCX', 'commodity', '2026-11-24')).toEqual({ open: 1020, close: 1435 });
    expect(sessionHours('MCX', 'commodity', '2026-07-01')).toEqual({ open: 540, close: 1410 }); // US daylight saving
    expect(sessionHours('MCX', 'commodity', '2026-11-25')).toEqual({ open: 540, close: 1435 });
    expect(isSessionOpen('NSE', 'equity', istEpochMs('2026-11-25', 555))).toBe(true);
    expect(isSessionOpen('NSE', 'equity', istEpochMs('2026-11-25', 930))).toBe(false);
  });
});

describe('SessionGate', () => {
  it("'clock' agrees with the calendar at every instant, asked in any order (its cache never lies)", () => {
    const gate = new SessionGate('clock');
    const rng = createRandom(3, 'gate');
    const from = istEpochMs('2026-11-20');
    const span = 20 * 86_400_000;
    const markets = [
      [VENUE_NSE, 'NSE', 'equity'], [VENUE_BSE, 'BSE', 'equity'], [VENUE_NSE_CURRENCY, 'NSE', 'currency'],
      [VENUE_BSE_CURRENCY, 'BSE', 'currency'], [VENUE_COMMODITY, 'MCX', 'commodity'],
    ] as const;
    let t = from;
    const wrong: string[] = [];
    for (let k = 0; k < 4_000; k += 1) {
      // Mostly forward in small steps (as trades are), sometimes a jump back or far ahead.
      t = rng.next() < 0.05 ? from + rng.next() * span : t + rng.next() * 3_600_000;
      for (const [venue, exchange, market] of markets) {
        const open = isSessionOpen(exchange, market, t);
        const next = gate.nextOpen(venue, t);
        const nextOk = open ? next === t : next > t && isSessionOpen(exchange, market, next) && !isSessionOpen(exchange, market, next - 1);
        if (gate.isOpen(venue, t) !== open || !nextOk) wrong.push(`${exchange} ${market} at ${new Date(t).toISOString()}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('puts the next open past weekends and holidays', () => {
    const gate = new SessionGate('clock');
    // Monday 2026-11-23 16:00 -> Wednesday 09:15 (Tuesday is a holiday); MCX trades Tuesday evening.
    expect(gate.nextOpen(VENUE_NSE, istEpochMs('2026-11-23', 960))).toBe(istEpochMs('2026-11-25', 555));
    expect(gate.nextOpen(VENUE_COMMODITY, istEpochMs('2026-11-24', 600))).toBe(istEpochMs('2026-11-24', 1020));
    // Friday 2026-11-27 16:00 -> Monday 09:15.
    expect(gate.nextOpen(VENUE_NSE, istEpochMs('2026-11-27', 960))).toBe(istEpochMs('2026-11-30', 555));
    expect(gate.nextClose(VENUE_NSE, istEpochMs('2026-11-30', 600))).toBe(istEpochMs('2026-11-30', 930));
  });

  it("marks days at the session close ('clock') or at midnight ('always')", () => {
    const clock = new SessionGate('clock');
    // The close before Monday 2026-11-30 is Friday's 15:30; after it comes Monday's.
    expect(clock.markAtOrBefore(VENUE_NSE, istEpochMs('2026-11-30'))).toBe(istEpochMs('2026-11-27', 930));
    expect(clock.markAfter(VENUE_NSE, istEpochMs('2026-11-27', 930))).toBe(istEpochMs('2026-11-30', 930));
    expect(clock.markAtOrBefore(VENUE_COMMODITY, istEpochMs('2026-11-25'))).toBe(istEpochMs('2026-11-24', 1435));
    const always = new SessionGate('always');
    expect(always.isOpen(VENUE_NSE, istEpochMs('2026-11-28', 120))).toBe(true);
    expect(always.nextOpen(VENUE_NSE, 123)).toBe(123);
    expect(always.markAtOrBefore(VENUE_NSE, istEpochMs('2026-11-30', 600))).toBe(istEpochMs('2026-11-30'));
    expect(always.markAfter(VENUE_NSE, istEpochMs('2026-11-30'))).toBe(istEpochMs('2026-12-01'));
  });

  it('maps segments to venues and reports every venue', () => {
    expect(['IDX_I', 'NSE_FNO', 'BSE_FNO', 'MCX_COMM', 'NSE_COMM', 'NSE_CURRENCY'].map((s) => venueOf(s as Parameters<typeof venueOf>[0])))
      .toEqual([VENUE_NSE, VENUE_NSE, VENUE_BSE, VENUE_COMMODITY, VENUE_COMMODITY, VENUE_NSE_CURRENCY]);
    const night = venueStatus(istEpochMs('2026-11-25', 1200));
    expect(night.map((v) => [v.venue, v.open])).toEqual([['NSE', false], ['BSE', false], ['NSE currency', false], ['BSE currency', false], ['MCX', true]]);
    expect(night[0]).toMatchObject({ opensAt: istEpochMs('2026-11-26', 555), closesAt: istEpochMs('2026-11-26', 930) });
    expect(night[4]).toMatchObject({ opensAt: istEpochMs('2026-11-25', 540), closesAt: istEpochMs('2026-11-25', 1435) });
  });
});
