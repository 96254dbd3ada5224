import { describe, expect, it } from 'vitest';
import { black76Price } from '../../shared/black76';
import type { OptionChain } from '../../shared/chain';
import { tokenOf, type Segment } from '../../shared/instruments';
import { istEpochMs } from '../../shared/market-calendar';
import type { ChainState } from '../chain/atm-engine';
import { FeedPacket } from '../feed/feed-codec';
import { RESPONSE_CODE } from '../feed/feed-protocol';
import { QuoteStore } from '../feed/quote-store';
import { chainAnalyticsFields, legAnalyticsFields } from './analytics-view';
import { loadChainInputs, refreshChainAnalytics } from './chain-adapter';
import { ChainAnalytics } from './chain-analytics';
import { expiryInstant, YEAR_MS } from './expiry-time';

const NOW = istEpochMs('2026-02-10', 600);
/** Dhan's LTT (epoch seconds of IST wall-clock time) of a trade at 09:30 IST on NOW's day. */
const TODAY_LTT = (istEpochMs('2026-02-10', 570) + 19_800_000) / 1000;

/** A ChainState as the ATM engine builds it, for `count` strikes from `first` every `step`. */
function stateOf(segment: Segment, underlying: { segment: Segment; securityId: number } | null, expiry: string, first: number, count: number, step: number): ChainState {
  const strikes = Array.from({ length: count }, (_, i) => {
    const strike = first + step * i;
    return {
      strike,
      ce: { segment, securityId: 100_000 + 2 * strike, tradingSymbol: `X-${strike}-CE` },
      pe: { segment, securityId: 100_001 + 2 * strike, tradingSymbol: `X-${strike}-PE` },
    };
  });
  const chain: OptionChain = {
    symbol: 'X', segment, expiry, ltp: 0, step, atm: strikes[Math.floor(count / 2)]!.strike, lotSize: 1,
    underlying: underlying && { ...underlying, tradingSymbol: 'X' }, strikes,
  };
  return {
    key: `X|${expiry}`, chain, optionTokens: strikes.flatMap((s) => [tokenOf(s.ce), tokenOf(s.pe)]),
    underlyingToken: underlying && tokenOf(underlying), builtAt: NOW,
  };
}

/** Seeds the store with Black-76 prices at forward F and vol 0.2, traded today, OI 1,000 per leg (prev 800). */
function seedChain(store: QuoteStore, state: ChainState, F: number): void {
  const T = (expiryInstant(state.chain.expiry, state.chain.segment) - NOW) / YEAR_MS;
  for (const s of state.chain.strikes) {
    for (const [leg, isCall] of [[s.ce, true], [s.pe, false]] as const) {
      if (!leg) continue;
      store.seed(tokenOf(leg), { ltp: black76Price(F, s.strike, T, 0.2, 0.065, isCall), ltt: TODAY_LTT, oi: 1_000, prevOi: 800, volume: 50 });
    }
  }
}

/** A Full packet of `leg` with top-of-book `bid`/`ask` and a trade at `ltp` at `ltt`. */
function fullPacket(leg: { segment: Segment; securityId: number }, ltp: number, ltt: number, bid: number, ask: number): FeedPacket {
  const p = Object.assign(new FeedPacket(), { code: RESPONSE_CODE.FULL, segment: leg.segment, securityId: leg.securityId, ltp, ltt });
  p.depth.set([100, 100, 1, 1, bid, ask]);
  return p;
}

describe('chain adapter', () => {
  it('feeds an index chain from the quote store: strikes, expiry, prices, OI, spot', () => {
    const store = new QuoteStore({ now: () => NOW, capacity: 64 });
    const state = stateOf('NSE_FNO', { segment: 'IDX_I', securityId: 13 }, '2026-02-24', 25_300, 21, 50);
    seedChain(store, state, 25_812);
    store.seed('IDX_I:13', { ltp: 25_750 });
    const a = new ChainAnalytics();
    const summary = refreshChainAnalytics(a, state, store, NOW);
    expect(a.size).toBe(21);
    expect(a.expiry).toBe(istEpochMs('2026-02-24', 930));
    expect(a.forward.source).toBe('parity');
    expect(a.forward.forward).toBeCloseTo(25_812, 0); // prices were rounded to the 0.05 tick by the store
    expect(legAnalyticsFields(a, 25_800, 'CE').iv).toBeCloseTo(0.2, 3);
    expect(summary.callOi).toBe(21_000);
    expect(summary.oiChange).toBe(42 * 200);
    expect(chainAnalyticsFields(a).pcr).toBe(1);
    // Nothing changed: the same state loads without recomputing a strike.
    loadChainInputs(a, state, store);
    expect(a.update(NOW)).toBe(0);
    // A re-centred window resets the columns.
    const moved = stateOf('NSE_FNO', { segment: 'IDX_I', securityId: 13 }, '2026-02-24', 25_350, 21, 50);
    seedChain(store, moved, 25_812);
    loadChainInputs(a, moved, store);
    expect(a.strike(0)).toBe(25_350);
    expect(a.update(NOW)).toBe(21);
  });

  it('reads an MCX chain\'s underlying as its future, the forward when no pair trades', () => {
    const store = new QuoteStore({ now: () => NOW, capacity: 64 });
    const state = stateOf('MCX_COMM', { segment: 'MCX_COMM', securityId: 99 }, '2026-02-17', 5_400, 9, 50);
    store.seed('MCX_COMM:99', { ltp: 5_577 });
    const a = new ChainAnalytics();
    refreshChainAnalytics(a, state, store, NOW);
    expect(a.expiry).toBe(istEpochMs('2026-02-17', 1410)); // 23:30 IST
    expect(a.forward).toEqual({ forward: 5_577, source: 'future', pairStrike: null });
    expect(legAnalyticsFields(a, 5_600, 'PE')).toMatchObject({ iv: null, iv_reason: 'no-price' });
    // A missing leg in the chain (strike listed on one side only) reads as no price.
    state.chain.strikes[0]!.pe = null;
    seedChain(store, state, 5_577);
    refreshChainAnalytics(a, state, store, NOW);
    expect(a.forward.source).toBe('parity');
    expect(legAnalyticsFields(a, 5_400, 'PE').iv_reason).toBe('no-price');
    expect(legAnalyticsFields(a, 5_400, 'CE').iv).toBeCloseTo(0.2, 2);
  });

  it('hands each leg its book and whether it traded today: IV from the mid, a traded LTP, or no-trade-today', () => {
    const store = new QuoteStore({ now: () => NOW, capacity: 64 });
    const state = stateOf('NSE_FNO', { segment: 'IDX_I', securityId: 13 }, '2026-02-24', 25_300, 21, 50);
    const F = 25_812;
    seedChain(store, state, F);
    store.seed('IDX_I:13', { ltp: 25_750 });
    const T = (expiryInstant('2026-02-24', 'NSE_FNO') - NOW) / YEAR_MS;
    const a = new ChainAnalytics();
    refreshChainAnalytics(a, state, store, NOW);
    const [quoted, untraded, yesterday] = [state.chain.strikes[12]!, state.chain.strikes[14]!, state.chain.strikes[16]!];
    // 25,900 CE: its last trade (today) at 30% vol, its book around the 20% price: the mid decides.
    const fair = black76Price(F, quoted.strike, T, 0.2, 0.065, true);
    store.apply(fullPacket(quoted.ce!, black76Price(F, quoted.strike, T, 0.3, 0.065, true), TODAY_LTT + 60, fair - 0.5, fair + 0.5));
    // 26,000 CE: a snapshot of an untraded contract (its last price is the previous close, no trade time).
    const untradedToken = tokenOf(untraded.ce!);
    const fresh = new QuoteStore({ now: () => NOW, capacity: 64 });
    fresh.seed(untradedToken, { ltp: 5, prevClose: 5 });
    // 26,100 CE: Dhan's answer to the subscription carries yesterday's trade.
    store.apply(fullPacket(yesterday.ce!, 4, TODAY_LTT - 86_400, 0, 0));
    refreshChainAnalytics(a, state, store, NOW);
    expect(legAnalyticsFields(a, quoted.strike, 'CE').iv).toBeCloseTo(0.2, 2);
    expect(legAnalyticsFields(a, yesterday.strike, 'CE')).toMatchObject({ iv: null, iv_reason: 'no-trade-today', greeks_from: 'pair' });
    // A store where the 26,000 CE is known only by its untraded snapshot.
    const b = new ChainAnalytics();
    seedChain(fresh, { ...state, chain: { ...state.chain, strikes: state.chain.strikes.filter((s) => s.strike !== untraded.strike) } }, F);
    fresh.seed('IDX_I:13', { ltp: 25_750 });
    refreshChainAnalytics(b, state, fresh, NOW);
    expect(legAnalyticsFields(b, untraded.strike, 'CE')).toMatchObject({ iv: null, iv_reason: 'no-trade-today' });
    expect(legAnalyticsFields(b, untraded.strike, 'PE')).toMatchObject({ iv: null, iv_reason: 'no-price' });
  });
});
