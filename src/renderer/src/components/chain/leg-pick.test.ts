import { describe, expect, it } from 'vitest';
import type { ChainLeg, ChainRow } from './chain-model';
import { leg } from './chain-test-data';
import { legPickOnClick, legPickOnKey } from './leg-pick';

/** The 25,500 strike: CE quoted 354.5 / 356.25, PE quoted 98.1 / 99.4 (each overridable). */
function row(ce: Partial<ChainLeg> | null = {}, pe: Partial<ChainLeg> | null = {}): ChainRow {
  return {
    strike: 25_500,
    ceToken: 'T:25500:CE',
    peToken: 'T:25500:PE',
    ce: ce === null ? null : leg(25_500, { bid: 354.5, ask: 356.25, ...ce }),
    pe: pe === null ? null : leg(25_500, { bid: 98.1, ask: 99.4, ...pe }),
    atm: true,
    nearest: false,
    ceItm: true,
    peItm: false,
  };
}

describe('legPickOnClick', () => {
  it('a click on a bid sells that leg at the bid', () => {
    expect(legPickOnClick('ce_bid', row())).toEqual({ strike: 25_500, option_type: 'CE', side: 'SELL', price: 354.5 });
    expect(legPickOnClick('pe_bid', row())).toEqual({ strike: 25_500, option_type: 'PE', side: 'SELL', price: 98.1 });
  });

  it('a click on an ask buys that leg at the ask', () => {
    expect(legPickOnClick('pe_ask', row())).toEqual({ strike: 25_500, option_type: 'PE', side: 'BUY', price: 99.4 });
    expect(legPickOnClick('ce_ask', row())).toEqual({ strike: 25_500, option_type: 'CE', side: 'BUY', price: 356.25 });
  });

  it('a click on a cell that is not a quote picks nothing', () => {
    for (const col of ['strike', 'ce_ltp', 'pe_ltp', 'ce_oi', 'pe_iv', 'ce_change', 'bid', 'ask', 'ce_bid_qty', 'xce_bid', '']) {
      expect(legPickOnClick(col, row()), col).toBeNull();
    }
  });

  it('an unquoted side picks the leg without a price (the engine prices it at the mid)', () => {
    for (const bid of [0, null, Number.NaN, -1]) {
      expect(legPickOnClick('ce_bid', row({ bid })), String(bid)).toEqual({ strike: 25_500, option_type: 'CE', side: 'SELL', price: null });
    }
    for (const ask of [0, null, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(legPickOnClick('pe_ask', row({}, { ask })), String(ask)).toEqual({ strike: 25_500, option_type: 'PE', side: 'BUY', price: null });
    }
    // The other side quoted still gives its own price.
    expect(legPickOnClick('ce_ask', row({ bid: null }))?.price).toBe(356.25);
  });

  it('no row, or a strike without that leg, picks nothing', () => {
    expect(legPickOnClick('ce_bid', undefined)).toBeNull();
    expect(legPickOnClick('ce_bid', row(null))).toBeNull();
    expect(legPickOnClick('pe_ask', row({}, null))).toBeNull();
    expect(legPickOnClick('pe_ask', row(null))).toEqual({ strike: 25_500, option_type: 'PE', side: 'BUY', price: 99.4 });
  });
});

describe('legPickOnKey', () => {
  it('B buys at the ask and S sells at the bid, in either case, on any cell of a leg', () => {
    for (const col of ['ce_ltp', 'ce_oi', 'ce_iv', 'ce_bid', 'ce_ask']) {
      expect(legPickOnKey('b', col, row()), `b ${col}`).toEqual({ strike: 25_500, option_type: 'CE', side: 'BUY', price: 356.25 });
      expect(legPickOnKey('B', col, row()), `B ${col}`).toEqual({ strike: 25_500, option_type: 'CE', side: 'BUY', price: 356.25 });
      expect(legPickOnKey('s', col, row()), `s ${col}`).toEqual({ strike: 25_500, option_type: 'CE', side: 'SELL', price: 354.5 });
      expect(legPickOnKey('S', col, row()), `S ${col}`).toEqual({ strike: 25_500, option_type: 'CE', side: 'SELL', price: 354.5 });
    }
    for (const col of ['pe_ltp', 'pe_delta', 'pe_bid', 'pe_ask']) {
      expect(legPickOnKey('B', col, row()), `B ${col}`).toEqual({ strike: 25_500, option_type: 'PE', side: 'BUY', price: 99.4 });
      expect(legPickOnKey('s', col, row()), `s ${col}`).toEqual({ strike: 25_500, option_type: 'PE', side: 'SELL', price: 98.1 });
    }
  });

  it('the key decides the side, not the cell: B on a bid still buys at the ask', () => {
    expect(legPickOnKey('b', 'ce_bid', row())).toMatchObject({ side: 'BUY', price: 356.25 });
    expect(legPickOnKey('s', 'pe_ask', row())).toMatchObject({ side: 'SELL', price: 98.1 });
  });

  it('other keys, and cells outside a leg, pick nothing', () => {
    for (const key of ['a', 'x', 'Enter', ' ', 'Buy', 'ArrowDown', '', 'bs']) expect(legPickOnKey(key, 'ce_ltp', row()), key).toBeNull();
    for (const col of ['strike', 'ce', 'pe', 'xce_ltp', '']) {
      expect(legPickOnKey('B', col, row()), col).toBeNull();
      expect(legPickOnKey('S', col, row()), col).toBeNull();
    }
  });

  it('an unquoted side gives price null, so the engine prices the leg at the mid', () => {
    expect(legPickOnKey('S', 'ce_ltp', row({ bid: 0 }))).toEqual({ strike: 25_500, option_type: 'CE', side: 'SELL', price: null });
    expect(legPickOnKey('b', 'pe_oi', row({}, { ask: null }))).toEqual({ strike: 25_500, option_type: 'PE', side: 'BUY', price: null });
    expect(legPickOnKey('B', 'pe_oi', row({}, { ask: Number.NaN }))?.price).toBeNull();
  });

  it('no row, or a strike without that leg, picks nothing', () => {
    expect(legPickOnKey('B', 'ce_ltp', undefined)).toBeNull();
    expect(legPickOnKey('S', 'pe_ltp', row({}, null))).toBeNull();
  });
});
