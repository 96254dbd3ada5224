/**
 * Tier B at start-up: plan the always-on set from the config and the master, then open it.
 *
 * Policy:
 * - One owner per chain (`tierb:<SYMBOL>:<expiry>`) and per futures entry (`tierb:fut:<SYMBOL>`),
 *   all TIER_B, so the manager never evicts them and each can be dropped alone when it expires.
 * - Every chain holds its underlying (index, stock or MCX future), since the ATM comes from it.
 * - Every F&O underlying is live too (`fnoUnderlyings`, on by default): each stock and index with
 *   listed options, and the future each option-on-futures expiry follows, held by one owner
 *   (`tierb:underlyings`). A few hundred instruments buy an add that needs no REST call to know
 *   where its ATM is. They count in Tier B like any other instrument.
 * - A config symbol the master does not know, or with fewer live expiries than asked, is a
 *   problem to report, never fatal: the rest is planned.
 * - The planned count counts an instrument once: the underlying shared by several expiries, a
 *   future that is also an MCX chain's underlying. A chain's options are counted for its fullest
 *   window (the window is only known once the price is), so the count is an upper bound, exact
 *   when the window is not clipped by the end of the ladder.
 * - A chain whose underlying has no price yet is not guessed at: it waits (`pending`), holding its
 *   underlying so a tick can arrive, and the app re-applies it after the REST snapshot or the
 *   first tick.
 */
import { AppError } from '../../shared/errors';
import { isFutureKind, tokenOf, type InstrumentToken, type Segment } from '../../shared/instruments';
import { TIER_B_OWNER_PREFIX, TIER_B_UNDERLYINGS_OWNER, tierBChainOwner, tierBFuturesOwner } from '../../shared/keys';
import type { InstrumentRegistry, StrikeLadder } from '../instruments/registry';
import type { SubscriptionCore } from '../subscriptions/index';
import type { TierBChainEntry, TierBConfig } from './tier-b-config';

export { TIER_B_OWNER_PREFIX, TIER_B_UNDERLYINGS_OWNER, tierBChainOwner, tierBFuturesOwner } from '../../shared/keys';
export { DEFAULT_TIER_B_CONFIG, parseTierBConfig, parseTierBConfigJson, type TierBConfig } from './tier-b-config';

import { INSTRUMENT_CAP } from '../../shared/product';

export { INSTRUMENT_CAP };

const FUTURES_SEGMENTS: readonly Segment[] = ['MCX_COMM', 'NSE_FNO', 'BSE_FNO', 'NSE_COMM'];
/** Option segments whose contracts are options on futures (an underlying per expiry). */
const ON_FUTURES: ReadonlySet<Segment> = new Set<Segment>(['MCX_COMM', 'NSE_COMM', 'NSE_CURRENCY', 'BSE_CURRENCY']);

/** One chain to open. */
export interface TierBChainPlan {
  kind: 'chain';
  owner: string;
  group: 'indexChains' | 'optionChains';
  spec: { symbol: string; expiry: string; segment: Segment; strikes: number };
  underlyingToken: InstrumentToken;
  /** CE and PE the chain holds at most, without the underlying. */
  options: number;
}

/** A fixed set of instruments (the nearest futures of a symbol). */
export interface TierBInstrumentsPlan {
  kind: 'instruments';
  owner: string;
  symbol: string;
  tokens: InstrumentToken[];
}

export type TierBOwnerPlan = TierBChainPlan | TierBInstrumentsPlan;

/** Something in the config the master cannot satisfy (fully); the rest is planned. */
export interface TierBProblem {
  /** The config field, e.g. `indexChains[3]`. */
  field: string;
  symbol: string;
  message: string;
}

export interface TierBPlan {
  /** "Today" the plan was made for (YYYY-MM-DD): expiries before it are not live. */
  asOf: string;
  owners: TierBOwnerPlan[];
  /** Distinct instruments the plan subscribes at most. */
  plannedInstruments: number;
  problems: TierBProblem[];
}


/** The most CE+PE legs any window of `count` consecutive strikes of the ladder holds. */
function maxLegsInWindow(ladder: StrikeLadder, count: number): number {
  const n = ladder.strikes.length;
  const w = Math.min(count, n);
  const legs = (i: number) => (ladder.ce[i]! >= 0 ? 1 : 0) + (ladder.pe[i]! >= 0 ? 1 : 0);
  let sum = 0;
  for (let i = 0; i < w; i++) sum += legs(i);
  let best = sum;
  for (let i = w; i < n; i++) {
    sum += legs(i) - legs(i - w);
    if (sum > best) best = sum;
  }
  return best;
}

function planChains(registry: InstrumentRegistry, group: TierBChainPlan['group'], entries: readonly TierBChainEntry[], asOf: string, plan: TierBPlan): void {
  entries.forEach((entry, i) => {
    const field = `${group}[${i}]`;
    const { symbol } = entry;
    const problem = (message: string) => plan.problems.push({ field, symbol, message });
    if (registry.rowsOfSymbol(symbol).length === 0) return problem(`${symbol} is not in the instrument master`);
    const segment = entry.segment ?? registry.optionSegments(symbol)[0];
    if (!segment) return problem(`${symbol} has no options listed`);
    const live = registry.expiries(symbol, { segment, asOf });
    if (live.length === 0) return problem(`${symbol} has no live ${segment} option expiry on or after ${asOf}`);
    if (live.length < entry.expiries) problem(`${symbol} has ${live.length} live ${segment} expiries, ${entry.expiries} configured`);
    for (const expiry of live.slice(0, entry.expiries)) {
      const ladder = registry.ladder(symbol, expiry, segment)!;
      const row = ladder.ce.find((r) => r >= 0) ?? ladder.pe.find((r) => r >= 0)!;
      const under = registry.underlyingOf(registry.table.get(row));
      if (!under) {
        problem(`${symbol} ${expiry}: the master lists no underlying to centre the chain on; skipped`);
        continue;
      }
      plan.owners.push({
        kind: 'chain',
        owner: tierBChainOwner(symbol, expiry),
        group,
        spec: { symbol, expiry, segment, strikes: entry.strikes },
        underlyingToken: tokenOf(under),
        options: maxLegsInWindow(ladder, entry.strikes),
      });
    }
  });
}

function planFutures(registry: InstrumentRegistry, config: TierBConfig, asOf: string, plan: TierBPlan): void {
  config.futures.forEach((entry, i) => {
    const field = `futures[${i}]`;
    const { symbol } = entry;
    const problem = (message: string) => plan.problems.push({ field, symbol, message });
    if (registry.rowsOfSymbol(symbol).length === 0) return problem(`${symbol} is not in the instrument master`);
    const segments = entry.segment ? [entry.segment] : FUTURES_SEGMENTS;
    for (const segment of segments) {
      const expiries = registry.expiries(symbol, { segment, asOf, kind: 'futures' });
      if (expiries.length === 0) continue;
      if (expiries.length < entry.count) problem(`${symbol} has ${expiries.length} live ${segment} futures, ${entry.count} configured`);
      const tokens = expiries
        .slice(0, entry.count)
        .flatMap((e) => registry.bySymbolAndExpiry(symbol, e).filter((x) => isFutureKind(x.kind) && x.segment === segment).map(tokenOf));
      plan.owners.push({ kind: 'instruments', owner: tierBFuturesOwner(symbol), symbol, tokens });
      return;
    }
    problem(`${symbol} has no live futures${entry.segment ? ` in ${entry.segment}` : ''} on or after ${asOf}`);
  });
}

/**
 * The instruments every live option chain of the master centres on: per symbol with options, in
 * its main options venue (the one a watchlist add uses), the underlying of each live expiry.
 * Sorted, so the plan is deterministic.
 */
export function fnoUnderlyings(registry: InstrumentRegistry, asOf: string = registry.today()): InstrumentToken[] {
  const out = new Set<InstrumentToken>();
  for (const symbol of registry.symbols()) {
    const segment = registry.optionSegments(symbol)[0];
    if (!segment) continue;
    const expiries = registry.expiries(symbol, { segment, asOf });
    // Options on an index or a stock follow the same spot whatever their expiry; options on
    // futures (commodities, currencies) follow each expiry's own future.
    for (const expiry of ON_FUTURES.has(segment) ? expiries : expiries.slice(0, 1)) {
      const under = registry.chainUnderlying(symbol, expiry, segment);
      if (under) out.add(tokenOf(under));
    }
  }
  return [...out].sort();
}

/**
 * Plan Tier B from a validated config over the master, for the IST date `asOf` (default: the
 * registry's today). Never throws for symbols the master lacks: see `problems`.
 */
export function planTierB(registry: InstrumentRegistry, config: TierBConfig, asOf: string = registry.today()): TierBPlan {
  const plan: TierBPlan = { asOf, owners: [], plannedInstruments: 0, problems: [] };
  planChains(registry, 'indexChains', config.indexChains, asOf, plan);
  planFutures(registry, config, asOf, plan);
  planChains(registry, 'optionChains', config.optionChains, asOf, plan);
  if (config.fnoUnderlyings) {
    const tokens = fnoUnderlyings(registry, asOf);
    if (tokens.length) plan.owners.push({ kind: 'instruments', owner: TIER_B_UNDERLYINGS_OWNER, symbol: 'F&O underlyings', tokens });
  }
  // Option windows of different (symbol, expiry) never share an instrument; underlyings and futures may.
  const shared = new Set<InstrumentToken>();
  let options = 0;
  for (const o of plan.owners) {
    if (o.kind === 'chain') {
      options += o.options;
      shared.add(o.underlyingToken);
    } else {
      for (const t of o.tokens) shared.add(t);
    }
  }
  plan.plannedInstruments = options + shared.size;
  return plan;
}

/** One line for the start-up log: the planned count against the cap. */
export function describeTierBPlan(plan: TierBPlan, cap = INSTRUMENT_CAP): string {
  const chains = plan.owners.filter((o) => o.kind === 'chain').length;
  const pct = ((100 * plan.plannedInstruments) / cap).toFixed(1);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const problems = plan.problems.length ? `; ${plan.problems.length} problem(s): ${plan.problems.map((p) => `${p.field} ${p.message}`).join('; ')}` : '';
  const underlyings = plan.owners.find((o) => o.owner === TIER_B_UNDERLYINGS_OWNER);
  const lists = plan.owners.length - chains - (underlyings ? 1 : 0);
  const live = underlyings?.kind === 'instruments' ? `, ${fmt(underlyings.tokens.length)} F&O underlyings always live` : '';
  return `Tier B: ${fmt(plan.plannedInstruments)} instruments planned (${pct}% of ${fmt(cap)}; ${fmt(cap - plan.plannedInstruments)} left for Tier A) in ${chains} chains and ${lists} futures owners${live}${problems}`;
}

export interface TierBApplyResult {
  opened: { owner: string; instruments: number }[];
  /** Chains waiting for their underlying's first price; each already holds its underlying. */
  pending: { plan: TierBChainPlan; reason: string }[];
  failed: { owner: string; code: string; message: string }[];
  /** Instruments newly subscribed upstream. */
  subscribed: number;
}

/**
 * Open the planned owners as TIER_B. Chains are centred on `priceOf(underlyingToken)`; without a
 * usable price a chain is pending (re-apply `pending.map((p) => p.plan)` once a price is known).
 * Idempotent: an owner already open keeps its window.
 */
export function applyTierB(
  core: Pick<SubscriptionCore, 'owners'>,
  plan: Pick<TierBPlan, 'owners'>,
  priceOf: (token: InstrumentToken) => number | undefined,
): TierBApplyResult {
  const result: TierBApplyResult = { opened: [], pending: [], failed: [], subscribed: 0 };
  for (const o of plan.owners) {
    try {
      if (o.kind === 'instruments') {
        result.subscribed += core.owners.holdInstruments(o.owner, 'TIER_B', o.tokens, { reason: `tier B futures ${o.symbol}` }).subscribed.length;
        result.opened.push({ owner: o.owner, instruments: o.tokens.length });
        continue;
      }
      const ltp = priceOf(o.underlyingToken);
      const open = core.owners.chain(o.spec.symbol, o.spec.expiry);
      if (!open && (ltp === undefined || !(Number.isFinite(ltp) && ltp > 0))) {
        const reason = ltp === undefined ? `no price yet for ${o.underlyingToken}` : `unusable price ${ltp} for ${o.underlyingToken}`;
        result.subscribed += core.owners.holdInstruments(o.owner, 'TIER_B', [o.underlyingToken], { reason: `tier B ${o.spec.symbol} waiting for a price` }).subscribed.length;
        result.pending.push({ plan: o, reason });
        continue;
      }
      const { state, change } = core.owners.holdChain(o.owner, 'TIER_B', o.spec, ltp, { reason: `tier B chain ${o.spec.symbol} ${o.spec.expiry}` });
      result.subscribed += change.subscribed.length;
      result.opened.push({ owner: o.owner, instruments: state.optionTokens.length + (state.underlyingToken ? 1 : 0) });
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('INTERNAL', (err as Error).message ?? String(err));
      result.failed.push({ owner: o.owner, code: e.code, message: e.message });
    }
  }
  return result;
}

/**
 * Release Tier B owners the plan no longer has (expired chains and futures after the master
 * refresh, or entries removed from the config). Returns the owners released.
 */
export function pruneTierB(core: Pick<SubscriptionCore, 'owners'>, plan: Pick<TierBPlan, 'owners'>): { released: string[]; unsubscribed: number } {
  const keep = new Set(plan.owners.map((o) => o.owner));
  const released = core.owners
    .listOwners()
    .filter(({ owner, tier }) => tier === 'TIER_B' && owner.startsWith(TIER_B_OWNER_PREFIX) && !keep.has(owner))
    .map((o) => o.owner);
  const change = core.owners.releaseMany(released, 'tier B: expired or no longer configured');
  return { released, unsubscribed: change.unsubscribed.length };
}
