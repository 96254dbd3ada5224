/**
 * The shapes quotes and status take at the API edge, built once here so the REST responses and
 * the event stream always agree on a field's meaning.
 */
import type { LegQuote, StatusView } from '../../shared/contract';
import type { InstrumentToken } from '../../shared/instruments';
import type { ApiEngine, ApiServices } from './engine';

/** The latest quote of one instrument from the app's quote store. */
export function legQuote(services: Pick<ApiServices, 'store'>, token: InstrumentToken): LegQuote {
  const q = services.store.get(token);
  const ltp = q?.ltp ?? null;
  const prev = q?.prevClose ?? null;
  const d = q?.depth[0];
  return {
    ltp,
    prev_close: prev,
    change: ltp !== null && prev !== null ? Math.round((ltp - prev) * 100) / 100 : null,
    oi: q?.oi ?? 0,
    // Only once the leg has been quoted: before that OI reads 0 and the change would be -prevOi.
    oi_change: q && q.prevOi > 0 && q.ltp !== null ? q.oi - q.prevOi : null,
    volume: q?.volume ?? 0,
    bid: d && d.bidPrice > 0 ? d.bidPrice : null,
    ask: d && d.askPrice > 0 ? d.askPrice : null,
    stale: q?.stale ?? true,
  };
}

/** The subscriptions status, with the seed's field names. */
export function statusView(engine: ApiEngine): StatusView {
  const s = engine.services.owners.stats();
  const e = engine.engineStatus();
  return {
    total_subscriptions: s.total,
    ws_usage: Object.fromEntries(Object.entries(s.perSocket)),
    utilization_percent: s.utilisationPercent,
    tier_a_count: s.tierA,
    tier_b_count: s.tierB,
    max_capacity: s.cap,
    market: e.market,
    mode: e.mode,
    ...(e.tokenWarning ? { token_warning: e.tokenWarning } : {}),
    ...(e.masterWarning ? { master_warning: e.masterWarning } : {}),
  };
}
