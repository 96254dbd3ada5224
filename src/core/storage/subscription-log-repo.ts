/**
 * The audit trail of subscription changes: every subscribe, unsubscribe, eviction and end-of-day
 * clean-up. Append-only; callers batch one logical change into one `appendMany` (one transaction).
 */
import type Database from 'better-sqlite3';
import type { InstrumentRef, Segment } from '../../shared/instruments';
import type { Db } from './database';

export const SUBSCRIPTION_LOG_ACTIONS = ['SUBSCRIBE', 'UNSUBSCRIBE', 'RATE_LIMIT_EVICT', 'EOD_CLEANUP', 'ADMIN_UNSUBSCRIBE'] as const;
export type SubscriptionLogAction = (typeof SUBSCRIPTION_LOG_ACTIONS)[number];

export interface SubscriptionLogInput extends InstrumentRef {
  action: SubscriptionLogAction;
  owner?: string | null;
  reason?: string | null;
  /** Epoch milliseconds. */
  ts: number;
}

export interface SubscriptionLogEntry extends InstrumentRef {
  id: number;
  action: SubscriptionLogAction;
  owner: string | null;
  reason: string | null;
  ts: number;
}

interface LogRecord {
  id: number;
  action: SubscriptionLogAction;
  segment: Segment;
  security_id: number;
  owner: string | null;
  reason: string | null;
  ts: number;
}

interface InsertParams {
  action: SubscriptionLogAction;
  segment: Segment;
  securityId: number;
  owner: string | null;
  reason: string | null;
  ts: number;
}

export class SubscriptionLogRepo {
  private readonly insert: Database.Statement<[InsertParams]>;
  private readonly insertBatch: Database.Statement<[string, string | null, string | null, number, string]>;
  private readonly selectRecent: Database.Statement<[number, number], LogRecord>;
  private readonly countActions: Database.Statement<[], { action: SubscriptionLogAction; n: number }>;
  private readonly deleteOlder: Database.Statement<[number]>;
  private readonly appendTx: (entries: readonly SubscriptionLogInput[]) => number;

  constructor(db: Db) {
    const sql = db.sqlite;
    this.insert = sql.prepare<[InsertParams]>(
      `INSERT INTO subscription_log (action, segment, security_id, owner, reason, ts)
       VALUES (@action, @segment, @securityId, @owner, @reason, @ts)`,
    );
    // Entries sharing action, owner, reason and time (a chain's worth) go in one statement: the
    // per-statement cost, not SQLite's, dominates a 300-row append.
    this.insertBatch = sql.prepare(
      `INSERT INTO subscription_log (action, segment, security_id, owner, reason, ts)
       SELECT ?, value ->> 0, value ->> 1, ?, ?, ? FROM json_each(?) ORDER BY key`,
    );
    this.selectRecent = sql.prepare(
      `SELECT id, action, segment, security_id, owner, reason, ts FROM subscription_log
       WHERE id > ? ORDER BY id DESC LIMIT ?`,
    );
    this.countActions = sql.prepare('SELECT action, COUNT(*) AS n FROM subscription_log GROUP BY action');
    this.deleteOlder = sql.prepare('DELETE FROM subscription_log WHERE ts < ?');
    this.appendTx = sql.transaction((entries: readonly SubscriptionLogInput[]): number => {
      let i = 0;
      while (i < entries.length) {
        const first = entries[i]!;
        let j = i + 1;
        while (j < entries.length && sameBatch(entries[j]!, first)) j++;
        if (j - i === 1) {
          this.insert.run({
            action: first.action,
            segment: first.segment,
            securityId: first.securityId,
            owner: first.owner ?? null,
            reason: first.reason ?? null,
            ts: first.ts,
          });
        } else {
          const refs = entries.slice(i, j).map((e) => [e.segment, e.securityId]);
          this.insertBatch.run(first.action, first.owner ?? null, first.reason ?? null, first.ts, JSON.stringify(refs));
        }
        i = j;
      }
      return entries.length;
    });
  }

  /** Appends entries in one transaction: all are written or none. Returns how many. */
  appendMany(entries: readonly SubscriptionLogInput[]): number {
    return this.appendTx(entries);
  }

  /**
   * Up to `limit` entries, newest first. With `sinceId`, only entries written after that id
   * (to poll for what is new since the last call).
   */
  recent(limit: number, sinceId = 0): SubscriptionLogEntry[] {
    return this.selectRecent.all(sinceId, Math.max(0, Math.trunc(limit))).map(toEntry);
  }

  /** How many entries each action has (zero where none). */
  countByAction(): Record<SubscriptionLogAction, number> {
    const counts: Record<SubscriptionLogAction, number> = {
      SUBSCRIBE: 0, UNSUBSCRIBE: 0, RATE_LIMIT_EVICT: 0, EOD_CLEANUP: 0, ADMIN_UNSUBSCRIBE: 0,
    };
    for (const { action, n } of this.countActions.all()) counts[action] = n;
    return counts;
  }

  /** Prunes entries older than `ts` (epoch ms); returns how many went. */
  deleteBefore(ts: number): number {
    return this.deleteOlder.run(ts).changes;
  }
}

function toEntry(record: LogRecord): SubscriptionLogEntry {
  return {
    id: record.id,
    action: record.action,
    segment: record.segment,
    securityId: record.security_id,
    owner: record.owner,
    reason: record.reason,
    ts: record.ts,
  };
}

function sameBatch(a: SubscriptionLogInput, b: SubscriptionLogInput): boolean {
  return a.action === b.action && (a.owner ?? null) === (b.owner ?? null) && (a.reason ?? null) === (b.reason ?? null) && a.ts === b.ts;
}
