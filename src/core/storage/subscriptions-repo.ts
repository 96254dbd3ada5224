/**
 * Persisted subscription state: the instruments subscribed upstream (`subscriptions`) and who
 * wants each one (`subscription_owners`), so that after a crash the same set and the same
 * refcounts come back. An instrument is keyed by (segment, security id).
 *
 * Every multi-row write runs in one transaction. An owner is one row holding its tokens (a chain
 * is added and evicted whole); keeping owners and subscriptions consistent is the subscription
 * store's job, which writes both in the same transaction.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { InstrumentRef, InstrumentToken, OptionType, Segment } from '../../shared/instruments';
import type { Db } from './database';

export const SUBSCRIPTION_TIERS = ['TIER_A', 'TIER_B'] as const;
export type SubscriptionTier = (typeof SUBSCRIPTION_TIERS)[number];

/** A subscription to write. An upsert writes every column, replacing the stored row. */
export interface SubscriptionInput extends InstrumentRef {
  symbol: string;
  expiry: string | null;
  strike: number | null;
  optionType: OptionType | null;
  tier: SubscriptionTier;
  /** Epoch milliseconds. */
  subscribedAt: number;
  /** Feed socket 1..5, or null while unplaced. Defaults to null. */
  wsConnectionId?: number | null;
  /** Defaults to true. */
  active?: boolean;
}

export interface Subscription extends InstrumentRef {
  symbol: string;
  expiry: string | null;
  strike: number | null;
  optionType: OptionType | null;
  tier: SubscriptionTier;
  subscribedAt: number;
  wsConnectionId: number | null;
  active: boolean;
}

/** One owner and everything it holds (a chain is added and evicted whole). */
export interface SubscriptionOwner {
  /** e.g. `tierb:NIFTY`, `watch:u1:RELIANCE:2026-12-29`, `view:...`. */
  owner: string;
  tier: SubscriptionTier;
  /** Epoch milliseconds; drives least-recently-used eviction. */
  lastUsedAt: number;
  /** Instrument tokens `<segment>:<securityId>`. */
  tokens: InstrumentToken[];
}

interface SubscriptionRecord {
  segment: Segment;
  security_id: number;
  symbol: string;
  expiry: string | null;
  strike: number | null;
  option_type: OptionType | null;
  tier: SubscriptionTier;
  subscribed_at: number;
  ws_connection_id: number | null;
  active: number;
}

interface OwnerRecord {
  owner: string;
  tier: SubscriptionTier;
  last_used_at: number;
  tokens: string;
}

/** Positional upsert parameters, in SUB_COLUMNS order (positional binding is the cheapest). */
type UpsertParams = [Segment, number, string, string | null, number | null, OptionType | null, SubscriptionTier, number, number | null, number];

const SUB_COLUMNS =
  'segment, security_id, symbol, expiry, strike, option_type, tier, subscribed_at, ws_connection_id, active';
const OWNER_COLUMNS = 'owner, tier, last_used_at, tokens';

export class SubscriptionsRepo {
  private readonly upsertOne: Database.Statement<UpsertParams>;
  private readonly deactivateOne: Database.Statement<[string, number]>;
  private readonly deleteOne: Database.Statement<[string, number]>;
  private readonly setConnectionOne: Database.Statement<[number | null, string, number]>;
  private readonly selectActive: Database.Statement<[], SubscriptionRecord>;
  private readonly selectActiveByTier: Database.Statement<[string], SubscriptionRecord>;
  private readonly selectOne: Database.Statement<[string, number], SubscriptionRecord>;
  private readonly countTiers: Database.Statement<[], { tier: SubscriptionTier; n: number }>;
  private readonly countSockets: Database.Statement<[], { ws: number; n: number }>;
  private readonly upsertOwner: Database.Statement<[OwnerRecord]>;
  private readonly deleteOwner: Database.Statement<[string]>;
  private readonly selectOwner: Database.Statement<[string], OwnerRecord>;
  private readonly selectOwners: Database.Statement<[], OwnerRecord>;
  private readonly touch: Database.Statement<[number, string]>;

  private readonly upsertTx: (rows: readonly SubscriptionInput[]) => number;
  private readonly deactivateTx: (refs: readonly InstrumentRef[]) => number;
  private readonly deleteTx: (refs: readonly InstrumentRef[]) => number;
  private readonly setConnectionTx: (refs: readonly InstrumentRef[], wsId: number | null) => number;
  private readonly putOwnersTx: (rows: readonly SubscriptionOwner[]) => number;
  private readonly deleteOwnersTx: (owners: readonly string[]) => number;

  constructor(db: Db) {
    const sql = db.sqlite;
    this.upsertOne = sql.prepare<UpsertParams>(
      `INSERT INTO subscriptions (${SUB_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (segment, security_id) DO UPDATE SET
         symbol = excluded.symbol, expiry = excluded.expiry, strike = excluded.strike,
         option_type = excluded.option_type, tier = excluded.tier,
         subscribed_at = excluded.subscribed_at, ws_connection_id = excluded.ws_connection_id,
         active = excluded.active`,
    );
    this.deactivateOne = sql.prepare(
      `UPDATE subscriptions SET active = 0, ws_connection_id = NULL
       WHERE segment = ? AND security_id = ? AND active = 1`,
    );
    this.deleteOne = sql.prepare('DELETE FROM subscriptions WHERE segment = ? AND security_id = ?');
    this.setConnectionOne = sql.prepare(
      'UPDATE subscriptions SET ws_connection_id = ? WHERE segment = ? AND security_id = ?',
    );
    this.selectActive = sql.prepare(
      `SELECT ${SUB_COLUMNS} FROM subscriptions WHERE active = 1 ORDER BY segment, security_id`,
    );
    this.selectActiveByTier = sql.prepare(
      `SELECT ${SUB_COLUMNS} FROM subscriptions WHERE tier = ? AND active = 1`,
    );
    this.selectOne = sql.prepare(
      `SELECT ${SUB_COLUMNS} FROM subscriptions WHERE segment = ? AND security_id = ?`,
    );
    this.countTiers = sql.prepare(
      'SELECT tier, COUNT(*) AS n FROM subscriptions WHERE active = 1 GROUP BY tier',
    );
    this.countSockets = sql.prepare(
      `SELECT ws_connection_id AS ws, COUNT(*) AS n FROM subscriptions
       WHERE ws_connection_id IS NOT NULL AND active = 1 GROUP BY ws_connection_id`,
    );
    this.upsertOwner = sql.prepare<[OwnerRecord]>(
      `INSERT INTO subscription_owners (${OWNER_COLUMNS}) VALUES (@owner, @tier, @last_used_at, @tokens)
       ON CONFLICT (owner) DO UPDATE SET
         tier = excluded.tier, last_used_at = excluded.last_used_at, tokens = excluded.tokens`,
    );
    this.deleteOwner = sql.prepare('DELETE FROM subscription_owners WHERE owner = ?');
    this.selectOwner = sql.prepare(`SELECT ${OWNER_COLUMNS} FROM subscription_owners WHERE owner = ?`);
    this.selectOwners = sql.prepare(`SELECT ${OWNER_COLUMNS} FROM subscription_owners ORDER BY last_used_at, owner`);
    this.touch = sql.prepare('UPDATE subscription_owners SET last_used_at = ? WHERE owner = ?');

    this.upsertTx = sql.transaction((rows: readonly SubscriptionInput[]): number => {
      for (const row of rows) this.upsertOne.run(...toUpsertParams(row));
      return rows.length;
    });
    this.deactivateTx = sql.transaction((refs: readonly InstrumentRef[]): number =>
      sumChanges(refs, (ref) => this.deactivateOne.run(ref.segment, ref.securityId)),
    );
    this.deleteTx = sql.transaction((refs: readonly InstrumentRef[]): number =>
      sumChanges(refs, (ref) => this.deleteOne.run(ref.segment, ref.securityId)),
    );
    this.setConnectionTx = sql.transaction((refs: readonly InstrumentRef[], wsId: number | null): number =>
      sumChanges(refs, (ref) => this.setConnectionOne.run(wsId, ref.segment, ref.securityId)),
    );
    this.putOwnersTx = sql.transaction((rows: readonly SubscriptionOwner[]): number => {
      for (const row of rows) {
        this.upsertOwner.run({ owner: row.owner, tier: row.tier, last_used_at: row.lastUsedAt, tokens: JSON.stringify(row.tokens) });
      }
      return rows.length;
    });
    this.deleteOwnersTx = sql.transaction((owners: readonly string[]): number => {
      let n = 0;
      for (const owner of owners) n += this.deleteOwner.run(owner).changes;
      return n;
    });
  }

  /** Inserts or replaces subscriptions, all in one transaction. Returns the number written. */
  upsertMany(rows: readonly SubscriptionInput[]): number {
    return this.upsertTx(rows);
  }

  /** Marks subscriptions inactive and unplaced (kept for history). Returns how many changed. */
  deactivateMany(refs: readonly InstrumentRef[]): number {
    return this.deactivateTx(refs);
  }

  /** Deletes subscriptions and, by cascade, their owners. Returns how many were deleted. */
  deleteMany(refs: readonly InstrumentRef[]): number {
    return this.deleteTx(refs);
  }

  /** Records which feed socket (1..5, or null) carries these instruments. Returns rows changed. */
  setConnection(refs: readonly InstrumentRef[], wsId: number | null): number {
    if (wsId !== null && !(Number.isInteger(wsId) && wsId >= 1 && wsId <= 5)) {
      throw new AppError('BAD_REQUEST', `Feed socket id must be 1..5 or null, got ${wsId}`);
    }
    return this.setConnectionTx(refs, wsId);
  }

  /** Every active subscription, by segment and security id (the set to restore after a restart). */
  listActive(): Subscription[] {
    return this.selectActive.all().map(toSubscription);
  }

  /** Active subscriptions of one tier. */
  listActiveByTier(tier: SubscriptionTier): Subscription[] {
    return this.selectActiveByTier.all(tier).map(toSubscription);
  }

  /** One subscription, active or not. */
  get(segment: Segment, securityId: number): Subscription | undefined {
    const record = this.selectOne.get(segment, securityId);
    return record === undefined ? undefined : toSubscription(record);
  }

  /** Active subscriptions per tier (zero where none). */
  countByTier(): Record<SubscriptionTier, number> {
    const counts: Record<SubscriptionTier, number> = { TIER_A: 0, TIER_B: 0 };
    for (const { tier, n } of this.countTiers.all()) counts[tier] = n;
    return counts;
  }

  /** Active, placed subscriptions per feed socket id; sockets with none are absent. */
  countByConnection(): Map<number, number> {
    return new Map(this.countSockets.all().map(({ ws, n }) => [ws, n]));
  }

  /** Writes owners (replacing the stored set of each), in one transaction. Returns how many. */
  putOwners(rows: readonly SubscriptionOwner[]): number {
    return this.putOwnersTx(rows);
  }

  /** Deletes owners; returns how many existed. */
  deleteOwners(owners: readonly string[]): number {
    return this.deleteOwnersTx(owners);
  }

  /** One owner, or undefined. */
  getOwner(owner: string): SubscriptionOwner | undefined {
    const record = this.selectOwner.get(owner);
    return record === undefined ? undefined : toOwner(record);
  }

  /** Every owner, least recently used first (to rebuild refcounts and LRU order after a restart). */
  listOwners(): SubscriptionOwner[] {
    return this.selectOwners.all().map(toOwner);
  }

  /** Sets an owner's last-use time; returns rows changed (0 or 1). */
  touchOwner(owner: string, ts: number): number {
    return this.touch.run(ts, owner).changes;
  }
}

function sumChanges(refs: readonly InstrumentRef[], run: (ref: InstrumentRef) => Database.RunResult): number {
  let changes = 0;
  for (const ref of refs) changes += run(ref).changes;
  return changes;
}

function toUpsertParams(row: SubscriptionInput): UpsertParams {
  return [
    row.segment,
    row.securityId,
    row.symbol,
    row.expiry,
    row.strike,
    row.optionType,
    row.tier,
    row.subscribedAt,
    row.wsConnectionId ?? null,
    row.active === false ? 0 : 1,
  ];
}

function toSubscription(record: SubscriptionRecord): Subscription {
  return {
    segment: record.segment,
    securityId: record.security_id,
    symbol: record.symbol,
    expiry: record.expiry,
    strike: record.strike,
    optionType: record.option_type,
    tier: record.tier,
    subscribedAt: record.subscribed_at,
    wsConnectionId: record.ws_connection_id,
    active: record.active === 1,
  };
}

function toOwner(record: OwnerRecord): SubscriptionOwner {
  return {
    owner: record.owner,
    tier: record.tier,
    lastUsedAt: record.last_used_at,
    tokens: JSON.parse(record.tokens) as InstrumentToken[],
  };
}
