/**
 * The ATM engine: which strikes of a chain are live. A chain is built around the at-the-money
 * strike and re-centred only when the underlying has moved at least one full strike step from the
 * ATM in use, the expiry changes, or the user reopens the chain (force) -- never per tick, so the
 * subscription budget does not churn with every wiggle of the price. A bad price (zero, negative,
 * NaN, or older than the session) never moves a chain; the decision says why.
 */
import type { OptionChain } from '../../shared/chain';
import { tokenOf, type InstrumentToken, type Segment } from '../../shared/instruments';
import type { InstrumentRegistry } from '../instruments/registry';
import type { AtmCacheRepo } from '../storage/atm-cache-repo';
import { isUsableLtp } from '../instruments/strike-math';

/** A chain as the engine holds it: the registry's chain plus its instrument tokens. */
export interface ChainState {
  key: string;
  chain: OptionChain;
  /** CE and PE tokens of the window, strike by strike. */
  optionTokens: InstrumentToken[];
  /** The underlying's token (index, stock or MCX future), when listed. */
  underlyingToken: InstrumentToken | null;
  /** Epoch ms of the build. */
  builtAt: number;
}

export type RecentreDecision =
  | { kind: 'none'; reason: 'no-chain' | 'bad-ltp' | 'stale-ltp' | 'within-step'; message: string }
  | { kind: 'recentre'; previous: ChainState; next: ChainState; entering: InstrumentToken[]; leaving: InstrumentToken[] };

export interface AtmEngineOptions {
  registry: InstrumentRegistry;
  /** Persists each chain's window so a restart shows the last chains before the first tick. */
  cache?: AtmCacheRepo;
  now?: () => number;
}

export interface ChainSpec {
  symbol: string;
  expiry: string;
  segment?: Segment;
  strikes?: number;
}

/** The cache key of (symbol, expiry). */
export function chainKey(symbol: string, expiry: string): string {
  return `${symbol.trim().toUpperCase()}|${expiry}`;
}

export class AtmEngine {
  private readonly registry: InstrumentRegistry;
  private readonly cache: AtmCacheRepo | undefined;
  private readonly now: () => number;
  private readonly chains = new Map<string, ChainState>();
  private readonly specs = new Map<string, ChainSpec>();

  constructor(options: AtmEngineOptions) {
    this.registry = options.registry;
    this.cache = options.cache;
    this.now = options.now ?? Date.now;
  }

  /** The chain in use for (symbol, expiry), if one was built. */
  get(symbol: string, expiry: string): ChainState | undefined {
    return this.chains.get(chainKey(symbol, expiry));
  }

  /**
   * The chain of (symbol, expiry) centred on `ltp`: the cached one unless `force` (the user
   * reopened it) or there is none yet. Throws the registry's errors for unknown symbols,
   * expiries and bad prices.
   */
  chain(spec: ChainSpec, ltp: number, options: { force?: boolean } = {}): ChainState {
    const key = chainKey(spec.symbol, spec.expiry);
    const cached = this.chains.get(key);
    if (cached && !options.force) return cached;
    const state = this.build(spec, ltp, true);
    this.store(state, spec);
    return state;
  }

  /** The last window persisted for (symbol, expiry), rebuilt at that price; undefined if none. */
  restore(spec: ChainSpec): ChainState | undefined {
    const entry = this.cache?.get(spec.symbol.trim().toUpperCase(), spec.expiry);
    if (!entry) return undefined;
    return this.chain(spec, entry.underlyingLtp, { force: true });
  }

  /**
   * What a new underlying price means for the chain of (symbol, expiry): nothing unless the price
   * is usable, current, and at least one strike step away from the ATM in use.
   * @param sessionStart epoch ms; a price with `ltt` older than this is stale.
   */
  decide(symbol: string, expiry: string, ltp: number, options: { ltt?: number; sessionStart?: number } = {}): RecentreDecision {
    const key = chainKey(symbol, expiry);
    const previous = this.chains.get(key);
    if (!previous) return { kind: 'none', reason: 'no-chain', message: `no chain is open for ${symbol} ${expiry}` };
    if (!isUsableLtp(ltp)) return { kind: 'none', reason: 'bad-ltp', message: `LTP ${ltp} is not a usable price; the chain stays at ATM ${previous.chain.atm}` };
    if (options.ltt !== undefined && options.sessionStart !== undefined && options.ltt < options.sessionStart) {
      return { kind: 'none', reason: 'stale-ltp', message: `LTP ${ltp} is from before this session; the chain stays at ATM ${previous.chain.atm}` };
    }
    const { atm, step } = previous.chain;
    if (!(step > 0) || Math.abs(ltp - atm) < step) {
      return { kind: 'none', reason: 'within-step', message: `LTP ${ltp} is within one step (${step}) of ATM ${atm}` };
    }
    const next = this.build(this.specs.get(key)!, ltp, false);
    if (next.chain.atm === atm) {
      // The price moved a step but no listed strike is nearer (edge of the ladder): keep it.
      return { kind: 'none', reason: 'within-step', message: `no listed strike is nearer to ${ltp} than ATM ${atm}` };
    }
    this.store(next, this.specs.get(key)!);
    const before = new Set(previous.optionTokens);
    const after = new Set(next.optionTokens);
    return {
      kind: 'recentre',
      previous,
      next,
      entering: next.optionTokens.filter((t) => !before.has(t)),
      leaving: previous.optionTokens.filter((t) => !after.has(t)),
    };
  }

  /** Put back a chain state returned earlier (a re-centre that could not be subscribed). */
  reinstate(state: ChainState): void {
    const spec = this.specs.get(state.key);
    if (spec) this.store(state, spec);
  }

  /** Forget a chain (closed, expired, or its expiry changed); the next `chain` call rebuilds it. */
  invalidate(symbol: string, expiry: string): void {
    const key = chainKey(symbol, expiry);
    this.chains.delete(key);
    this.specs.delete(key);
    this.cache?.delete(symbol.trim().toUpperCase(), expiry);
  }

  /** Every chain in use. */
  list(): ChainState[] {
    return [...this.chains.values()];
  }

  /** `checkLive`: refuse an expired expiry (opening a chain); a chain already open keeps re-centring until it is closed. */
  private build(spec: ChainSpec, ltp: number, checkLive: boolean): ChainState {
    const chain = this.registry.optionChain({
      symbol: spec.symbol,
      expiry: spec.expiry,
      ltp,
      ...(spec.segment ? { segment: spec.segment } : {}),
      ...(spec.strikes ? { strikes: spec.strikes } : {}),
      ...(checkLive ? {} : { asOf: '0001-01-01' }),
    });
    const optionTokens: InstrumentToken[] = [];
    for (const s of chain.strikes) {
      if (s.ce) optionTokens.push(tokenOf(s.ce));
      if (s.pe) optionTokens.push(tokenOf(s.pe));
    }
    return {
      key: chainKey(chain.symbol, chain.expiry),
      chain,
      optionTokens,
      underlyingToken: chain.underlying ? tokenOf(chain.underlying) : null,
      builtAt: this.now(),
    };
  }

  private store(state: ChainState, spec: ChainSpec): void {
    this.chains.set(state.key, state);
    this.specs.set(state.key, spec);
    this.cache?.put({
      symbol: state.chain.symbol,
      expiry: state.chain.expiry,
      segment: state.chain.underlying?.segment ?? state.chain.segment,
      underlyingLtp: state.chain.ltp,
      atmStrike: state.chain.atm,
      strikeStep: state.chain.step,
      strikes: state.chain.strikes.map((s) => s.strike),
      updatedAt: state.builtAt,
    });
  }
}
