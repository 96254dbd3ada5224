/** Small, hand-checkable history data for the history charts' tests. */
import type { HistoryLegView, HistoryMinuteView, HistoryStrikesView } from '../../../../shared/contract';
import type { StreamBatch } from '../../../../shared/events';

export const T0 = Date.UTC(2026, 11, 7, 4, 0); // 09:30 IST

/** A recorded minute `i` minutes after T0. */
export function minute(i: number, over: Partial<HistoryMinuteView> = {}): HistoryMinuteView {
  return {
    t: T0 + i * 60_000,
    underlying: 25_500 + i,
    atm_strike: 25_500,
    straddle: 200 - i,
    pcr: 0.9 + i / 100,
    pcr_volume: 1.1,
    atm_iv: 0.15,
    ce_oi: 1_000_000,
    pe_oi: 900_000,
    forward: 25_520,
    straddle_volume: 100,
    backfilled: false,
    ...over,
  };
}

const legOf = (oi: number, iv: number | null, chg = 0): HistoryLegView => ({ ltp: 10, oi, oi_change: chg, volume: 1000, iv });

/** Strikes 25,300..25,700 step 100 at minute `t`: CE OI grows with the strike, PE OI falls. */
export function strikesView(t: number | null, ivBump = 0): HistoryStrikesView {
  const strikes: HistoryStrikesView['strikes'] = {};
  [25_300, 25_400, 25_500, 25_600, 25_700].forEach((k, i) => {
    strikes[String(k)] = { CE: legOf(100 * (i + 1), 0.14 + i * 0.01 + ivBump, i), PE: legOf(100 * (5 - i), 0.2 - i * 0.01 + ivBump, -i) };
  });
  return { symbol: 'NIFTY', expiry: '2026-12-08', t, strikes };
}

/** A stream batch carrying a history part for NIFTY|2026-12-08. */
export function historyBatch(minutes: HistoryMinuteView[], snapshot = false): StreamBatch {
  return { type: 'batch', seq: 1, at: Date.now(), chains: {}, history: { 'NIFTY|2026-12-08': snapshot ? { snapshot: true, minutes } : { minutes } } };
}
