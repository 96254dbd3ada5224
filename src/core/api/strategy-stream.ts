/**
 * A saved strategy on the event stream (issue 19): its P&L against the saved entry prices, valued
 * now from the quote store (each leg at its mid, else its LTP), with its net greeks. The stream
 * does not subscribe a strategy's legs: they are live while their chain is open (Tier B, a
 * watchlist entry or a view) and the strike is in its window. A leg that is not, or that the
 * chains' freshness rule calls stale, is marked `stale` and counted in `stale_legs`, so a P&L
 * built on old prices says so.
 *
 * Coalescing, like chains: a view keeps a cursor into the quote store's change sequence over its
 * legs and underlying, and is valued again only when one of them changed, or a second passed
 * (greeks move with the clock); a batch carries the value only when it differs from the last one
 * sent (the valuation time aside), so at most once per batch however many ticks came between.
 * A strategy deleted while watched goes silent.
 */
import type { StreamStrategy, StreamStrategyLeg } from '../../shared/events';
import { tokenOf } from '../../shared/instruments';
import type { SavedStrategy } from '../storage/strategies-repo';
import type { ApiServices } from './engine';
import { markOf, marketInputs, modelLegs } from './strategy-market';
import { mayBeStale } from './views';
import { evaluate, greeksView, resolvedOf } from './strategy-views';

/** Every how often a strategy is valued again with no tick (its greeks move with the clock). */
export const STRATEGY_REFRESH_MS = 1000;

/** One client's view of one saved strategy. */
export interface StrategySub {
  id: number;
  /** Quote store sequence last valued at; -1 before the first value. */
  since: number;
  /** When it was last valued (epoch ms of the batch). */
  valuedAt: number;
  /** The last value sent, without its time; '' before the first. */
  sent: string;
}

const money = (x: number): number => {
  const r = Math.round(x * 100) / 100;
  return r === 0 ? 0 : r;
};

/** A saved strategy valued now. */
export function strategyValue(s: ApiServices, saved: SavedStrategy): StreamStrategy {
  const legs = saved.legs.map(resolvedOf);
  const prices = saved.legs.map((l) => l.price);
  const nowMs = s.store.nowMs();
  let netPremium = 0;
  let pnl: number | null = 0;
  let staleLegs = 0;
  const legViews: StreamStrategyLeg[] = [];
  for (const [i, l] of legs.entries()) {
    const weight = (l.side === 'BUY' ? 1 : -1) * l.lots * l.lotSize;
    netPremium -= weight * prices[i]!;
    const mark = markOf(s, l.token);
    const legPnl = mark === null ? null : weight * (mark - prices[i]!);
    pnl = legPnl === null || pnl === null ? null : pnl + legPnl;
    const stale = mark !== null && mayBeStale(s, l.token, s.store.get(l.token)?.quiet ?? true);
    if (stale) staleLegs += 1;
    legViews.push({ token: l.token, ltp: s.store.ltp(l.token) ?? null, mark, pnl: legPnl === null ? null : money(legPnl), stale });
  }
  const m = marketInputs(s, saved.symbol, legs, prices, nowMs);
  const greeks =
    m.spot === null
      ? null
      : greeksView(evaluate({ legs: modelLegs(legs, prices, m), spot: m.spot, nowMs, rate: m.rate, atmIv: m.atmIv ?? Number.NaN, points: 2 }).greeks);
  return { id: saved.id, pnl: pnl === null ? null : money(pnl), stale_legs: staleLegs, net_premium: money(netPremium), greeks, legs: legViews, t: nowMs };
}

/** The instruments whose prices move a saved strategy: its legs and its underlyings. */
export function strategyTokens(s: Pick<ApiServices, 'registry'>, saved: SavedStrategy): string[] {
  const tokens = new Set(saved.legs.map((l) => `${l.segment}:${l.securityId}`));
  for (const l of saved.legs) {
    const u = l.optionType === 'FUT' ? null : s.registry.chainUnderlying(saved.symbol, l.expiry, l.segment);
    if (u) tokens.add(tokenOf(u));
  }
  const spot = s.registry.spot(saved.symbol);
  if (spot) tokens.add(tokenOf(spot));
  return [...tokens];
}

/**
 * What a strategy view adds to the batch at `at`: its part (null: nothing new to send) and the
 * cursor to commit; null when it is not due (nothing moved, no refresh yet) or the strategy is gone.
 */
export function strategyPart(s: ApiServices, sub: StrategySub, at: number): { part: StreamStrategy | null; next: Omit<StrategySub, 'id'> } | null {
  const saved = s.strategies.get(sub.id);
  if (!saved) return null;
  const changed = s.store.changedSince(sub.since, strategyTokens(s, saved));
  if (sub.since >= 0 && changed.tokens.length === 0 && at - sub.valuedAt < STRATEGY_REFRESH_MS) return null;
  const value = strategyValue(s, saved);
  const sent = JSON.stringify({ ...value, t: 0 });
  return { part: sent === sub.sent ? null : value, next: { since: changed.sequence, valuedAt: at, sent } };
}
