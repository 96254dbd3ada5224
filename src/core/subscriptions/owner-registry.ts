/**
 * The one owner registry: the single record of who holds what within Dhan's instrument budget
 * (5 sockets x 5,000 by default). Chain membership, the LRU order, the persisted owner rows, the
 * open chains and whether a watchlist entry is live are all read from here; nothing else keeps
 * its own copy.
 *
 * Policy:
 * - An owner (a Tier B config entry, a watchlist entry, a REST view) holds either a chain, whose
 *   window follows the ATM and is shared by every owner of that chain, or an explicit instrument
 *   list. Each instrument is subscribed upstream once, however many owners want it, and counts as
 *   Tier B if any Tier B owner holds it.
 * - Joining a chain that is open never moves it: a price given by the joiner is used only to
 *   build a chain nobody holds yet. Only the underlying's own ticks re-centre a chain (`onPrice`),
 *   for all its owners at once, so an operation costs the same however many owners share it.
 * - A request that does not fit the cap evicts least-recently-used Tier A owners, whole, until it
 *   fits; Tier B is never evicted. If it cannot fit even then it is refused and nothing changes.
 *   An evicted owner is gone: no tick brings it back. LRU order follows what the user does (add,
 *   open, read a chain), not the market's moves.
 * - Every operation is planned first (evictions), then applied to memory and the placement model,
 *   then written to SQLite in one transaction with its audit log; if the write fails the memory
 *   changes are undone, so memory, database and the feed never disagree.
 */
import { AppError } from '../../shared/errors';
import { parseToken, tokenOf, type InstrumentToken } from '../../shared/instruments';
import { chainKey, isViewOwner } from '../../shared/keys';
import { chainTokens, type AtmEngine, type ChainSpec, type ChainState, type RecentreDecision } from '../chain/atm-engine';
import type { InstrumentRegistry } from '../instruments/registry';
import type { AtmCacheRepo } from '../storage/atm-cache-repo';
import type { SubscriptionLogAction } from '../storage/subscription-log-repo';
import type { SubscriptionOwner, SubscriptionsRepo } from '../storage/subscriptions-repo';
import { emptyChange, Holdings, type Op, type SubscriptionChange, type Tier, type Unit } from './holdings';
import type { Move, SocketPlacement } from './placement';
import { emptyPlan, type SubscriptionStore } from './subscription-store';

export type { SubscriptionChange, Tier } from './holdings';

export interface SubscriptionStats {
  total: number;
  cap: number;
  /** Instruments per socket id. */
  perSocket: Record<number, number>;
  utilisationPercent: number;
  tierA: number;
  tierB: number;
}

/** An owner as the registry reports it. */
export interface OwnerView {
  owner: string;
  tier: Tier;
  /** The chain key of a chain owner; null for an instrument list. */
  chain: string | null;
  instruments: number;
  lastUsed: number;
}

/** An open chain: its window and its owners. */
export interface OpenChain {
  key: string;
  spec: ChainSpec;
  state: ChainState;
  owners: { owner: string; tier: Tier }[];
  /** TIER_B when any owner is Tier B (Tier B wins). */
  tier: Tier;
}

export interface OwnerRegistryOptions {
  registry: InstrumentRegistry;
  atm: AtmEngine;
  placement: SocketPlacement;
  store: SubscriptionStore;
  /** Defaults to the placement's capacity; never above it. */
  cap?: number;
  now?: () => number;
}

export class OwnerRegistry {
  readonly cap: number;
  private readonly h: Holdings;
  private readonly listeners = new Set<(change: SubscriptionChange) => void>();
  private readonly now: () => number;

  constructor(private readonly o: OwnerRegistryOptions) {
    this.now = o.now ?? Date.now;
    this.cap = Math.min(o.cap ?? o.placement.capacity, o.placement.capacity);
    this.h = new Holdings(o.placement);
  }

  /** Listen to upstream changes; returns a disposer. */
  onChange(listener: (change: SubscriptionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Instruments subscribed upstream. */
  get size(): number {
    return this.h.instruments.size;
  }

  isSubscribed(token: InstrumentToken): boolean {
    return this.h.instruments.has(token);
  }

  tierOf(token: InstrumentToken): Tier | undefined {
    return this.h.tierOf(token);
  }

  /** Every owner holding `token`, sorted. */
  ownersOf(token: InstrumentToken): string[] {
    const out: string[] = [];
    for (const u of this.h.instruments.get(token)?.units ?? []) out.push(...u.owners);
    return out.sort();
  }

  /** Every subscribed token. */
  tokens(): InstrumentToken[] {
    return [...this.h.instruments.keys()];
  }

  hasOwner(owner: string): boolean {
    return this.h.owners.has(owner);
  }

  /** The instruments an owner holds (empty when unknown). */
  tokensOf(owner: string): InstrumentToken[] {
    return [...(this.h.owners.get(owner)?.unit.tokens ?? [])];
  }

  /** One owner, or undefined. */
  owner(owner: string): OwnerView | undefined {
    const s = this.h.owners.get(owner);
    return s && { owner, tier: s.tier, chain: s.unit.chain ? s.unit.id : null, instruments: s.unit.tokens.size, lastUsed: s.lastUsed };
  }

  /** Owners, least recently used first. */
  listOwners(): OwnerView[] {
    return [...this.h.owners.keys()].map((o) => this.owner(o)!);
  }

  /** Every open chain (a chain with at least one owner). */
  openChains(): OpenChain[] {
    return [...this.h.chains.values()].map((u) => this.openChain(u));
  }

  /** The window of the open chain of (symbol, expiry), if it is open. */
  chain(symbol: string, expiry: string): ChainState | undefined {
    return this.h.chains.get(chainKey(symbol, expiry))?.chain?.state;
  }

  /** The owners of the open chain of (symbol, expiry). */
  chainOwners(symbol: string, expiry: string): string[] {
    return [...(this.h.chains.get(chainKey(symbol, expiry))?.owners ?? [])];
  }

  stats(): SubscriptionStats {
    const perSocket: Record<number, number> = {};
    this.o.placement.loads().forEach((n, i) => (perSocket[i + 1] = n));
    const total = this.h.instruments.size;
    return {
      total,
      cap: this.cap,
      perSocket,
      utilisationPercent: Math.round((total / this.cap) * 10_000) / 100,
      tierA: total - this.h.tierBCount,
      tierB: this.h.tierBCount,
    };
  }

  // ---- operations --------------------------------------------------------------------------

  /**
   * `owner` holds the chain of `spec`. An open chain is joined at its current window (`ltp` is
   * not used); a chain nobody holds is built around `ltp`. Evicts LRU Tier A owners if needed.
   * `extra` runs inside the same database transaction.
   * @throws AppError BAD_LTP (no price for a new chain), the registry's errors (unknown symbol,
   * expiry), CAPACITY (cannot fit); on error nothing changes.
   */
  holdChain(owner: string, tier: Tier, spec: ChainSpec, ltp: number | undefined, options: { reason?: string; extra?: () => void } = {}): { state: ChainState; change: SubscriptionChange; joined: boolean } {
    const key = chainKey(spec.symbol, spec.expiry);
    const prev = this.h.owners.get(owner);
    const unit = this.h.chains.get(key);
    if (unit && prev?.unit === unit) {
      const change = this.run(owner, 'chain', (op) => {
        this.h.changeTier(op, owner, tier);
        this.use(op, owner);
        if (options.extra) op.plan.extra.push(options.extra);
      });
      return { state: unit.chain!.state, change, joined: true };
    }
    let state: ChainState;
    if (unit) state = unit.chain!.state;
    else {
      if (ltp === undefined) throw new AppError('BAD_LTP', `no price is known for ${spec.symbol} yet: the ${key} chain cannot be centred`);
      state = this.o.atm.build(spec, ltp);
    }
    const wanted = new Set(unit ? [] : chainTokens(state));
    const victims = this.planEvictions(`${owner} (${key})`, tier, (o) => o === owner, wanted, prev ? [owner] : [], []);
    const reason = options.reason ?? `chain ${key}`;
    const change = this.run(owner, reason, (op) => {
      this.evict(op, victims, `${state.chain.symbol} ${state.chain.expiry} for ${owner}`);
      const target = unit ?? this.h.newUnit(op, key, { spec: { ...spec, symbol: state.chain.symbol }, state });
      // The new window is held before the old holding goes, so what both hold stays subscribed.
      if (!unit) for (const t of wanted) this.h.attach(op, target, t);
      if (prev) this.h.removeOwner(op, owner, 'UNSUBSCRIBE', `${owner} moved to ${key}`);
      this.h.addOwner(op, owner, tier, target, this.now());
      if (options.extra) op.plan.extra.push(options.extra);
    });
    return { state, change, joined: unit !== undefined };
  }

  /**
   * `owner` holds exactly `tokens`: instruments entering are subscribed (if no one had them),
   * those leaving are released. Evicts LRU Tier A owners if needed.
   * @throws AppError BAD_REQUEST (malformed), NOT_FOUND (not in the master), CAPACITY (cannot fit).
   */
  holdInstruments(owner: string, tier: Tier, tokens: readonly InstrumentToken[], options: { reason?: string; extra?: () => void } = {}): SubscriptionChange {
    const wanted = new Set<InstrumentToken>();
    for (const t of tokens) {
      const ref = parseToken(t);
      if (!ref) throw new AppError('BAD_REQUEST', `"${t}" is not an instrument token (<segment>:<securityId>)`);
      if (this.o.registry.rowOf(ref.segment, ref.securityId) < 0) throw new AppError('NOT_FOUND', `${t} is not in the instrument master`);
      wanted.add(t);
    }
    const prev = this.h.owners.get(owner);
    const inPlace = prev !== undefined && prev.unit.chain === null;
    const leaving = inPlace ? [...prev.unit.tokens].filter((t) => !wanted.has(t)) : [];
    const victims = this.planEvictions(owner, tier, (o) => o === owner, wanted, prev && !inPlace ? [owner] : [], leaving);
    const reason = options.reason ?? 'subscribe';
    return this.run(owner, reason, (op) => {
      this.evict(op, victims, owner);
      let unit: Unit;
      if (inPlace) {
        unit = prev.unit;
        this.h.changeTier(op, owner, tier);
        for (const t of leaving) this.h.detach(op, unit, t, 'UNSUBSCRIBE', owner, reason);
      } else {
        // The new list is held before the old holding goes, so what both hold stays subscribed.
        unit = this.h.newUnit(op, `list:${owner}`, null);
        for (const t of wanted) this.h.attach(op, unit, t);
        if (prev) this.h.removeOwner(op, owner, 'UNSUBSCRIBE', `${owner} now holds a list`);
        this.h.addOwner(op, owner, tier, unit, this.now());
      }
      for (const t of wanted) if (!unit.tokens.has(t)) this.h.attach(op, unit, t);
      this.use(op, owner);
      if (options.extra) op.plan.extra.push(options.extra);
    });
  }

  /**
   * Release everything an owner holds, as one logged operation (`action`: UNSUBSCRIBE for a
   * user's removal, ADMIN_UNSUBSCRIBE, EOD_CLEANUP). Unknown owners are a no-op, except that
   * `extra` still runs (in its own transaction).
   */
  release(owner: string, reason: string, action: SubscriptionLogAction = 'UNSUBSCRIBE', extra?: () => void): SubscriptionChange {
    return this.releaseMany([owner], reason, action, extra);
  }

  /** Release several owners in one operation (unknown ones are skipped). */
  releaseMany(owners: Iterable<string>, reason: string, action: SubscriptionLogAction = 'UNSUBSCRIBE', extra?: () => void): SubscriptionChange {
    return this.run(null, reason, (op) => {
      for (const owner of owners) if (this.h.owners.has(owner)) this.h.removeOwner(op, owner, action, reason);
      if (extra) op.plan.extra.push(extra);
    });
  }

  /** Release every owner of a tier in one operation (Tier A: the admin's "unsubscribe all", end of day). */
  releaseTier(tier: Tier, reason: string, action: SubscriptionLogAction, extra?: () => void): { change: SubscriptionChange; owners: string[] } {
    const owners = [...this.h.owners].filter(([, s]) => s.tier === tier).map(([o]) => o);
    return { change: this.releaseMany(owners, reason, action, extra), owners };
  }

  /** Mark an owner as just used (its chain opened or read), for LRU eviction. */
  touch(owner: string): void {
    if (!this.h.owners.has(owner)) return;
    this.run(owner, 'touch', (op) => this.use(op, owner));
  }

  /**
   * A new underlying price for the chain of (symbol, expiry): re-centre when it moved a full
   * strike step, for every owner of the chain at once. If the new window does not fit even after
   * evicting other Tier A owners, the chain stays where it was and CAPACITY is thrown.
   */
  onPrice(symbol: string, expiry: string, ltp: number, options: { ltt?: number; sessionStart?: number } = {}): { decision: RecentreDecision; change: SubscriptionChange } {
    const unit = this.h.chains.get(chainKey(symbol, expiry));
    const decision = this.o.atm.decide(unit?.chain?.state, unit?.chain?.spec ?? { symbol, expiry }, ltp, options);
    if (decision.kind === 'none' || !unit) return { decision, change: emptyChange() };
    const label = `chain:${unit.id}`;
    const reason = `re-centre ${decision.previous.chain.atm} -> ${decision.next.chain.atm}`;
    const victims = this.planEvictions(`the re-centre of ${unit.id}`, unit.tierB > 0 ? 'TIER_B' : 'TIER_A', (o) => unit.owners.has(o), new Set(decision.entering), [], decision.leaving);
    const change = this.run(label, reason, (op) => {
      this.evict(op, victims, `the re-centre of ${unit.id}`);
      const chain = unit.chain!;
      const previous = chain.state;
      chain.state = decision.next;
      op.undo.push(() => (chain.state = previous));
      op.plan.windows.set(unit.id, decision.next);
      for (const t of decision.leaving) this.h.detach(op, unit, t, 'UNSUBSCRIBE', label, reason);
      for (const t of decision.entering) this.h.attach(op, unit, t);
    });
    return { decision, change };
  }

  /**
   * Move instruments between sockets: off a socket that is down (`failover`) or to even the load
   * when it is back (`even-out`). The new sockets are written to the database. Returns the moves;
   * the feed pool unsubscribes each from its old socket and subscribes it on the new one.
   */
  rebalance(kind: 'failover' | 'even-out', socketId?: number): { moves: Move[]; stranded: InstrumentToken[] } {
    const placement = this.o.placement;
    let moves: Move[];
    let stranded: InstrumentToken[] = [];
    if (kind === 'failover') {
      if (socketId === undefined) throw new AppError('BAD_REQUEST', 'failover needs the socket that is down');
      ({ moves, stranded } = placement.planFailover(socketId));
    } else {
      moves = placement.planEvenOut();
    }
    if (moves.length === 0) return { moves, stranded };
    placement.apply(moves);
    try {
      this.o.store.moveSockets(moves);
    } catch (err) {
      placement.apply(moves.map((m) => ({ token: m.token, from: m.to, to: m.from })));
      throw err;
    }
    return { moves, stranded };
  }

  /**
   * Rebuild from the database after a restart: the same owners in the same LRU order, chains at
   * their persisted windows (atm_cache), instruments on the sockets recorded where they still
   * fit. REST views do not outlive the engine; owners whose chain has no window or whose
   * instruments left the master are dropped (logged). Returns the change to replay upstream.
   */
  restore(subscriptions: SubscriptionsRepo, windows: AtmCacheRepo): SubscriptionChange {
    if (this.h.owners.size || this.h.instruments.size) throw new AppError('BAD_REQUEST', 'restore() needs an empty registry');
    const rows = new Map(subscriptions.listAll().map((s) => [tokenOf(s), s] as const));
    const op: Op = { plan: emptyPlan(), change: emptyChange(), undo: [], fresh: [] };
    const known = (t: InstrumentToken) => {
      const ref = parseToken(t);
      return ref !== null && this.o.registry.rowOf(ref.segment, ref.securityId) >= 0;
    };
    for (const o of subscriptions.listOwners()) {
      const unit = isViewOwner(o.owner) ? undefined : this.restoredUnit(op, o, windows, known);
      if (!unit) {
        op.plan.owners.add(o.owner); // deleted at commit: nothing in memory
        continue;
      }
      const first = unit.owners.size === 0 && unit.tokens.size === 0;
      this.h.addOwner(op, o.owner, o.tier, unit, o.lastUsedAt);
      if (first) {
        const tokens = unit.chain ? chainTokens(unit.chain.state) : o.holding.kind === 'instruments' ? o.holding.tokens : [];
        for (const t of tokens) if (known(t)) this.h.attach(op, unit, t);
      }
    }
    this.h.reorder();
    for (const [token] of rows) {
      if (this.h.instruments.has(token)) continue;
      op.plan.instruments.add(token);
      op.plan.log.push({ action: 'UNSUBSCRIBE', token, owner: null, reason: 'no owner or not in the master after restart' });
    }
    const placement = this.o.placement;
    const saved: [InstrumentToken, number][] = [];
    for (const t of this.h.instruments.keys()) {
      const socket = rows.get(t)?.wsConnectionId;
      if (socket != null && socket <= placement.sockets) saved.push([t, socket]);
    }
    try {
      placement.restore(saved);
    } catch {
      placement.restore([]);
    }
    const unplaced = [...this.h.instruments.keys()].filter((t) => !placement.has(t));
    const placed = unplaced.length ? placement.place(unplaced) : new Map<InstrumentToken, number>();
    for (const t of this.h.instruments.keys()) {
      const row = rows.get(t);
      if (!row || placed.has(t) || row.tier !== this.h.tierOf(t) || row.wsConnectionId !== placement.socketOf(t)) op.plan.instruments.add(t);
    }
    this.commit(op);
    const change: SubscriptionChange = { subscribed: [...this.h.instruments.keys()].map((token) => ({ token, socket: placement.socketOf(token)! })), unsubscribed: [], evicted: [] };
    this.emit(change);
    return change;
  }

  // ---- internals ---------------------------------------------------------------------------

  private restoredUnit(op: Op, o: SubscriptionOwner, windows: AtmCacheRepo, known: (t: InstrumentToken) => boolean): Unit | undefined {
    const h = o.holding;
    if (h.kind === 'instruments') return h.tokens.some(known) ? this.h.newUnit(op, `list:${o.owner}`, null) : undefined;
    const key = chainKey(h.symbol, h.expiry);
    const open = this.h.chains.get(key);
    if (open) return open;
    const w = windows.get(h.symbol, h.expiry);
    if (!w) return undefined;
    const spec: ChainSpec = { symbol: h.symbol, expiry: h.expiry, ...(h.segment ? { segment: h.segment } : {}), ...(h.strikes ? { strikes: h.strikes } : {}) };
    try {
      const state = this.o.atm.build(spec, w.underlyingLtp, { checkLive: false });
      return this.h.newUnit(op, key, { spec, state });
    } catch {
      return undefined;
    }
  }

  private openChain(u: Unit): OpenChain {
    const owners = [...u.owners].map((owner) => ({ owner, tier: this.h.owners.get(owner)!.tier }));
    return { key: u.id, spec: u.chain!.spec, state: u.chain!.state, owners, tier: u.tierB > 0 ? 'TIER_B' : 'TIER_A' };
  }

  private use(op: Op, owner: string): void {
    const s = this.h.owners.get(owner)!;
    const was = s.lastUsed;
    s.lastUsed = this.now();
    op.plan.owners.add(owner);
    op.undo.push(() => (s.lastUsed = was));
  }

  private evict(op: Op, victims: readonly string[], forWhat: string): void {
    for (const v of victims) {
      this.h.removeOwner(op, v, 'RATE_LIMIT_EVICT', `evicted (least recently used) to make room for ${forWhat}`);
      op.change.evicted.push(v);
    }
  }

  /** Run one operation: apply, place, commit; undo everything if any step throws. */
  private run(owner: string | null, reason: string, apply: (op: Op) => void): SubscriptionChange {
    const op: Op = { plan: emptyPlan(), change: emptyChange(), undo: [], fresh: [] };
    try {
      apply(op);
      this.h.placeFresh(op, owner ?? 'registry', reason);
      this.commit(op);
    } catch (err) {
      for (let i = op.undo.length - 1; i >= 0; i--) op.undo[i]!();
      this.h.reorder();
      throw err;
    }
    if (owner !== null && this.h.owners.has(owner) && op.plan.owners.has(owner)) this.h.moveToBack(owner);
    this.emit(op.change);
    return op.change;
  }

  private commit(op: Op): void {
    const h = this.h;
    const placement = this.o.placement;
    this.o.store.commit(op.plan, this.now(), {
      owner(owner) {
        const s = h.owners.get(owner);
        if (!s) return undefined;
        const c = s.unit.chain;
        return {
          owner,
          tier: s.tier,
          lastUsedAt: s.lastUsed,
          holding: c
            ? { kind: 'chain', symbol: c.spec.symbol, expiry: c.spec.expiry, segment: c.spec.segment ?? null, strikes: c.spec.strikes ?? null }
            : { kind: 'instruments', tokens: [...s.unit.tokens] },
        };
      },
      instrument(token) {
        const tier = h.tierOf(token);
        const socket = placement.socketOf(token);
        return tier === undefined || socket === undefined ? undefined : { tier, socket };
      },
    });
  }

  /**
   * LRU Tier A owners to evict so that `wanted` can be held within the cap, given the owners and
   * unit tokens the operation itself lets go. `exempt` owners are never victims.
   */
  private planEvictions(what: string, tier: Tier, exempt: (owner: string) => boolean, wanted: ReadonlySet<InstrumentToken>, ownersLeaving: readonly string[], tokensLeaving: readonly InstrumentToken[]): string[] {
    const inst = this.h.instruments;
    let needed = 0;
    for (const t of wanted) if (!inst.has(t)) needed++;
    const remaining = new Map<InstrumentToken, number>();
    const ownersLeft = new Map<Unit, number>();
    let freed = 0;
    const leaveToken = (t: InstrumentToken) => {
      if (wanted.has(t)) return;
      const r = (remaining.get(t) ?? inst.get(t)!.units.size) - 1;
      remaining.set(t, r);
      if (r === 0) freed++;
    };
    const leaveOwner = (owner: string) => {
      const u = this.h.owners.get(owner)!.unit;
      const left = (ownersLeft.get(u) ?? u.owners.size) - 1;
      ownersLeft.set(u, left);
      if (left === 0) for (const t of u.tokens) leaveToken(t);
    };
    for (const o of ownersLeaving) leaveOwner(o);
    for (const t of tokensLeaving) leaveToken(t);
    const fits = () => inst.size + needed - freed <= this.cap;
    if (fits()) return [];
    const victims: string[] = [];
    for (const [name, s] of this.h.owners) {
      if (s.tier !== 'TIER_A' || exempt(name)) continue;
      victims.push(name);
      leaveOwner(name);
      if (fits()) return victims;
    }
    const why = tier === 'TIER_A' ? 'even after evicting every other Tier A chain' : 'Tier B is never evicted';
    throw new AppError('CAPACITY', `${what} needs ${needed} more instruments but only ${this.cap - inst.size + freed} of ${this.cap} can be freed (${why}); nothing was subscribed`);
  }

  private emit(change: SubscriptionChange): void {
    if (change.subscribed.length === 0 && change.unsubscribed.length === 0) return;
    for (const l of this.listeners) l(change);
  }
}
