import { describe, expect, it } from 'vitest';
import { InstrumentRegistry } from './registry';
import { InstrumentSearch, boundedEditDistance, parseQuery } from './search';
import { parseText, readExcerpt } from '../../../test/helpers/fixtures';

const registry = new InstrumentRegistry(parseText(readExcerpt()));
const search = new InstrumentSearch(registry);
const AS_OF = '2026-02-10';
const find = (q: string, limit?: number) => search.search(q, { asOf: AS_OF, ...(limit ? { limit } : {}) });

describe('instrument search', () => {
  it('builds its index on the first query, not with the registry', () => {
    const fresh = new InstrumentSearch(registry);
    expect(fresh.ready).toBe(false);
    expect(fresh.search('tcs', { asOf: AS_OF })[0]).toMatchObject({ tradingSymbol: 'TCS', segment: 'NSE_EQ' });
    expect(fresh.ready).toBe(true);
    // Or when warmed (the engine does it a moment after start-up).
    const warmed = new InstrumentSearch(registry);
    warmed.warm();
    expect(warmed.ready).toBe(true);
  });

  it('puts the exact symbol first: "reliance" gives NSE then BSE equity, then its futures', () => {
    const r = find('reliance');
    expect(r.slice(0, 2).map((i) => `${i.segment}:${i.securityId}`)).toEqual(['NSE_EQ:2885', 'BSE_EQ:500325']);
    expect(r.slice(2, 5).map((i) => i.tradingSymbol)).toEqual(['RELIANCE-Feb2026-FUT', 'RELIANCE-Mar2026-FUT', 'RELIANCE-Apr2026-FUT']);
    expect(r.some((i) => i.kind === 'OPTSTK')).toBe(false);
  });

  it('finds an option by symbol, strike and type: "nifty 25300 ce"', () => {
    const r = find('nifty 25300 ce');
    expect(r[0]).toMatchObject({ tradingSymbol: 'NIFTY-Feb2026-25300-CE', segment: 'NSE_FNO', securityId: 42512 });
    expect(r.every((i) => i.strike === 25300 && i.optionType === 'CE' && i.underlying === 'NIFTY')).toBe(true);
  });

  it('lists futures nearest expiry first: "banknifty fut"', () => {
    const r = find('banknifty fut');
    expect(r.map((i) => i.tradingSymbol)).toEqual(['BANKNIFTY-Feb2026-FUT', 'BANKNIFTY-Mar2026-FUT', 'BANKNIFTY-Apr2026-FUT']);
  });

  it('completes a prefix across venues: "crude" gives CRUDEOIL futures before CRUDEOILM', () => {
    const r = find('crude', 50);
    expect(r[0]!.tradingSymbol).toBe('CRUDEOIL-19Feb2026-FUT');
    const firstMini = r.findIndex((i) => i.underlying === 'CRUDEOILM');
    const lastCrude = r.map((i) => i.underlying).lastIndexOf('CRUDEOIL');
    expect(firstMini).toBeGreaterThan(lastCrude);
  });

  it('matches company names and forgives a typo', () => {
    expect(find('tata consultancy')[0]).toMatchObject({ tradingSymbol: 'TCS', segment: 'NSE_EQ' });
    expect(find('relaince')[0]).toMatchObject({ tradingSymbol: 'RELIANCE', segment: 'NSE_EQ' });
  });

  it('reads a Dhan trading symbol typed as is', () => {
    expect(find('NIFTY-Feb2026-25300-PE')[0]).toMatchObject({ securityId: 42513 });
  });

  it('leaves expired contracts out and returns nothing for nonsense', () => {
    expect(find('usdinr').some((i) => i.expiry !== null && i.expiry < AS_OF)).toBe(false);
    expect(find('zzzzqqq')).toEqual([]);
    expect(find('   ')).toEqual([]);
  });

  it('treats a whole-symbol query with a number as the symbol: "nifty next 50", "nifty 100"', () => {
    expect(find('nifty next 50')[0]).toMatchObject({ segment: 'IDX_I', securityId: 38 });
    expect(find('nifty 100')[0]).toMatchObject({ segment: 'IDX_I', securityId: 17 });
  });

  it('respects the limit', () => {
    expect(find('nifty', 3)).toHaveLength(3);
  });
});

describe('query parsing and edit distance', () => {
  it('separates the name from strike, type, futures and month', () => {
    expect(parseQuery('nifty 25300 ce')).toMatchObject({ name: 'nifty', strike: 25300, optionType: 1 });
    expect(parseQuery('banknifty feb fut')).toMatchObject({ name: 'banknifty', month: 1, futures: true });
    expect(parseQuery('nifty next 50')).toMatchObject({ name: 'nifty next', strike: 50 });
  });

  it('bounds the edit distance', () => {
    expect(boundedEditDistance('relaince', 'reliance', 2)).toBe(2);
    expect(boundedEditDistance('abc', 'abd', 1)).toBe(1);
    expect(boundedEditDistance('abcdef', 'uvwxyz', 2)).toBe(3);
  });
});
