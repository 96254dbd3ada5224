import { describe, expect, it } from 'vitest';
import { feedModes } from './feed-modes';

describe('feed modes', () => {
  it('ticker for indices and the F&O underlyings that are equities; full for options, futures and other equities', () => {
    const underlyings = new Set(['NSE_EQ:2885', 'IDX_I:13', 'MCX_COMM:464926']);
    const mode = feedModes(underlyings);
    expect(mode({ segment: 'IDX_I', securityId: 13 })).toBe('ticker');
    expect(mode({ segment: 'IDX_I', securityId: 51 })).toBe('ticker');
    expect(mode({ segment: 'NSE_EQ', securityId: 2885 })).toBe('ticker');
    // A stock without options, an option, and the MCX future an option follows (its OI and book matter).
    expect(mode({ segment: 'NSE_EQ', securityId: 11915 })).toBe('full');
    expect(mode({ segment: 'NSE_FNO', securityId: 35001 })).toBe('full');
    expect(mode({ segment: 'MCX_COMM', securityId: 464926 })).toBe('full');
  });
});
