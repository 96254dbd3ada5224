/**
 * The history reads at the API edge (issue 18): the core's camelCase records in the contract's
 * snake_case, built here once so REST, IPC and (later) the stream agree.
 */
import type { HistoryLegView, HistoryMinuteView, HistoryMinutesView, HistoryStrikesView } from '../../shared/contract';
import type { HistoryMinute, HistoryMinutes, HistoryStrikes, StrikeLeg } from '../history/history-types';

export function historyMinuteView(m: HistoryMinute): HistoryMinuteView {
  return {
    t: m.t,
    underlying: m.underlying,
    atm_strike: m.atmStrike,
    straddle: m.straddle,
    pcr: m.pcr,
    pcr_volume: m.pcrVolume,
    atm_iv: m.atmIv,
    ce_oi: m.ceOi,
    pe_oi: m.peOi,
    forward: m.forward,
    straddle_volume: m.straddleVolume,
    backfilled: m.backfilled,
  };
}

/** A chain's minutes; a chain never recorded has none. */
export function historyMinutesView(symbol: string, expiry: string, h: HistoryMinutes | null): HistoryMinutesView {
  return { symbol, expiry, minutes: (h?.minutes ?? []).map(historyMinuteView) };
}

function legView(l: StrikeLeg): HistoryLegView {
  return { ltp: l.ltp, oi: l.oi, oi_change: l.oiChange, volume: l.volume, iv: l.iv };
}

/** A chain's strikes at one minute; `t` null and no strikes when nothing is recorded at or before it. */
export function historyStrikesView(symbol: string, expiry: string, h: HistoryStrikes | null): HistoryStrikesView {
  const strikes: HistoryStrikesView['strikes'] = {};
  if (h) for (const [strike, legs] of Object.entries(h.strikes)) strikes[strike] = { CE: legView(legs.CE), PE: legView(legs.PE) };
  return { symbol, expiry, t: h ? h.t : null, strikes };
}
