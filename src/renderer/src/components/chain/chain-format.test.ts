import { describe, expect, it } from 'vitest';
import { istEpochMs } from '../../../../shared/market-calendar';
import {
  expiryLabel, formatCount, formatFit, formatFixed, formatGamma, formatIv, formatIvCell, formatPrice, formatSigned, formatTradeTime, groupIndian, NO_VALUE, signOf,
  timeToExpiry, untradedTitle,
} from './chain-format';

describe('Indian number formats', () => {
  it('groups thousands, then lakhs and crores', () => {
    expect(groupIndian('1')).toBe('1');
    expect(groupIndian('999')).toBe('999');
    expect(groupIndian('1000')).toBe('1,000');
    expect(groupIndian('100000')).toBe('1,00,000');
    expect(groupIndian('7203430')).toBe('72,03,430');
    expect(groupIndian('123456789')).toBe('12,34,56,789');
  });

  it('formats counts, prices and signed changes', () => {
    expect(formatCount(7_203_430)).toBe('72,03,430');
    expect(formatCount(-3_705)).toBe('-3,705');
    expect(formatCount(null)).toBe(NO_VALUE);
    expect(formatPrice(25_486.15)).toBe('25,486.15');
    expect(formatPrice(0.05)).toBe('0.05');
    expect(formatPrice(227.8)).toBe('227.80');
    expect(formatPrice(null)).toBe(NO_VALUE);
    expect(formatSigned(95.5, 2)).toBe('+95.50');
    expect(formatSigned(-222.85, 2)).toBe('-222.85');
    expect(formatSigned(0, 2)).toBe('0.00');
    expect(formatSigned(-0.001, 2)).toBe('0.00');
    expect(formatSigned(-123_456, 0)).toBe('-1,23,456');
    expect(formatSigned(null, 0)).toBe(NO_VALUE);
    expect(signOf(1)).toBe('up');
    expect(signOf(-1)).toBe('down');
    expect(signOf(0)).toBe('');
    expect(signOf(null)).toBe('');
  });
});

describe('numbers that must fit a grid cell', () => {
  it('keeps a number whole while it fits', () => {
    expect(formatFit(72_03_430, 0, 9)).toBe('72,03,430');
    expect(formatFit(-3_705, 0, 7, true)).toBe('-3,705');
    expect(formatFit(4_875, 0, 7, true)).toBe('+4,875');
    expect(formatFit(0, 0, 7, true)).toBe('0');
    expect(formatFit(2_857.45, 2, 8)).toBe('2,857.45');
    expect(formatFit(-311.55, 2, 7, true)).toBe('-311.55');
    expect(formatFit(null, 0, 9)).toBe(NO_VALUE);
    expect(formatFit(Number.NaN, 2, 8)).toBe(NO_VALUE);
  });

  it('steps a large count up to lakhs, then crores, as Indian chains do', () => {
    expect(formatFit(1_01_88_888, 0, 9)).toBe('1.02Cr');
    expect(formatFit(99_99_999, 0, 8)).toBe('100.00L');
    expect(formatFit(12_34_567, 0, 7, true)).toBe('+12.35L');
    expect(formatFit(-12_34_567, 0, 7, true)).toBe('-12.35L');
    expect(formatFit(-1_23_45_678, 0, 7, true)).toBe('-1.23Cr');
    expect(formatFit(5_43_21_00_000, 0, 8)).toBe('543.21Cr');
    // Decimals give way before the unit does: 7 characters leave room for one.
    expect(formatFit(5_43_21_00_000, 0, 7)).toBe('543.2Cr');
    expect(formatFit(-45_67_89_00_000, 0, 7, true)).toBe('-4568Cr');
  });

  it('drops the grouping, then decimals, of a price or change that does not fit', () => {
    expect(formatFit(12_857.45, 2, 8)).toBe('12857.45');
    expect(formatFit(-1_234.5, 2, 7, true)).toBe('-1234.5');
    expect(formatFit(1_23_456.78, 2, 8)).toBe('123456.8');
    expect(formatFit(-12_345.67, 2, 7, true)).toBe('-12346');
  });
});

describe('analytics formats', () => {
  it('shows IV as a percentage with one decimal', () => {
    expect(formatIv(0.1432)).toBe('14.3');
    expect(formatIv(0.0996)).toBe('10.0');
    expect(formatIv(2.5)).toBe('250.0');
    expect(formatIv(null)).toBe(NO_VALUE);
  });

  it('shows a missing IV by its reason, never as 0', () => {
    expect(formatIvCell(null, 'below-intrinsic')).toBe('<intr');
    expect(formatIvCell(null, 'no-price')).toBe('no px');
    expect(formatIvCell(null, null)).toBe(NO_VALUE);
    expect(formatIvCell(0.21, null)).toBe('21.0');
  });

  it('shows greeks to 2 decimals and gamma to 4, or in 3 significant digits when tiny', () => {
    expect(formatFixed(-0.4871, 2)).toBe('-0.49');
    expect(formatFixed(-0.001, 2)).toBe('0.00');
    expect(formatFixed(-12.34, 2)).toBe('-12.34');
    expect(formatGamma(0.001234)).toBe('0.0012');
    expect(formatGamma(0.0001)).toBe('0.0001');
    expect(formatGamma(0.0000825)).toBe('8.25e-5');
    expect(formatGamma(0)).toBe('0.0000');
    expect(formatGamma(null)).toBe(NO_VALUE);
  });
});

describe('time to expiry', () => {
  const close = istEpochMs('2026-12-01', 15 * 60 + 30);
  it('counts to 15:30 IST on the expiry date', () => {
    expect(timeToExpiry('2026-12-01', close - (6 * 24 + 4) * 3_600_000 - 5 * 60_000)).toBe('6d 4h');
    expect(timeToExpiry('2026-12-01', close - 3 * 3_600_000 - 12 * 60_000)).toBe('3h 12m');
    expect(timeToExpiry('2026-12-01', close - 12 * 60_000)).toBe('12m');
    expect(timeToExpiry('2026-12-01', close)).toBe('expired');
    // 15:30 IST is 10:00 UTC.
    expect(timeToExpiry('2026-12-01', Date.UTC(2026, 11, 1, 8, 0))).toBe('2h 0m');
    expect(timeToExpiry('bad', close)).toBe(NO_VALUE);
  });

  it('labels expiry tabs, with the year only when it is not the current one', () => {
    expect(expiryLabel('2026-12-01', 2026)).toBe('01 Dec');
    expect(expiryLabel('2027-01-25', 2026)).toBe('25 Jan 27');
  });
});

describe('untraded legs', () => {
  it('say when the last trade was, in IST', () => {
    expect(formatTradeTime(istEpochMs('2026-11-30', 16 * 60 + 25) + 7_000)).toBe('30 Nov 16:25:07 IST');
    expect(formatTradeTime(null)).toBe(NO_VALUE);
    expect(untradedTitle(istEpochMs('2026-02-09', 9 * 60 + 5))).toBe('No trade today: previous close (last trade 09 Feb 09:05:00 IST)');
    expect(untradedTitle(null)).toBe('No trade today: previous close (no trade known)');
  });

  it('mark a missing IV for want of a trade today, never 0', () => {
    expect(formatIvCell(null, 'no-trade-today')).toBe('no trd');
  });
});
