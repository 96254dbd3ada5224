import { describe, expect, it } from 'vitest';
import { generateMaster } from '../src/sim/master-generator';
import { INDICES, FNO_STOCKS } from '../src/sim/universe';
import { InstrumentRegistry } from '../src/core/instruments/registry';
import { InstrumentSearch } from '../src/core/instruments/search';
import { roundToStep } from '../src/core/instruments/strike-math';
import { parseText } from './helpers/fixtures';

const AS_OF = '2026-11-24';
const registry = new InstrumentRegistry(parseText(generateMaster({ asOf: AS_OF, rows: 40_000, seed: 7 })), {
  now: () => Date.parse(`${AS_OF}T05:00:00Z`),
});
const nearest = (symbol: string) => registry.expiries(symbol, { asOf: AS_OF })[0]!;
const basePrice = (symbol: string): number => {
  const idx = INDICES.find((i) => i.symbol === symbol);
  if (idx) return idx.price;
  return FNO_STOCKS.find((s) => s.symbol === symbol)!.price;
};

describe('registry over the generated master', () => {
  it('parses every generated row', () => {
    expect(registry.report.skipped).toBe(0);
    expect(registry.size).toBe(registry.report.rowsRead);
  });

  it.each([
    ['NIFTY', 50],
    ['BANKNIFTY', 100],
    ['MIDCPNIFTY', 25],
    ['FINNIFTY', 50],
    ['SENSEX', 100],
    ['RELIANCE', 10],
  ])('derives the %s strike step near the money as %i', (symbol, step) => {
    expect(registry.strikeStep(symbol, nearest(symbol), { reference: basePrice(symbol) })).toBe(step);
  });

  it('builds a 101-strike NIFTY chain centred on ATM, every strike with CE and PE', () => {
    const ltp = basePrice('NIFTY') + 13;
    const chain = registry.optionChain({ symbol: 'NIFTY', ltp, asOf: AS_OF });
    expect(chain.strikes).toHaveLength(101);
    expect(chain.atm).toBe(roundToStep(ltp, 50));
    const i = chain.strikes.findIndex((s) => s.strike === chain.atm);
    expect(i).toBe(50);
    expect(chain.strikes.every((s) => s.ce && s.pe && s.ce.segment === 'NSE_FNO')).toBe(true);
    expect(chain.strikes[100]!.strike - chain.strikes[0]!.strike).toBe(100 * 50);
    expect(chain.underlying).toMatchObject({ segment: 'IDX_I', securityId: 13 });
  });

  it('builds a 25-strike stock chain centred on ATM', () => {
    const chain = registry.optionChain({ symbol: 'RELIANCE', ltp: basePrice('RELIANCE') + 3.2, asOf: AS_OF });
    expect(chain.strikes).toHaveLength(25);
    expect(chain.strikes[12]!.strike).toBe(chain.atm);
    expect(chain.underlying).toMatchObject({ segment: 'NSE_EQ', securityId: 2885 });
  });

  it('links every Tier B chain to the instrument that drives its ATM', () => {
    for (const [symbol, segment] of [['NIFTY', 'IDX_I'], ['BANKNIFTY', 'IDX_I'], ['SENSEX', 'IDX_I'], ['BANKEX', 'IDX_I'], ['CRUDEOIL', 'MCX_COMM'], ['NATURALGAS', 'MCX_COMM']] as const) {
      const ladder = registry.ladder(symbol, nearest(symbol))!;
      const row = ladder.ce.find((r) => r >= 0)!;
      const inst = registry.table.get(row);
      expect(registry.underlyingOf(inst)?.segment, symbol).toBe(segment);
    }
  });

  it('derives hyphenated underlyings (BAJAJ-AUTO) from trading symbols', () => {
    expect(registry.optionSegments('BAJAJ-AUTO')).toContain('NSE_FNO');
    const chain = registry.optionChain({ symbol: 'BAJAJ-AUTO', ltp: basePrice('BAJAJ-AUTO'), asOf: AS_OF });
    expect(chain.underlying).toMatchObject({ segment: 'NSE_EQ', tradingSymbol: 'BAJAJ-AUTO' });
  });

  it('search finds what a trader types', () => {
    const search = new InstrumentSearch(registry);
    expect(search.search('reliance', { asOf: AS_OF })[0]).toMatchObject({ segment: 'NSE_EQ', securityId: 2885 });
    const nifty = search.search('nifty fut', { asOf: AS_OF });
    expect(nifty[0]).toMatchObject({ kind: 'FUTIDX', underlying: 'NIFTY' });
    expect(search.search('crude', { asOf: AS_OF })[0]).toMatchObject({ underlying: 'CRUDEOIL', segment: 'MCX_COMM', kind: 'FUTCOM' });
  });
});
