import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { InstrumentRef, InstrumentToken, Segment } from '../../shared/instruments';
import { type Db, openDatabase } from './database';
import { type SubscriptionInput, type SubscriptionOwner, type SubscriptionTier, SubscriptionsRepo } from './subscriptions-repo';

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

const byId = (segment: Segment, securityId: number) => repo.listAll().find((x) => x.segment === segment && x.securityId === securityId);

describe('SubscriptionsRepo: subscriptions', () => {
  it('keys instruments by (segment, security id): one id in two segments is two rows', () => {
    repo.upsertMany([sub('NSE_FNO', 35001, 'TIER_A', 25_000), sub('BSE_FNO', 35001, 'TIER_B', 80_000)]);
    expect(repo.listAll()).toHaveLength(2);
    expect(byId('NSE_FNO', 35001)).toMatchObject({ strike: 25_000, tier: 'TIER_A', wsConnectionId: null });
    expect(byId('BSE_FNO', 35001)).toMatchObject({ strike: 80_000, tier: 'TIER_B' });
    expect(byId('NSE_EQ', 35001)).toBeUndefined();

    expect(repo.deleteMany([ref('NSE_FNO', 35001)])).toBe(1);
    expect(byId('BSE_FNO', 35001)).toBeDefined();
    expect(byId('NSE_FNO', 35001)).toBeUndefined();
  });

  it('upserts replace the stored row', () => {
    repo.upsertMany([sub('NSE_FNO', 1, 'TIER_A')]);
    repo.upsertMany([{ ...sub('NSE_FNO', 1, 'TIER_B'), subscribedAt: 2_000, wsConnectionId: 3 }]);
    expect(repo.listAll()).toHaveLength(1);
    expect(byId('NSE_FNO', 1)).toMatchObject({ tier: 'TIER_B', subscribedAt: 2_000, wsConnectionId: 3 });
  });

  it('writes a batch all or nothing', () => {
    const bad = { ...sub('NSE_FNO', 3), tier: 'TIER_C' } as unknown as SubscriptionInput;
    expect(() => repo.upsertMany([sub('NSE_FNO', 1), sub('NSE_FNO', 2), bad])).toThrow(/CHECK/);
    expect(repo.listAll()).toEqual([]);
  });

  it('writes and deletes any number of rows, in multi-row statements of every size, as row-by-row writes would', () => {
    // 77 rows = 2 x 32 + 8 + 5 x 1 statements; the last two repeat a key, so the later one wins.
    const rows = Array.from({ length: 75 }, (_, i) => ({ ...sub(i % 3 ? 'NSE_FNO' : 'BSE_FNO', 1000 + i), strike: i }));
    rows.push({ ...sub('NSE_FNO', 1001), strike: -1, tier: 'TIER_B' }, { ...sub('NSE_FNO', 1001), strike: -2, wsConnectionId: 4 });
    expect(repo.upsertMany(rows)).toBe(77);
    const stored = () => new Map(repo.listAll().map((x) => [`${x.segment}:${x.securityId}`, x.strike]));
    expect(stored().size).toBe(75);
    expect(byId('NSE_FNO', 1001)).toMatchObject({ strike: -2, tier: 'TIER_A', wsConnectionId: 4 });
    expect(byId('BSE_FNO', 1072)).toMatchObject({ strike: 72 });
    expect(byId('NSE_FNO', 1074)).toMatchObject({ strike: 74 });

    // 45 refs over three segments, one repeated and two never stored: 42 rows go, 33 stay.
    const gone = rows.slice(0, 42).map((r) => ref(r.segment, r.securityId));
    gone.push(ref('NSE_FNO', 1001), ref('NSE_FNO', 5), ref('IDX_I', 1002));
    expect(repo.deleteMany(gone)).toBe(42);
    const left = stored();
    expect(left.size).toBe(33);
    for (const r of rows.slice(42, 75)) expect(left.get(`${r.segment}:${r.securityId}`)).toBe(r.strike);
  });

  it('places on sockets', () => {
    repo.upsertMany([sub('NSE_FNO', 1), sub('NSE_FNO', 2), sub('IDX_I', 13, 'TIER_B', null)]);
    expect(repo.setConnection([ref('NSE_FNO', 1), ref('IDX_I', 13), ref('NSE_FNO', 99)], 2)).toBe(2);
    expect(repo.listAll().map((x) => [x.securityId, x.wsConnectionId])).toEqual([[13, 2], [1, 2], [2, null]]);
  });

  it('refuses a socket id outside 1..5', () => {
    repo.upsertMany([sub('NSE_FNO', 1)]);
    expect(() => repo.setConnection([ref('NSE_FNO', 1)], 6)).toThrow(AppError);
    expect(() => repo.upsertMany([{ ...sub('NSE_FNO', 2), wsConnectionId: 0 }])).toThrow(/CHECK/);
    expect(byId('NSE_FNO', 1)?.wsConnectionId).toBeNull();
  });
});

describe('SubscriptionsRepo: owners', () => {
  const list = (name: string, tokens: InstrumentToken[], lastUsedAt = 1, tier: SubscriptionTier = 'TIER_A'): SubscriptionOwner => ({ owner: name, tier, lastUsedAt, holding: { kind: 'instruments', tokens } });
  const chain = (name: string, symbol: string, expiry: string, lastUsedAt = 1, tier: SubscriptionTier = 'TIER_A'): SubscriptionOwner => ({ owner: name, tier, lastUsedAt, holding: { kind: 'chain', symbol, expiry, segment: null, strikes: null } });

  it('stores what each owner holds (a chain spec or a list), replacing it on a second write', () => {
    repo.putOwners([chain('watch:u:RELIANCE:2026-12-29', 'RELIANCE', '2026-12-29'), list('tierb:fut:GOLD', ['MCX_COMM:1'], 20, 'TIER_B')]);
    expect(repo.listOwners()).toEqual([chain('watch:u:RELIANCE:2026-12-29', 'RELIANCE', '2026-12-29'), list('tierb:fut:GOLD', ['MCX_COMM:1'], 20, 'TIER_B')]);
    repo.putOwners([{ ...chain('watch:u:RELIANCE:2026-12-29', 'RELIANCE', '2026-12-29', 5), holding: { kind: 'chain', symbol: 'RELIANCE', expiry: '2026-12-29', segment: 'NSE_FNO', strikes: 11 } }]);
    expect(repo.listOwners()[0]).toEqual({ owner: 'watch:u:RELIANCE:2026-12-29', tier: 'TIER_A', lastUsedAt: 5, holding: { kind: 'chain', symbol: 'RELIANCE', expiry: '2026-12-29', segment: 'NSE_FNO', strikes: 11 } });
  });

  it('deleteOwners returns how many existed', () => {
    repo.putOwners([list('a', ['NSE_FNO:1']), list('b', ['NSE_FNO:2'])]);
    expect(repo.deleteOwners(['a', 'zzz'])).toBe(1);
    expect(repo.listOwners().map((o) => o.owner)).toEqual(['b']);
  });

  it('owners survive closing and re-opening the file, least recently used first', () => {
    repo.putOwners([list('tierb:NIFTY', ['NSE_FNO:1'], 9, 'TIER_B'), chain('watch:42:TCS:2026-12-29', 'TCS', '2026-12-29', 7)]);
    const before = repo.listOwners();
    expect(before.map((o) => o.owner)).toEqual(['watch:42:TCS:2026-12-29', 'tierb:NIFTY']);
    db.close();
    db = openDatabase(path.join(dir, 'app.db'));
    repo = new SubscriptionsRepo(db);
    expect(repo.listOwners()).toEqual(before);
  });

  it('refuses a whole batch if one owner is invalid', () => {
    expect(() => repo.putOwners([list('ok', ['NSE_FNO:1']), { ...list('bad', []), tier: 'TIER_C' as 'TIER_A' }])).toThrow(/CHECK/);
    expect(repo.listOwners()).toEqual([]);
  });
});
