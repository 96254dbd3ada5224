/**
 * The contract implemented over a running engine: one transport-free object. Its handlers take
 * typed, already validated requests: each adapter (HTTP, IPC, in-process `withValidation`)
 * validates a call once at its edge. Every failure is an AppError with a code from the
 * contract's union.
 *
 * Prices: a client's `underlying_ltp` is a hint, used only when no live price is known, and only
 * to centre a chain nobody holds yet; an open chain is never moved by a client.
 *
 * Refusals name what was wrong, checked in this order: an unknown symbol (UNKNOWN_SYMBOL), a
 * symbol without options (NOT_FNO), an expiry that has passed (EXPIRED) or that the symbol does
 * not list (UNKNOWN_EXPIRY), then no price to centre a chain on (BAD_LTP; only commands that take
 * `underlying_ltp` suggest it).
 *
 * The seed's tokens (`RELIANCE_26FEB_2640CE`, seed-forms.ts) name an option without its year or
 * exchange: the options venues in the registry's order (NSE before BSE), in each the nearest live
 * expiry on that day and month, the first that lists the strike and side. An answer carries an
 * option's seed token only when it resolves back to that very option.
 */
import type { OptionChain } from '../../shared/chain';
import { AppError } from '../../shared/errors';
import { parseToken, tokenOf, type Instrument, type InstrumentToken, type Segment } from '../../shared/instruments';
import { formatSeedToken, MONTHS, parseSeedToken, seedTokenOf, type SeedToken } from '../../shared/seed-forms';
import type { Api, ChainView, LegView, OpenChainView, SettingsView, SubscriptionView, WatchlistEntryView } from '../../shared/contract';
import { chainAnalyticsFields, legAnalyticsFields } from '../analytics/analytics-view';
import type { ChainAnalytics } from '../analytics/chain-analytics';
import type { WatchlistEntryView as Entry } from '../subscriptions/watchlist-manager';
import type { ApiEngine, ApiServices } from './engine';
import { analyticsOf, expiryOf, knownSymbol, legQuote, nearestStrike, statusView } from './views';
import { historyMinutesView, historyStrikesView } from './history-views';
import { deleteView, evaluateView, listView, saveView } from './strategy-views';

/** The seed's watchlist entry with its live state. */
function entryView(e: Entry): WatchlistEntryView {
  const status = e.live ? 'live' : e.state === 'EVICTED' ? 'evicted' : e.state === 'RELEASED' ? 'released' : 'pending';
  return { symbol: e.symbol, expiry_date: e.expiryDate, instrument_type: e.instrumentType, added_at: e.addedAt, added_order: e.addedOrder, status, status_reason: e.live ? null : e.stateReason };
}

export function createApi(engine: ApiEngine): Api {
  const leg = (s: ApiServices, token: InstrumentToken, tradingSymbol: string, analytics: ChainAnalytics, strike: number, side: 'CE' | 'PE'): LegView => ({
    token,
    security_id: parseToken(token)!.securityId,
    trading_symbol: tradingSymbol,
    ...legQuote(s, token),
    ...legAnalyticsFields(analytics, strike, side),
    live: s.feed.isLive(token),
  });

  const chainView = (s: ApiServices, chain: OptionChain): ChainView => {
    const analytics = analyticsOf(s, chain);
    const map: ChainView['strikes_ce_pe'] = {};
    for (const k of chain.strikes) {
      const entry: { CE?: LegView; PE?: LegView } = {};
      if (k.ce) entry.CE = leg(s, tokenOf(k.ce), k.ce.tradingSymbol, analytics, k.strike, 'CE');
      if (k.pe) entry.PE = leg(s, tokenOf(k.pe), k.pe.tradingSymbol, analytics, k.strike, 'PE');
      map[String(k.strike)] = entry;
    }
    const underlying = chain.underlying ? s.store.ltp(tokenOf(chain.underlying)) : undefined;
    const fields = chainAnalyticsFields(analytics);
    return {
      symbol: chain.symbol,
      expiry: chain.expiry,
      segment: chain.segment,
      underlying_ltp: underlying ?? chain.ltp,
      atm_strike: chain.atm,
      nearest_strike: nearestStrike(chain, underlying ?? chain.ltp),
      strike_step: chain.step,
      lot_size: chain.lotSize,
      strikes: chain.strikes.map((x) => x.strike),
      strikes_ce_pe: map,
      pcr: fields.pcr,
      max_pain: fields.max_pain,
      analytics: fields,
    };
  };

  /** Latest live price of the chain's underlying, if any tick or snapshot gave one. */
  const livePrice = (s: ApiServices, symbol: string, expiry: string): number | undefined => {
    const under = s.registry.chainUnderlying(symbol, expiry);
    return under ? s.store.ltp(tokenOf(under)) : undefined;
  };

  /**
   * The live price of the chain's underlying; without one, ask Dhan (or the simulator) for a
   * snapshot, unless the caller's hint will do or the chain is open anyway.
   */
  const priceFor = async (s: ApiServices, symbol: string, expiry: string, hint: number | undefined): Promise<number | undefined> => {
    const live = livePrice(s, symbol, expiry);
    if (live !== undefined || hint !== undefined || s.owners.chain(symbol, expiry)) return live ?? hint;
    const under = s.registry.chainUnderlying(symbol, expiry) ?? s.registry.spot(symbol);
    if (!under) return undefined;
    // First in line; a failed snapshot leaves no price, and the command says so with its own error.
    await s.marketData.paint([tokenOf(under)], 'now');
    return livePrice(s, symbol, expiry);
  };

  /** Seed tokens for one call, memoised (a call may read 25,000 subscriptions): see the header. */
  const seedTokens = (s: ApiServices) => {
    const segments = new Map<string, Segment[]>();
    const resolved = new Map<string, Instrument | null>();
    const resolve = (t: SeedToken): Instrument | null => {
      const key = formatSeedToken(t);
      let hit = resolved.get(key);
      if (hit !== undefined) return hit;
      hit = null;
      let venues = segments.get(t.symbol);
      if (!venues) segments.set(t.symbol, (venues = s.registry.optionSegments(t.symbol)));
      for (const segment of venues) {
        const expiry = s.registry.expiries(t.symbol, { segment }).find((e) => Number(e.slice(5, 7)) === t.month && Number(e.slice(8, 10)) === t.day);
        const inst = expiry ? s.registry.option(t.symbol, expiry, t.strike, t.optionType, segment) : undefined;
        if (inst) {
          hit = inst;
          break;
        }
      }
      resolved.set(key, hit);
      return hit;
    };
    /** The option's seed token, when it names this very option (else null: not an option, or another year or venue wins). */
    const of = (inst: Instrument): string | null => {
      const text = seedTokenOf(inst);
      const back = text === null ? null : resolve(parseSeedToken(text)!);
      return back !== null && back.segment === inst.segment && back.securityId === inst.securityId ? text : null;
    };
    return { resolve, of };
  };

  const subscriptionView = (s: ApiServices, token: InstrumentToken, seeds: ReturnType<typeof seedTokens>): SubscriptionView => {
    const ref = parseToken(token)!;
    const inst = s.registry.get(ref);
    return {
      token,
      seed_token: inst ? seeds.of(inst) : null,
      segment: ref.segment,
      security_id: ref.securityId,
      symbol: inst?.underlying ?? '',
      trading_symbol: inst?.tradingSymbol ?? '',
      tier: s.owners.tierOf(token) ?? 'TIER_A',
      ws_connection_id: s.placement.socketOf(token) ?? null,
      owners: s.owners.ownersOf(token),
      live: s.feed.isLive(token),
      ltp: s.store.ltp(token) ?? null,
    };
  };

  const settingsView = (): SettingsView => {
    const mode = engine.engineStatus().mode;
    return { mode, client_id: engine.clientId(), keep_watchlists: engine.keepWatchlists, risk_free_rate: engine.services.analytics.riskFreeRate };
  };

  return {
    async 'watchlist:add'(r) {
      const s = engine.services;
      const symbol = r.symbol.toUpperCase();
      let hint = r.underlying_ltp;
      if (r.instrument_type !== 'EQUITY' && s.registry.rowsOfSymbol(symbol).length > 0) {
        const segment = s.registry.optionSegments(symbol)[0];
        const live = segment ? s.registry.expiries(symbol, { segment }) : [];
        const expiry = r.expiry ?? live[0];
        // A price only for a chain that can be built: a bad expiry is refused below without a snapshot.
        if (expiry && live.includes(expiry)) hint = await priceFor(s, symbol, expiry, hint);
      }
      const res = s.watchlists.add({
        userId: r.user_id,
        symbol,
        instrumentType: r.instrument_type,
        ...(r.expiry ? { expiry: r.expiry } : {}),
        ...(hint !== undefined ? { underlyingLtp: hint } : {}),
      });
      // The seed's count: the instruments of the window, each CE and PE leg (25 strikes x 2 = 50
      // for a stock); the underlying is not a strike. `strikes` is the strike count beside it.
      return {
        success: true,
        message: res.message,
        option_chain: res.chain ? chainView(s, res.chain.chain) : null,
        strikes_subscribed: res.chain ? res.chain.optionTokens.length : 0,
        strikes: res.chain ? res.chain.chain.strikes.length : 0,
      };
    },
    async 'watchlist:remove'(r) {
      const res = engine.services.watchlists.remove(r.user_id, r.symbol, r.expiry ?? '');
      return { success: true, message: res.message, unsubscribed: res.unsubscribed };
    },
    async 'watchlist:list'(r) {
      return { user_id: r.user_id, entries: engine.services.watchlists.list(r.user_id).map(entryView) };
    },
    async 'history:minutes'(r) {
      const s = engine.services;
      const symbol = knownSymbol(s, r.symbol);
      const range = { ...(r.from !== undefined ? { from: r.from } : {}), ...(r.to !== undefined ? { to: r.to } : {}) };
      return historyMinutesView(symbol, r.expiry, s.history.minutes(symbol, r.expiry, range));
    },
    async 'history:strikes'(r) {
      const s = engine.services;
      const symbol = knownSymbol(s, r.symbol);
      return historyStrikesView(symbol, r.expiry, s.history.strikesAt(symbol, r.expiry, r.t));
    },
    async 'strategy:evaluate'(r) {
      return evaluateView(engine.services, r);
    },
    async 'strategies:save'(r) {
      return saveView(engine.services, r);
    },
    async 'strategies:list'() {
      return listView(engine.services);
    },
    async 'strategies:delete'(r) {
      return deleteView(engine.services, r.id);
    },
    async 'option-chain:get'(r) {
      const s = engine.services;
      const symbol = r.symbol.toUpperCase();
      const expiry = expiryOf(s, symbol, r.expiry);
      const open = s.owners.chain(symbol, expiry);
      if (open) {
        s.views.seenChain(symbol, expiry);
        return chainView(s, open.chain);
      }
      const price = await priceFor(s, symbol, expiry, undefined);
      // GET takes no price: the message says what is missing, not a field it cannot take.
      if (price === undefined) throw new AppError('BAD_LTP', `no price is known for ${symbol} yet: no tick has arrived and the quote snapshot failed; try again shortly`);
      return chainView(s, s.registry.optionChain({ symbol, expiry, ltp: price }));
    },
    async 'option-chain:subscribe'(r) {
      const s = engine.services;
      const symbol = r.symbol.toUpperCase();
      const expiry = expiryOf(s, symbol, r.expiry);
      const price = await priceFor(s, symbol, expiry, r.underlying_ltp);
      if (price === undefined && !s.owners.chain(symbol, expiry)) {
        throw new AppError('BAD_LTP', `no price is known for ${symbol} yet: pass underlying_ltp to centre its ${expiry} chain`);
      }
      const viewId = r.view_id ?? `${symbol}:${expiry}`;
      const { state, change } = s.views.open(viewId, { symbol, expiry }, price);
      return { ...chainView(s, state.chain), view_id: viewId, subscribed: change.subscribed.length };
    },
    async 'option-chain:unsubscribe'(r) {
      const change = engine.services.views.close(r.view_id, 'view closed by its client');
      return { success: true, message: `view ${r.view_id} closed`, view_id: r.view_id, unsubscribed: change.unsubscribed.length };
    },
    async 'chains:list'() {
      const s = engine.services;
      const chains: OpenChainView[] = s.owners.openChains().map(({ state, owners, tier }) => {
        const under = state.underlyingToken ? s.store.ltp(state.underlyingToken) : undefined;
        return {
          symbol: state.chain.symbol,
          expiry: state.chain.expiry,
          tier,
          owners: owners.map((o) => o.owner),
          instruments: state.optionTokens.length + (state.underlyingToken ? 1 : 0),
          atm_strike: state.chain.atm,
          strike_step: state.chain.step,
          underlying_ltp: under ?? state.chain.ltp,
        };
      });
      chains.sort((a, b) => a.symbol.localeCompare(b.symbol) || a.expiry.localeCompare(b.expiry));
      return { chains };
    },
    async 'settings:get'() {
      return settingsView();
    },
    async 'settings:set'(r) {
      if (r.keep_watchlists !== undefined) engine.setKeepWatchlists(r.keep_watchlists);
      if (r.risk_free_rate !== undefined) engine.setRiskFreeRate(r.risk_free_rate);
      return settingsView();
    },
    async 'subscriptions:status'() {
      return statusView(engine);
    },
    async 'subscriptions:active'(r) {
      const s = engine.services;
      const tokens = s.owners.tokens().filter((t) => !r.tier || s.owners.tierOf(t) === r.tier);
      const seeds = seedTokens(s);
      return { subscriptions: tokens.sort().map((t) => subscriptionView(s, t, seeds)) };
    },
    async 'subscriptions:get'(r) {
      const s = engine.services;
      const seeds = seedTokens(s);
      // The schema gave Dhan's form or the seed's (canonical spelling).
      const seed = parseSeedToken(r.token);
      let token: InstrumentToken = r.token;
      if (seed) {
        const inst = seeds.resolve(seed);
        if (!inst) {
          const when = `${String(seed.day).padStart(2, '0')} ${MONTHS[seed.month - 1]}`;
          throw new AppError('NOT_FOUND', `${r.token} names no listed option: ${seed.symbol} has no live ${seed.strike} ${seed.optionType} expiring on ${when}`);
        }
        token = tokenOf(inst);
      } else if (!parseToken(token)) {
        throw new AppError('BAD_REQUEST', `"${r.token}" is not an instrument token`);
      }
      if (!s.owners.isSubscribed(token)) throw new AppError('NOT_FOUND', `${seed ? `${r.token} (${token})` : token} is not subscribed`);
      return subscriptionView(s, token, seeds);
    },
    async 'instruments:search'(r) {
      const results = engine.services.search.search(r.q, { limit: r.limit ?? 20 }).map((i) => ({
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
    async 'instruments:expiries'(r) {
      const registry = engine.services.registry;
      const symbol = r.symbol.toUpperCase();
      if (registry.rowsOfSymbol(symbol).length === 0) throw new AppError('UNKNOWN_SYMBOL', `unknown symbol "${r.symbol}"`);
      return { symbol, expiries: registry.expiries(symbol) };
    },
    async 'admin:unsubscribe-all-tier-a'() {
      return engine.unsubscribeAllTierA();
    },
    async 'admin:rebalance-ws'() {
      return { moved: engine.services.feed.rebalanceNow().length };
    },
    async 'admin:set-credentials'(r) {
      const out = engine.setCredentials({ clientId: r.client_id, token: r.access_token });
      return { resumed: out.resumed, token_expires_at: out.tokenExpiresAt };
    },
    async 'admin:ws-status'() {
      const s = engine.services;
      const st = s.owners.stats();
      const health = s.feed.health();
      return {
        total_subscriptions: st.total,
        max_capacity: st.cap,
        utilization_percent: st.utilisationPercent,
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
