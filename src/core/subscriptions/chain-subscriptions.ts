/**
 * Chains as subscription owners. An owner (a watchlist entry, a Tier B config entry, an open
 * view) opens the chain of (symbol, expiry); the ATM engine decides its strikes and the owner
 * holds those options plus the underlying. When the underlying moves a full strike step every
 * owner of that chain is moved to the new window: only the strikes entering are subscribed and
 * only those leaving are released, and the move counts as a use for LRU eviction.
 */
import { type InstrumentToken } from '../../shared/instruments';
import { AtmEngine, chainKey, type ChainSpec, type ChainState, type RecentreDecision } from '../chain/atm-engine';
import type { SubscriptionChange, SubscriptionManager, Tier } from './subscription-manager';

export interface OpenChainResult {
  state: ChainState;
  change: SubscriptionChange;
}

export interface PriceResult {
  decision: RecentreDecision;
  /** One change per owner that was moved. */
  changes: SubscriptionChange[];
}

export class ChainSubscriptions {
  /** chain key -> owner -> tier */
  private readonly owners = new Map<string, Map<string, Tier>>();
  /** owner -> chain key */
  private readonly chainOf = new Map<string, string>();

  constructor(
    readonly atm: AtmEngine,
    private readonly subscriptions: SubscriptionManager,
  ) {}

  /** The tokens an owner of `state` holds: every CE/PE of the window plus the underlying. */
  static tokensFor(state: ChainState): InstrumentToken[] {
    return state.underlyingToken ? [...state.optionTokens, state.underlyingToken] : state.optionTokens.slice();
  }

  /**
   * Subscribe `owner` to the chain of `spec` centred on `ltp` (the cached window unless `force`,
   * i.e. the user reopened the chain). Throws the registry's and the manager's errors; on error
   * nothing is subscribed.
   */
  open(owner: string, tier: Tier, spec: ChainSpec, ltp: number, options: { force?: boolean } = {}): OpenChainResult {
    const key = chainKey(spec.symbol, spec.expiry);
    const previous = this.atm.get(spec.symbol, spec.expiry);
    const state = this.atm.chain(spec, ltp, options);
    let change: SubscriptionChange;
    try {
      // A forced rebuild moves every other owner of the chain to the new window too.
      const others = state !== previous ? [...(this.owners.get(key) ?? [])].filter(([o]) => o !== owner) : [];
      change = this.subscriptions.setOwner(owner, tier, ChainSubscriptions.tokensFor(state), `chain ${state.chain.symbol} ${state.chain.expiry}`);
      for (const [o, t] of others) this.subscriptions.setOwner(o, t, ChainSubscriptions.tokensFor(state), 're-centre (chain reopened)');
    } catch (err) {
      if (!this.owners.get(key)?.size) this.atm.invalidate(spec.symbol, spec.expiry);
      throw err;
    }
    let set = this.owners.get(key);
    if (!set) this.owners.set(key, (set = new Map()));
    set.set(owner, tier);
    this.chainOf.set(owner, key);
    return { state, change };
  }

  /**
   * After a restart: take back an owner whose subscriptions the manager restored, rebuilding its
   * chain from the persisted ATM window (no tick needed). False when no window was persisted.
   */
  adopt(owner: string, tier: Tier, spec: ChainSpec): boolean {
    const state = this.atm.get(spec.symbol, spec.expiry) ?? this.atm.restore(spec);
    if (!state) return false;
    const key = chainKey(spec.symbol, spec.expiry);
    let set = this.owners.get(key);
    if (!set) this.owners.set(key, (set = new Map()));
    set.set(owner, tier);
    this.chainOf.set(owner, key);
    const want = ChainSubscriptions.tokensFor(state);
    const held = new Set(this.subscriptions.tokensOf(owner));
    if (want.length !== held.size || want.some((t) => !held.has(t))) this.subscriptions.setOwner(owner, tier, want, 'restored chain');
    return true;
  }

  /** Release an owner's chain; the chain is forgotten when its last owner goes. */
  close(owner: string, reason = 'chain closed'): SubscriptionChange {
    const change = this.subscriptions.release(owner, reason);
    this.forgetOwners([owner]);
    return change;
  }

  /** Forget all chains of the given owners after the manager released them (end of day). */
  forgetOwners(owners: Iterable<string>): void {
    for (const owner of owners) {
      const key = this.chainOf.get(owner);
      if (key === undefined) continue;
      this.chainOf.delete(owner);
      const set = this.owners.get(key);
      set?.delete(owner);
      if (set && set.size === 0) {
        this.owners.delete(key);
        const [symbol, expiry] = key.split('|') as [string, string];
        this.atm.invalidate(symbol, expiry);
      }
    }
  }

  /** Every open chain with its owners and their tiers. */
  openChains(): { symbol: string; expiry: string; owners: [string, Tier][] }[] {
    return [...this.owners].map(([key, owners]) => {
      const [symbol, expiry] = key.split('|') as [string, string];
      return { symbol, expiry, owners: [...owners] };
    });
  }

  /** Owners of the chain of (symbol, expiry). */
  ownersOf(symbol: string, expiry: string): string[] {
    return [...(this.owners.get(chainKey(symbol, expiry))?.keys() ?? [])];
  }

  /**
   * A new underlying price for the chain of (symbol, expiry): re-centre when it moved a full
   * strike step, moving every owner of the chain to the new window.
   */
  onPrice(symbol: string, expiry: string, ltp: number, options: { ltt?: number; sessionStart?: number } = {}): PriceResult {
    const decision = this.atm.decide(symbol, expiry, ltp, options);
    if (decision.kind === 'none') return { decision, changes: [] };
    const changes: SubscriptionChange[] = [];
    const tokens = ChainSubscriptions.tokensFor(decision.next);
    const moved: [string, Tier][] = [];
    try {
      for (const [owner, tier] of this.owners.get(chainKey(symbol, expiry)) ?? []) {
        changes.push(this.subscriptions.setOwner(owner, tier, tokens, `re-centre ${decision.previous.chain.atm} -> ${decision.next.chain.atm}`));
        moved.push([owner, tier]);
      }
    } catch (err) {
      // The new window does not fit: put the chain and the owners already moved back.
      this.atm.reinstate(decision.previous);
      const back = ChainSubscriptions.tokensFor(decision.previous);
      for (const [owner, tier] of moved) this.subscriptions.setOwner(owner, tier, back, 're-centre undone');
      throw err;
    }
    return { decision, changes };
  }
}
