/**
 * Persisted subscription state: the instruments subscribed upstream (`subscriptions`, a row
 * exactly while subscribed, with its feed socket) and the owners of the one owner registry
 * (`subscription_owners`: tier, last use, and what each holds: a chain spec or an instrument
 * list), so that after a crash the same set, the same owners and the same LRU order come back.
 * An instrument is keyed by (segment, security id).
 *
 * Every multi-row write runs in one transaction; keeping owners and subscriptions consistent is
 * the subscription store's job, which writes both in the same transaction.
 *
 * Upserts and deletes go in multi-row statements of up to BATCH rows (then 8, then 1): a chain
 * add at the cap writes some 400 rows, and one statement per 32 rows instead of one per row
 * took the rows' share of it from ~1.0 to ~0.65 ms (issue 17). Larger batches measured no better.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { InstrumentRef, InstrumentToken, OptionType, Segment } from '../../shared/instruments';
import { MAX_FEED_SOCKETS } from '../../shared/product';
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
}

export interface Subscription extends InstrumentRef {
  symbol: string;
  expiry: string | null;
  strike: number | null;
  optionType: OptionType | null;
  tier: SubscriptionTier;
  subscribedAt: number;
  wsConnectionId: number | null;
}

/** What an owner holds: a chain whose window follows the ATM, or a fixed list of instruments. */
export type StoredHolding =
  | { kind: 'chain'; symbol: string; expiry: string; segment: Segment | null; strikes: number | null }
  | { kind: 'instruments'; tokens: InstrumentToken[] };

/** One owner of the registry. */
export interface SubscriptionOwner {
  /** e.g. `tierb:NIFTY:2026-12-29`, `watch:u1:RELIANCE:2026-12-29`, `view:...`. */
  owner: string;
  tier: SubscriptionTier;
  /** Epoch milliseconds; drives least-recently-used eviction. */
  lastUsedAt: number;
  holding: StoredHolding;
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
}

interface OwnerRecord {
  owner: string;
  tier: SubscriptionTier;
  last_used_at: number;
  chain_symbol: string | null;
  chain_expiry: string | null;
  chain_segment: string | null;
  chain_strikes: number | null;
  tokens: string | null;
}

const SUB_COLUMNS = 'segment, security_id, symbol, expiry, strike, option_type, tier, subscribed_at, ws_connection_id';
/** Rows per multi-row statement, largest first; the last must be 1. */
const BATCHES = [32, 8, 1] as const;
const UPSERT_ARITY = 9;
const OWNER_COLUMNS = 'owner, tier, last_used_at, chain_symbol, chain_expiry, chain_segment, chain_strikes, tokens';

export class SubscriptionsRepo {
  /** Upserts of BATCHES[i] rows each (positional, UPSERT_ARITY per row). */
  private readonly upsertBatch: Database.Statement<[(string | number | null)[]]>[];
  /** Deletes of BATCHES[i] security ids of one segment each. */
  private readonly deleteBatch: Database.Statement<[(string | number)[]]>[];
  private readonly setConnectionOne: Database.Statement<[number | null, string, number]>;
  private readonly selectAll: Database.Statement<[], SubscriptionRecord>;
  private readonly upsertOwner: Database.Statement<[OwnerRecord]>;
  private readonly deleteOwner: Database.Statement<[string]>;
  private readonly selectOwners: Database.Statement<[], OwnerRecord>;

  private readonly upsertTx: (rows: readonly SubscriptionInput[]) => number;
  private readonly deleteTx: (refs: readonly InstrumentRef[]) => number;
  private readonly setConnectionTx: (refs: readonly InstrumentRef[], wsId: number | null) => number;
  private readonly putOwnersTx: (rows: readonly SubscriptionOwner[]) => number;
  private readonly deleteOwnersTx: (owners: readonly string[]) => number;

  constructor(db: Db) {
    const sql = db.sqlite;
    // Rows of one statement are inserted in order, so a key given twice ends as its last row,
    // exactly as with one statement per row.
    this.upsertBatch = BATCHES.map((n) =>
      sql.prepare<[(string | number | null)[]]>(
        `INSERT INTO subscriptions (${SUB_COLUMNS})
         VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (segment, security_id) DO UPDATE SET
           symbol = excluded.symbol, expiry = excluded.expiry, strike = excluded.strike,
           option_type = excluded.option_type, tier = excluded.tier,
           subscribed_at = excluded.subscribed_at, ws_connection_id = excluded.ws_connection_id`,
      ),
    );
    this.deleteBatch = BATCHES.map((n) =>
      sql.prepare<[(string | number)[]]>(
        n === 1
          ? 'DELETE FROM subscriptions WHERE segment = ? AND security_id = ?'
          : `DELETE FROM subscriptions WHERE segment = ? AND security_id IN (${Array(n).fill('?').join(', ')})`,
      ),
    );
    this.setConnectionOne = sql.prepare('UPDATE subscriptions SET ws_connection_id = ? WHERE segment = ? AND security_id = ?');
    this.selectAll = sql.prepare(`SELECT ${SUB_COLUMNS} FROM subscriptions ORDER BY segment, security_id`);
    this.upsertOwner = sql.prepare<[OwnerRecord]>(
      `INSERT INTO subscription_owners (${OWNER_COLUMNS})
       VALUES (@owner, @tier, @last_used_at, @chain_symbol, @chain_expiry, @chain_segment, @chain_strikes, @tokens)
       ON CONFLICT (owner) DO UPDATE SET
         tier = excluded.tier, last_used_at = excluded.last_used_at, chain_symbol = excluded.chain_symbol,
         chain_expiry = excluded.chain_expiry, chain_segment = excluded.chain_segment,
         chain_strikes = excluded.chain_strikes, tokens = excluded.tokens`,
    );
    this.deleteOwner = sql.prepare('DELETE FROM subscription_owners WHERE owner = ?');
    this.selectOwners = sql.prepare(`SELECT ${OWNER_COLUMNS} FROM subscription_owners ORDER BY last_used_at, owner`);

    this.upsertTx = sql.transaction((rows: readonly SubscriptionInput[]): number => {
      let i = 0;
      for (let b = 0; b < BATCHES.length; b++) {
        const n = BATCHES[b]!;
        const statement = this.upsertBatch[b]!;
        const params = new Array<string | number | null>(n * UPSERT_ARITY);
        for (; i + n <= rows.length; i += n) {
          for (let k = 0; k < n; k++) putUpsertParams(params, k * UPSERT_ARITY, rows[i + k]!);
          statement.run(params);
        }
      }
      return rows.length;
    });
    this.deleteTx = sql.transaction((refs: readonly InstrumentRef[]): number => {
      const bySegment = new Map<Segment, number[]>();
      for (const ref of refs) {
        const ids = bySegment.get(ref.segment);
        if (ids) ids.push(ref.securityId);
        else bySegment.set(ref.segment, [ref.securityId]);
      }
      let changes = 0;
      for (const [segment, ids] of bySegment) {
        let i = 0;
        for (let b = 0; b < BATCHES.length; b++) {
          const n = BATCHES[b]!;
          const params = new Array<string | number>(n + 1);
          params[0] = segment;
          for (; i + n <= ids.length; i += n) {
            for (let k = 0; k < n; k++) params[k + 1] = ids[i + k]!;
            changes += this.deleteBatch[b]!.run(params).changes;
          }
        }
      }
      return changes;
    });
    this.setConnectionTx = sql.transaction((refs: readonly InstrumentRef[], wsId: number | null): number => {
      let changes = 0;
      for (const ref of refs) changes += this.setConnectionOne.run(wsId, ref.segment, ref.securityId).changes;
      return changes;
    });
    this.putOwnersTx = sql.transaction((rows: readonly SubscriptionOwner[]): number => {
      for (const row of rows) this.upsertOwner.run(toOwnerRecord(row));
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

  /** Deletes subscriptions (no longer subscribed upstream). Returns how many were deleted. */
  deleteMany(refs: readonly InstrumentRef[]): number {
    return this.deleteTx(refs);
  }

  /** Records which feed socket (1..5, or null) carries these instruments. Returns rows changed. */
  setConnection(refs: readonly InstrumentRef[], wsId: number | null): number {
    if (wsId !== null && !(Number.isInteger(wsId) && wsId >= 1 && wsId <= MAX_FEED_SOCKETS)) {
      throw new AppError('BAD_REQUEST', `Feed socket id must be 1..${MAX_FEED_SOCKETS} or null, got ${wsId}`);
    }
    return this.setConnectionTx(refs, wsId);
  }

  /** Every subscription, by segment and security id (the set to restore after a restart). */
  listAll(): Subscription[] {
    return this.selectAll.all().map(toSubscription);
  }

  /** Writes owners (replacing each stored row), in one transaction. Returns how many. */
  putOwners(rows: readonly SubscriptionOwner[]): number {
    return this.putOwnersTx(rows);
  }

  /** Deletes owners; returns how many existed. */
  deleteOwners(owners: readonly string[]): number {
    return this.deleteOwnersTx(owners);
  }

  /** Every owner, least recently used first (to rebuild the registry after a restart). */
  listOwners(): SubscriptionOwner[] {
    return this.selectOwners.all().map(toOwner);
  }
}

/** Writes one row's upsert parameters (SUB_COLUMNS order) into `params` at `at`. */
function putUpsertParams(params: (string | number | null)[], at: number, row: SubscriptionInput): void {
  params[at] = row.segment;
  params[at + 1] = row.securityId;
  params[at + 2] = row.symbol;
  params[at + 3] = row.expiry;
  params[at + 4] = row.strike;
  params[at + 5] = row.optionType;
  params[at + 6] = row.tier;
  params[at + 7] = row.subscribedAt;
  params[at + 8] = row.wsConnectionId ?? null;
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
  };
}

function toOwnerRecord(row: SubscriptionOwner): OwnerRecord {
  const h = row.holding;
  return {
    owner: row.owner,
    tier: row.tier,
    last_used_at: row.lastUsedAt,
    chain_symbol: h.kind === 'chain' ? h.symbol : null,
    chain_expiry: h.kind === 'chain' ? h.expiry : null,
    chain_segment: h.kind === 'chain' ? h.segment : null,
    chain_strikes: h.kind === 'chain' ? h.strikes : null,
    tokens: h.kind === 'instruments' ? JSON.stringify(h.tokens) : null,
  };
}

function toOwner(record: OwnerRecord): SubscriptionOwner {
  const holding: StoredHolding =
    record.chain_symbol !== null
      ? { kind: 'chain', symbol: record.chain_symbol, expiry: record.chain_expiry!, segment: record.chain_segment as Segment | null, strikes: record.chain_strikes }
      : { kind: 'instruments', tokens: JSON.parse(record.tokens ?? '[]') as InstrumentToken[] };
  return { owner: record.owner, tier: record.tier, lastUsedAt: record.last_used_at, holding };
}
