import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database';
import { StrategiesRepo, type NewStrategy, type SavedStrategyLeg } from './strategies-repo';

let db: Db;
let repo: StrategiesRepo;
let clock: number;

beforeEach(() => {
  db = openDatabase(':memory:');
  clock = 1_790_000_000_000;
  repo = new StrategiesRepo(db, () => clock);
});
afterEach(() => db.close());

const option = (strike: number, optionType: 'CE' | 'PE', side: 'BUY' | 'SELL', price: number): SavedStrategyLeg => ({
  expiry: '2026-11-26',
  strike,
  optionType,
  side,
  lots: 2,
  price,
  lotSize: 75,
  segment: 'NSE_FNO',
  securityId: 40_000 + strike / 50 + (optionType === 'PE' ? 1 : 0),
  tradingSymbol: `NIFTY-Nov2026-${strike}-${optionType}`,
});
const straddle: NewStrategy = { name: 'NIFTY straddle', symbol: 'NIFTY', legs: [option(25_300, 'CE', 'BUY', 120.5), option(25_300, 'PE', 'BUY', 98.25)] };

describe('StrategiesRepo', () => {
  it('saves a strategy with its legs in order and reads it back whole', () => {
    const saved = repo.save(straddle);
    expect(saved).toEqual({ id: 1, name: 'NIFTY straddle', symbol: 'NIFTY', createdAt: clock, legs: straddle.legs });
    expect(repo.get(saved.id)).toEqual(saved);
    expect(repo.get(99)).toBeUndefined();
  });

  it('stores a future without a strike, whatever the caller passed', () => {
    const fut: SavedStrategyLeg = { ...option(0, 'CE', 'SELL', 25_410), optionType: 'FUT', strike: 25_000, tradingSymbol: 'NIFTY-Nov2026-FUT' };
    const saved = repo.save({ name: 'covered', symbol: 'NIFTY', legs: [fut, option(25_500, 'CE', 'BUY', 40)] });
    expect(repo.get(saved.id)!.legs.map((l) => [l.optionType, l.strike])).toEqual([['FUT', null], ['CE', 25_500]]);
  });

  it('lists newest first, and a delete removes the strategy and its legs only', () => {
    const a = repo.save(straddle);
    clock += 1_000;
    const b = repo.save({ ...straddle, name: 'second' });
    const c = repo.save({ ...straddle, name: 'third, same millisecond' });
    expect(repo.list().map((s) => s.id)).toEqual([c.id, b.id, a.id]);
    expect(repo.list()[0]!.legs).toHaveLength(2);
    expect(repo.delete(b.id)).toBe(true);
    expect(repo.delete(b.id)).toBe(false);
    expect(repo.list().map((s) => s.name)).toEqual(['third, same millisecond', 'NIFTY straddle']);
    expect(db.sqlite.prepare('SELECT COUNT(*) FROM strategy_legs').pluck().get()).toBe(4);
  });

  it('refuses no legs or more than 20, and writes nothing of a strategy whose leg fails', () => {
    expect(() => repo.save({ ...straddle, legs: [] })).toThrow(/1 to 20 legs/);
    expect(() => repo.save({ ...straddle, legs: Array.from({ length: 21 }, () => straddle.legs[0]!) })).toThrow(/1 to 20 legs, not 21/);
    expect(() => repo.save({ ...straddle, legs: [straddle.legs[0]!, { ...straddle.legs[1]!, lots: 0 }] })).toThrow(/CHECK/);
    expect(repo.list()).toEqual([]);
    expect(db.sqlite.prepare('SELECT COUNT(*) FROM strategy_legs').pluck().get()).toBe(0);
  });
});
