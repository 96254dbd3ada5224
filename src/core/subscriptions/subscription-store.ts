/**
 * Writes one owner-registry operation to SQLite in a single transaction: subscription rows, owner
 * rows, chain windows (atm_cache), the audit log and what the operation means to other tables
 * (an evicted watchlist entry says so) together, so the database always holds a state the
 * registry was really in. A failure rolls the whole operation back (the registry then undoes it
 * in memory).
 */
import { parseToken, type InstrumentRef, type InstrumentToken } from '../../shared/instruments';
import { parseChainKey } from '../../shared/keys';
import type { ChainState } from '../chain/atm-engine';
import type { InstrumentRegistry } from '../instruments/registry';
import type { AtmCacheRepo } from '../storage/atm-cache-repo';
import type { Db } from '../storage/database';
import type { SubscriptionLogAction, SubscriptionLogRepo } from '../storage/subscription-log-repo';
import type { SubscriptionInput, SubscriptionOwner, SubscriptionsRepo, SubscriptionTier } from '../storage/subscriptions-repo';

/** An owner that an operation removed, and how. */
export interface GoneOwner {
  owner: string;
  action: SubscriptionLogAction;
  reason: string;
}

/** Everything one operation changes. */
export interface StorePlan {
  /**
   * Instruments subscribed, released, re-tiered or placed: each written as it is at commit
   * (deleted when no longer subscribed), so the order of steps inside an operation never matters.
   */
  instruments: Set<InstrumentToken>;
  /** Owners whose holdings or last use changed: written as they are at commit (or deleted if gone). */
  owners: Set<string>;
  /** Owners removed by the operation (for the hook that tells other tables). */
  gone: GoneOwner[];
  /** Chain windows built or moved (written) and closed (deleted), by chain key. */
  windows: Map<string, ChainState | null>;
  log: { action: SubscriptionLogAction; token: InstrumentToken; owner: string | null; reason: string }[];
  /** Writes of the caller's own that belong to the same transaction (a watchlist row). */
  extra: (() => void)[];
}

/** The registry's state after an operation, read at commit. */
export interface StoreState {
  owner(owner: string): SubscriptionOwner | undefined;
  /** Tier and socket of a subscribed instrument; undefined when not subscribed. */
  instrument(token: InstrumentToken): { tier: SubscriptionTier; socket: number } | undefined;
}

export function emptyPlan(): StorePlan {
  return { instruments: new Set(), owners: new Set(), gone: [], windows: new Map(), log: [], extra: [] };
}

export interface SubscriptionStoreOptions {
  db: Db;
  subscriptions: SubscriptionsRepo;
  log: SubscriptionLogRepo;
  atmCache: AtmCacheRepo;
  registry: InstrumentRegistry;
  /** Told, inside the transaction, of every owner an operation removed (watchlist states). */
  onOwnersGone?: (gone: readonly GoneOwner[]) => void;
}

export class SubscriptionStore {
  private readonly write: (plan: StorePlan, now: number, state: StoreState) => void;
  private readonly move: (moves: readonly { token: InstrumentToken; to: number }[]) => void;

  constructor(private readonly o: SubscriptionStoreOptions) {
    const { db, subscriptions, log, atmCache } = o;
    this.move = db.sqlite.transaction((moves: readonly { token: InstrumentToken; to: number }[]) => {
      const bySocket = new Map<number, InstrumentRef[]>();
      for (const m of moves) {
        const list = bySocket.get(m.to) ?? [];
        list.push(ref(m.token));
        bySocket.set(m.to, list);
      }
      for (const [socket, refs] of bySocket) subscriptions.setConnection(refs, socket);
    });
    this.write = db.sqlite.transaction((plan: StorePlan, now: number, state: StoreState) => {
      const removed: InstrumentRef[] = [];
      const upserts: SubscriptionInput[] = [];
      for (const token of plan.instruments) {
        const held = state.instrument(token);
        if (held) upserts.push(this.row(token, held.tier, held.socket, now));
        else removed.push(ref(token));
      }
      if (removed.length) subscriptions.deleteMany(removed);
      if (upserts.length) subscriptions.upsertMany(upserts);
      const put: SubscriptionOwner[] = [];
      const gone: string[] = [];
      for (const owner of plan.owners) {
        const o = state.owner(owner);
        if (o) put.push(o);
        else gone.push(owner);
      }
      if (gone.length) subscriptions.deleteOwners(gone);
      if (put.length) subscriptions.putOwners(put);
      for (const [key, state] of plan.windows) {
        if (state) atmCache.put(windowEntry(state));
        else {
          const k = parseChainKey(key)!;
          atmCache.delete(k.symbol, k.expiry);
        }
      }
      if (plan.log.length) {
        log.appendMany(plan.log.map((l) => ({ ...ref(l.token), action: l.action, owner: l.owner, reason: l.reason, ts: now })));
      }
      if (plan.gone.length) this.o.onOwnersGone?.(plan.gone);
      for (const w of plan.extra) w();
    });
  }

  /** Record new sockets for moved instruments, in one transaction. */
  moveSockets(moves: readonly { token: InstrumentToken; to: number }[]): void {
    this.move(moves);
  }

  /** Commit a plan atomically; `state` gives each affected owner's and instrument's state after the operation. */
  commit(plan: StorePlan, now: number, state: StoreState): void {
    this.write(plan, now, state);
  }

  private row(token: InstrumentToken, tier: SubscriptionTier, socket: number, now: number): SubscriptionInput {
    const r = ref(token);
    const table = this.o.registry.table;
    const row = this.o.registry.rowOf(r.segment, r.securityId);
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

function windowEntry(state: ChainState) {
  const c = state.chain;
  return {
    symbol: c.symbol,
    expiry: c.expiry,
    segment: c.underlying?.segment ?? c.segment,
    underlyingLtp: c.ltp,
    atmStrike: c.atm,
    strikeStep: c.step,
    strikes: c.strikes.map((s) => s.strike),
    updatedAt: state.builtAt,
  };
}

function ref(token: InstrumentToken): InstrumentRef {
  const r = parseToken(token);
  if (!r) throw new Error(`malformed instrument token ${token}`);
  return r;
}
