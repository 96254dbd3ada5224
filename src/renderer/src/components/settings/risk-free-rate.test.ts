import { describe, expect, it } from 'vitest';
import { formatRatePercent, parseRatePercent } from './risk-free-rate';

describe('risk-free rate as a percentage', () => {
  it('formats a fraction with two decimals', () => {
    expect(formatRatePercent(0.065)).toBe('6.50');
    expect(formatRatePercent(0)).toBe('0.00');
    expect(formatRatePercent(0.5)).toBe('50.00');
    expect(formatRatePercent(0.0725)).toBe('7.25');
  });

  it('reads a typed percentage as a clean fraction', () => {
    expect(parseRatePercent('6.5')).toEqual({ ok: true, fraction: 0.065 });
    expect(parseRatePercent(' 7.1 % ')).toEqual({ ok: true, fraction: 0.071 });
    expect(parseRatePercent('.5')).toEqual({ ok: true, fraction: 0.005 });
    expect(parseRatePercent('0')).toEqual({ ok: true, fraction: 0 });
    expect(parseRatePercent('50')).toEqual({ ok: true, fraction: 0.5 });
    expect(parseRatePercent('6.')).toEqual({ ok: true, fraction: 0.06 });
  });

  it('refuses text outside 0-50 % or not a plain number', () => {
    for (const t of ['', '  ', '50.01', '-1', '+5', '6,5', '1e1', 'abc', '6.5.1', '%', 'Infinity', '0x10']) {
      expect(parseRatePercent(t).ok, t).toBe(false);
    }
  });
});
