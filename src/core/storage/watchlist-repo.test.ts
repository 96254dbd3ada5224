import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { type Db, openDatabase } from './database';
import { type NewWatchlistEntry, WatchlistRepo } from './watchlist-repo';

let db: Db;
let repo: WatchlistRepo;

beforeEach(() => {
  db = openDatabase(':memory:');
  repo = new WatchlistRepo(db);
});

afterEach(() => db.close());

const entry = (userId: string, symbol: string, expiryDate = '', addedAt = 1_000): NewWatchlistEntry => ({
  userId,
  symbol,
  expiryDate,
  instrumentType: expiryDate === '' ? 'EQUITY' : 'STOCK_OPTION',
  addedAt,
});

describe('WatchlistRepo', () => {
  it('adds entries with added_order 1, 2, 3 per user and lists them in that order', () => {
    const a = repo.add(entry('u1', 'TCS'));
    const b = repo.add(entry('u1', 'RELIANCE', '2026-12-31', 2_000));
    const other = repo.add(entry('u2', 'INFY'));
    const c = repo.add(entry('u1', 'INFY'));

    expect([a.addedOrder, b.addedOrder, c.addedOrder]).toEqual([1, 2, 3]);
    expect(other.addedOrder).toBe(1);
    expect(b).toMatchObject({
      userId: 'u1', symbol: 'RELIANCE', expiryDate: '2026-12-31', instrumentType: 'STOCK_OPTION', addedAt: 2_000,
    });
    expect(repo.list('u1').map((e) => e.symbol)).toEqual(['TCS', 'RELIANCE', 'INFY']);
    expect(repo.listAll().map((e) => `${e.userId}:${e.symbol}`)).toEqual([
      'u1:TCS', 'u1:RELIANCE', 'u1:INFY', 'u2:INFY',
    ]);
  });

  it('refuses a duplicate user+symbol+expiry with DUPLICATE and changes nothing', () => {
    repo.add(entry('u1', 'RELIANCE', '2026-12-31'));
    repo.add(entry('u1', 'TCS'));
    const before = repo.listAll();

    let caught: unknown;
    try {
      repo.add(entry('u1', 'RELIANCE', '2026-12-31', 9_999));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('DUPLICATE');
    expect((caught as AppError).message).toBe('RELIANCE 2026-12-31 is already on the watchlist');
    expect(() => repo.add(entry('u1', 'TCS'))).toThrow(/^TCS is already on the watchlist$/);
    expect(repo.listAll()).toEqual(before);

    // The refused add did not consume an order number.
    expect(repo.add(entry('u1', 'INFY')).addedOrder).toBe(3);
  });

  it('allows the same symbol with another expiry, or for another user', () => {
    repo.add(entry('u1', 'RELIANCE', '2026-12-31'));
    expect(() => repo.add(entry('u1', 'RELIANCE', '2027-01-28'))).not.toThrow();
    expect(() => repo.add(entry('u2', 'RELIANCE', '2026-12-31'))).not.toThrow();
    expect(repo.listAll()).toHaveLength(3);
  });

  it('rejects an unknown instrument type at the database', () => {
    const bad = { ...entry('u1', 'X'), instrumentType: 'FUTURE' } as unknown as NewWatchlistEntry;
    expect(() => repo.add(bad)).toThrow(/CHECK/);
  });

  it('gets and removes one entry, reporting whether it existed', () => {
    const added = repo.add(entry('u1', 'TCS'));
    expect(repo.get('u1', 'TCS', '')).toEqual(added);
    expect(repo.remove('u1', 'TCS', '')).toBe(true);
    expect(repo.remove('u1', 'TCS', '')).toBe(false);
    expect(repo.get('u1', 'TCS', '')).toBeUndefined();
  });

  it('clears one user or everyone and returns the counts', () => {
    repo.add(entry('u1', 'TCS'));
    repo.add(entry('u1', 'INFY'));
    repo.add(entry('u2', 'TCS'));
    repo.add(entry('u3', 'TCS'));

    expect(repo.clearUser('u1')).toBe(2);
    expect(repo.clearUser('u1')).toBe(0);
    expect(repo.list('u2')).toHaveLength(1);
    expect(repo.clearAll()).toBe(2);
    expect(repo.listAll()).toEqual([]);
    // After a clear, a user's order starts again at 1.
    expect(repo.add(entry('u1', 'TCS')).addedOrder).toBe(1);
  });
});
