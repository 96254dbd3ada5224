/**
 * Persisted subscription state: the instruments subscribed upstream (`subscriptions`) and who
 * wants each one (`subscription_owners`), so that after a crash the same set and the same
 * refcounts come back. An instrument is keyed by (segment, security id).
 *
 * Every multi-row write runs in one transaction. Owners reference their subscription (foreign
 * key, cascade on delete): upsert the subscription before adding its owners.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { InstrumentRef, OptionType, Segment } from '../../shared/instruments';
import type { Db } from './database';
import { isConstraintError } from './sqlite-errors';

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

export interface SubscriptionOwner extends InstrumentRef {
  /** e.g. `tierb:NIFTY:2026-12-01`, `watchlist:42`, `view:...`. */
  owner: string;
  tier: SubscriptionTier;
  /** Epoch milliseconds; drives least-recently-used eviction. */
  lastUsedAt: number;
}

/** One owner across all its instruments. */
export interface OwnerSummary {
  owner: string;
  tier: SubscriptionTier;
  lastUsedAt: number;
  instruments: number;
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
  segment: Segment;
  security_id: number;
  owner: string;
  tier: SubscriptionTier;
  last_used_at: number;
}

interface RefRecord {
  segment: Segment;
  security_id: number;
}

interface UpsertParams {
  segment: Segment;
  securityId: number;
  symbol: string;
  expiry: string | null;
  strike: number | null;
  optionType: OptionType | null;
  tier: SubscriptionTier;
  subscribedAt: number;
  wsConnectionId: number | null;
  active: number;
}

const SUB_COLUMNS =
  'segment, security_id, symbol, expiry, strike, option_type, tier, subscribed_at, ws_connection_id, active';
const OWNER_COLUMNS = 'segment, security_id, owner, tier, last_used_at';

export class SubscriptionsRepo {
  private readonly upsertOne: Database.Statement<[UpsertParams]>;
  private readonly deactivateOne: Database.Statement<[string, number]>;
  private readonly deleteOne: Database.Statement<[string, number]>;
  private readonly setConnectionOne: Database.Statement<[number | null, string, number]>;
  private readonly selectActive: Database.Statement<[], SubscriptionRecord>;
  private readonly selectActiveByTier: Database.Statement<[string], SubscriptionRecord>;
  private readonly selectOne: Database.Statement<[string, number], SubscriptionRecord>;
  private readonly countTiers: Database.Statement<[], { tier: SubscriptionTier; n: number }>;
  private readonly countSockets: Database.Statement<[], { ws: number; n: number }>;
  private readonly insertOwner: Database.Statement<[OwnerRecord]>;
  private readonly deleteOwner: Database.Statement<[string], RefRecord>;
  private readonly deleteOwnerFor: Database.Statement<[string, number, string]>;
  private readonly selectOwnersOf: Database.Statement<[string, number], OwnerRecord>;
  private readonly selectOwners: Database.Statement<[], OwnerRecord>;
  private readonly selectOwnerSummaries: Database.Statement<[], OwnerSummary>;
  private readonly touch: Database.Statement<[number, string]>;

  private readonly upsertTx: (rows: readonly SubscriptionInput[]) => number;
  private readonly deactivateTx: (refs: readonly InstrumentRef[]) => number;
  private readonly deleteTx: (refs: readonly InstrumentRef[]) => number;
  private readonly setConnectionTx: (refs: readonly InstrumentRef[], wsId: number | null) => number;
  private readonly addOwnersTx: (rows: readonly SubscriptionOwner[]) => number;
  private readonly removeOwnerForTx: (refs: readonly InstrumentRef[], owner: string) => number;

  constructor(db: Db) {
    const sql = db.sqlite;
    this.upsertOne = sql.prepare<[UpsertParams]>(
      `INSERT INTO subscriptions (${SUB_COLUMNS})
       VALUES (@segment, @securityId, @symbol, @expiry, @strike, @optionType, @tier, @subscribedAt,
         @wsConnectionId, @active)
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
    this.insertOwner = sql.prepare<[OwnerRecord]>(
      `INSERT INTO subscription_owners (${OWNER_COLUMNS})
       VALUES (@segment, @security_id, @owner, @tier, @last_used_at)
       ON CONFLICT (segment, security_id, owner) DO UPDATE SET
         tier = excluded.tier, last_used_at = excluded.last_used_at`,
    );
    this.deleteOwner = sql.prepare(
      'DELETE FROM subscription_owners WHERE owner = ? RETURNING segment, security_id',
    );
    this.deleteOwnerFor = sql.prepare(
      'DELETE FROM subscription_owners WHERE segment = ? AND security_id = ? AND owner = ?',
    );
    this.selectOwnersOf = sql.prepare(
      `SELECT ${OWNER_COLUMNS} FROM subscription_owners WHERE segment = ? AND security_id = ? ORDER BY owner`,
    );
    this.selectOwners = sql.prepare(
      `SELECT ${OWNER_COLUMNS} FROM subscription_owners ORDER BY owner, segment, security_id`,
    );
    this.selectOwnerSummaries = sql.prepare(
      `SELECT owner, MAX(tier) AS tier, MAX(last_used_at) AS lastUsedAt, COUNT(*) AS instruments
       FROM subscription_owners GROUP BY owner ORDER BY lastUsedAt, owner`,
    );
    this.touch = sql.prepare('UPDATE subscription_owners SET last_used_at = ? WHERE owner = ?');

    this.upsertTx = sql.transaction((rows: readonly SubscriptionInput[]): number => {
      for (const row of rows) this.upsertOne.run(toUpsertParams(row));
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
    this.addOwnersTx = sql.transaction((rows: readonly SubscriptionOwner[]): number => {
      for (const row of rows) {
        this.insertOwner.run({
          segment: row.segment,
          security_id: row.securityId,
          owner: row.owner,
          tier: row.tier,
          last_used_at: row.lastUsedAt,
        });
      }
      return rows.length;
    });
    this.removeOwnerForTx = sql.transaction((refs: readonly InstrumentRef[], owner: string): number =>
      sumChanges(refs, (ref) => this.deleteOwnerFor.run(ref.segment, ref.securityId, owner)),
    );
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

  /**
   * Adds owners (or refreshes their tier and last use), in one transaction. Each instrument must
   * already have a subscription row; otherwise `AppError('DB_ERROR')` and nothing is added.
   */
  addOwners(rows: readonly SubscriptionOwner[]): number {
    try {
      return this.addOwnersTx(rows);
    } catch (err) {
      if (isConstraintError(err, 'SQLITE_CONSTRAINT_FOREIGNKEY')) {
        const error = new AppError('DB_ERROR', 'Cannot add an owner to an instrument with no subscription row');
        error.cause = err;
        throw error;
      }
      throw err;
    }
  }

  /** Drops an owner from every instrument and returns exactly the instruments it owned. */
  removeOwner(owner: string): InstrumentRef[] {
    return this.deleteOwner.all(owner).map(toRef);
  }

  /** Drops an owner from the given instruments only; returns how many owner rows went. */
  removeOwnerFor(refs: readonly InstrumentRef[], owner: string): number {
    return this.removeOwnerForTx(refs, owner);
  }

  /** The owners of one instrument, by owner name. */
  ownersOf(ref: InstrumentRef): SubscriptionOwner[] {
    return this.selectOwnersOf.all(ref.segment, ref.securityId).map(toOwner);
  }

  /** Every owner row (to rebuild refcounts after a restart). */
  listOwners(): SubscriptionOwner[] {
    return this.selectOwners.all().map(toOwner);
  }

  /** One line per owner, least recently used first: the eviction order for Tier A chains. */
  listOwnerSummaries(): OwnerSummary[] {
    return this.selectOwnerSummaries.all();
  }

  /** Sets the last-use time of all of an owner's rows; returns rows changed. */
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
  return {
    segment: row.segment,
    securityId: row.securityId,
    symbol: row.symbol,
    expiry: row.expiry,
    strike: row.strike,
    optionType: row.optionType,
    tier: row.tier,
    subscribedAt: row.subscribedAt,
    wsConnectionId: row.wsConnectionId ?? null,
    active: row.active === false ? 0 : 1,
  };
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
    segment: record.segment,
    securityId: record.security_id,
    owner: record.owner,
    tier: record.tier,
    lastUsedAt: record.last_used_at,
  };
}

function toRef(record: RefRecord): InstrumentRef {
  return { segment: record.segment, securityId: record.security_id };
}
