/**
 * The shapes quotes and status take at the API edge, built once here so the REST responses and
 * the event stream always agree on a field's meaning.
 */
import type { LegQuote, StatusView } from '../../shared/contract';
import type { InstrumentToken } from '../../shared/instruments';
import type { App } from '../app';

/** The latest quote of one instrument from the app's quote store. */
export function legQuote(app: App, token: InstrumentToken): LegQuote {
  const q = app.store.get(token);
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
export function statusView(app: App): StatusView {
  const s = app.core.manager.stats();
  return {
    total_subscriptions: s.total,
    ws_usage: Object.fromEntries(Object.entries(s.perSocket)),
    utilization_percent: s.utilisationPercent,
    tier_a_count: s.tierA,
    tier_b_count: s.tierB,
    max_capacity: s.cap,
    market: app.status?.market ?? '',
    mode: app.config.mode ?? 'live',
    ...(app.status?.tokenWarning ? { token_warning: app.status.tokenWarning } : {}),
    ...(app.status?.masterWarning ? { master_warning: app.status.masterWarning } : {}),
  };
}
