/**
 * The simulated exchange's market: deterministic, seeded, no timers and no I/O. The simulator's
 * server owns the clock and the sockets; it calls `due(now)` to learn which subscribed instruments
 * traded and encodes Dhan packets from `quoteAt`, and answers REST snapshots from `quote`.
 *
 * Policy:
 * - Cheap to build over a whole 289k-row master: construction only indexes (segment, id) and the
 *   futures; the price link, quote state and book of an instrument are created the first time it
 *   is subscribed, quoted or valued, so memory grows with what is watched.
 * - Event-based like Dhan's feed: an instrument appears in `due` only when it trades. Trades arrive
 *   as a Poisson process per subscribed instrument at a rate set by its liquidity (see
 *   market-pricing); `setAggregateRate` rescales all rates so their sum is a target, for benchmarks.
 * - Time only moves forward. Ticks a stalled caller missed by more than `maxCatchUpMs` are skipped
 *   (the instrument trades from `now - maxCatchUpMs` on), so a paused server never replays minutes
 *   of ticks in one call.
 * - Determinism: the same options and the same sequence of calls give the same quotes. Prices,
 *   schedule and trade sizes come from seeded streams (seeded-random), never Math.random.
 * - `move` (the control API's market jump) gaps an underlying at the model clock and re-prints
 *   at once everything already priced off it: one trade per live record at the new fair value,
 *   spot first, then futures, then options. A client re-centres a chain on the underlying's tick,
 *   and a snapshot read right after sees the new level, whatever the tick rates (even a still
 *   market). The underlying's spot listings and futures are created if nobody had touched them;
 *   untouched options are not (their first read prices them off the moved underlying anyway).
 * - Market hours (market-hours): in 'clock' session mode an instrument trades only while its
 *   venue is open; a trade that falls due outside is put off to the next open, and a `move`
 *   outside hours jumps the underlying (fair values follow) but prints nothing. 'always' (the
 *   default) trades at any hour.
 * - Days: a record rolls to a new IST day before its first trade or read that day, taking its
 *   previous close from the driver's close mark (see market-quotes and market-underlyings), so
 *   every previous close of a chain is one arbitrage-free surface, however long a record went
 *   untraded or untouched.
 */
import { tokenOf } from '../shared/instruments';
import { MarketCatalog, quoteSizing } from './market-catalog';
import { SessionGate, venueOf, type SessionMode } from './market-hours';
import { L_DRIVER, L_EXPIRY, L_FORM, L_RATE, L_VENUE, M_LIQUIDITY, M_REFS, M_TICK_RATE, SlotStore } from './market-layout';
import { FORM_FUTURE, FORM_OPTION, FORM_SPOT, Pricer, tradeRate, type Form } from './market-pricing';
import { dayEnded, initQuote, rollDay, trade, writeLink, type Valuation } from './market-quotes';
import { TickSchedule } from './market-schedule';
import { QuoteView } from './market-view';
import type { FairValue, MarketModelOptions, MovedFuture, MoveResult, QuoteState, SimInstrument } from './market-types';
import { classify, Driver, underlyingSpec, type AssetClass } from './market-underlyings';
import { createRandom, type Random } from './seeded-random';

export type { FairValue, MarketModelOptions, MovedFuture, MoveResult, QuoteState, SimInstrument } from './market-types';

/** Re-add the rate sum from scratch this often, so incremental float error cannot drift. */
const RESUM_EVERY = 1 << 20;

/**
 * Where `due` writes the instruments that traded: instrument indices into an Int32Array or a
 * callback (the allocation-free forms), or tokens into a string array (overwritten from 0).
 */
export type TickSink = Int32Array | string[] | ((index: number) => void);

/** The simulated market over a list of instruments. */
export class MarketModel {
  private readonly catalog: MarketCatalog;
  private readonly instruments: readonly SimInstrument[];
  private readonly seed: number;
  private readonly startMs: number;
  private readonly rate: number;
  private readonly basePrices: Readonly<Record<string, number>> | undefined;
  private readonly maxCatchUpMs: number;
  /** Instrument index -> slot (-1 until first touched). */
  private readonly slotOf: Int32Array;
  /** Slot -> instrument index, token and view. */
  private readonly slotInstrument: number[] = [];
  private readonly slotToken: string[] = [];
  private readonly views: QuoteView[] = [];
  private readonly store = new SlotStore();
  private readonly drivers: Driver[] = [];
  /** Driver id -> its records' slots, ascending (what a move re-prints). */
  private readonly driverSlots: number[][] = [];
  private readonly driverIds = new Map<string, number>();
  /** Scheduled items are slots. */
  private readonly schedule = new TickSchedule();
  private readonly rng: Random;
  private readonly pricer = new Pricer();
  private readonly gate: SessionGate;
  private clockMs: number;
  /** The instant reads roll records to: the clock, or a trade's time while `due` reports it. */
  private readMs: number | null = null;
  private aggregate: number | null = null;
  private rateSum = 0;
  private rateUpdates = 0;

  constructor(options: MarketModelOptions) {
    if (!Number.isFinite(options.startMs)) throw new RangeError('startMs must be a finite epoch ms');
    this.instruments = options.instruments;
    this.seed = options.seed ?? 1;
    this.startMs = options.startMs;
    this.clockMs = options.startMs;
    this.rate = options.rate ?? 0.065;
    this.basePrices = options.basePrices;
    this.maxCatchUpMs = options.maxCatchUpMs ?? 1000;
    this.gate = new SessionGate(options.session ?? 'always');
    this.rng = createRandom(this.seed, 'ticks');
    this.catalog = new MarketCatalog(this.instruments, this.seed);
    this.slotOf = new Int32Array(this.instruments.length).fill(-1);
  }

  /** The model clock (true UTC epoch ms). */
  get now(): number {
    return this.clockMs;
  }

  /** 'clock': instruments trade only in market hours; 'always': at any hour. */
  get session(): SessionMode {
    return this.gate.mode;
  }

  get instrumentCount(): number {
    return this.instruments.length;
  }

  /** Distinct instruments with at least one subscription. */
  get subscribedCount(): number {
    return this.schedule.size;
  }

  /** Expected ticks per second over all subscribed instruments, after aggregate scaling. */
  get expectedTicksPerSecond(): number {
    return this.rateSum * this.scale();
  }

  /** Moves the clock forward to `toMs` (never back). Prices follow lazily and exactly (see market-underlyings). */
  advance(toMs: number): void {
    if (toMs > this.clockMs) this.clockMs = toMs;
  }

  /** Instrument index of a `<segment>:<securityId>` token, or -1. */
  indexOf(token: string): number {
    return this.catalog.indexOf(token);
  }

  /** The instrument behind a token. */
  instrument(token: string): SimInstrument | undefined {
    const i = this.indexOf(token);
    return i < 0 ? undefined : this.instruments[i];
  }

  /** The instrument at an index (as passed to a `due` callback). */
  instrumentAt(index: number): SimInstrument {
    return this.instruments[index];
  }

  /**
   * Current quote of a token, creating its state on first use (an untraded instrument shows its
   * previous close as LTP and a book around fair value). The object is a live view owned by the
   * model: later trades show through it; use `toJSON()` for a snapshot.
   */
  quote(token: string): Readonly<QuoteState> | undefined {
    const i = this.indexOf(token);
    return i < 0 ? undefined : this.quoteAt(i);
  }

  /** `quote` by instrument index (the server's hot path after `due`). */
  quoteAt(index: number): Readonly<QuoteState> {
    const slot = this.slotFor(index);
    const f = this.store.chunk(slot);
    const b = this.store.base(slot);
    const at = this.readMs ?? this.clockMs;
    if (dayEnded(f, b, at)) this.roll(f, b, this.drivers[f[b + L_DRIVER]], at);
    return this.views[slot];
  }

  /** Previous close and previous OI, for the prev-close packet. */
  prevClose(token: string): { price: number; oi: number } | undefined {
    const q = this.quote(token);
    return q && { price: q.prevClose, oi: q.prevOi };
  }

  /** The model's fair value of an instrument at the current clock (unrounded; a new object). */
  fair(token: string): FairValue | undefined {
    const i = this.indexOf(token);
    if (i < 0) return undefined;
    const slot = this.slotFor(i);
    const f = this.store.chunk(slot);
    const b = this.store.base(slot);
    const p = this.pricer.evaluate(f, b, this.drivers[f[b + L_DRIVER]], this.clockMs);
    return { price: p.price, spot: p.spot, forward: p.forward, vol: p.vol, years: p.years, rate: f[b + L_RATE] };
  }

  /**
   * The model's value (unrounded) at the close mark the instrument's previous close was printed
   * from: the instant and underlying price its day rolled from (a new object). Rolls the record
   * to the current day first, as a read does.
   */
  prevCloseFair(token: string): FairValue | undefined {
    const i = this.indexOf(token);
    if (i < 0) return undefined;
    this.quoteAt(i);
    const slot = this.slotOf[i];
    const f = this.store.chunk(slot);
    const b = this.store.base(slot);
    const driver = this.drivers[f[b + L_DRIVER]];
    const mark = driver.closeFor(this.readMs ?? this.clockMs);
    const p = this.pricer.evaluateAt(f, b, driver, mark.ms, mark.price);
    return { price: p.price, spot: p.spot, forward: p.forward, vol: p.vol, years: p.years, rate: f[b + L_RATE] };
  }

  /** Alias of `fair` (the name the simulator's REST layer uses). */
  fairValue(token: string): FairValue | undefined {
    return this.fair(token);
  }

  /**
   * Adds a subscription to each token (refcounted: several sockets may hold one instrument).
   * Returns the tokens that name no instrument; they are ignored.
   */
  subscribe(tokens: readonly string[]): string[] {
    const unknown: string[] = [];
    for (const token of tokens) {
      const i = this.indexOf(token);
      if (i < 0) {
        unknown.push(token);
        continue;
      }
      const slot = this.slotFor(i);
      const f = this.store.chunk(slot);
      const b = this.store.base(slot);
      f[b + M_REFS] += 1;
      if (f[b + M_REFS] > 1) continue;
      const driver = this.drivers[f[b + L_DRIVER]];
      this.pricer.evaluate(f, b, driver, this.clockMs);
      // Only subscribed instruments count in rateSum; a record made earlier (by a quote) may carry a rate.
      f[b + M_TICK_RATE] = 0;
      this.setRate(f, b, tradeRate(f, b, driver.spec, this.pricer, this.clockMs));
      this.schedule.push(slot, this.nextTime(this.clockMs, f[b + M_TICK_RATE]));
    }
    return unknown;
  }

  /** Drops one subscription per token; at zero the instrument stops ticking. Returns unknown tokens. */
  unsubscribe(tokens: readonly string[]): string[] {
    const unknown: string[] = [];
    for (const token of tokens) {
      const i = this.indexOf(token);
      if (i < 0) {
        unknown.push(token);
        continue;
      }
      const slot = this.slotOf[i];
      if (slot < 0) continue;
      const f = this.store.chunk(slot);
      const b = this.store.base(slot);
      if (f[b + M_REFS] === 0) continue;
      f[b + M_REFS] -= 1;
      if (f[b + M_REFS] > 0) continue;
      this.schedule.remove(slot);
      this.setRate(f, b, 0);
    }
    return unknown;
  }

  /**
   * Scales every subscribed instrument's rate so the expected total is `packetsPerSecond`
   * (null restores natural rates). Relative liquidity is kept; pending ticks are redrawn.
   */
  setAggregateRate(packetsPerSecond: number | null): void {
    if (packetsPerSecond !== null && !(Number.isFinite(packetsPerSecond) && packetsPerSecond >= 0)) {
      throw new RangeError(`aggregate rate must be a non-negative number, got ${packetsPerSecond}`);
    }
    this.aggregate = packetsPerSecond;
    this.resum();
    this.schedule.reschedule((slot) => this.nextTime(this.clockMs, this.store.chunk(slot)[this.store.base(slot) + M_TICK_RATE]));
  }

  /**
   * Advances the clock to `nowMs` and applies every trade due by then, in time order, writing each
   * traded instrument to `out` (an instrument can appear more than once when it traded more than
   * once). An Int32Array takes indices, at most its length (the rest stay due for the next call);
   * a string[] takes tokens (cached per instrument, so nothing is allocated), overwritten from 0 and
   * truncated; a callback gets the index right after each trade, while `quoteAt(index)` still shows
   * that trade. `limit` caps the trades applied in one call (the rest stay due). Returns the number
   * of trades.
   */
  due(nowMs: number, out: TickSink, limit = Infinity): number {
    this.advance(nowMs);
    const now = this.clockMs;
    const floor = now - this.maxCatchUpMs;
    const sink = typeof out === 'function' ? out : null;
    const indices = out instanceof Int32Array ? out : null;
    const tokens = sink || indices ? null : (out as string[]);
    const cap = indices ? Math.min(limit, indices.length) : limit;
    const { schedule, pricer, store, drivers, gate } = this;
    let count = 0;
    while (count < cap) {
      const scheduled = schedule.topTime();
      if (!(scheduled <= now)) break;
      const slot = schedule.topItem();
      const t = scheduled < floor ? floor : scheduled;
      const f = store.chunk(slot);
      const b = store.base(slot);
      const venue = f[b + L_VENUE];
      if (!gate.isOpen(venue, t)) {
        // Closed: the trade waits for the next open (a fresh draw from there).
        schedule.replaceTop(this.nextTime(gate.nextOpen(venue, t), f[b + M_TICK_RATE]));
        continue;
      }
      const driver = drivers[f[b + L_DRIVER]];
      pricer.evaluate(f, b, driver, t);
      const rate = tradeRate(f, b, driver.spec, pricer, t);
      this.setRate(f, b, rate);
      schedule.replaceTop(this.nextTime(t, rate));
      if (rate <= 0) continue;
      this.print(f, b, driver, t);
      if (sink) {
        // Reads from the callback see the record as of its trade (a trade just before midnight
        // is not rolled by a clock already past it).
        this.readMs = t;
        try {
          sink(this.slotInstrument[slot]);
        } finally {
          this.readMs = null;
        }
      } else if (indices) indices[count] = this.slotInstrument[slot];
      else (tokens as string[])[count] = this.slotToken[slot];
      count += 1;
    }
    if (tokens) tokens.length = count;
    return count;
  }

  /**
   * Jumps the underlying `symbol` names (a stock, an index by its symbol or its derivatives' root,
   * an MCX commodity, a currency pair; see MarketCatalog.underlyingsNamed) by `pct` percent at
   * the model clock: its spot, every future and, through the forward, every option move with it.
   * Every live record priced off it trades once at its new fair value (spot, then futures, then
   * options); `onTrade(index)` runs right after each trade of a subscribed instrument, as in `due`.
   * Returns undefined when no instrument carries the symbol; throws RangeError unless
   * -100 < pct <= 1000.
   */
  move(symbol: string, pct: number, onTrade?: (index: number) => void): MoveResult | undefined {
    if (!(Number.isFinite(pct) && pct > -100 && pct <= 1000)) throw new RangeError(`move pct must be above -100 and at most 1000, got ${pct}`);
    const named = this.catalog.underlyingsNamed(symbol);
    if (!named) return undefined;
    const now = this.clockMs;
    const factor = 1 + pct / 100;
    const moved = new Set<number>();
    const futures: { index: number; slot: number; before: number }[] = [];
    const result: MoveResult = { symbol, underlyings: [], before: Number.NaN, after: Number.NaN, futures: [] };
    for (const u of named) {
      const id = this.driverOf(u.assetClass, u.name);
      const driver = this.drivers[id];
      // Records made before the jump, so their previous close and opening book are pre-jump.
      for (const i of u.listed) {
        const slot = this.slotFor(i);
        const f = this.store.chunk(slot);
        const b = this.store.base(slot);
        if (f[b + L_FORM] === FORM_FUTURE) futures.push({ index: i, slot, before: this.pricer.evaluate(f, b, driver, now).price });
      }
      const jump = driver.jump(now, factor);
      if (moved.size === 0) {
        result.before = jump.before;
        result.after = jump.after;
      }
      moved.add(id);
      result.underlyings.push(driver.spec.key);
    }
    for (const { index, slot, before } of futures) {
      const f = this.store.chunk(slot);
      const b = this.store.base(slot);
      const inst = this.instruments[index];
      const after = this.pricer.evaluate(f, b, this.drivers[f[b + L_DRIVER]], now).price;
      const future: MovedFuture = { segment: inst.segment, securityId: inst.securityId, expiry: inst.expiry ?? '', before, after };
      result.futures.push(future);
    }
    this.reprint(moved, now, onTrade);
    return result;
  }

  /** One trade at fair value on every live record priced off `drivers`: spot, then futures, then options. */
  private reprint(drivers: ReadonlySet<number>, now: number, onTrade: ((index: number) => void) | undefined): void {
    const byForm: [number[], number[], number[]] = [[], [], []];
    const slots = [...drivers].flatMap((id) => this.driverSlots[id]);
    if (drivers.size > 1) slots.sort((x, y) => x - y);
    for (const slot of slots) byForm[this.store.chunk(slot)[this.store.base(slot) + L_FORM] as Form].push(slot);
    for (const form of [FORM_SPOT, FORM_FUTURE, FORM_OPTION] as const) {
      for (const slot of byForm[form]) {
        const f = this.store.chunk(slot);
        const b = this.store.base(slot);
        const driver = this.drivers[f[b + L_DRIVER]];
        if (!this.gate.isOpen(f[b + L_VENUE], now)) continue;
        this.pricer.evaluate(f, b, driver, now);
        if (!(form === FORM_SPOT || now < f[b + L_EXPIRY])) continue;
        const subscribed = f[b + M_REFS] > 0;
        // As in `due`: the rate (and the liquidity the book's spread reads) first, then the trade.
        if (subscribed) this.setRate(f, b, tradeRate(f, b, driver.spec, this.pricer, now));
        this.print(f, b, driver, now);
        if (subscribed && onTrade) onTrade(this.slotInstrument[slot]);
      }
    }
  }

  /**
   * One trade at `ms` of the record the pricer just evaluated at `ms`, rolling its day first when
   * `ms` starts a new one (the roll re-uses the pricer, so the record is evaluated again).
   */
  private print(f: Float64Array, b: number, driver: Driver, ms: number): void {
    if (dayEnded(f, b, ms)) {
      this.roll(f, b, driver, ms);
      this.pricer.evaluate(f, b, driver, ms);
    }
    const p = this.pricer;
    trade(f, b, ms, p.price, p.lower, p.upper, this.rng);
  }

  /** Starts the record's IST day of `ms`: its previous close is its value at the driver's close mark. */
  private roll(f: Float64Array, b: number, driver: Driver, ms: number): void {
    rollDay(f, b, ms, this.closeValuation(f, b, driver, ms));
  }

  /** The record's value at the close mark its day of `ms` rolls from (uses the pricer). */
  private closeValuation(f: Float64Array, b: number, driver: Driver, ms: number): Valuation {
    const mark = driver.closeFor(ms);
    const p = this.pricer.evaluateAt(f, b, driver, mark.ms, mark.price);
    return { fair: p.price, lower: p.lower, upper: p.upper, live: f[b + L_FORM] === FORM_SPOT || mark.ms < f[b + L_EXPIRY] };
  }

  private scale(): number {
    if (this.aggregate === null) return 1;
    return this.rateSum > 0 ? this.aggregate / this.rateSum : 0;
  }

  /** The next trade time after `fromMs` for an instrument trading at `rate` (natural ticks/s). */
  private nextTime(fromMs: number, rate: number): number {
    const effective = rate * this.scale();
    if (!(effective > 0)) return Infinity;
    return fromMs - (Math.log(1 - this.rng.next()) * 1000) / effective;
  }

  private setRate(f: Float64Array, b: number, rate: number): void {
    this.rateSum += rate - f[b + M_TICK_RATE];
    f[b + M_TICK_RATE] = rate;
    if (rate > 0) f[b + M_LIQUIDITY] = Math.min(1, rate / 4);
    this.rateUpdates += 1;
    if (this.rateUpdates >= RESUM_EVERY) this.resum();
  }

  private resum(): void {
    let sum = 0;
    for (let k = 0; k < this.schedule.size; k += 1) {
      const slot = this.schedule.itemAt(k);
      sum += this.store.chunk(slot)[this.store.base(slot) + M_TICK_RATE];
    }
    this.rateSum = sum;
    this.rateUpdates = 0;
  }

  /** The slot of an instrument, creating its record on first use. */
  private slotFor(i: number): number {
    const existing = this.slotOf[i];
    if (existing >= 0) return existing;
    const inst = this.instruments[i];
    const { assetClass, name } = classify(inst);
    const driverId = this.driverOf(assetClass, name);
    const driver = this.drivers[driverId];
    const init = createRandom(this.seed, `inst:${inst.segment}:${inst.securityId}`);
    const slot = this.store.alloc();
    const f = this.store.chunk(slot);
    const b = this.store.base(slot);
    writeLink(f, b, this.catalog.link(inst, driverId, driver.spec, this.rate, 0.8 + 0.4 * init.next()));
    f[b + L_VENUE] = venueOf(inst.segment);
    const spot = f[b + L_FORM] === FORM_SPOT;
    const expiryMs = f[b + L_EXPIRY];
    const at = this.readMs ?? this.clockMs;
    const prevQuote = this.closeValuation(f, b, driver, at);
    const prevDistance = this.pricer.distance;
    const prevSpot = this.pricer.spot;
    const now = this.pricer.evaluate(f, b, driver, at);
    const nowQuote: Valuation = { fair: now.price, lower: now.lower, upper: now.upper, live: spot || at < expiryMs };
    const liquidity = Math.min(1, tradeRate(f, b, driver.spec, now, at) / 4);
    const sizing = quoteSizing(f[b + L_FORM] as Form, driver.spec, prevSpot, prevDistance, liquidity, expiryMs - at, init.next());
    initQuote(f, b, sizing, prevQuote, nowQuote, at, init.next() * 4_294_967_296);
    this.slotOf[i] = slot;
    this.driverSlots[driverId].push(slot);
    this.slotInstrument.push(i);
    this.slotToken.push(tokenOf(inst));
    this.views.push(new QuoteView(f, b));
    return slot;
  }

  private driverOf(assetClass: AssetClass, name: string): number {
    const key = `${assetClass}:${name}`;
    let id = this.driverIds.get(key);
    if (id === undefined) {
      id = this.drivers.length;
      this.drivers.push(new Driver(underlyingSpec(assetClass, name, this.basePrices, this.rate), this.seed, this.startMs, this.gate));
      this.driverIds.set(key, id);
      this.driverSlots.push([]);
    }
    return id;
  }
}
