import { describe, expect, it } from 'vitest';
import { deriveUnderlying, underlyingEnd } from './symbols';

const onBytes = (symbol: string) => {
  const b = Buffer.from(`,${symbol},`, 'utf8');
  return b.toString('utf8', 1, underlyingEnd(b, 1, b.length - 1));
};

describe('underlying of a trading symbol', () => {
  it('reads the master conventions', () => {
    expect(deriveUnderlying('NIFTY-Feb2026-25300-CE')).toBe('NIFTY');
    expect(deriveUnderlying('BAJAJ-AUTO-Feb2026-FUT')).toBe('BAJAJ-AUTO');
    expect(deriveUnderlying('USDINR-Jul2025-78.25-PE')).toBe('USDINR');
    expect(deriveUnderlying('CRUDEOIL-17Feb2026-5400-CE')).toBe('CRUDEOIL');
  });

  it('gives the same answer on bytes as on text, odd symbols included', () => {
    const parts = ['-', 'CE', 'PE', 'FUT', 'E', 'NIFTY', 'Feb2026', '25300', 'é', '💹', 'A-B'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % parts.length;
    for (let t = 0; t < 20_000; t++) {
      let s = '';
      for (let n = t % 7; n > 0; n--) s += parts[next()];
      expect(onBytes(s), s).toBe(deriveUnderlying(s));
    }
  });
});
