/**
 * Where per-instrument market state lives: one fixed-stride record of doubles per touched
 * instrument ("slot"), in chunks of Float64Array that are never reallocated (so views into them
 * stay valid as more instruments are touched).
 *
 * Policy: the tick path is memory-bound, not arithmetic-bound. With one object per instrument (30
 * boxed double fields, six depth arrays, a link object) 25,000 subscribed instruments spread over
 * ~35 MB of pointers and a tick cost ~1.4 us, mostly cache misses. Packed into one contiguous
 * 384-byte record, with the 5-level book kept as its four inputs and expanded only when someone
 * reads it, the same tick touches six adjacent cache lines.
 */
// Static: how the instrument is priced and sized (written once, when the slot is created).
export const L_FORM = 0;
export const L_BASIS = 1;
export const L_CARRY = 2;
export const L_REF_EXPIRY = 3;
export const L_EXPIRY = 4;
export const L_STRIKE = 5;
export const L_IS_CALL = 6;
export const L_RATE = 7;
export const L_JITTER = 8;
export const L_DRIVER = 9;
export const L_LOT = 10;
export const L_TICK_MICRO = 11;
export const L_FLAGS = 12;
export const L_MEAN_LOTS = 13;
export const L_MAX_LOTS = 14;
export const L_BOOK_LOTS = 15;
// Model bookkeeping.
export const M_TICK_RATE = 16;
export const M_LIQUIDITY = 17;
export const M_TURNOVER = 18;
export const M_DAY_END = 19;
export const M_REFS = 20;
// Quote fields (DHAN-PROTOCOL.md §2).
export const Q_LTP = 21;
export const Q_LTQ = 22;
export const Q_LTT = 23;
export const Q_LAST_MS = 24;
export const Q_ATP = 25;
export const Q_VOLUME = 26;
export const Q_BUY_QTY = 27;
export const Q_SELL_QTY = 28;
export const Q_OPEN = 29;
export const Q_HIGH = 30;
export const Q_LOW = 31;
export const Q_OI = 32;
export const Q_OI_HIGH = 33;
export const Q_OI_LOW = 34;
export const Q_PREV_CLOSE = 35;
export const Q_PREV_OI = 36;
export const Q_TRADES = 37;
/** Bumped whenever the book changes (views cache their depth arrays by it). */
export const Q_BOOK_VERSION = 38;
// The book, stored as its inputs (see market-quotes `fillBook`): levels are derived when read.
export const B_BID_TICKS = 39;
export const B_SPREAD = 40;
export const B_SEED = 41;
export const B_LIVE = 42;
/** Where the instrument trades (market-hours' VENUE_*), for market hours. */
export const L_VENUE = 43;
/** Doubles per slot: 48 x 8 = 384 bytes, a whole number of 64-byte cache lines. */
export const STRIDE = 48;

/** Bits of L_FLAGS. */
export const FLAG_INDEX = 1;
export const FLAG_OI = 2;
export const FLAG_FNO = 4;

const CHUNK_BITS = 10;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SLOTS - 1;

/** Slot records in chunks of 1,024. */
export class SlotStore {
  private readonly chunks: Float64Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** A new zeroed slot. */
  alloc(): number {
    if ((this.count & CHUNK_MASK) === 0) this.chunks.push(new Float64Array(CHUNK_SLOTS * STRIDE));
    const slot = this.count;
    this.count += 1;
    return slot;
  }

  /** The chunk holding a slot's record. */
  chunk(slot: number): Float64Array {
    return this.chunks[slot >> CHUNK_BITS];
  }

  /** Offset of a slot's record inside its chunk. */
  base(slot: number): number {
    return (slot & CHUNK_MASK) * STRIDE;
  }
}
