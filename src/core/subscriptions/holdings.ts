/**
 * The owner registry's in-memory model, and the one mutation primitive set every operation is
 * built from. Kept apart from the operations (owner-registry.ts) so the invariants live in one
 * short file:
 *
 * - A *unit* is what holds instruments upstream: a chain (shared by every owner of that chain:
 *   its window is held once, however many owners it has) or one owner's explicit list.
 * - An owner belongs to exactly one unit; a unit with no owner is gone (its instruments leave).
 * - An instrument is subscribed while at least one unit holds it, and is Tier B while at least
 *   one Tier B unit (a unit with a Tier B owner) holds it. Tier B wins.
 *
 * Every primitive records its inverse in `undo` and its durable effect in the plan, so an
 * operation that fails at any point (capacity, a database error) is rolled back exactly (the
 * plan of a failed operation is simply dropped).
 */
import type { InstrumentToken } from '../../shared/instruments';
import type { ChainSpec, ChainState } from '../chain/atm-engine';
import type { SubscriptionLogAction } from '../storage/subscription-log-repo';
import type { SubscriptionTier } from '../storage/subscriptions-repo';
import type { SocketPlacement } from './placement';
import type { StorePlan } from './subscription-store';

export type Tier = SubscriptionTier;

export interface Unit {
  /** The chain key, or `list:<owner>`. */
  readonly id: string;
  readonly tokens: Set<InstrumentToken>;
  readonly owners: Set<string>;
  /** How many of `owners` are Tier B. */
  tierB: number;
  /** The chain's spec and current window; null for a list. */
  chain: { spec: ChainSpec; state: ChainState } | null;
}

export interface OwnerState {
  tier: Tier;
  unit: Unit;
  lastUsed: number;
  /** Tie-breaker for equal lastUsed: creation order. */
  seq: number;
}

export interface Inst {
  units: Set<Unit>;
  /** How many of `units` are Tier B. */
  tierB: number;
}

/** What changed upstream in one operation: the feed pool acts on this. */
export interface SubscriptionChange {
  subscribed: { token: InstrumentToken; socket: number }[];
  unsubscribed: { token: InstrumentToken; socket: number }[];
  /** Tier A owners evicted to make room. */
  evicted: string[];
}

export function emptyChange(): SubscriptionChange {
  return { subscribed: [], unsubscribed: [], evicted: [] };
}

/** One operation in progress: its plan, its upstream change and how to undo it. */
export interface Op {
  plan: StorePlan;
  change: SubscriptionChange;
  undo: (() => void)[];
  /** Instruments that became subscribed and still need a socket. */
  fresh: InstrumentToken[];
}

/** The model and its primitives. */
export class Holdings {
  /** Owners in least-recently-used order (a Map keeps insertion order; a use moves one to the end). */
  readonly owners = new Map<string, OwnerState>();
  readonly chains = new Map<string, Unit>();
  readonly instruments = new Map<InstrumentToken, Inst>();
  tierBCount = 0;
  private seq = 0;

  constructor(private readonly placement: SocketPlacement) {}

  isTierB(unit: Unit): boolean {
    return unit.tierB > 0;
  }

  tierOf(token: InstrumentToken): Tier | undefined {
    const s = this.instruments.get(token);
    return s === undefined ? undefined : s.tierB > 0 ? 'TIER_B' : 'TIER_A';
  }

  /** A new, empty unit (a chain unit is registered under its key). */
  newUnit(op: Op, id: string, chain: Unit['chain']): Unit {
    const unit: Unit = { id, tokens: new Set(), owners: new Set(), tierB: 0, chain };
    if (chain) {
      this.chains.set(id, unit);
      op.plan.windows.set(id, chain.state);
      op.undo.push(() => this.chains.delete(id));
    }
    return unit;
  }

  /** Add an owner to a unit (the unit's tokens turn Tier B with its first Tier B owner). */
  addOwner(op: Op, owner: string, tier: Tier, unit: Unit, lastUsed: number): OwnerState {
    const state: OwnerState = { tier, unit, lastUsed, seq: this.seq++ };
    this.owners.set(owner, state);
    unit.owners.add(owner);
    op.plan.owners.add(owner);
    op.undo.push(() => {
      this.owners.delete(owner);
      unit.owners.delete(owner);
    });
    if (tier === 'TIER_B') this.setUnitTierB(op, unit, +1);
    return state;
  }

  /**
   * Remove an owner from its unit; when it was the last, the unit closes and releases every
   * instrument no other unit holds (logged with `action`, naming this owner).
   */
  removeOwner(op: Op, owner: string, action: SubscriptionLogAction, reason: string): void {
    const state = this.owners.get(owner)!;
    const unit = state.unit;
    this.owners.delete(owner);
    unit.owners.delete(owner);
    op.plan.owners.add(owner);
    op.plan.gone.push({ owner, action, reason });
    op.undo.push(() => {
      this.owners.set(owner, state);
      unit.owners.add(owner);
    });
    if (state.tier === 'TIER_B') this.setUnitTierB(op, unit, -1);
    if (unit.owners.size === 0) {
      for (const t of [...unit.tokens]) this.detach(op, unit, t, action, owner, reason);
      if (unit.chain) {
        this.chains.delete(unit.id);
        op.plan.windows.set(unit.id, null);
        op.undo.push(() => this.chains.set(unit.id, unit));
      }
    }
  }

  /** An owner keeps its unit but changes tier. */
  changeTier(op: Op, owner: string, tier: Tier): void {
    const state = this.owners.get(owner)!;
    if (state.tier === tier) return;
    const was = state.tier;
    state.tier = tier;
    op.plan.owners.add(owner);
    op.undo.push(() => (state.tier = was));
    this.setUnitTierB(op, state.unit, tier === 'TIER_B' ? 1 : -1);
  }

  /** The unit gains or loses a Tier B owner; its instruments' tiers follow. */
  private setUnitTierB(op: Op, unit: Unit, delta: 1 | -1): void {
    const was = unit.tierB > 0;
    unit.tierB += delta;
    op.undo.push(() => (unit.tierB -= delta));
    const is = unit.tierB > 0;
    if (was === is) return;
    for (const t of unit.tokens) this.retier(op, t, is ? 1 : -1);
  }

  private retier(op: Op, t: InstrumentToken, delta: 1 | -1): void {
    const inst = this.instruments.get(t)!;
    const was = inst.tierB > 0;
    inst.tierB += delta;
    const is = inst.tierB > 0;
    if (was !== is) {
      this.tierBCount += is ? 1 : -1;
      op.plan.instruments.add(t);
    }
    op.undo.push(() => {
      inst.tierB -= delta;
      if (was !== is) this.tierBCount -= is ? 1 : -1;
    });
  }

  /** The unit holds `t`; a new instrument is queued for placement (`op.fresh`). */
  attach(op: Op, unit: Unit, t: InstrumentToken): void {
    unit.tokens.add(t);
    let inst = this.instruments.get(t);
    if (!inst) {
      inst = { units: new Set(), tierB: 0 };
      this.instruments.set(t, inst);
      op.fresh.push(t);
    }
    const s = inst;
    s.units.add(unit);
    const b = unit.tierB > 0;
    if (b) {
      s.tierB++;
      if (s.tierB === 1) {
        this.tierBCount++;
        op.plan.instruments.add(t);
      }
    }
    op.undo.push(() => {
      unit.tokens.delete(t);
      s.units.delete(unit);
      if (b) {
        s.tierB--;
        if (s.tierB === 0) this.tierBCount--;
      }
      if (s.units.size === 0) this.instruments.delete(t);
    });
  }

  /** The unit lets `t` go; with no unit left holding it, it is unsubscribed upstream. */
  detach(op: Op, unit: Unit, t: InstrumentToken, action: SubscriptionLogAction, owner: string | null, reason: string): void {
    const inst = this.instruments.get(t)!;
    unit.tokens.delete(t);
    inst.units.delete(unit);
    const b = unit.tierB > 0;
    const lostB = b && --inst.tierB === 0;
    if (lostB) this.tierBCount--;
    let socket: number | undefined;
    if (inst.units.size === 0) {
      this.instruments.delete(t);
      socket = this.placement.socketOf(t)!;
      this.placement.remove([t]);
      op.plan.instruments.add(t);
      op.plan.log.push({ action, token: t, owner, reason });
      op.change.unsubscribed.push({ token: t, socket });
    } else if (lostB) {
      op.plan.instruments.add(t);
    }
    op.undo.push(() => {
      unit.tokens.add(t);
      inst.units.add(unit);
      if (b) inst.tierB++;
      if (lostB) this.tierBCount++;
      if (socket !== undefined) {
        this.instruments.set(t, inst);
        this.placement.assign([[t, socket]]);
      }
    });
  }

  /** Place the operation's new instruments on sockets and log them. */
  placeFresh(op: Op, owner: string, reason: string): void {
    const fresh = [...new Set(op.fresh)].filter((t) => this.instruments.has(t) && !this.placement.has(t));
    op.fresh = [];
    if (fresh.length === 0) return;
    const placed = this.placement.place(fresh);
    op.undo.push(() => this.placement.remove(fresh));
    for (const t of fresh) {
      const socket = placed.get(t)!;
      op.plan.instruments.add(t);
      op.plan.log.push({ action: 'SUBSCRIBE', token: t, owner, reason });
      op.change.subscribed.push({ token: t, socket });
    }
  }

  /** Record a use: the owner becomes the most recently used. */
  moveToBack(owner: string): void {
    const s = this.owners.get(owner);
    if (!s) return;
    this.owners.delete(owner);
    this.owners.set(owner, s);
  }

  /** After an undo: put owners back in LRU order (re-inserted owners went to the end). */
  reorder(): void {
    const ordered = [...this.owners].sort((a, b) => a[1].lastUsed - b[1].lastUsed || a[1].seq - b[1].seq);
    this.owners.clear();
    for (const [name, state] of ordered) this.owners.set(name, state);
  }
}
