/**
 * The subscription manager spends Dhan's instrument budget (5 sockets x 5,000 by default).
 *
 * Policy:
 * - Owners (a Tier B config entry, a watchlist entry, an open chain view) ask for sets of
 *   instruments; each instrument is subscribed upstream once, however many owners want it, and
 *   counts as Tier B if any Tier B owner wants it.
 * - A request that does not fit the cap evicts least-recently-used Tier A owners, whole, until it
 *   fits; Tier B is never evicted. If it cannot fit even then it is refused and nothing changes.
 * - Every operation is planned first, then applied to memory and the placement model, then
 *   written to SQLite in one transaction with its audit log; if the write fails the memory
 *   changes are undone, so memory, database and the feed never disagree.
 */
import { AppError } from '../../shared/errors';
import { parseToken, type InstrumentToken } from '../../shared/instruments';
import type { Move, SocketPlacement } from './placement';
import type { InstrumentRegistry } from '../instruments/registry';
import type { SubscriptionLogAction } from '../storage/subscription-log-repo';
import type { SubscriptionsRepo, SubscriptionTier } from '../storage/subscriptions-repo';
import { emptyPlan, type StorePlan, type SubscriptionStore } from './subscription-store';

export type Tier = SubscriptionTier;

interface OwnerState {
  tier: Tier;
  tokens: Set<InstrumentToken>;
  lastUsed: number;
  /** Tie-breaker for equal lastUsed: creation order. */
  seq: number;
}

interface InstrumentState {
  owners: Set<string>;
  tierB: number;
}

/** What changed upstream in one operation: the feed pool acts on this. */
export interface SubscriptionChange {
  subscribed: { token: InstrumentToken; socket: number }[];
  unsubscribed: { token: InstrumentToken; socket: number }[];
  /** Tier A owners evicted to make room. */
  evicted: string[];
}

export interface SubscriptionStats {
  total: number;
  cap: number;
  /** Instruments per socket id. */
  perSocket: Record<number, number>;
  utilisationPercent: number;
  tierA: number;
  tierB: number;
}

export interface SubscriptionManagerOptions {
  registry: InstrumentRegistry;
  placement: SocketPlacement;
  store: SubscriptionStore;
  /** Defaults to the placement's capacity; never above it. */
  cap?: number;
  now?: () => number;
}

export class SubscriptionManager {
  private readonly registry: InstrumentRegistry;
  private readonly placement: SocketPlacement;
  private readonly store: SubscriptionStore;
  private readonly now: () => number;
  readonly cap: number;
  /** Owners in least-recently-used order (a Map keeps insertion order; a use moves one to the end). */
  private readonly owners = new Map<string, OwnerState>();
  private readonly instruments = new Map<InstrumentToken, InstrumentState>();
  private readonly listeners = new Set<(change: SubscriptionChange) => void>();
  private seq = 0;
  private tierBCount = 0;

  constructor(options: SubscriptionManagerOptions) {
    this.registry = options.registry;
    this.placement = options.placement;
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.cap = Math.min(options.cap ?? options.placement.capacity, options.placement.capacity);
  }

  /** Listen to upstream changes; returns a disposer. */
  onChange(listener: (change: SubscriptionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Instruments subscribed upstream. */
  get size(): number {
    return this.instruments.size;
  }

  isSubscribed(token: InstrumentToken): boolean {
    return this.instruments.has(token);
  }

  tierOf(token: InstrumentToken): Tier | undefined {
    const s = this.instruments.get(token);
    return s === undefined ? undefined : s.tierB > 0 ? 'TIER_B' : 'TIER_A';
  }

  ownersOf(token: InstrumentToken): string[] {
    return [...(this.instruments.get(token)?.owners ?? [])].sort();
  }

  /** The instruments an owner holds (empty when unknown). */
  tokensOf(owner: string): InstrumentToken[] {
    return [...(this.owners.get(owner)?.tokens ?? [])];
  }

  hasOwner(owner: string): boolean {
    return this.owners.has(owner);
  }

  /** Owners, least recently used first. */
  listOwners(): { owner: string; tier: Tier; instruments: number; lastUsed: number }[] {
    return [...this.owners]
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed || a[1].seq - b[1].seq)
      .map(([owner, s]) => ({ owner, tier: s.tier, instruments: s.tokens.size, lastUsed: s.lastUsed }));
  }

  /** Every subscribed token. */
  tokens(): InstrumentToken[] {
    return [...this.instruments.keys()];
  }

  stats(): SubscriptionStats {
    const perSocket: Record<number, number> = {};
    this.placement.loads().forEach((n, i) => (perSocket[i + 1] = n));
    const total = this.instruments.size;
    return {
      total,
      cap: this.cap,
      perSocket,
      utilisationPercent: Math.round((total / this.cap) * 10_000) / 100,
      tierA: total - this.tierBCount,
      tierB: this.tierBCount,
    };
  }

  /**
   * Make `owner` hold exactly `tokens` in `tier`: instruments entering are subscribed (if no one
   * had them), those leaving are released. Evicts LRU Tier A owners if needed.
   * @throws AppError BAD_REQUEST (malformed), NOT_FOUND (not in the master), CAPACITY (cannot fit).
   */
  setOwner(owner: string, tier: Tier, tokens: readonly InstrumentToken[], reason = 'subscribe'): SubscriptionChange {
    const wanted = new Set<InstrumentToken>();
    for (const t of tokens) {
      const ref = parseToken(t);
      if (!ref) throw new AppError('BAD_REQUEST', `"${t}" is not an instrument token (<segment>:<securityId>)`);
      if (this.registry.rowOf(ref.segment, ref.securityId) < 0) throw new AppError('NOT_FOUND', `${t} is not in the instrument master`);
      wanted.add(t);
    }
    const prev = this.owners.get(owner);
    const victims = this.planEvictions(owner, wanted, tier);
    const plan = emptyPlan();
    const change: SubscriptionChange = { subscribed: [], unsubscribed: [], evicted: victims };
    const undo: (() => void)[] = [];
    const now = this.now();
    try {
      for (const v of victims) this.dropOwner(v, 'RATE_LIMIT_EVICT', `evicted (least recently used) to make room for ${owner}`, plan, change, undo);
      if (prev && prev.tier !== tier) this.dropOwner(owner, 'UNSUBSCRIBE', `${owner} moved to ${tier}`, plan, change, undo);
      const state = this.owners.get(owner) ?? this.createOwner(owner, tier, undo);
      state.lastUsed = now;
      for (const t of [...state.tokens]) if (!wanted.has(t)) this.detach(owner, state, t, 'UNSUBSCRIBE', reason, plan, change, undo);
      const fresh: InstrumentToken[] = [];
      for (const t of wanted) if (!state.tokens.has(t)) this.attach(owner, state, t, plan, fresh, undo);
      this.placeFresh(fresh, plan, change, reason, owner, undo);
      plan.owners.add(owner);
      this.commit(plan, now);
    } catch (err) {
      this.rollBack(undo);
      throw err;
    }
    this.moveToBack(owner);
    this.emit(change);
    return change;
  }

  /** Release everything an owner holds. Unknown owners are a no-op. */
  release(owner: string, reason = 'released', action: SubscriptionLogAction = 'UNSUBSCRIBE'): SubscriptionChange {
    const change: SubscriptionChange = { subscribed: [], unsubscribed: [], evicted: [] };
    if (!this.owners.has(owner)) return change;
    const plan = emptyPlan();
    const undo: (() => void)[] = [];
    try {
      this.dropOwner(owner, action, reason, plan, change, undo);
      this.commit(plan, this.now());
    } catch (err) {
      this.rollBack(undo);
      throw err;
    }
    this.emit(change);
    return change;
  }

  /**
   * Move instruments between sockets: off a socket that is down (`failover`) or to even the load
   * when it is back (`even-out`). The new sockets are written to the database. Returns the moves;
   * the feed pool unsubscribes each from its old socket and subscribes it on the new one.
   */
  rebalance(kind: 'failover' | 'even-out', socketId?: number): { moves: Move[]; stranded: InstrumentToken[] } {
    let moves: Move[];
    let stranded: InstrumentToken[] = [];
    if (kind === 'failover') {
      if (socketId === undefined) throw new AppError('BAD_REQUEST', 'failover needs the socket that is down');
      ({ moves, stranded } = this.placement.planFailover(socketId));
    } else {
      moves = this.placement.planEvenOut();
    }
    if (moves.length === 0) return { moves, stranded };
    this.placement.apply(moves);
    try {
      this.store.moveSockets(moves);
    } catch (err) {
      this.placement.apply(moves.map((m) => ({ token: m.token, from: m.to, to: m.from })));
      throw err;
    }
    return { moves, stranded };
  }

  /** Mark an owner as just used (chain opened or re-centred), for LRU eviction. */
  touch(owner: string): void {
    const s = this.owners.get(owner);
    if (!s) return;
    s.lastUsed = this.now();
    const plan = emptyPlan();
    plan.owners.add(owner);
    this.commit(plan, s.lastUsed);
    this.moveToBack(owner);
  }

  /** End of day: release every Tier A owner. Returns how many instruments were unsubscribed. */
  unsubscribeAllTierA(reason = 'end of day (15:30 IST)'): number {
    const plan = emptyPlan();
    const change: SubscriptionChange = { subscribed: [], unsubscribed: [], evicted: [] };
    const undo: (() => void)[] = [];
    try {
      for (const [owner, s] of [...this.owners]) if (s.tier === 'TIER_A') this.dropOwner(owner, 'EOD_CLEANUP', reason, plan, change, undo);
      this.commit(plan, this.now());
    } catch (err) {
      this.rollBack(undo);
      throw err;
    }
    this.emit(change);
    return change.unsubscribed.length;
  }

  /**
   * Rebuild state from the database after a restart: the same owners and instruments, on the
   * sockets recorded where they still fit. Instruments no longer in the master or with no owner
   * are dropped (and logged). Returns the change to replay upstream (everything, as subscribed).
   */
  restore(repo: SubscriptionsRepo): SubscriptionChange {
    if (this.owners.size || this.instruments.size) throw new AppError('BAD_REQUEST', 'restore() needs an empty manager');
    const active = new Map(repo.listActive().map((s) => [`${s.segment}:${s.securityId}`, s]));
    const plan = emptyPlan();
    for (const o of repo.listOwners()) {
      const s: OwnerState = { tier: o.tier, tokens: new Set(), lastUsed: o.lastUsedAt, seq: this.seq++ };
      for (const token of o.tokens) {
        const ref = parseToken(token);
        if (!ref || !active.has(token) || this.registry.rowOf(ref.segment, ref.securityId) < 0) continue;
        s.tokens.add(token);
        const inst = this.instruments.get(token) ?? { owners: new Set<string>(), tierB: 0 };
        if (inst.owners.size === 0) this.instruments.set(token, inst);
        inst.owners.add(o.owner);
        if (o.tier === 'TIER_B' && ++inst.tierB === 1) this.tierBCount++;
      }
      if (s.tokens.size > 0) this.owners.set(o.owner, s);
      if (s.tokens.size !== o.tokens.length) plan.owners.add(o.owner); // rewritten (or deleted when empty)
    }
    for (const token of active.keys()) {
      if (!this.instruments.has(token)) {
        plan.remove.push(token);
        plan.log.push({ action: 'UNSUBSCRIBE', token, owner: null, reason: 'no owner or not in the master after restart' });
      }
    }
    const saved = [...this.instruments.keys()].map((t) => [t, active.get(t)!.wsConnectionId] as const);
    const withSocket = saved.filter((e): e is readonly [string, number] => e[1] !== null && e[1] <= this.placement.sockets);
    try {
      this.placement.restore(withSocket.map(([t, s]) => [t, s]));
    } catch {
      this.placement.restore([]);
    }
    const unplaced = saved.map(([t]) => t).filter((t) => !this.placement.has(t));
    if (unplaced.length) {
      const placed = this.placement.place(unplaced);
      for (const t of unplaced) plan.upsert.push({ token: t, tier: this.tierOf(t)!, socket: placed.get(t)! });
    }
    this.commit(plan, this.now());
    const change: SubscriptionChange = {
      subscribed: [...this.instruments.keys()].map((token) => ({ token, socket: this.placement.socketOf(token)! })),
      unsubscribed: [],
      evicted: [],
    };
    this.emit(change);
    return change;
  }

  private commit(plan: StorePlan, now: number): void {
    this.store.commit(plan, now, (owner) => {
      const s = this.owners.get(owner);
      return s && { owner, tier: s.tier, lastUsedAt: s.lastUsed, tokens: [...s.tokens] };
    });
  }

  /** LRU Tier A owners to evict so that `owner` can hold `wanted` within the cap. */
  private planEvictions(owner: string, wanted: Set<InstrumentToken>, tier: Tier): string[] {
    const prev = this.owners.get(owner);
    let needed = 0;
    for (const t of wanted) if (!this.instruments.has(t)) needed++;
    // remaining[t] = owners that would still hold t; t is freed when it reaches 0 and is not wanted.
    const remaining = new Map<InstrumentToken, number>();
    let freed = 0;
    if (prev) {
      for (const t of prev.tokens) {
        if (wanted.has(t)) continue;
        const r = this.instruments.get(t)!.owners.size - 1;
        remaining.set(t, r);
        if (r === 0) freed++;
      }
    }
    if (this.instruments.size + needed - freed <= this.cap) return [];
    const victims: string[] = [];
    // this.owners iterates least recently used first.
    const candidates: [string, OwnerState][] = [];
    for (const entry of this.owners) if (entry[0] !== owner && entry[1].tier === 'TIER_A') candidates.push(entry);
    for (const [name, s] of candidates) {
      victims.push(name);
      for (const t of s.tokens) {
        if (wanted.has(t)) continue;
        const r = (remaining.get(t) ?? this.instruments.get(t)!.owners.size) - 1;
        remaining.set(t, r);
        if (r === 0) freed++;
      }
      if (this.instruments.size + needed - freed <= this.cap) return victims;
    }
    const what = tier === 'TIER_A' ? 'even after evicting every other Tier A chain' : 'Tier B is never evicted';
    throw new AppError(
      'CAPACITY',
      `${owner} needs ${needed} more instruments but only ${this.cap - this.instruments.size + freed} of ${this.cap} can be freed (${what}); nothing was subscribed`,
    );
  }

  /** Undo a failed operation, then restore the LRU order that re-inserted owners disturbed. */
  private rollBack(undo: (() => void)[]): void {
    for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
    const ordered = [...this.owners].sort((a, b) => a[1].lastUsed - b[1].lastUsed || a[1].seq - b[1].seq);
    this.owners.clear();
    for (const [name, state] of ordered) this.owners.set(name, state);
  }

  /** Record a use: the owner becomes the most recently used. */
  private moveToBack(owner: string): void {
    const s = this.owners.get(owner);
    if (!s) return;
    this.owners.delete(owner);
    this.owners.set(owner, s);
  }

  private createOwner(owner: string, tier: Tier, undo: (() => void)[]): OwnerState {
    const state: OwnerState = { tier, tokens: new Set(), lastUsed: this.now(), seq: this.seq++ };
    this.owners.set(owner, state);
    undo.push(() => this.owners.delete(owner));
    return state;
  }

  /** Remove an owner entirely, releasing every instrument no one else holds. */
  private dropOwner(owner: string, action: SubscriptionLogAction, reason: string, plan: StorePlan, change: SubscriptionChange, undo: (() => void)[]): void {
    const state = this.owners.get(owner)!;
    for (const t of [...state.tokens]) this.detach(owner, state, t, action, reason, plan, change, undo);
    this.owners.delete(owner);
    plan.owners.add(owner);
    undo.push(() => this.owners.set(owner, state));
  }

  private attach(owner: string, state: OwnerState, t: InstrumentToken, plan: StorePlan, fresh: InstrumentToken[], undo: (() => void)[]): void {
    state.tokens.add(t);
    let inst = this.instruments.get(t);
    const created = !inst;
    if (!inst) {
      inst = { owners: new Set(), tierB: 0 };
      this.instruments.set(t, inst);
      fresh.push(t);
    }
    const s = inst;
    s.owners.add(owner);
    const becameB = state.tier === 'TIER_B' && ++s.tierB === 1;
    if (becameB) {
      this.tierBCount++;
      // A new instrument is written with its tier when placed; an existing one changes tier here.
      if (!created) plan.upsert.push({ token: t, tier: 'TIER_B', socket: this.placement.socketOf(t)! });
    }
    plan.owners.add(owner);
    undo.push(() => {
      state.tokens.delete(t);
      s.owners.delete(owner);
      if (becameB) this.tierBCount--;
      if (state.tier === 'TIER_B') s.tierB--;
      if (s.owners.size === 0) this.instruments.delete(t);
    });
  }

  private detach(owner: string, state: OwnerState, t: InstrumentToken, action: SubscriptionLogAction, reason: string, plan: StorePlan, change: SubscriptionChange, undo: (() => void)[]): void {
    const inst = this.instruments.get(t)!;
    state.tokens.delete(t);
    inst.owners.delete(owner);
    const wasB = state.tier === 'TIER_B';
    const lostB = wasB && --inst.tierB === 0;
    if (lostB) this.tierBCount--;
    let socket: number | undefined;
    if (inst.owners.size === 0) {
      this.instruments.delete(t);
      socket = this.placement.socketOf(t)!;
      this.placement.remove([t]);
      plan.remove.push(t);
      plan.log.push({ action, token: t, owner, reason });
      change.unsubscribed.push({ token: t, socket });
    } else {
      plan.owners.add(owner);
      if (lostB) plan.upsert.push({ token: t, tier: 'TIER_A', socket: this.placement.socketOf(t)! });
    }
    undo.push(() => {
      state.tokens.add(t);
      inst.owners.add(owner);
      if (wasB) inst.tierB++;
      if (lostB) this.tierBCount++;
      if (socket !== undefined) {
        this.instruments.set(t, inst);
        this.placement.assign([[t, socket]]);
      }
    });
  }

  private placeFresh(fresh: InstrumentToken[], plan: StorePlan, change: SubscriptionChange, reason: string, owner: string, undo: (() => void)[]): void {
    if (fresh.length === 0) return;
    const placed = this.placement.place(fresh);
    undo.push(() => this.placement.remove(fresh));
    for (const t of fresh) {
      const socket = placed.get(t)!;
      plan.upsert.push({ token: t, tier: this.tierOf(t)!, socket });
      plan.log.push({ action: 'SUBSCRIBE', token: t, owner, reason });
      change.subscribed.push({ token: t, socket });
    }
  }

  private emit(change: SubscriptionChange): void {
    if (change.subscribed.length === 0 && change.unsubscribed.length === 0) return;
    for (const l of this.listeners) l(change);
  }
}
