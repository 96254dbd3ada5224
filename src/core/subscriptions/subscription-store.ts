/**
 * Writes one subscription-manager operation to SQLite in a single transaction: subscription rows,
 * owner rows and the audit log together, so the database always holds a state the manager was
 * really in. A failure rolls the whole operation back (the manager then undoes it in memory).
 */
import { parseToken, type InstrumentRef, type InstrumentToken } from '../../shared/instruments';
import type { InstrumentRegistry } from '../instruments/registry';
import type { Db } from '../storage/database';
import type { SubscriptionLogAction, SubscriptionLogRepo } from '../storage/subscription-log-repo';
import type { SubscriptionInput, SubscriptionOwner, SubscriptionsRepo, SubscriptionTier } from '../storage/subscriptions-repo';

/** Everything one operation changes. */
export interface StorePlan {
  /** New or re-tiered upstream subscriptions, with their socket. */
  upsert: { token: InstrumentToken; tier: SubscriptionTier; socket: number }[];
  /** Instruments no longer subscribed (their owner rows go with them). */
  remove: InstrumentToken[];
  /** Owners whose holdings or last use changed: written as they are at commit (or deleted if gone). */
  owners: Set<string>;
  log: { action: SubscriptionLogAction; token: InstrumentToken; owner: string | null; reason: string }[];
}

export function emptyPlan(): StorePlan {
  return { upsert: [], remove: [], owners: new Set(), log: [] };
}

export class SubscriptionStore {
  private readonly write: (plan: StorePlan, now: number, ownerOf: (owner: string) => SubscriptionOwner | undefined) => void;
  private readonly move: (moves: readonly { token: InstrumentToken; to: number }[]) => void;

  constructor(
    db: Db,
    private readonly subscriptions: SubscriptionsRepo,
    private readonly log: SubscriptionLogRepo,
    private readonly registry: InstrumentRegistry,
  ) {
    this.move = db.sqlite.transaction((moves: readonly { token: InstrumentToken; to: number }[]) => {
      const bySocket = new Map<number, InstrumentRef[]>();
      for (const m of moves) {
        const list = bySocket.get(m.to) ?? [];
        list.push(ref(m.token));
        bySocket.set(m.to, list);
      }
      for (const [socket, refs] of bySocket) this.subscriptions.setConnection(refs, socket);
    });
    this.write = db.sqlite.transaction((plan: StorePlan, now: number, ownerOf: (owner: string) => SubscriptionOwner | undefined) => {
      if (plan.remove.length) this.subscriptions.deleteMany(plan.remove.map(ref));
      if (plan.upsert.length) this.subscriptions.upsertMany(plan.upsert.map((u) => this.row(u.token, u.tier, u.socket, now)));
      const put: SubscriptionOwner[] = [];
      const gone: string[] = [];
      for (const owner of plan.owners) {
        const state = ownerOf(owner);
        if (state) put.push(state);
        else gone.push(owner);
      }
      if (gone.length) this.subscriptions.deleteOwners(gone);
      if (put.length) this.subscriptions.putOwners(put);
      if (plan.log.length) {
        this.log.appendMany(plan.log.map((l) => ({ ...ref(l.token), action: l.action, owner: l.owner, reason: l.reason, ts: now })));
      }
    });
  }

  /** Record new sockets for moved instruments, in one transaction. */
  moveSockets(moves: readonly { token: InstrumentToken; to: number }[]): void {
    this.move(moves);
  }

  /** Commit a plan atomically; `ownerOf` gives each affected owner's state after the operation. */
  commit(plan: StorePlan, now: number, ownerOf: (owner: string) => SubscriptionOwner | undefined): void {
    this.write(plan, now, ownerOf);
  }

  private row(token: InstrumentToken, tier: SubscriptionTier, socket: number, now: number): SubscriptionInput {
    const r = ref(token);
    const table = this.registry.table;
    const row = this.registry.rowOf(r.segment, r.securityId);
    const strike = row < 0 ? NaN : table.cols.strike[row]!;
    const optionType = row < 0 ? 0 : table.cols.optionType[row]!;
    return {
      ...r,
      symbol: row < 0 ? token : table.underlyingOf(row),
      expiry: row < 0 ? null : table.expiryOf(row),
      strike: Number.isNaN(strike) ? null : strike,
      optionType: optionType === 1 ? 'CE' : optionType === 2 ? 'PE' : null,
      tier,
      subscribedAt: now,
      wsConnectionId: socket,
    };
  }
}

function ref(token: InstrumentToken): InstrumentRef {
  const r = parseToken(token);
  if (!r) throw new Error(`malformed instrument token ${token}`);
  return r;
}
