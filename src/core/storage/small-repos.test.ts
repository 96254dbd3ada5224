import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { type Db, openDatabase } from './database';
import { type Repositories, createRepositories } from './index';

let db: Db;
let repos: Repositories;
let clock: number;

beforeEach(() => {
  db = openDatabase(':memory:');
  clock = 1_700_000_000_000;
  repos = createRepositories(db, { now: () => clock });
});

afterEach(() => db.close());

describe('AtmCacheRepo', () => {
  const window = {
    symbol: 'NIFTY',
    expiry: '2026-12-29',
    segment: 'IDX_I' as const,
    underlyingLtp: 25_312.4,
    atmStrike: 25_300,
    strikeStep: 50,
    strikes: [25_250, 25_300, 25_350],
    updatedAt: 1,
  };

  it('round-trips a window, replacing it on put', () => {
    repos.atmCache.put(window);
    expect(repos.atmCache.get('NIFTY', '2026-12-29')).toEqual(window);
    repos.atmCache.put({ ...window, atmStrike: 25_350, strikes: [25_300, 25_350, 25_400], updatedAt: 2 });
    expect(repos.atmCache.list()).toHaveLength(1);
    expect(repos.atmCache.get('NIFTY', '2026-12-29')?.strikes).toEqual([25_300, 25_350, 25_400]);
    expect(repos.atmCache.get('NIFTY', '2027-01-26')).toBeUndefined();
  });

  it('deletes one window, or every window expiring before a date', () => {
    repos.atmCache.put(window);
    repos.atmCache.put({ ...window, expiry: '2026-11-24' });
    repos.atmCache.put({ ...window, symbol: 'BANKNIFTY', expiry: '2026-11-25' });
    expect(repos.atmCache.deleteExpired('2026-11-25')).toBe(1);
    expect(repos.atmCache.list().map((e) => `${e.symbol} ${e.expiry}`)).toEqual([
      'BANKNIFTY 2026-11-25', 'NIFTY 2026-12-29',
    ]);
    expect(repos.atmCache.delete('NIFTY', '2026-12-29')).toBe(true);
    expect(repos.atmCache.delete('NIFTY', '2026-12-29')).toBe(false);
  });
});

describe('SettingsRepo', () => {
  it('stores JSON values, overwrites and deletes them', () => {
    expect(repos.settings.get('eod')).toBeUndefined();
    repos.settings.set('eod', { keepWatchlist: true, at: '15:30' });
    expect(repos.settings.get<{ keepWatchlist: boolean }>('eod')).toEqual({ keepWatchlist: true, at: '15:30' });

    clock += 5;
    repos.settings.set('eod', false);
    expect(repos.settings.get('eod')).toBe(false);
    expect(db.sqlite.prepare('SELECT updated_at FROM settings WHERE key = ?').pluck().get('eod')).toBe(clock);

    expect(repos.settings.delete('eod')).toBe(true);
    expect(repos.settings.delete('eod')).toBe(false);
    expect(repos.settings.get('eod')).toBeUndefined();
  });

  it('refuses a value JSON cannot hold', () => {
    expect(() => repos.settings.set('x', undefined)).toThrow(AppError);
    expect(repos.settings.get('x')).toBeUndefined();
  });
});

describe('MasterFilesRepo', () => {
  const file = (source: 'download' | 'generated' | 'file', masterDate: string, loadedAt: number) => ({
    source, path: `/data/${masterDate}.csv`, sha1: 'a'.repeat(40), masterDate, rows: 273_027, loadedAt,
  });

  it('records loads and returns the latest, optionally by source, and prunes old records', () => {
    expect(repos.masterFiles.latest()).toBeUndefined();
    repos.masterFiles.record(file('download', '2026-11-23', 1));
    repos.masterFiles.record(file('generated', '2026-11-24', 2));
    const newest = repos.masterFiles.record(file('download', '2026-11-25', 3));

    expect(repos.masterFiles.latest()).toEqual(newest);
    expect(repos.masterFiles.latest('generated')?.masterDate).toBe('2026-11-24');
    expect(repos.masterFiles.latest('file')).toBeUndefined();
    expect(repos.masterFiles.prune(1)).toBe(2);
    expect(repos.masterFiles.latest('generated')).toBeUndefined();
    expect(repos.masterFiles.latest()).toEqual(newest);
  });
});
