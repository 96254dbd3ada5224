/**
 * Feeds a ChainAnalytics from what the engine already holds: the ATM engine's ChainState (strikes,
 * legs, underlying) and the QuoteStore (latest price, OI, previous OI, volume per instrument).
 * Kept apart from the class so the analytics depend on numbers, not on App, tokens or the store.
 *
 * Policy: each leg hands over its last price (its last trade, else its previous close), whether
 * that trade is from today's session day (QuoteStore.tradedTodayAt) and its best bid and ask:
 * ChainAnalytics picks the IV's price from them (mid, else a price traded today, else none).
 *
 * The chain's underlying is read as the forward's spot fallback when it is an index or
 * an equity, and as the future when it is a future (MCX options are written on their future, so
 * its price is their forward). A separate future for index/stock chains can be passed in.
 */
import { parseToken, type InstrumentToken, type Segment } from '../../shared/instruments';
import type { ChainState } from '../chain/atm-engine';
import type { QuoteStore } from '../feed/quote-store';
import { ChainAnalytics } from './chain-analytics';
import type { ChainSummary } from './chain-summary';
import { expiryInstant } from './expiry-time';

/** The part of the QuoteStore the adapter reads (QuoteStore satisfies it): fields in place, no copies. */
export type QuoteReader = Pick<QuoteStore, 'slotOf' | 'valueAt' | 'tradedTodayAt' | 'bestBidAt' | 'bestAskAt'>;

export interface ChainFeedOptions {
  /** A future of the chain's expiry (or the nearest after it) to use as the forward's fallback. */
  futureToken?: InstrumentToken | null;
}

const SPOT_SEGMENTS: ReadonlySet<Segment> = new Set<Segment>(['IDX_I', 'NSE_EQ', 'BSE_EQ']);

/** The slot of an instrument (a leg or a token) in the store, or undefined. */
function slotOf(store: QuoteReader, ref: { segment: Segment; securityId: number } | null | undefined): number | undefined {
  return ref ? store.slotOf(ref.segment, ref.securityId) : undefined;
}

/** The latest price in `slot` (NaN when none). */
const priceAt = (store: QuoteReader, slot: number | undefined): number => (slot === undefined ? Number.NaN : store.valueAt(slot, 'ltp'));

/** Copy one leg's inputs into the analytics. */
function setLegFrom(analytics: ChainAnalytics, i: number, isCall: boolean, store: QuoteReader, slot: number | undefined): void {
  if (slot === undefined) return analytics.setLeg(i, isCall, Number.NaN, 0, 0, 0);
  const ltp = store.valueAt(slot, 'ltp');
  const last = Number.isNaN(ltp) ? store.valueAt(slot, 'prevClose') : ltp;
  // A leg never quoted reads OI 0: without a price its previous OI would count as a fall to 0.
  analytics.setLeg(
    i, isCall, last, store.valueAt(slot, 'oi'), Number.isNaN(ltp) ? 0 : store.valueAt(slot, 'prevOi'), store.valueAt(slot, 'volume'),
    store.bestBidAt(slot), store.bestAskAt(slot), store.tradedTodayAt(slot),
  );
}

/** True when `analytics` already holds exactly this chain's strikes and expiry. */
function sameChain(analytics: ChainAnalytics, state: ChainState, expiryMs: number): boolean {
  const strikes = state.chain.strikes;
  if (analytics.size !== strikes.length || analytics.expiry !== expiryMs) return false;
  for (let i = 0; i < strikes.length; i += 1) if (analytics.strike(i) !== strikes[i]!.strike) return false;
  return true;
}

/**
 * Copies the chain's current inputs from the store into `analytics`, re-setting its strikes when
 * the window or expiry changed. Does not recompute: call `analytics.update(now)` after.
 */
export function loadChainInputs(analytics: ChainAnalytics, state: ChainState, store: QuoteReader, options: ChainFeedOptions = {}): void {
  const chain = state.chain;
  const expiryMs = expiryInstant(chain.expiry, chain.segment);
  if (!sameChain(analytics, state, expiryMs)) analytics.setChain(chain.strikes.map((s) => s.strike), expiryMs);
  for (let i = 0; i < chain.strikes.length; i += 1) {
    const s = chain.strikes[i]!;
    setLegFrom(analytics, i, true, store, slotOf(store, s.ce));
    setLegFrom(analytics, i, false, store, slotOf(store, s.pe));
  }
  const underlying = priceAt(store, slotOf(store, state.underlyingToken ? parseToken(state.underlyingToken) : null));
  const isSpot = chain.underlying !== null && SPOT_SEGMENTS.has(chain.underlying.segment);
  const future = priceAt(store, slotOf(store, options.futureToken ? parseToken(options.futureToken) : null));
  analytics.setUnderlying(isSpot ? underlying : Number.NaN, Number.isFinite(future) ? future : isSpot ? Number.NaN : underlying);
}

/**
 * Loads the chain's inputs and brings `analytics` up to date at `nowMs` (only changed strikes
 * are solved again); returns the chain summary.
 */
export function refreshChainAnalytics(
  analytics: ChainAnalytics, state: ChainState, store: QuoteReader, nowMs: number, options: ChainFeedOptions = {},
): Readonly<ChainSummary> {
  loadChainInputs(analytics, state, store, options);
  analytics.update(nowMs);
  return analytics.summary;
}
