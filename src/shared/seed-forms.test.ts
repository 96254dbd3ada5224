import { describe, expect, it } from 'vitest';
import { formatSeedToken, parseExpiry, parseSeedToken, seedTokenOf, userIdOf } from './seed-forms';

describe('parseExpiry', () => {
  it("reads YYYY-MM-DD and the seed's DDMMMYYYY (any case) as YYYY-MM-DD", () => {
    expect(parseExpiry('2026-02-26')).toBe('2026-02-26');
    expect(parseExpiry('26FEB2026')).toBe('2026-02-26');
    expect(parseExpiry('26feb2026')).toBe('2026-02-26');
    expect(parseExpiry('26Feb2026')).toBe('2026-02-26');
    expect(parseExpiry('01JAN2027')).toBe('2027-01-01');
    expect(parseExpiry('31DEC2026')).toBe('2026-12-31');
    expect(parseExpiry('29FEB2028')).toBe('2028-02-29');
    expect(parseExpiry('2028-02-29')).toBe('2028-02-29');
  });

  it('refuses what is not a calendar date', () => {
    for (const bad of ['2026-13-45', '2026-02-30', '2026-00-10', '2026-04-31', '2027-02-29', '31FEB2026', '29FEB2027', '00JAN2026', '32JAN2026', '26XYZ2026', '6FEB2026', '26FEB26', '26-FEB-2026', '2026/02/26', '26FEB2026 ', '', 'soon']) {
      expect(parseExpiry(bad), bad).toBeNull();
    }
  });
});

describe('user ids', () => {
  it('reads integers as their decimal string, so 1 and "1" are one user', () => {
    expect(userIdOf(1)).toBe('1');
    expect(userIdOf('1')).toBe(userIdOf(1));
    expect(userIdOf(0)).toBe('0');
    expect(userIdOf('trader one')).toBe('trader one');
  });
});

describe('seed tokens', () => {
  it('parse SYMBOL_DDMMM_STRIKE{CE|PE} in any case', () => {
    expect(parseSeedToken('RELIANCE_26FEB_2640CE')).toEqual({ symbol: 'RELIANCE', day: 26, month: 2, strike: 2640, optionType: 'CE' });
    expect(parseSeedToken('reliance_26feb_2640pe')).toEqual({ symbol: 'RELIANCE', day: 26, month: 2, strike: 2640, optionType: 'PE' });
    expect(parseSeedToken('M&M_30DEC_3000.5CE')).toEqual({ symbol: 'M&M', day: 30, month: 12, strike: 3000.5, optionType: 'CE' });
    expect(parseSeedToken('BAJAJ-AUTO_29FEB_9000PE')).toMatchObject({ symbol: 'BAJAJ-AUTO', day: 29, month: 2 });
    expect(parseSeedToken('SOME_SYM_26FEB_100CE')).toMatchObject({ symbol: 'SOME_SYM' });
  });

  it('refuse other shapes, unknown months and days no year has', () => {
    for (const bad of ['NSE_FNO:42512', 'RELIANCE', 'RELIANCE_26FEB_2640', 'RELIANCE_26FEB_2640XX', 'RELIANCE_26XYZ_2640CE', 'RELIANCE_31FEB_2640CE', 'RELIANCE_30FEB_2640CE', 'RELIANCE_31APR_2640CE', 'RELIANCE_00JAN_2640CE', 'RELIANCE_6FEB_2640CE', 'RELIANCE_26FEB2026_2640CE', 'RELIANCE_26FEB_0CE', '_26FEB_2640CE', 'RELI ANCE_26FEB_2640CE']) {
      expect(parseSeedToken(bad), bad).toBeNull();
    }
  });

  it('format canonically, and round-trip', () => {
    expect(formatSeedToken({ symbol: 'RELIANCE', day: 6, month: 3, strike: 2640, optionType: 'CE' })).toBe('RELIANCE_06MAR_2640CE');
    expect(formatSeedToken(parseSeedToken('reliance_26feb_2640.50ce')!)).toBe('RELIANCE_26FEB_2640.5CE');
    for (const t of ['RELIANCE_26FEB_2640CE', 'NIFTY_03FEB_23200PE', 'CRUDEOIL_16FEB_5500CE', 'USDINR_26FEB_83.25CE']) {
      expect(formatSeedToken(parseSeedToken(t)!)).toBe(t);
    }
  });

  it('name options only', () => {
    const option = { underlying: 'RELIANCE', expiry: '2026-02-26', strike: 2640, optionType: 'CE' as const };
    expect(seedTokenOf(option)).toBe('RELIANCE_26FEB_2640CE');
    expect(seedTokenOf({ ...option, strike: 83.25, underlying: 'USDINR', optionType: 'PE' })).toBe('USDINR_26FEB_83.25PE');
    expect(seedTokenOf({ underlying: 'RELIANCE', expiry: '2026-02-24', strike: null, optionType: null })).toBeNull(); // a future
    expect(seedTokenOf({ underlying: 'RELIANCE', expiry: null, strike: null, optionType: null })).toBeNull(); // the equity
  });
});
