/**
 * Today's minute bars of any instrument, drawn from the market model for the simulator's
 * `POST /v2/charts/intraday` (see intraday-charts.ts for the request and the answer's shape).
 *
 * Policy:
 * - The model keeps no past: its underlying walks are stepped lazily and forward only. History is
 *   drawn afterwards, conditioned on what the model does know: a log-Brownian bridge, at the
 *   driver's own volatility in calendar time, from the underlying's price at the day's close mark
 *   (its previous close) to its price now, sampled every 15 s. A bridge is exactly the walk's law
 *   given both ends, so the history is as likely as any path the live model could have taken.
 * - One path per underlying and day, kept and extended: a later request bridges from where the
 *   previous one ended to the new now, so minutes already served never change, and everything on
 *   an underlying (spot listings, futures, every option) moves together. A control-API jump between
 *   two requests is spread over the minutes between them.
 * - Instruments are priced off the path as the model prices them: spot is the path, a future scales
 *   with it, an option is Black-76 on that forward with the model's smile at the minute's time to
 *   expiry.
 * - As on Dhan, minutes without trades have no candle: an instrument that has not traded today has
 *   no bars, and its bars end with the minute of its last trade, closing at the LTP the feed shows.
 * - Volume and OI agree with the feed at the moment of each request: bar volumes sum to the day
 *   volume the quote shows (the growth since the previous request is spread over the minutes up to
 *   the last trade, in lots, by seeded weights); OI moves linearly from the previous day's OI at the
 *   open to the quote's OI at the last trade, in lots.
 * - Window: in 'clock' sessions the venue's session today, open to min(now, close); in 'always'
 *   sessions (trading at any hour) the IST day, midnight to now, as the model's days run.
 * - Deterministic: seeded streams per underlying (or instrument) and day; the same seed and the
 *   same requests at the same clock times give the same bars. No timers, no I/O.
 * - Memory: a path is two arrays of at most 5,760 samples per underlying asked about today; volume
 *   and OI are kept per minute for at most MAX_FLOWS instruments (the oldest asked is dropped and
 *   would be drawn afresh).
 */
import { black76Price } from '../shared/black76';
import { isFutureKind, isOptionKind, tokenOf } from '../shared/instruments';
import { homeVenue, istDayStart, SessionGate, venueOf, type SessionMode } from './market-hours';
import { smileVol } from './market-pricing';
import type { FairValue, QuoteState, SimInstrument } from './market-types';
import { classify, gaussian, underlyingSpec, YEAR_MS, type UnderlyingSpec } from './market-underlyings';
import { createRandom, type Random } from './seeded-random';

/** What the history reads from the market (the market model satisfies it). */
export interface HistoryMarket {
  quote(token: string): Readonly<QuoteState> | undefined;
  fairValue(token: string): FairValue | undefined;
  /** The instrument's value at its previous close mark; without it the path starts flat at today's price. */
  prevCloseFair?(token: string): FairValue | undefined;
}

/** Bars as parallel arrays, Dhan's shape; `timestamp` in epoch ms here (the API turns it into seconds). */
export interface BarColumns {
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  timestamp: number[];
  openInterest: number[];
}

const GRID_MS = 15_000;
const MINUTE_MS = 60_000;
const MAX_FLOWS = 4096;

/** One underlying's sampled path for one day: times ascending, log prices. */
interface Path {
  dayStart: number;
  times: number[];
  logs: number[];
  vol: number;
  rng: Random;
}

/** One instrument's volume and OI per minute of its window, as served so far. */
interface Flow {
  dayStart: number;
  lastMs: number;
  volume: number;
  oi: number;
  minuteVolume: number[];
  minuteOi: number[];
  rng: Random;
}

export class IntradayHistory {
  private readonly gate: SessionGate;
  private readonly paths = new Map<string, Path>();
  private readonly flows = new Map<string, Flow>();

  constructor(private readonly o: { market: HistoryMarket; seed: number; session: SessionMode }) {
    this.gate = new SessionGate(o.session);
  }

  /** The trading window of `inst` on the IST day of `now`: [open, end] with end <= now; null before it opens. */
  window(inst: SimInstrument, now: number): { open: number; end: number } | null {
    const dayStart = istDayStart(now);
    if (this.o.session === 'always') return { open: dayStart, end: now };
    const venue = venueOf(inst.segment);
    const open = this.gate.nextOpen(venue, dayStart);
    if (open > now) return null;
    return { open, end: Math.min(now, this.gate.nextClose(venue, open)) };
  }

  /**
   * Bars of `intervalMin` minutes (aligned to the window's open) whose start is at or after
   * `fromMs`, up to `now`; the last may be unfinished. Empty before the window opens or when the
   * model does not price the instrument.
   */
  bars(inst: SimInstrument, intervalMin: number, fromMs: number, now: number): BarColumns {
    const out: BarColumns = { open: [], high: [], low: [], close: [], volume: [], timestamp: [], openInterest: [] };
    const token = tokenOf(inst);
    const win = this.window(inst, now);
    const fair = this.o.market.fairValue(token);
    const q = this.o.market.quote(token);
    // As on Dhan, a minute without a trade has no candle: nothing before the first trade of the
    // day is known to the feed, and nothing after the last (whose price the last bar closes at).
    if (!win || !fair || !q || !(fair.spot > 0) || !(q.lastTradeMs >= win.open)) return out;
    const end = Math.min(win.end, q.lastTradeMs);
    const { assetClass, name } = classify(inst);
    const spec = underlyingSpec(assetClass, name, undefined, fair.rate);
    const path = this.path(`${assetClass}:${name}`, token, spec, now, fair.spot, assetClass);
    const flow = this.flow(token, inst, win.open, end, q);
    const priceAt = pricing(inst, spec, fair, now);
    const tick = inst.tickSize > 0 ? inst.tickSize : 0.05;
    const onTick = (p: number): number => Math.max(tick, Math.round(Math.round(p / tick) * tick * 1e4) / 1e4);
    const minutes = Math.floor((end - win.open) / MINUTE_MS) + 1;
    let i = lowerBound(path.times, win.open);
    let bucket = -1;
    for (let k = 0; k < minutes; k += 1) {
      const start = win.open + k * MINUTE_MS;
      const stop = Math.min(start + MINUTE_MS, end);
      let open = Number.NaN;
      let close = Number.NaN;
      let high = -Infinity;
      let low = Infinity;
      while (i < path.times.length && path.times[i] <= stop) {
        const t = path.times[i];
        const p = priceAt(t, Math.exp(path.logs[i]));
        if (Number.isNaN(open)) open = p;
        close = p;
        if (p > high) high = p;
        if (p < low) low = p;
        if (t === stop && stop < end) break; // the boundary sample opens the next minute too
        i += 1;
      }
      if (Number.isNaN(open)) continue;
      if (k === minutes - 1 && q.ltp > 0) {
        close = q.ltp;
        high = Math.max(high, close);
        low = Math.min(low, close);
      }
      const b = Math.floor(k / intervalMin);
      const barStart = win.open + b * intervalMin * MINUTE_MS;
      if (barStart < fromMs) continue;
      if (b !== bucket) {
        bucket = b;
        out.timestamp.push(barStart);
        out.open.push(onTick(open));
        out.high.push(onTick(high));
        out.low.push(onTick(low));
        out.close.push(onTick(close));
        out.volume.push(flow.minuteVolume[k] ?? 0);
        out.openInterest.push(flow.minuteOi[k] ?? 0);
        continue;
      }
      const n = out.timestamp.length - 1;
      out.high[n] = Math.max(out.high[n], onTick(high));
      out.low[n] = Math.min(out.low[n], onTick(low));
      out.close[n] = onTick(close);
      out.volume[n] += flow.minuteVolume[k] ?? 0;
      out.openInterest[n] = flow.minuteOi[k] ?? 0;
    }
    return out;
  }

  /** The underlying's path for today, extended to `now` at `spot`. */
  private path(key: string, token: string, spec: UnderlyingSpec, now: number, spot: number, assetClass: ReturnType<typeof classify>['assetClass']): Path {
    const dayStart = istDayStart(now);
    let path = this.paths.get(key);
    if (!path || path.dayStart !== dayStart) {
      const markMs = Math.min(dayStart, this.gate.markAtOrBefore(homeVenue(assetClass), dayStart));
      const markSpot = this.o.market.prevCloseFair?.(token)?.spot;
      const start = markSpot !== undefined && markSpot > 0 ? markSpot : spot;
      path = { dayStart, times: [markMs], logs: [Math.log(start)], vol: spec.vol, rng: createRandom(this.o.seed, `intraday:${key}:${dayStart}`) };
      this.paths.set(key, path);
    }
    extend(path, now, Math.log(spot));
    return path;
  }

  /** The instrument's volume and OI per minute from `open`, brought up to the quote at its last trade (`end`). */
  private flow(token: string, inst: SimInstrument, open: number, end: number, q: Readonly<QuoteState>): Flow {
    const dayStart = istDayStart(open);
    let flow = this.flows.get(token);
    if (!flow || flow.dayStart !== dayStart) {
      if (flow) this.flows.delete(token);
      if (this.flows.size >= MAX_FLOWS) this.flows.delete(this.flows.keys().next().value as string);
      flow = { dayStart, lastMs: open, volume: 0, oi: q.prevOi, minuteVolume: [], minuteOi: [], rng: createRandom(this.o.seed, `intraday-flow:${token}:${dayStart}`) };
      this.flows.set(token, flow);
    }
    const lot = Math.max(1, inst.lotSize);
    // Minutes since the one the previous request ended in (topped up) to the one of the last trade.
    const last = Math.floor((end - open) / MINUTE_MS);
    const first = Math.min(last, Math.floor((flow.lastMs - open) / MINUTE_MS));
    spreadVolume(flow, first, last, Math.max(0, q.volume - flow.volume), lot);
    flow.volume = Math.max(flow.volume, q.volume);
    if (end > flow.lastMs) {
      const span = end - flow.lastMs;
      for (let k = first; k <= last; k += 1) {
        const endOfMinute = Math.min(open + (k + 1) * MINUTE_MS, end);
        const w = Math.min(1, Math.max(0, (endOfMinute - flow.lastMs) / span));
        flow.minuteOi[k] = Math.round((flow.oi + (q.oi - flow.oi) * w) / lot) * lot;
      }
      flow.lastMs = end;
    }
    flow.minuteOi[last] = q.oi;
    flow.oi = q.oi;
    return flow;
  }
}

/** Bridge the path from its last sample to (now, x) on the 15 s grid, then add (now, x). */
function extend(path: Path, now: number, x: number): void {
  const n = path.times.length;
  let tc = path.times[n - 1];
  let xc = path.logs[n - 1];
  if (now <= tc) {
    if (now === tc) path.logs[n - 1] = x;
    return;
  }
  const variancePerMs = (path.vol * path.vol) / YEAR_MS;
  let g = path.dayStart + Math.max(0, Math.floor((tc - path.dayStart) / GRID_MS) + 1) * GRID_MS;
  for (; g < now; g += GRID_MS) {
    const mean = xc + ((g - tc) / (now - tc)) * (x - xc);
    const variance = (variancePerMs * (g - tc) * (now - g)) / (now - tc);
    xc = mean + Math.sqrt(variance) * gaussian(path.rng);
    tc = g;
    path.times.push(g);
    path.logs.push(xc);
  }
  path.times.push(now);
  path.logs.push(x);
}

/** Add `units` of volume over minutes first..last in whole lots by seeded weights (any odd remainder to the last). */
function spreadVolume(flow: Flow, first: number, last: number, units: number, lot: number): void {
  if (units <= 0) return;
  const weights: number[] = [];
  let sum = 0;
  for (let k = first; k <= last; k += 1) {
    const w = 0.2 + flow.rng.next();
    weights.push(w);
    sum += w;
  }
  const lots = Math.floor(units / lot);
  let given = 0;
  for (let k = first; k <= last; k += 1) {
    const share = Math.floor((lots * weights[k - first]) / sum) * lot;
    flow.minuteVolume[k] = (flow.minuteVolume[k] ?? 0) + share;
    given += share;
  }
  flow.minuteVolume[last] = (flow.minuteVolume[last] ?? 0) + units - given;
  for (let k = 0; k < first; k += 1) flow.minuteVolume[k] ??= 0;
}

/** The instrument's price at `t` when its underlying stands at `spot`, as the model prices it now. */
function pricing(inst: SimInstrument, spec: UnderlyingSpec, fair: FairValue, now: number): (t: number, spot: number) => number {
  if (!isFutureKind(inst.kind) && !isOptionKind(inst.kind)) return (_t, spot) => spot;
  // Forward per unit of spot at `t`: carried from now back to `t`, so a minute's price does not
  // depend on when it was asked for.
  const perSpot = fair.forward / fair.spot;
  const carry = fair.years > 0 ? spec.carry / YEAR_MS : 0;
  const forwardAt = (t: number, spot: number): number => spot * perSpot * Math.exp(carry * (now - t));
  if (isFutureKind(inst.kind)) return forwardAt;
  const strike = inst.strike ?? 0;
  const isCall = inst.optionType === 'CE';
  return (t, spot) => {
    const forward = forwardAt(t, spot);
    const years = fair.years > 0 ? fair.years + Math.max(0, now - t) / YEAR_MS : 0;
    return black76Price(forward, strike, years, smileVol(spec, forward, strike, years), fair.rate, isCall);
  };
}

/** First index whose value is >= x in an ascending array. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
