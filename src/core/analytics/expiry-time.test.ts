import { describe, expect, it } from 'vitest';
import { istEpochMs } from '../../shared/market-calendar';
import { bucketedYearsToExpiry, expiryInstant, timeBucketMs, YEAR_MS, yearsToExpiry } from './expiry-time';

describe('expiryInstant', () => {
  it('puts NSE/BSE expiries at 15:30 IST and MCX at 23:30 IST', () => {
    expect(new Date(expiryInstant('2026-02-24', 'NSE_FNO')).toISOString()).toBe('2026-02-24T10:00:00.000Z');
    expect(new Date(expiryInstant('2026-02-26', 'BSE_FNO')).toISOString()).toBe('2026-02-26T10:00:00.000Z');
    expect(new Date(expiryInstant('2026-02-17', 'MCX_COMM')).toISOString()).toBe('2026-02-17T18:00:00.000Z');
    expect(new Date(expiryInstant('2026-02-26', 'NSE_CURRENCY')).toISOString()).toBe('2026-02-26T11:30:00.000Z');
    expect(expiryInstant('not a date', 'NSE_FNO')).toBeNaN();
  });
});

describe('yearsToExpiry', () => {
  const close = istEpochMs('2026-02-24', 930);

  it('counts calendar time in 365-day years to the close, 0 after it', () => {
    expect(yearsToExpiry(close, istEpochMs('2026-02-23', 930))).toBeCloseTo(1 / 365, 15);
    expect(yearsToExpiry(close, close - 3_600_000)).toBeCloseTo(3_600_000 / YEAR_MS, 15);
    expect(yearsToExpiry(close, close)).toBe(0);
    expect(yearsToExpiry(close, close + 1)).toBe(0);
    expect(yearsToExpiry(Number.NaN, close)).toBeNaN();
  });

  it('holds T steady within a bucket, rounds it up, and refines the bucket near expiry', () => {
    expect(timeBucketMs(10 * 86_400_000)).toBe(60_000);
    expect(timeBucketMs(30 * 60_000)).toBe(10_000);
    expect(timeBucketMs(5 * 60_000)).toBe(1_000);
    const at = (ms: number): number => bucketedYearsToExpiry(close, ms);
    const t0 = close - 86_400_000; // exactly on a minute
    expect(at(t0)).toBe(86_400_000 / YEAR_MS);
    expect(at(t0 + 1)).toBe(86_400_000 / YEAR_MS); // rounded up to the same bucket
    expect(at(t0 + 59_999)).toBe(86_400_000 / YEAR_MS);
    expect(at(t0 + 60_000)).toBe((86_400_000 - 60_000) / YEAR_MS);
    // Thirty seconds before the close: 1 s buckets, never 0 while live.
    expect(at(close - 30_000)).toBe(30_000 / YEAR_MS);
    expect(at(close - 1)).toBe(1_000 / YEAR_MS);
    expect(at(close)).toBe(0);
    // Relative error under 1% everywhere above the last 100 seconds.
    for (let left = 100_000; left < 40 * 86_400_000; left = Math.ceil(left * 1.37)) {
      expect(at(close - left) / yearsToExpiry(close, close - left) - 1).toBeLessThan(0.01);
    }
    expect(bucketedYearsToExpiry(close, close - 12_345, 0)).toBe(12_345 / YEAR_MS);
  });
});
