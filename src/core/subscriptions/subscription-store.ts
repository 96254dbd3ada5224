/**
 * Writes one subscription-manager operation to SQLite in a single transaction: subscription rows,
 * owner rows and the audit log together, so the database always holds a state the manager was
 * really in. A failure rolls the whole operation back (the manager then undoes it in memory).
 */
import { parseToken, type InstrumentRef, type InstrumentToken } from '../../shared/instruments';
import type { InstrumentRegistry } from '../instruments/registry';
import type { Db } from '../storage/database';
import type { SubscriptionLogAction, SubscriptionLogRepo } from '../storage/subscription-log-repo';
import type { SubscriptionInput, SubscriptionsRepo, SubscriptionTier } from '../storage/subscriptions-repo';

/** Everything one operation changes. */
export interface StorePlan {
  /** New or re-tiered upstream subscriptions, with their socket. */
  upsert: { token: InstrumentToken; tier: SubscriptionTier; socket: number }[];
  /** Instruments no longer subscribed (their owner rows go with them). */
  remove: InstrumentToken[];
  /** Owner rows to add or refresh. */
  addOwners: { token: InstrumentToken; owner: string; tier: SubscriptionTier }[];
  /** Owner rows to drop on instruments that stay subscribed. */
  dropOwners: { token: InstrumentToken; owner: string }[];
  /** Owners whose rows all go (evicted, released). */
  dropWholeOwners: string[];
  /** Owners whose last use changed. */
  touch: { owner: string; at: number }[];
  log: { action: SubscriptionLogAction; token: InstrumentToken; owner: string | null; reason: string }[];
}

export function emptyPlan(): StorePlan {
  return { upsert: [], remove: [], addOwners: [], dropOwners: [], dropWholeOwners: [], touch: [], log: [] };
}

export class SubscriptionStore {
  private readonly write: (plan: StorePlan, now: number) => void;
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
    this.write = db.sqlite.transaction((plan: StorePlan, now: number) => {
      if (plan.dropWholeOwners.length) for (const owner of plan.dropWholeOwners) this.subscriptions.removeOwner(owner);
      if (plan.remove.length) this.subscriptions.deleteMany(plan.remove.map(ref));
      if (plan.upsert.length) this.subscriptions.upsertMany(plan.upsert.map((u) => this.row(u.token, u.tier, u.socket, now)));
      for (const d of plan.dropOwners) this.subscriptions.removeOwnerFor([ref(d.token)], d.owner);
      if (plan.addOwners.length) {
        this.subscriptions.addOwners(plan.addOwners.map((o) => ({ ...ref(o.token), owner: o.owner, tier: o.tier, lastUsedAt: now })));
      }
      for (const t of plan.touch) this.subscriptions.touchOwner(t.owner, t.at);
      if (plan.log.length) {
        this.log.appendMany(plan.log.map((l) => ({ ...ref(l.token), action: l.action, owner: l.owner, reason: l.reason, ts: now })));
      }
    });
  }

  /** Record new sockets for moved instruments, in one transaction. */
  moveSockets(moves: readonly { token: InstrumentToken; to: number }[]): void {
    this.move(moves);
  }

  /** Commit a plan atomically. */
  commit(plan: StorePlan, now: number): void {
    this.write(plan, now);
  }

  private row(token: InstrumentToken, tier: SubscriptionTier, socket: number, now: number): SubscriptionInput {
    const r = ref(token);
    const inst = this.registry.get(r);
    return {
      ...r,
      symbol: inst?.underlying ?? token,
      expiry: inst?.expiry ?? null,
      strike: inst?.strike ?? null,
      optionType: inst?.optionType ?? null,
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
