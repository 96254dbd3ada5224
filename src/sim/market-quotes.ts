/**
 * What one trade does to an instrument's record (see market-layout): last price/quantity/time,
 * day statistics, open interest and a 5-level book around the price.
 *
 * Policy:
 * - The last price is the fair value rounded to the nearest tick, then kept inside the
 *   no-arbitrage bounds (never below the tick at or above the discounted intrinsic value, never
 *   above the tick at or below DF*F for a call or DF*K for a put) and never below one tick while
 *   live. Each step is a non-decreasing function of the fair value or of a bound that moves with
 *   strike the same way the price does, so prices valued at one instant keep their order across
 *   strikes after rounding (ties allowed, never an inversion). A printed price lies at most half a
 *   tick below its fair value (unless capped by the upper bound) and less than a tick above it,
 *   so a butterfly loses at most a tick and a half to rounding. The book brackets the last price: best bid <= LTP <= best ask, 1-4 ticks apart
 *   (wider for illiquid contracts), further levels one tick apart; levels at or below zero are
 *   zero-filled, as Dhan zero-fills missing depth.
 * - Trade size is a whole number of lots (geometric, mean a few lots), capped so it fits the
 *   packet's 16-bit LTQ. OI moves by the trade size, opening slightly more often than closing.
 * - A new IST calendar day rolls the record (the model rolls it before its first trade or read
 *   that day): the previous close becomes the model's value at the day's close mark (every record
 *   of an underlying from one price at one instant, see market-hours), OI the previous OI, and
 *   volume/open/high/low restart; a record that never traded shows the new previous close as its
 *   last price. Close stays 0 (Dhan sends it after the session only).
 * - A trade stores only the book's inputs (best bid in ticks, spread, a hash, live); the five levels
 *   are expanded from them when read (`fillBook`), with sizes from the hash rather than a draw per
 *   level: the tick path stays allocation-free and touches few cache lines.
 */
import { IST_OFFSET_MINUTES } from '../shared/market-calendar';
import {
  B_BID_TICKS, B_LIVE, B_SEED, B_SPREAD, FLAG_INDEX, FLAG_OI, L_BASIS, L_BOOK_LOTS,
  L_CARRY, L_DRIVER, L_EXPIRY, L_FLAGS, L_FORM, L_IS_CALL, L_JITTER, L_LOT, L_MAX_LOTS, L_MEAN_LOTS, L_RATE, L_REF_EXPIRY,
  L_STRIKE, L_TICK_MICRO, M_DAY_END, M_LIQUIDITY, M_TURNOVER, Q_ATP, Q_BOOK_VERSION, Q_BUY_QTY, Q_HIGH, Q_LAST_MS, Q_LOW,
  Q_LTP, Q_LTQ, Q_LTT, Q_OI, Q_OI_HIGH, Q_OI_LOW, Q_OPEN, Q_PREV_CLOSE, Q_PREV_OI, Q_SELL_QTY, Q_TRADES, Q_VOLUME,
} from './market-layout';
import { FORM_OPTION, type Form } from './market-pricing';
import { DEPTH_LEVELS } from './market-types';
import type { Random } from './seeded-random';

const DAY_MS = 86_400_000;
const IST_OFFSET_MS = IST_OFFSET_MINUTES * 60_000;
const IST_OFFSET_S = IST_OFFSET_MINUTES * 60;
const UINT32_MAX = 4_294_967_295;
const INT32_MAX = 2_147_483_647;
const LTQ_MAX = 65_535;

/** The first IST midnight after `ms`. */
export function nextIstMidnight(ms: number): number {
  return (Math.floor((ms + IST_OFFSET_MS) / DAY_MS) + 1) * DAY_MS - IST_OFFSET_MS;
}

/** 32-bit integer mix (a finaliser), for cheap deterministic book sizes. */
function mix(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** How an instrument is priced: written once into its record. */
export interface LinkSetup {
  form: Form;
  basis: number;
  carry: number;
  refExpiryMs: number;
  expiryMs: number;
  strike: number;
  isCall: boolean;
  rate: number;
  jitter: number;
  driver: number;
  lot: number;
  tickSize: number;
  flags: number;
}

/** Writes the static pricing fields of a record. */
export function writeLink(f: Float64Array, b: number, link: LinkSetup): void {
  f[b + L_FORM] = link.form;
  f[b + L_BASIS] = link.basis;
  f[b + L_CARRY] = link.carry;
  f[b + L_REF_EXPIRY] = link.refExpiryMs;
  f[b + L_EXPIRY] = link.expiryMs;
  f[b + L_STRIKE] = link.strike;
  f[b + L_IS_CALL] = link.isCall ? 1 : 0;
  f[b + L_RATE] = link.rate;
  f[b + L_JITTER] = link.jitter;
  f[b + L_DRIVER] = link.driver;
  f[b + L_LOT] = Math.max(1, link.lot);
  f[b + L_TICK_MICRO] = Math.max(1, Math.round((link.tickSize > 0 ? link.tickSize : 0.05) * 1e6));
  f[b + L_FLAGS] = link.flags;
}

/** Price of `ticks` ticks, as an exact decimal (the tick is held in millionths of a rupee). */
function priceOf(f: Float64Array, b: number, ticks: number): number {
  return Math.round(ticks * f[b + L_TICK_MICRO]) / 1e6;
}

/** A value to print: the fair value, its no-arbitrage bounds, and whether the contract still trades. */
export interface Valuation {
  fair: number;
  lower: number;
  upper: number;
  live: boolean;
}

/**
 * The fair value in ticks: rounded to the nearest, kept within [lower, upper] on the tick grid,
 * at least one tick unless the contract is dead (`live` false). Monotone in each input.
 */
export function ticksOf(tickMicro: number, fair: number, lower: number, upper: number, live: boolean): number {
  let ticks = Math.round((fair * 1e6) / tickMicro);
  const low = Math.ceil((lower * 1e6) / tickMicro - 1e-6);
  if (ticks < low) ticks = low;
  if (upper < Infinity) {
    const high = Math.floor((upper * 1e6) / tickMicro + 1e-6);
    if (ticks > high) ticks = high;
  }
  return live ? Math.max(ticks, 1) : Math.max(ticks, 0);
}

function ticksOfRecord(f: Float64Array, b: number, v: Valuation): number {
  return ticksOf(f[b + L_TICK_MICRO], v.fair, v.lower, v.upper, v.live);
}

/** Records the book around `ltpTicks` (its inputs only; `fillBook` expands it); empty when not live. */
function setBook(f: Float64Array, b: number, ltpTicks: number, live: boolean, seed: number): void {
  f[b + Q_BOOK_VERSION] += 1;
  const empty = (f[b + L_FLAGS] & FLAG_INDEX) !== 0 || !live;
  f[b + B_LIVE] = empty ? 0 : 1;
  if (empty) return;
  const spread = 1 + Math.floor((1 - f[b + M_LIQUIDITY]) * (f[b + L_FORM] === FORM_OPTION ? 3.99 : 1.99));
  const h = mix(seed);
  f[b + B_SPREAD] = spread;
  f[b + B_BID_TICKS] = ltpTicks - ((spread >> 1) + (spread & 1 & h));
  f[b + B_SEED] = h;
}

/** The six depth runs (bid price, qty, orders; ask price, qty, orders) of DEPTH_LEVELS values each. */
export type DepthRuns = readonly [number[], number[], number[], number[], number[], number[]];

/**
 * Expands a record's book into `out`: best bid and ask `spread` ticks apart, further levels one
 * tick apart, sizes from the stored hash; levels at or below zero and dead books are zero-filled.
 */
export function fillBook(f: Float64Array, b: number, out: DepthRuns): void {
  const [bidPrice, bidQty, bidOrders, askPrice, askQty, askOrders] = out;
  if (f[b + B_LIVE] !== 1) {
    for (const run of out) run.fill(0);
    return;
  }
  const bid = f[b + B_BID_TICKS];
  const ask = bid + f[b + B_SPREAD];
  // Sizes by multiply-shift on 16-bit slices of one hash per level (no modulo on uint32).
  const range = Math.min(2 * f[b + L_BOOK_LOTS], 0xffff);
  const lot = f[b + L_LOT];
  let h = f[b + B_SEED];
  for (let i = 0; i < DEPTH_LEVELS; i += 1) {
    h = mix(h + 0x9e3779b9);
    const deeper = i * (h >>> 30);
    const bidLots = 1 + (((h & 0xffff) * range) >>> 16) + deeper;
    const askLots = 1 + (((h >>> 16) * range) >>> 16) + deeper;
    const live = bid - i > 0;
    bidPrice[i] = live ? priceOf(f, b, bid - i) : 0;
    bidQty[i] = live ? bidLots * lot : 0;
    bidOrders[i] = live ? 1 + ((((h >>> 4) & 0xff) * (bidLots < 25 ? bidLots : 25)) >>> 8) : 0;
    askPrice[i] = priceOf(f, b, ask + i);
    askQty[i] = askLots * lot;
    askOrders[i] = 1 + ((((h >>> 20) & 0xff) * (askLots < 25 ? askLots : 25)) >>> 8);
  }
}

/** True when `ms` falls on a later IST day than the record's current one (the caller rolls it). */
export function dayEnded(f: Float64Array, b: number, ms: number): boolean {
  return ms >= f[b + M_DAY_END];
}

/** Starts the IST day of `ms`: `prevClose` is the model's value at the day's close mark. */
export function rollDay(f: Float64Array, b: number, ms: number, prevClose: Valuation): void {
  f[b + Q_PREV_CLOSE] = priceOf(f, b, ticksOfRecord(f, b, prevClose));
  f[b + Q_PREV_OI] = f[b + Q_OI];
  if (f[b + Q_TRADES] === 0) f[b + Q_LTP] = f[b + Q_PREV_CLOSE];
  f[b + Q_VOLUME] = 0;
  f[b + M_TURNOVER] = 0;
  f[b + Q_ATP] = 0;
  f[b + Q_OPEN] = 0;
  f[b + Q_HIGH] = 0;
  f[b + Q_LOW] = 0;
  f[b + Q_OI_HIGH] = f[b + Q_OI];
  f[b + Q_OI_LOW] = f[b + Q_OI];
  f[b + M_DAY_END] = nextIstMidnight(ms);
}

/**
 * One trade at `ms` at the fair value `fair` printed within its bounds (the contract is live and
 * its day rolled: the caller checked).
 */
export function trade(f: Float64Array, b: number, ms: number, fair: number, lower: number, upper: number, rng: Random): void {
  const ticks = ticksOf(f[b + L_TICK_MICRO], fair, lower, upper, true);
  const price = priceOf(f, b, ticks);
  f[b + Q_LTP] = price;
  f[b + Q_LAST_MS] = ms;
  f[b + Q_LTT] = Math.floor(ms / 1000) + IST_OFFSET_S;
  f[b + Q_TRADES] += 1;
  if (f[b + Q_OPEN] === 0) {
    f[b + Q_OPEN] = price;
    f[b + Q_HIGH] = price;
    f[b + Q_LOW] = price;
  } else {
    if (price > f[b + Q_HIGH]) f[b + Q_HIGH] = price;
    if (price < f[b + Q_LOW]) f[b + Q_LOW] = price;
  }
  const u = rng.next();
  const seed = (u * 4_294_967_296) >>> 0;
  const flags = f[b + L_FLAGS];
  if ((flags & FLAG_INDEX) === 0) {
    const lot = f[b + L_LOT];
    const meanLots = f[b + L_MEAN_LOTS];
    const lots = Math.min(1 + Math.floor(-Math.log(1 - u) * meanLots), f[b + L_MAX_LOTS]);
    const qty = lots * lot;
    const volume = Math.min(f[b + Q_VOLUME] + qty, UINT32_MAX);
    f[b + Q_LTQ] = qty;
    f[b + Q_VOLUME] = volume;
    const turnover = f[b + M_TURNOVER] + qty * price;
    f[b + M_TURNOVER] = turnover;
    f[b + Q_ATP] = Math.round((turnover / volume) * 100) / 100;
    if ((flags & FLAG_OI) !== 0) {
      const opening = (seed & 0xff) < 141; // 55%
      const oi = opening ? Math.min(f[b + Q_OI] + qty, INT32_MAX) : Math.max(f[b + Q_OI] - qty, 0);
      f[b + Q_OI] = oi;
      if (oi > f[b + Q_OI_HIGH]) f[b + Q_OI_HIGH] = oi;
      if (oi < f[b + Q_OI_LOW]) f[b + Q_OI_LOW] = oi;
    }
    const walk = lot * meanLots * 4;
    const floor = lot * f[b + L_BOOK_LOTS] * 10;
    f[b + Q_BUY_QTY] = Math.max(floor, f[b + Q_BUY_QTY] + Math.round((((seed >>> 8) & 0xff) / 255 - 0.5) * walk));
    f[b + Q_SELL_QTY] = Math.max(floor, f[b + Q_SELL_QTY] + Math.round((((seed >>> 16) & 0xff) / 255 - 0.5) * walk));
  }
  setBook(f, b, ticks, true, seed);
}

/** Sizing of a fresh record: trade size, book depth and open interest scale. */
export interface QuoteSizing {
  meanLots: number;
  bookLots: number;
  /** Previous day's OI in lots (ignored for spot instruments). */
  oiLots: number;
  /** 0..1, from the natural trade rate. */
  liquidity: number;
}

/**
 * Fills a fresh record after `writeLink` at `nowMs`: previous close/OI (`prev`: the value at the
 * close mark the day rolled from), the untraded quote (LTP = previous close, no trade time) and a
 * book around `now`.
 */
export function initQuote(
  f: Float64Array, b: number, sizing: QuoteSizing, prev: Valuation, now: Valuation, nowMs: number, seed: number,
): void {
  const lot = f[b + L_LOT];
  const flags = f[b + L_FLAGS];
  f[b + L_MEAN_LOTS] = Math.max(1, sizing.meanLots);
  f[b + L_MAX_LOTS] = Math.max(1, Math.floor(LTQ_MAX / lot));
  f[b + L_BOOK_LOTS] = Math.max(1, Math.round(sizing.bookLots));
  f[b + M_LIQUIDITY] = sizing.liquidity;
  f[b + Q_PREV_CLOSE] = priceOf(f, b, ticksOfRecord(f, b, prev));
  f[b + Q_LTP] = f[b + Q_PREV_CLOSE];
  const oi = (flags & FLAG_OI) !== 0 ? Math.min(Math.round(sizing.oiLots) * lot, INT32_MAX) : 0;
  f[b + Q_PREV_OI] = oi;
  f[b + Q_OI] = oi;
  f[b + Q_OI_HIGH] = oi;
  f[b + Q_OI_LOW] = oi;
  f[b + M_DAY_END] = nextIstMidnight(nowMs);
  if ((flags & FLAG_INDEX) === 0) {
    f[b + Q_BUY_QTY] = lot * f[b + L_BOOK_LOTS] * 40;
    f[b + Q_SELL_QTY] = lot * f[b + L_BOOK_LOTS] * 40;
  }
  setBook(f, b, ticksOfRecord(f, b, now), now.live, seed);
}
