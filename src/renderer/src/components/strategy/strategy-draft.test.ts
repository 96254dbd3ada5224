import { describe, expect, it } from 'vitest';
import { createStrategyDrafts, MAX_DRAFT_LEGS, templateLegs, type NewLeg } from './strategy-draft';

const EXP = '2026-12-08';
const leg = (over: Partial<NewLeg> = {}): NewLeg => ({ expiry: EXP, strike: 25_500, option_type: 'CE', side: 'BUY', lots: 1, price: null, ...over });

describe('strategy drafts', () => {
  it('keeps one draft per symbol and adds a lot to a leg already there (same contract and side)', () => {
    const d = createStrategyDrafts();
    d.add('NIFTY', leg());
    d.add('NIFTY', leg({ side: 'SELL' }));
    d.add('NIFTY', leg({ price: 101.5 }));
    d.add('BANKNIFTY', leg({ strike: 57_000 }));
    const nifty = d.legs('NIFTY');
    expect(nifty.map((l) => [l.side, l.lots, l.price])).toEqual([
      ['BUY', 2, 101.5],
      ['SELL', 1, null],
    ]);
    expect(d.legs('BANKNIFTY')).toHaveLength(1);
    d.update('NIFTY', nifty[0]!.key, { lots: 5, price: null });
    expect(d.legs('NIFTY')[0]).toMatchObject({ lots: 5, price: null });
    d.remove('NIFTY', nifty[1]!.key);
    expect(d.legs('NIFTY')).toHaveLength(1);
    d.clear('NIFTY');
    expect(d.legs('NIFTY')).toEqual([]);
  });

  it(`stops at ${MAX_DRAFT_LEGS} legs, as the engine does`, () => {
    const d = createStrategyDrafts();
    for (let i = 0; i < MAX_DRAFT_LEGS; i++) expect(d.add('NIFTY', leg({ strike: 20_000 + i * 50 }))).toBe(true);
    expect(d.add('NIFTY', leg({ strike: 30_000 }))).toBe(false);
    expect(d.legs('NIFTY')).toHaveLength(MAX_DRAFT_LEGS);
  });
});

describe('templates', () => {
  const chain = { expiry: EXP, atm: 25_500, strikes: [25_300, 25_350, 25_400, 25_450, 25_500, 25_550, 25_600, 25_650, 25_700] };
  const shape = (legs: NewLeg[]) => legs.map((l) => `${l.side} ${l.lots} ${l.strike} ${l.option_type}`);

  it('builds the iron condor two and four strikes out on each side, prices left to the market', () => {
    const legs = templateLegs('iron-condor', chain);
    expect(shape(legs)).toEqual(['BUY 1 25300 PE', 'SELL 1 25400 PE', 'SELL 1 25600 CE', 'BUY 1 25700 CE']);
    expect(legs.every((l) => l.price === null && l.expiry === EXP)).toBe(true);
  });

  it('builds straddles at the ATM, spreads and the butterfly around it', () => {
    expect(shape(templateLegs('long-straddle', chain))).toEqual(['BUY 1 25500 CE', 'BUY 1 25500 PE']);
    expect(shape(templateLegs('short-strangle', chain))).toEqual(['SELL 1 25600 CE', 'SELL 1 25400 PE']);
    expect(shape(templateLegs('bull-call-spread', chain))).toEqual(['BUY 1 25500 CE', 'SELL 1 25600 CE']);
    expect(shape(templateLegs('bear-put-spread', chain))).toEqual(['BUY 1 25500 PE', 'SELL 1 25400 PE']);
    expect(shape(templateLegs('butterfly', chain))).toEqual(['BUY 1 25400 CE', 'SELL 2 25500 CE', 'BUY 1 25600 CE']);
  });

  it('snaps to the listed strikes: an ATM between strikes, wings clamped at the ends', () => {
    const near = templateLegs('iron-condor', { ...chain, atm: 25_340, strikes: [25_300, 25_350, 25_400] });
    expect(shape(near)).toEqual(['BUY 1 25300 PE', 'SELL 1 25300 PE', 'SELL 1 25400 CE', 'BUY 1 25400 CE']);
    expect(templateLegs('long-straddle', { ...chain, strikes: [] })).toEqual([]);
  });
});
