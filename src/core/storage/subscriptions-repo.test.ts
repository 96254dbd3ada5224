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
const byKey = (a: InstrumentRef, b: InstrumentRef) =>
  a.segment === b.segment ? a.securityId - b.securityId : a.segment < b.segment ? -1 : 1;

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
  beforeEach(() => {
    repo.upsertMany([sub('NSE_FNO', 1), sub('NSE_FNO', 2), sub('NSE_FNO', 3), sub('BSE_FNO', 1)]);
  });

  it('removeOwner returns exactly the instruments that owner had', () => {
    repo.addOwners([
      { ...ref('NSE_FNO', 1), owner: 'watchlist:1', tier: 'TIER_A', lastUsedAt: 10 },
      { ...ref('NSE_FNO', 2), owner: 'watchlist:1', tier: 'TIER_A', lastUsedAt: 10 },
      { ...ref('NSE_FNO', 2), owner: 'view:chain-1', tier: 'TIER_A', lastUsedAt: 20 },
      { ...ref('NSE_FNO', 3), owner: 'view:chain-1', tier: 'TIER_A', lastUsedAt: 20 },
      { ...ref('BSE_FNO', 1), owner: 'view:chain-1', tier: 'TIER_A', lastUsedAt: 20 },
    ]);

    expect(repo.removeOwner('watchlist:1').sort(byKey)).toEqual([ref('NSE_FNO', 1), ref('NSE_FNO', 2)]);
    expect(repo.removeOwner('watchlist:1')).toEqual([]);
    expect(repo.ownersOf(ref('NSE_FNO', 2)).map((o) => o.owner)).toEqual(['view:chain-1']);
    expect(repo.ownersOf(ref('NSE_FNO', 1))).toEqual([]);
    expect(repo.listOwners()).toHaveLength(3);
  });

  it('owners survive closing and re-opening the file', () => {
    repo.addOwners([
      { ...ref('NSE_FNO', 1), owner: 'tierb:NIFTY:2026-12-29', tier: 'TIER_B', lastUsedAt: 5 },
      { ...ref('BSE_FNO', 1), owner: 'watchlist:42', tier: 'TIER_A', lastUsedAt: 7 },
    ]);
    const before = repo.listOwners();
    db.close();

    db = openDatabase(path.join(dir, 'app.db'));
    repo = new SubscriptionsRepo(db);
    expect(repo.listOwners()).toEqual(before);
    expect(repo.ownersOf(ref('BSE_FNO', 1))).toEqual([
      { segment: 'BSE_FNO', securityId: 1, owner: 'watchlist:42', tier: 'TIER_A', lastUsedAt: 7 },
    ]);
    expect(repo.listActive()).toHaveLength(4);
  });

  it('removeOwnerFor drops the owner from the given instruments only', () => {
    repo.addOwners([1, 2, 3].map((id) => ({ ...ref('NSE_FNO', id), owner: 'view:v', tier: 'TIER_A' as const, lastUsedAt: 1 })));
    expect(repo.removeOwnerFor([ref('NSE_FNO', 1), ref('NSE_FNO', 3), ref('BSE_FNO', 1)], 'view:v')).toBe(2);
    expect(repo.listOwners().map((o) => o.securityId)).toEqual([2]);
  });

  it('refuses owners for an instrument with no subscription, adding none of the batch', () => {
    expect(() =>
      repo.addOwners([
        { ...ref('NSE_FNO', 1), owner: 'view:v', tier: 'TIER_A', lastUsedAt: 1 },
        { ...ref('NSE_EQ', 1), owner: 'view:v', tier: 'TIER_A', lastUsedAt: 1 },
      ]),
    ).toThrow(AppError);
    expect(repo.listOwners()).toEqual([]);
  });

  it('deleting a subscription drops its owners', () => {
    repo.addOwners([
      { ...ref('NSE_FNO', 1), owner: 'view:v', tier: 'TIER_A', lastUsedAt: 1 },
      { ...ref('NSE_FNO', 2), owner: 'view:v', tier: 'TIER_A', lastUsedAt: 1 },
    ]);
    expect(repo.deleteMany([ref('NSE_FNO', 1)])).toBe(1);
    expect(repo.listOwners().map((o) => o.securityId)).toEqual([2]);
  });

  it('touchOwner moves an owner to the back of the LRU order', () => {
    repo.addOwners([
      { ...ref('NSE_FNO', 1), owner: 'watchlist:1', tier: 'TIER_A', lastUsedAt: 100 },
      { ...ref('NSE_FNO', 2), owner: 'watchlist:1', tier: 'TIER_A', lastUsedAt: 100 },
      { ...ref('NSE_FNO', 3), owner: 'watchlist:2', tier: 'TIER_A', lastUsedAt: 200 },
    ]);
    expect(repo.listOwnerSummaries().map((s) => s.owner)).toEqual(['watchlist:1', 'watchlist:2']);
    expect(repo.touchOwner('watchlist:1', 300)).toBe(2);
    expect(repo.listOwnerSummaries()).toEqual([
      { owner: 'watchlist:2', tier: 'TIER_A', lastUsedAt: 200, instruments: 1 },
      { owner: 'watchlist:1', tier: 'TIER_A', lastUsedAt: 300, instruments: 2 },
    ]);
  });
});
