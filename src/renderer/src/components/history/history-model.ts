/**
 * The history charts' data, as plain arrays for the charts (uPlot's columnar form): the day's
 * minutes of one chain (from the event stream's history view) and the strikes at one minute (from
 * `history:strikes`). Pure and React-free: the session feeds it, the tests drive it directly.
 *
 * Policy:
 * - A stream part marked `snapshot` replaces the day (first batch, or after a back-fill filled
 *   earlier minutes); otherwise its minutes are merged by time (a minute recorded again replaces
 *   the old one), so the day stays sorted and never holds a minute twice.
 * - The straddle's VWAP is cumulative from the first minute with a known traded volume:
 *   sum(straddle x straddle_volume) / sum(straddle_volume), where straddle_volume is the ATM call
 *   and put contracts traded in that minute at that minute's ATM. Before any volume it is null (a
 *   gap), never a made-up average of prices.
 * - The OI picture shows strikes around the minute's ATM (at most `window` each side): a 101-strike
 *   index chain is too dense to read as bars, and the ATM neighbourhood is where OI moves.
 * - The smile is the out-of-the-money IV: puts below the ATM, calls at and above it (the in-the-
 *   money side's IV is noisier and carries the same information through parity).
 */
import type { HistoryMinuteView, HistoryStrikesView } from '../../../../shared/contract';
import type { StreamHistory } from '../../../../shared/events';
import { maxPainIndex } from '../../../../shared/max-pain';

/** A number column with gaps (uPlot draws null as a gap). */
export type Column = (number | null)[];

/** The day so far, one entry per recorded minute, oldest first. */
export class HistoryDay {
  private list: HistoryMinuteView[] = [];

  get minutes(): readonly HistoryMinuteView[] {
    return this.list;
  }

  /** Apply a stream part; returns whether the day changed. */
  apply(part: StreamHistory): boolean {
    if (part.snapshot) {
      this.list = [...part.minutes].sort((a, b) => a.t - b.t);
      return true;
    }
    if (part.minutes.length === 0) return false;
    for (const m of part.minutes) this.put(m);
    return true;
  }

  private put(m: HistoryMinuteView): void {
    const list = this.list;
    const last = list[list.length - 1];
    if (!last || last.t < m.t) {
      list.push(m);
      return;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.t < m.t) lo = mid + 1;
      else hi = mid;
    }
    if (list[lo]?.t === m.t) list[lo] = m;
    else list.splice(lo, 0, m);
  }
}

/** The time series of a day, in uPlot's form (x in epoch seconds). */
export interface DaySeries {
  t: number[];
  underlying: Column;
  straddle: Column;
  vwap: Column;
  pcr: Column;
  pcrVolume: Column;
  /** ATM IV in percent. */
  atmIv: Column;
  /** Which minutes were back-filled (not recorded live). */
  backfilled: boolean[];
}

const num = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

/** The day's series; the straddle's VWAP as described in the header. */
export function daySeries(minutes: readonly HistoryMinuteView[]): DaySeries {
  const out: DaySeries = { t: [], underlying: [], straddle: [], vwap: [], pcr: [], pcrVolume: [], atmIv: [], backfilled: [] };
  let pv = 0;
  let v = 0;
  for (const m of minutes) {
    out.t.push(m.t / 1000);
    out.underlying.push(num(m.underlying));
    const straddle = num(m.straddle);
    out.straddle.push(straddle);
    const volume = num(m.straddle_volume);
    if (straddle !== null && volume !== null && volume > 0) {
      pv += straddle * volume;
      v += volume;
    }
    out.vwap.push(v > 0 ? pv / v : null);
    out.pcr.push(num(m.pcr));
    out.pcrVolume.push(num(m.pcr_volume));
    const iv = num(m.atm_iv);
    out.atmIv.push(iv === null ? null : iv * 100);
    out.backfilled.push(m.backfilled);
  }
  return out;
}

/** The chain's strikes at one minute, around its ATM, in uPlot's form (x = strike). */
export interface StrikePicture {
  /** The minute shown (epoch ms), null when nothing is recorded yet. */
  t: number | null;
  strikes: number[];
  ceOi: Column;
  peOi: Column;
  ceOiChange: Column;
  peOiChange: Column;
  /** The smile: OTM IV in percent (puts below the ATM, calls at and above). */
  smile: Column;
  atm: number | null;
  /** The max-pain strike over every strike recorded at that minute (not only the window shown). */
  maxPain: number | null;
}

/** Strikes shown each side of the ATM in the OI picture and the smile. */
export const PICTURE_WINDOW = 20;

/** The ATM strike nearest `atm` among `strikes` (ascending), or the middle one when unknown. */
function centreIndex(strikes: readonly number[], atm: number | null): number {
  if (strikes.length === 0) return -1;
  if (atm === null) return strikes.length >> 1;
  let best = 0;
  for (let i = 1; i < strikes.length; i += 1) if (Math.abs(strikes[i]! - atm) < Math.abs(strikes[best]! - atm)) best = i;
  return best;
}

/** The picture of `view` around `atm` (the minute's ATM from the day, when known). */
export function strikePicture(view: HistoryStrikesView, atm: number | null, window = PICTURE_WINDOW): StrikePicture {
  const all = Object.keys(view.strikes)
    .map(Number)
    .filter((k) => Number.isFinite(k))
    .sort((a, b) => a - b);
  const c = centreIndex(all, atm);
  const lo = Math.max(0, c - window);
  const hi = Math.min(all.length, c + window + 1);
  const out: StrikePicture = { t: view.t, strikes: [], ceOi: [], peOi: [], ceOiChange: [], peOiChange: [], smile: [], atm: c >= 0 ? all[c]! : null, maxPain: null };
  const pivot = atm ?? (c >= 0 ? all[c]! : 0);
  for (let i = lo; i < hi; i += 1) {
    const k = all[i]!;
    const legs = view.strikes[String(k)]!;
    out.strikes.push(k);
    out.ceOi.push(num(legs.CE.oi));
    out.peOi.push(num(legs.PE.oi));
    out.ceOiChange.push(num(legs.CE.oi_change));
    out.peOiChange.push(num(legs.PE.oi_change));
    const iv = num(k < pivot ? legs.PE.iv : legs.CE.iv);
    out.smile.push(iv === null || iv <= 0 ? null : iv * 100);
  }
  const ceAll = all.map((k) => view.strikes[String(k)]!.CE.oi ?? 0);
  const peAll = all.map((k) => view.strikes[String(k)]!.PE.oi ?? 0);
  const pain = maxPainIndex(all, all.length, ceAll, peAll);
  out.maxPain = pain >= 0 ? all[pain]! : null;
  return out;
}

/** The smile of `earlier` on the strikes of `now` (null where it has no value), for one chart. */
export function smileOn(now: StrikePicture, earlier: StrikePicture): Column {
  const byStrike = new Map<number, number | null>();
  earlier.strikes.forEach((k, i) => byStrike.set(k, earlier.smile[i] ?? null));
  return now.strikes.map((k) => byStrike.get(k) ?? null);
}

/** The ATM recorded at minute `t` (the latest minute at or before it), or null. */
export function atmAt(minutes: readonly HistoryMinuteView[], t: number | null): number | null {
  let atm: number | null = null;
  for (const m of minutes) {
    if (t !== null && m.t > t) break;
    if (m.atm_strike !== null) atm = m.atm_strike;
  }
  return atm;
}
