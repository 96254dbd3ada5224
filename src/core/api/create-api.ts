/**
 * The contract implemented over the running app: one transport-free object. Every input is
 * validated here too (the transports validate first, but in-process callers get the same
 * guarantees); every failure is an AppError with a code from the contract's union.
 */
import type { OptionChain } from '../../shared/chain';
import { AppError } from '../../shared/errors';
import { parseToken, tokenOf, type InstrumentToken } from '../../shared/instruments';
import type { Api, ChainView, LegView, SettingsView, SubscriptionView } from '../../shared/contract';
import { validateRequest } from '../../shared/validate';
import type { App } from '../app';
import { legQuote, statusView } from './views';
import { chainAnalyticsFields, legAnalyticsFields } from '../analytics/analytics-view';
import { refreshChainAnalytics } from '../analytics/chain-adapter';
import { ChainAnalytics } from '../analytics/chain-analytics';

export function createApi(app: App): Api {
  const registry = () => app.loaded.registry;
  const core = () => app.core;

  const leg = (token: InstrumentToken, tradingSymbol: string, analytics: ChainAnalytics, strike: number, side: 'CE' | 'PE'): LegView => ({
    token,
    security_id: parseToken(token)!.securityId,
    trading_symbol: tradingSymbol,
    ...legQuote(app, token),
    ...legAnalyticsFields(analytics, strike, side),
    live: app.pool.isLive(token),
  });

  /** Analytics of an open chain (kept and refreshed incrementally), or computed once for a look. */
  const analyticsOf = (chain: OptionChain): ChainAnalytics => {
    const open = app.core.atm.get(chain.symbol, chain.expiry);
    if (open && open.chain === chain) return app.analytics.of(open);
    const look = new ChainAnalytics({ rate: app.analytics.riskFreeRate });
    const state = { key: '', chain, optionTokens: [], underlyingToken: chain.underlying ? tokenOf(chain.underlying) : null, builtAt: 0 };
    refreshChainAnalytics(look, state, app.store, Date.now());
    return look;
  };

  const chainView = (chain: OptionChain): ChainView => {
    const analytics = analyticsOf(chain);
    const map: ChainView['strikes_ce_pe'] = {};
    for (const s of chain.strikes) {
      const entry: { CE?: LegView; PE?: LegView } = {};
      if (s.ce) entry.CE = leg(tokenOf(s.ce), s.ce.tradingSymbol, analytics, s.strike, 'CE');
      if (s.pe) entry.PE = leg(tokenOf(s.pe), s.pe.tradingSymbol, analytics, s.strike, 'PE');
      map[String(s.strike)] = entry;
    }
    const underlying = chain.underlying ? app.store.ltp(tokenOf(chain.underlying)) : undefined;
    const fields = chainAnalyticsFields(analytics);
    return {
      symbol: chain.symbol,
      expiry: chain.expiry,
      segment: chain.segment,
      underlying_ltp: underlying ?? chain.ltp,
      atm_strike: chain.atm,
      strike_step: chain.step,
      lot_size: chain.lotSize,
      strikes: chain.strikes.map((s) => s.strike),
      strikes_ce_pe: map,
      pcr: fields.pcr,
      max_pain: fields.max_pain,
      analytics: fields,
    };
  };

  /** The chain in use, or one built around the latest price for a look without subscribing. */
  const chainFor = (symbol: string, expiry: string | undefined, ltp?: number): OptionChain => {
    const reg = registry();
    const sym = symbol.trim().toUpperCase();
    const exp = expiry ?? reg.expiries(sym)[0];
    if (exp) {
      const open = app.core.atm.get(sym, exp);
      if (open && ltp === undefined) return open.chain;
    }
    const price = ltp ?? underlyingPrice(sym, exp);
    if (price === undefined) throw new AppError('BAD_LTP', `no price is known for ${sym} yet: pass underlying_ltp or subscribe it first`);
    return reg.optionChain({ symbol: sym, ltp: price, ...(exp ? { expiry: exp } : {}) });
  };

  /** The instrument whose price centres the chain of (symbol, expiry), or the symbol's own spot. */
  const underlyingToken = (symbol: string, expiry: string | undefined): InstrumentToken | undefined => {
    const reg = registry();
    const sym = symbol.trim().toUpperCase();
    const exp = expiry ?? reg.expiries(sym)[0];
    const under = (exp ? reg.chainUnderlying(sym, exp) : null) ?? reg.spot(sym);
    return under ? tokenOf(under) : undefined;
  };

  /** Latest price of the chain's underlying, if any tick or snapshot gave one. */
  const underlyingPrice = (symbol: string, expiry: string | undefined): number | undefined => {
    if (!expiry) return undefined;
    const under = registry().chainUnderlying(symbol.trim().toUpperCase(), expiry);
    return under ? app.store.ltp(tokenOf(under)) : undefined;
  };

  /** No tick yet for the underlying: ask Dhan (or the simulator) for a snapshot first. */
  const ensurePrice = async (symbol: string, expiry: string | undefined): Promise<void> => {
    const token = underlyingToken(symbol, expiry);
    if (!token || app.store.ltp(token) !== undefined) return;
    const ref = parseToken(token)!;
    try {
      const q = (await app.rest.quotes([ref], 'ltp')).get(token);
      if (q) app.store.seed(token, { ltp: q.last_price });
    } catch {
      // the command then says no price is known, with its own clear error
    }
  };

  const subscriptionView = (token: InstrumentToken): SubscriptionView => {
    const ref = parseToken(token)!;
    const inst = registry().get(ref);
    const m = core().manager;
    return {
      token,
      segment: ref.segment,
      security_id: ref.securityId,
      symbol: inst?.underlying ?? '',
      trading_symbol: inst?.tradingSymbol ?? '',
      tier: m.tierOf(token) ?? 'TIER_A',
      ws_connection_id: core().placement.socketOf(token) ?? null,
      owners: m.ownersOf(token),
      live: app.pool.isLive(token),
      ltp: app.store.ltp(token) ?? null,
    };
  };

  const settingsView = (): SettingsView => {
    const mode = app.config.mode ?? 'live';
    return { mode, client_id: mode === 'live' ? (app.config.credentials()?.clientId ?? null) : null, keep_watchlists: app.keepWatchlists, risk_free_rate: app.analytics.riskFreeRate };
  };

  return {
    async 'watchlist:add'(input) {
      const r = validateRequest('watchlist:add', input);
      if (r.underlying_ltp === undefined && r.instrument_type !== 'EQUITY') await ensurePrice(r.symbol, r.expiry);
      const res = core().watchlists.add({
        userId: r.user_id,
        symbol: r.symbol,
        instrumentType: r.instrument_type,
        ...(r.expiry ? { expiry: r.expiry } : {}),
        ...(r.underlying_ltp ? { underlyingLtp: r.underlying_ltp } : {}),
      });
      return { success: true, message: res.message, option_chain: res.option_chain ? chainView(res.option_chain) : null, strikes_subscribed: res.strikes_subscribed };
    },
    async 'watchlist:remove'(input) {
      const r = validateRequest('watchlist:remove', input);
      const res = core().watchlists.remove(r.user_id, r.symbol, r.expiry ?? '');
      return { success: true, message: res.message, unsubscribed: res.unsubscribed };
    },
    async 'watchlist:list'(input) {
      const r = validateRequest('watchlist:list', input);
      const entries = core().watchlists.list(r.user_id).map((e) => ({ symbol: e.symbol, expiry_date: e.expiryDate, instrument_type: e.instrumentType, added_at: e.addedAt, added_order: e.addedOrder }));
      return { user_id: r.user_id, entries };
    },
    async 'option-chain:get'(input) {
      const r = validateRequest('option-chain:get', input);
      if (!app.core.atm.get(r.symbol.toUpperCase(), r.expiry ?? registry().expiries(r.symbol.toUpperCase())[0] ?? '')) await ensurePrice(r.symbol, r.expiry);
      return chainView(chainFor(r.symbol, r.expiry));
    },
    async 'option-chain:subscribe'(input) {
      const r = validateRequest('option-chain:subscribe', input);
      const sym = r.symbol.toUpperCase();
      const expiry = r.expiry ?? registry().expiries(sym)[0];
      if (!expiry) throw new AppError(registry().optionSegments(sym).length ? 'EXPIRED' : 'NOT_FNO', `${sym} has no live option expiry`);
      let price = r.underlying_ltp ?? app.core.atm.get(sym, expiry)?.chain.ltp ?? underlyingPrice(sym, expiry);
      if (price === undefined) {
        await ensurePrice(sym, expiry);
        price = underlyingPrice(sym, expiry);
      }
      if (price === undefined) throw new AppError('BAD_LTP', `no price is known for ${sym} yet: pass underlying_ltp`);
      const viewId = r.view_id ?? `${sym}:${expiry}`;
      const { state, change } = core().chains.open(`view:${viewId}`, 'TIER_A', { symbol: sym, expiry }, price, { force: true });
      return { ...chainView(state.chain), view_id: viewId, subscribed: change.subscribed.length };
    },
    async 'chains:list'(input) {
      validateRequest('chains:list', input);
      const chains = core().chains.openChains().flatMap(({ symbol, expiry, owners }) => {
        const state = core().atm.get(symbol, expiry);
        if (!state) return [];
        const under = state.underlyingToken ? app.store.ltp(state.underlyingToken) : undefined;
        return [{
          symbol,
          expiry,
          tier: owners.some(([, t]) => t === 'TIER_B') ? ('TIER_B' as const) : ('TIER_A' as const),
          owners: owners.map(([o]) => o),
          instruments: state.optionTokens.length + (state.underlyingToken ? 1 : 0),
          atm_strike: state.chain.atm,
          strike_step: state.chain.step,
          underlying_ltp: under ?? state.chain.ltp,
        }];
      });
      chains.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.expiry.localeCompare(b.expiry));
      return { chains };
    },
    async 'settings:get'(input) {
      validateRequest('settings:get', input);
      return settingsView();
    },
    async 'settings:set'(input) {
      const r = validateRequest('settings:set', input);
      if (r.keep_watchlists !== undefined) app.setKeepWatchlists(r.keep_watchlists);
      if (r.risk_free_rate !== undefined) app.setRiskFreeRate(r.risk_free_rate);
      return settingsView();
    },
    async 'subscriptions:status'(input) {
      validateRequest('subscriptions:status', input);
      return statusView(app);
    },
    async 'subscriptions:active'(input) {
      const r = validateRequest('subscriptions:active', input);
      const m = core().manager;
      const tokens = m.tokens().filter((t) => !r.tier || m.tierOf(t) === r.tier);
      return { subscriptions: tokens.sort().map(subscriptionView) };
    },
    async 'subscriptions:get'(input) {
      const r = validateRequest('subscriptions:get', input);
      if (!parseToken(r.token)) throw new AppError('BAD_REQUEST', `"${r.token}" is not an instrument token`);
      if (!core().manager.isSubscribed(r.token)) throw new AppError('NOT_FOUND', `${r.token} is not subscribed`);
      return subscriptionView(r.token);
    },
    async 'instruments:search'(input) {
      const r = validateRequest('instruments:search', input);
      const results = app.loaded.search.search(r.q, { limit: r.limit ?? 20 }).map((i) => ({
        symbol: i.underlying,
        trading_symbol: i.tradingSymbol,
        segment: i.segment,
        security_id: i.securityId,
        kind: i.kind,
        expiry: i.expiry,
        strike: i.strike,
        option_type: i.optionType,
      }));
      return { results };
    },
    async 'instruments:expiries'(input) {
      const r = validateRequest('instruments:expiries', input);
      const sym = r.symbol.toUpperCase();
      if (registry().rowsOfSymbol(sym).length === 0) throw new AppError('UNKNOWN_SYMBOL', `unknown symbol "${r.symbol}"`);
      return { symbol: sym, expiries: registry().expiries(sym) };
    },
    async 'admin:unsubscribe-all-tier-a'(input) {
      validateRequest('admin:unsubscribe-all-tier-a', input);
      const tierA = core().manager.listOwners().filter((o) => o.tier === 'TIER_A').map((o) => o.owner);
      const unsubscribed = core().manager.unsubscribeAllTierA('admin: unsubscribe all Tier A');
      core().chains.forgetOwners(tierA);
      return { unsubscribed };
    },
    async 'admin:rebalance-ws'(input) {
      validateRequest('admin:rebalance-ws', input);
      return { moved: app.pool.rebalanceNow().length };
    },
    async 'admin:set-credentials'(input) {
      const r = validateRequest('admin:set-credentials', input);
      const out = app.setCredentials({ clientId: r.client_id, token: r.access_token });
      return { resumed: out.resumed, token_expires_at: out.tokenExpiresAt };
    },
    async 'admin:ws-status'(input) {
      validateRequest('admin:ws-status', input);
      const s = core().manager.stats();
      const health = app.pool.health();
      return {
        total_subscriptions: s.total,
        max_capacity: s.cap,
        utilization_percent: s.utilisationPercent,
        connected_connections: health.filter((h) => h.state === 'open').length,
        total_connections: health.length,
        per_connection: health.map((h) => ({
          id: h.id,
          state: h.state,
          instruments: h.instruments,
          frames: h.frames,
          packets: h.packets,
          last_frame_age_ms: h.lastFrameAgeMs,
          reconnects: h.reconnects,
          last_error: h.lastError,
        })),
      };
    },
  };
}
