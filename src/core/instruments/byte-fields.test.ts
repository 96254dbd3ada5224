import { describe, expect, it } from 'vitest';
import { parseDecimal } from './byte-fields';

const dec = (text: string): number => {
  const buf = Buffer.from(`,${text},`, 'latin1'); // a field inside a line, not the whole buffer
  return parseDecimal(buf, 1, buf.length - 1);
};

describe('parseDecimal', () => {
  it('reads plain decimals as the master writes them', () => {
    expect(dec('65.0')).toBe(65);
    expect(dec('25300.00000')).toBe(25300);
    expect(dec('-0.01000')).toBe(-0.01);
    expect(dec('78.25')).toBe(78.25);
    expect(dec('+3')).toBe(3);
    expect(dec('.5')).toBe(0.5);
    expect(dec('7.')).toBe(7);
  });

  it('reads exponent notation (a BSE bond lot of 1.0E7)', () => {
    expect(dec('1.0E7')).toBe(10_000_000);
    expect(dec('1.0e7')).toBe(10_000_000);
    expect(dec('1E+7')).toBe(10_000_000);
    expect(dec('2.5E-3')).toBe(0.0025);
    expect(dec('-1.25E2')).toBe(-125);
    expect(dec('1.4E3')).toBe(1400);
    expect(dec('0.0E5')).toBe(0);
  });

  it('matches Number() on exponent forms within a double\'s exact range', () => {
    for (const t of ['1.0E7', '6.5E1', '1.2345E4', '9.99E-1', '3E22', '1.5E0', '4.0E-2', '7.25E15']) expect(dec(t)).toBe(Number(t));
  });

  it('overflows to Infinity and underflows to 0 without NaN', () => {
    expect(dec('1.0E400')).toBe(Infinity);
    expect(dec('-1.0E400')).toBe(-Infinity);
    expect(dec('1.0E99999999999')).toBe(Infinity);
    expect(dec('1.0E-400')).toBe(0);
    expect(dec('0E99999')).toBe(0);
  });

  it('refuses anything that is not a number', () => {
    for (const t of ['', '-', '.', 'E7', '.E7', '1.0E', '1.0E+', '1.0E-', '1.0EE7', '1.0E7x', '1.0E 7', 'lots', '1,0', '1.0.0', 'Infinity', 'NaN', '0x10']) {
      expect(dec(t), t).toBeNaN();
    }
  });
});
