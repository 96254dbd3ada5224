import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { InstrumentRef, Segment } from '../../shared/instruments';
import { type Db, openDatabase } from './database';
import { type SubscriptionInput, type SubscriptionTier, SubscriptionsRepo } from './subscriptions-repo';

let dir: string;
let db: Db;
let repo: SubscriptionsRepo;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strikedesk-subs-'));
  db = openDatabase(path.join(dir, 'app.db'));
  repo = new SubscriptionsRepo(db);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sub(segment: Segment, securityId: number, tier: SubscriptionTier = 'TIER_A', strike: number | null = 25_000): SubscriptionInput {
  return {
    segment,
    securityId,
    symbol: 'NIFTY',
    expiry: '2026-12-29',
    strike,
    optionType: strike === null ? null : 'CE',
    tier,
    subscribedAt: 1_000,
  };
}

const ref = (segment: Segment, securityId: number): InstrumentRef => ({ segment, securityId });

describe('SubscriptionsRepo: subscriptions', () => {
  it('keys instruments by (segment, security id): one id in two segments is two rows', () => {
    repo.upsertMany([sub('NSE_FNO', 35001, 'TIER_A', 25_000), sub('BSE_FNO', 35001, 'TIER_B', 80_000)]);
    expect(repo.listActive()).toHaveLength(2);
    expect(repo.get('NSE_FNO', 35001)).toMatchObject({ strike: 25_000, tier: 'TIER_A', active: true, wsConnectionId: null });
    expect(repo.get('BSE_FNO', 35001)).toMatchObject({ strike: 80_000, tier: 'TIER_B' });
    expect(repo.get('NSE_EQ', 35001)).toBeUndefined();

    repo.deleteMany([ref('NSE_FNO', 35001)]);
    expect(repo.get('BSE_FNO', 35001)).toBeDefined();
  });

  it('upserts replace the stored row', () => {
    repo.upsertMany([sub('NSE_FNO', 1, 'TIER_A')]);
    repo.upsertMany([{ ...sub('NSE_FNO', 1, 'TIER_B'), subscribedAt: 2_000, wsConnectionId: 3 }]);
    expect(repo.listActive()).toHaveLength(1);
    expect(repo.get('NSE_FNO', 1)).toMatchObject({ tier: 'TIER_B', subscribedAt: 2_000, wsConnectionId: 3 });
  });

  it('writes a batch all or nothing', () => {
    const bad = { ...sub('NSE_FNO', 3), tier: 'TIER_C' } as unknown as SubscriptionInput;
    expect(() => repo.upsertMany([sub('NSE_FNO', 1), sub('NSE_FNO', 2), bad])).toThrow(/CHECK/);
    expect(repo.listActive()).toEqual([]);
  });

  it('deactivates, places on sockets and counts by tier and socket', () => {
    repo.upsertMany([sub('NSE_FNO', 1), sub('NSE_FNO', 2), sub('NSE_FNO', 3), sub('IDX_I', 13, 'TIER_B', null)]);
    expect(repo.setConnection([ref('NSE_FNO', 1), ref('NSE_FNO', 2), ref('IDX_I', 13)], 2)).toBe(3);
    expect(repo.setConnection([ref('NSE_FNO', 3)], 5)).toBe(1);
    expect(repo.countByTier()).toEqual({ TIER_A: 3, TIER_B: 1 });
    expect(repo.countByConnection()).toEqual(new Map([[2, 3], [5, 1]]));

    expect(repo.deactivateMany([ref('NSE_FNO', 1), ref('NSE_FNO', 99)])).toBe(1);
    expect(repo.get('NSE_FNO', 1)).toMatchObject({ active: false, wsConnectionId: null });
    expect(repo.listActive().map((s) => s.securityId)).toEqual([13, 2, 3]);
    expect(repo.listActiveByTier('TIER_A').map((s) => s.securityId).sort()).toEqual([2, 3]);
    expect(repo.countByTier()).toEqual({ TIER_A: 2, TIER_B: 1 });
    expect(repo.countByConnection()).toEqual(new Map([[2, 2], [5, 1]]));
  });

  it('refuses a socket id outside 1..5', () => {
    repo.upsertMany([sub('NSE_FNO', 1)]);
    expect(() => repo.setConnection([ref('NSE_FNO', 1)], 6)).toThrow(AppError);
    expect(() => repo.upsertMany([{ ...sub('NSE_FNO', 2), wsConnectionId: 0 }])).toThrow(/CHECK/);
    expect(repo.get('NSE_FNO', 1)?.wsConnectionId).toBeNull();
  });
});

describe('SubscriptionsRepo: owners', () => {
  const owner = (name: string, tokens: string[], lastUsedAt = 1, tier: 'TIER_A' | 'TIER_B' = 'TIER_A') => ({ owner: name, tier, lastUsedAt, tokens });

  it('stores each owner with the tokens it holds, replacing the set on a second write', () => {
    repo.putOwners([owner('watch:u:RELIANCE', ['NSE_FNO:1', 'NSE_FNO:2', 'NSE_EQ:2885']), owner('view:chain-1', ['BSE_FNO:1'], 20)]);
    expect(repo.getOwner('watch:u:RELIANCE')?.tokens).toEqual(['NSE_FNO:1', 'NSE_FNO:2', 'NSE_EQ:2885']);
    repo.putOwners([owner('watch:u:RELIANCE', ['NSE_FNO:3'], 5)]);
    expect(repo.getOwner('watch:u:RELIANCE')).toEqual(owner('watch:u:RELIANCE', ['NSE_FNO:3'], 5));
    expect(repo.listOwners()).toHaveLength(2);
  });

  it('deleteOwners returns how many existed', () => {
    repo.putOwners([owner('a', ['NSE_FNO:1']), owner('b', ['NSE_FNO:2'])]);
    expect(repo.deleteOwners(['a', 'zzz'])).toBe(1);
    expect(repo.listOwners().map((o) => o.owner)).toEqual(['b']);
  });

  it('owners survive closing and re-opening the file', () => {
    repo.putOwners([owner('tierb:NIFTY', ['NSE_FNO:1'], 5, 'TIER_B'), owner('watch:42', ['BSE_FNO:1'], 7)]);
    const before = repo.listOwners();
    db.close();

    db = openDatabase(path.join(dir, 'app.db'));
    repo = new SubscriptionsRepo(db);
    expect(repo.listOwners()).toEqual(before);
    expect(repo.getOwner('watch:42')).toEqual({ owner: 'watch:42', tier: 'TIER_A', lastUsedAt: 7, tokens: ['BSE_FNO:1'] });
  });

  it('refuses a whole batch if one owner is invalid', () => {
    expect(() => repo.putOwners([owner('ok', ['NSE_FNO:1']), { ...owner('bad', []), tier: 'TIER_C' as 'TIER_A' }])).toThrow(/CHECK/);
    expect(repo.listOwners()).toEqual([]);
  });

  it('lists owners least recently used first; touchOwner moves one to the back', () => {
    repo.putOwners([owner('watch:1', ['NSE_FNO:1', 'NSE_FNO:2'], 100), owner('watch:2', ['NSE_FNO:3'], 200)]);
    expect(repo.listOwners().map((o) => o.owner)).toEqual(['watch:1', 'watch:2']);
    expect(repo.touchOwner('watch:1', 300)).toBe(1);
    expect(repo.listOwners().map((o) => [o.owner, o.lastUsedAt])).toEqual([
      ['watch:2', 200],
      ['watch:1', 300],
    ]);
  });
});
