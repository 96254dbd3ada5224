import { describe, expect, it } from 'vitest';
import { InstrumentRegistry } from './registry';
import { parseText, readExcerpt } from '../../../test/helpers/fixtures';

// The real excerpt is from a master of about 10 Feb 2026: "today" for these tests.
const AS_OF = '2026-02-10';
const FEB_10_2026_IST = Date.parse('2026-02-10T04:00:00Z');
const registry = new InstrumentRegistry(parseText(readExcerpt()), { now: () => FEB_10_2026_IST });

describe('registry over the real Dhan excerpt', () => {
  it('reads every one of the 299 rows without a skip', () => {
    expect(registry.report.rowsRead).toBe(299);
    expect(registry.report.skipped).toBe(0);
    expect(registry.size).toBe(299);
  });

  it('knows RELIANCE as NSE_EQ 2885 with lot 1', () => {
    const r = registry.get({ segment: 'NSE_EQ', securityId: 2885 });
    expect(r).toMatchObject({ tradingSymbol: 'RELIANCE', kind: 'EQUITY', lotSize: 1, exchange: 'NSE', tickSize: 0.1 });
  });

  it('knows NIFTY as the IDX_I index 13 and BSE SENSEX as IDX_I 51', () => {
    expect(registry.get({ segment: 'IDX_I', securityId: 13 })).toMatchObject({ tradingSymbol: 'NIFTY', kind: 'INDEX', exchange: 'NSE' });
    expect(registry.get({ segment: 'IDX_I', securityId: 51 })).toMatchObject({ tradingSymbol: 'SENSEX', exchange: 'BSE', tickSize: 0.01 });
  });

  it('normalises the NIFTY 25300 CE weekly: expiry, strike, lot 65, tick 0.05 rupees, underlying NIFTY', () => {
    const ce = registry.get({ segment: 'NSE_FNO', securityId: 42512 })!;
    expect(ce).toMatchObject({
      tradingSymbol: 'NIFTY-Feb2026-25300-CE',
      kind: 'OPTIDX',
      underlying: 'NIFTY',
      expiry: '2026-02-10',
      strike: 25300,
      optionType: 'CE',
      lotSize: 65,
      tickSize: 0.05,
      expiryFlag: 'W',
      name: '',
    });
    expect(registry.underlyingOf(ce)).toMatchObject({ segment: 'IDX_I', securityId: 13 });
  });

  it("gives an MCX CRUDEOIL option the CRUDEOIL future expiring next as its underlying", () => {
    const opt = registry.get({ segment: 'MCX_COMM', securityId: 488322 })!;
    expect(opt).toMatchObject({ tradingSymbol: 'CRUDEOIL-17Feb2026-5400-CE', expiry: '2026-02-17', kind: 'OPTFUT' });
    expect(registry.underlyingOf(opt)).toMatchObject({ segment: 'MCX_COMM', securityId: 467013, tradingSymbol: 'CRUDEOIL-19Feb2026-FUT' });
  });

  it('resolves a security id used in two segments to two different instruments', () => {
    // 1594 is INFY on NSE_EQ and a USDINR future on NSE_CURRENCY in the real file.
    const eq = registry.get({ segment: 'NSE_EQ', securityId: 1594 });
    const cur = registry.get({ segment: 'NSE_CURRENCY', securityId: 1594 });
    expect(eq?.tradingSymbol).toBe('INFY');
    expect(cur?.tradingSymbol).toBe('USDINR-Jul2025-FUT');
    expect(registry.get({ segment: 'BSE_EQ', securityId: 1594 })).toBeUndefined();
  });

  it('derives the underlying of NSE derivatives (blank name column) from the trading symbol', () => {
    const fut = registry.get({ segment: 'NSE_FNO', securityId: 59460 })!;
    expect(fut).toMatchObject({ underlying: 'RELIANCE', kind: 'FUTSTK' });
    expect(registry.underlyingOf(fut)).toMatchObject({ segment: 'NSE_EQ', securityId: 2885 });
    const bseOpt = registry.get({ segment: 'BSE_FNO', securityId: 827731 })!;
    expect(bseOpt.underlying).toBe('SENSEX');
    expect(registry.underlyingOf(bseOpt)).toMatchObject({ segment: 'IDX_I', securityId: 51 });
  });

  it('maps NIFTYNXT50 and SENSEX50 derivatives to their differently named index rows', () => {
    const nxt = registry.bySymbol('NIFTYNXT50').find((i) => i.kind === 'FUTIDX')!;
    expect(registry.underlyingOf(nxt)).toMatchObject({ securityId: 38, tradingSymbol: 'NIFTY NEXT 50' });
    const sx50 = registry.bySymbol('SENSEX50').find((i) => i.kind === 'FUTIDX')!;
    expect(registry.underlyingOf(sx50)).toMatchObject({ securityId: 83, tradingSymbol: 'SNSX50' });
  });

  it('lists live expiries only, and the main venue first', () => {
    expect(registry.expiries('NIFTY', { asOf: AS_OF })[0]).toBe('2026-02-10');
    expect(registry.expiries('NIFTY', { asOf: '2026-02-11' })).not.toContain('2026-02-10');
    expect(registry.optionSegments('CRUDEOIL')).toEqual(['MCX_COMM', 'NSE_COMM']);
    expect(registry.expiries('USDINR', { asOf: AS_OF })).toEqual([]); // the July-2025 contracts are expired
    expect(registry.isFnoEligible('RELIANCE', AS_OF)).toBe(true);
    expect(registry.isFnoEligible('YESBANK', AS_OF)).toBe(false);
  });

  it('derives strike steps from listed strikes: NIFTY 50, RELIANCE 10, TCS 20, IDEA 1', () => {
    expect(registry.strikeStep('NIFTY', '2026-02-10', { reference: 25400 })).toBe(50);
    expect(registry.strikeStep('RELIANCE', '2026-02-24', { reference: 1420 })).toBe(10);
    expect(registry.strikeStep('TCS', '2026-02-24', { reference: 3030 })).toBe(20);
    expect(registry.strikeStep('IDEA', '2026-02-24', { reference: 9.4 })).toBe(1);
  });

  it('builds a RELIANCE chain around ATM with CE and PE security ids', () => {
    const chain = registry.optionChain({ symbol: 'reliance', ltp: 1423.4, asOf: AS_OF });
    expect(chain).toMatchObject({ symbol: 'RELIANCE', segment: 'NSE_FNO', expiry: '2026-02-24', step: 10, atm: 1420, lotSize: 500 });
    expect(chain.underlying).toMatchObject({ segment: 'NSE_EQ', securityId: 2885 });
    const atm = chain.strikes.find((s) => s.strike === 1420)!;
    expect(atm.ce).toMatchObject({ segment: 'NSE_FNO', securityId: 131525 });
    expect(atm.pe).toMatchObject({ segment: 'NSE_FNO', securityId: 131526 });
  });

  it('refuses bad chain requests with clear errors', () => {
    expect(() => registry.optionChain({ symbol: 'NOPE', ltp: 100, asOf: AS_OF })).toThrow(/unknown symbol/);
    expect(() => registry.optionChain({ symbol: 'YESBANK', ltp: 20, asOf: AS_OF })).toThrow(/no options/);
    expect(() => registry.optionChain({ symbol: 'RELIANCE', ltp: 0, asOf: AS_OF })).toThrow(/LTP/);
    expect(() => registry.optionChain({ symbol: 'RELIANCE', ltp: Number.NaN, asOf: AS_OF })).toThrow(/LTP/);
    expect(() => registry.optionChain({ symbol: 'RELIANCE', ltp: 1400, expiry: '2026-03-31', asOf: AS_OF })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_EXPIRY' }),
    );
    expect(() => registry.optionChain({ symbol: 'NIFTY', ltp: 25400, expiry: '2026-02-10', asOf: '2026-02-11' })).toThrow(
      expect.objectContaining({ code: 'EXPIRED' }),
    );
  });

  it('defaults "today" to the injected clock in IST', () => {
    expect(registry.today()).toBe(AS_OF);
    expect(registry.optionChain({ symbol: 'NIFTY', ltp: 25400 }).expiry).toBe('2026-02-10');
  });
});
