/**
 * The strategy builder at the API edge (issue 19; analysis only, nothing is ordered): evaluate a
 * strategy, save, list and delete saved ones, and a saved strategy's live value for the stream.
 * Legs are resolved and priced in strategy-market.ts; the figures come from the pure model
 * (analytics/strategy.ts); here they are put in the contract's snake_case, rounded once: money
 * (rupees for the whole position) and the curves to 2 decimals, breakevens to 2, POP to 4, gamma
 * to 6 (a rupee figure per point squared is small), IVs to 6.
 *
 * `at_date` is that day's close (the first leg's session close, 15:30 IST on NSE), no earlier than
 * now and no later than the first expiry; `iv_shift` is in volatility points (2 = +2%).
 */
import type { CommandRequest, CommandResponse, SavedStrategyView, StrategyEvaluationView, StrategyGreeksView, StrategyLegView } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { expiryInstant } from '../../shared/expiry';
import { istDate } from '../../shared/market-calendar';
import { evaluateStrategy } from '../analytics/strategy';
import type { StrategyEvaluation, StrategyGreeks, StrategyModel } from '../analytics/strategy-types';
import type { SavedStrategy, SavedStrategyLeg } from '../storage/strategies-repo';
import type { ApiServices } from './engine';
import { markOf, marketInputs, modelLegs, paintFor, resolveLegs, type LegRequest, type ResolvedLeg } from './strategy-market';
import { knownSymbol } from './views';

const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0 in JSON answers
};
const money = (x: number): number => round(x, 2);
const moneyOrNull = (x: number | null): number | null => (x === null ? null : money(x));

/** Net greeks as the API shows them. */
export function greeksView(g: StrategyGreeks): StrategyGreeksView {
  return { delta: money(g.delta), gamma: round(g.gamma, 6), theta: money(g.theta), vega: money(g.vega) };
}

function legView(l: ResolvedLeg, price: number): StrategyLegView {
  return {
    expiry: l.expiry,
    strike: l.strike,
    option_type: l.kind,
    side: l.side,
    lots: l.lots,
    price: round(price, 4),
    lot_size: l.lotSize,
    token: l.token,
    trading_symbol: l.tradingSymbol,
  };
}

/** The symbol, checked: listed and with options. @throws AppError UNKNOWN_SYMBOL, NOT_FNO */
function fnoSymbol(s: Pick<ApiServices, 'registry'>, raw: string): string {
  const symbol = knownSymbol(s, raw);
  if (!s.registry.optionSegments(symbol)[0]) throw new AppError('NOT_FNO', `${symbol} has no options listed`);
  return symbol;
}

/**
 * The legs resolved and priced: each leg's own price when given, else the market's (painted first
 * when nobody priced it). @throws AppError as resolveLegs, and BAD_LTP naming a leg with no price
 */
async function pricedLegs(s: ApiServices, symbol: string, legs: readonly LegRequest[], nowMs: number): Promise<{ resolved: ResolvedLeg[]; prices: number[] }> {
  const resolved = resolveLegs(s, symbol, legs, nowMs);
  const given = legs.map((l) => l.price);
  await paintFor(s, symbol, resolved, given);
  const prices = resolved.map((l, i) => {
    const price = given[i] ?? markOf(s, l.token);
    if (price === null || !(price > 0)) {
      throw new AppError('BAD_LTP', `leg ${i + 1}: no price is known for ${l.tradingSymbol} (no quote, no trade, and the snapshot gave none); give its price`);
    }
    return price;
  });
  return { resolved, prices };
}

/** `at_date` as the instant to value the at-date curve at. @throws AppError BAD_REQUEST for a day before today */
function atDateMs(atDate: string | undefined, first: ResolvedLeg, nowMs: number): number | undefined {
  if (atDate === undefined) return undefined;
  const today = istDate(nowMs);
  if (atDate < today) throw new AppError('BAD_REQUEST', `at_date ${atDate} is in the past (today is ${today})`);
  return Math.min(Math.max(expiryInstant(atDate, first.segment), nowMs), first.expiryMs);
}

/** The model's figures. @throws AppError BAD_REQUEST naming an input the model refused (the request was checked before: defence) */
export function evaluate(model: StrategyModel): StrategyEvaluation {
  try {
    return evaluateStrategy(model);
  } catch (err) {
    if (err instanceof RangeError) throw new AppError('BAD_REQUEST', err.message);
    throw err;
  }
}

/** `strategy:evaluate`: the model's figures for the legs, priced now. */
export async function evaluateView(s: ApiServices, r: CommandRequest<'strategy:evaluate'>): Promise<StrategyEvaluationView> {
  const symbol = fnoSymbol(s, r.symbol);
  const nowMs = s.store.nowMs();
  const { resolved, prices } = await pricedLegs(s, symbol, r.legs, nowMs);
  const m = marketInputs(s, symbol, resolved, prices, nowMs);
  if (m.spot === null) throw new AppError('BAD_LTP', `no price is known for ${symbol}'s underlying yet: no tick has arrived and the quote snapshot failed; try again shortly`);
  const first = resolved.reduce((a, b) => (b.expiryMs < a.expiryMs ? b : a));
  const at = atDateMs(r.at_date, first, nowMs);
  const e = evaluate({
    legs: modelLegs(resolved, prices, m),
    spot: m.spot,
    nowMs,
    rate: m.rate,
    atmIv: m.atmIv ?? Number.NaN,
    ...(at !== undefined ? { atDateMs: at } : {}),
    ...(r.iv_shift !== undefined ? { ivShift: r.iv_shift / 100 } : {}),
    ...(r.spot_range ? { spotRange: r.spot_range } : {}),
  });
  const curve = (points: [number, number][]): [number, number][] => points.map(([x, y]) => [money(x), money(y)]);
  return {
    net_premium: money(e.netPremium),
    max_profit: moneyOrNull(e.maxProfit),
    max_loss: moneyOrNull(e.maxLoss),
    breakevens: e.breakevens.map(money),
    // Without an ATM IV the model can only say whether the P&L at the forward is positive: not a probability.
    pop: m.atmIv === null && first.expiryMs > nowMs ? null : round(e.pop, 4),
    greeks: greeksView(e.greeks),
    payoff_expiry: curve(e.payoffExpiry),
    payoff_at_date: curve(e.payoffAtDate),
    legs: resolved.map((l, i) => ({ ...legView(l, prices[i]!), iv: m.ivs[i] === null ? null : round(m.ivs[i]!, 6) })),
    first_expiry: first.expiry,
    spot: money(m.spot),
    atm_iv: m.atmIv === null ? null : round(m.atmIv, 6),
  };
}

function savedLegOf(l: ResolvedLeg, price: number): SavedStrategyLeg {
  return { expiry: l.expiry, strike: l.strike, optionType: l.kind, side: l.side, lots: l.lots, price, lotSize: l.lotSize, segment: l.segment, securityId: l.securityId, tradingSymbol: l.tradingSymbol };
}

/** A saved leg as the resolved leg it was (the contract as saved, not looked up again). */
export function resolvedOf(l: SavedStrategyLeg): ResolvedLeg {
  return {
    kind: l.optionType,
    side: l.side,
    lots: l.lots,
    expiry: l.expiry,
    strike: l.strike,
    lotSize: l.lotSize,
    segment: l.segment,
    securityId: l.securityId,
    token: `${l.segment}:${l.securityId}`,
    tradingSymbol: l.tradingSymbol,
    expiryMs: expiryInstant(l.expiry, l.segment),
  };
}

/** A saved strategy as the API shows it. */
export function savedView(st: SavedStrategy): SavedStrategyView {
  return { id: st.id, name: st.name, symbol: st.symbol, legs: st.legs.map((l) => legView(resolvedOf(l), l.price)), created_at: st.createdAt };
}

/** `strategies:save`: the legs resolved and priced now (entry prices), stored. */
export async function saveView(s: ApiServices, r: CommandRequest<'strategies:save'>): Promise<SavedStrategyView> {
  const symbol = fnoSymbol(s, r.symbol);
  const { resolved, prices } = await pricedLegs(s, symbol, r.legs, s.store.nowMs());
  const saved = s.strategies.save({ name: r.name ?? `${symbol} strategy`, symbol, legs: resolved.map((l, i) => savedLegOf(l, prices[i]!)) });
  return savedView(saved);
}

/** `strategies:list`: newest first. */
export function listView(s: ApiServices): CommandResponse<'strategies:list'> {
  return { strategies: s.strategies.list().map(savedView) };
}

/** `strategies:delete`. @throws AppError NOT_FOUND for an id no saved strategy has */
export function deleteView(s: ApiServices, id: number): CommandResponse<'strategies:delete'> {
  if (!s.strategies.delete(id)) throw new AppError('NOT_FOUND', `no saved strategy has id ${id}`);
  return { success: true, message: `strategy ${id} deleted`, id };
}
