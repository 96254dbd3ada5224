import { describe, expect, it } from 'vitest';
import { testRegistry } from '../../../test/helpers/core';
import { feedModes } from './feed-modes';

describe('feed modes', () => {
  it('ticker for indices and equities with listed options; full for options, futures and other equities', () => {
    const registry = testRegistry();
    const mode = feedModes(registry);
    expect(mode({ segment: 'IDX_I', securityId: 13 })).toBe('ticker');
    // RELIANCE (F&O) on NSE: an always-live underlying.
    expect(mode({ segment: 'NSE_EQ', securityId: 2885 })).toBe('ticker');
    // A stock without options, an option, and the MCX future an option follows (its OI and book matter).
    const plain = [...registry.symbols()].map((s) => registry.spot(s)).find((i) => i?.segment === 'NSE_EQ' && registry.optionSegments(i.underlying).length === 0)!;
    expect(mode(plain)).toBe('full');
    const option = registry.optionChain({ symbol: 'NIFTY', ltp: 25_800, strikes: 1 }).strikes[0]!.ce!;
    expect(mode(option)).toBe('full');
    const future = registry.bySymbol('CRUDEOIL').find((i) => i.kind === 'FUTCOM')!;
    expect(mode(future)).toBe('full');
    // Not in the master: the default.
    expect(mode({ segment: 'NSE_EQ', securityId: 999_999_999 })).toBe('full');
  });
});
