/**
 * A chain's strikes over a block of minutes, packed into one blob (`history_strikes.data`, which
 * holds it deflated).
 *
 * Why this shape: a full day is ~25,000 legs x 375 minutes = 9.4M leg-minutes against a 150 MB
 * budget: 16 bytes per leg-minute for everything, SQLite's overhead included. Measured on the
 * bench's synthetic day: fixed-width typed arrays would take 18 bytes; one row per chain-minute
 * with varints took 10.9 bytes of blob but 14.6-15.8 bytes of file (a 2 KB row per index chain
 * leaves most of a 4 KB page empty). Minute to minute most numbers barely move (OI updates every
 * few minutes, far strikes rarely trade), so a block stores each minute as differences from the
 * minute before it, and deflate then squeezes the runs of "unchanged".
 *
 * Encoding: integers as LEB128 varints (any integer up to 2^53 exactly: volume in units on an
 * index's ATM weekly on expiry day reaches a few hundred million, within 2^32 but not by much).
 * Each minute's column of differences is divided by its greatest common divisor first (OI and
 * volume move in lots, prices in ticks). Units: prices in paise (exact for 0.05 and 0.01 ticks),
 * OI and volume exact, IV in hundredths of a percent (0.01% rounding), strikes in hundredths.
 * A missing number (leg absent, never priced, IV not solvable) stays null, never 0.
 *
 * Layout (version 1): u8 version, then minute records in time order, appendable:
 *   varint minute offset in the block; u8 flags (1 = strikes listed: the window changed or this is
 *   the first minute); if listed, varint n and the strikes (zigzag first, then zigzag deltas);
 *   then five columns (ltp, oi, oi change, volume, iv), each a varint divisor g and 2n values
 *   (n calls, then n puts): 0 for null, else zigzag(q) + 1 where value = base + q x g and base
 *   is the previous minute's value at that index when the strikes did not change and it was
 *   known, else 0.
 */

/**
 * A chain-minute as columns: `strikes` ascending, then per field a CE and a PE column of the
 * same length, NaN for unknown. The recorder fills one of these per chain and reuses it.
 */
export interface StrikeColumns {
  count: number;
  strikes: Float64Array;
  ceLtp: Float64Array;
  peLtp: Float64Array;
  ceOi: Float64Array;
  peOi: Float64Array;
  ceOiChange: Float64Array;
  peOiChange: Float64Array;
  ceVolume: Float64Array;
  peVolume: Float64Array;
  ceIv: Float64Array;
  peIv: Float64Array;
}

/** One minute of a decoded block. */
export interface BlockMinute {
  /** Minutes since the block's start. */
  offset: number;
  columns: StrikeColumns;
}

/** The unit of a block's minute offsets (and of every history time: a `t` is a whole minute). */
export const MINUTE_MS = 60_000;

const FORMAT_VERSION = 1;
const FLAG_STRIKES = 1;
const FIELDS = ['Ltp', 'Oi', 'OiChange', 'Volume', 'Iv'] as const;
type Field = (typeof FIELDS)[number];
/** Integer scale of each field as stored (prices in paise, IV in hundredths of a percent). */
const SCALE: Readonly<Record<Field, number>> = { Ltp: 100, Oi: 1, OiChange: 1, Volume: 1, Iv: 10_000 };
const STRIKE_SCALE = 100;
type ColumnName = `${'ce' | 'pe'}${Field}`;

/** Empty columns (NaN everywhere) for up to `capacity` strikes. */
export function strikeColumns(capacity: number): StrikeColumns {
  const col = (): Float64Array => new Float64Array(capacity).fill(Number.NaN);
  return {
    count: 0, strikes: new Float64Array(capacity), ceLtp: col(), peLtp: col(), ceOi: col(), peOi: col(),
    ceOiChange: col(), peOiChange: col(), ceVolume: col(), peVolume: col(), ceIv: col(), peIv: col(),
  };
}

/** Copies `src` into `dst` when it has room (else into fresh columns); returns the copy. */
export function copyColumns(src: StrikeColumns, dst?: StrikeColumns): StrikeColumns {
  const n = src.count;
  const out = dst && dst.strikes.length >= n ? dst : strikeColumns(n);
  out.count = n;
  out.strikes.set(src.strikes.subarray(0, n));
  for (const f of FIELDS) {
    out[`ce${f}`].set(src[`ce${f}`].subarray(0, n));
    out[`pe${f}`].set(src[`pe${f}`].subarray(0, n));
  }
  return out;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

const zigzag = (v: number): number => (v < 0 ? -2 * v - 1 : 2 * v);
const unzigzag = (v: number): number => (v % 2 === 1 ? -(v + 1) / 2 : v / 2);

/** True when both hold the same strikes. */
function sameStrikes(a: StrikeColumns, b: StrikeColumns): boolean {
  if (a.count !== b.count) return false;
  for (let i = 0; i < a.count; i += 1) if (a.strikes[i] !== b.strikes[i]) return false;
  return true;
}

/** A growing byte buffer: a block's raw bytes, appended to minute by minute. */
export class BlockBuilder {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.reset();
  }

  /** Starts an empty block. */
  reset(): void {
    this.pos = 0;
    this.byte(FORMAT_VERSION);
  }

  /** The block so far (a view: copy or compress it before the next append). */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /**
   * Appends minute `offset` (after any minute already in the block) with `prev`, the block's
   * previous minute as stored, or null for the block's first minute.
   */
  append(offset: number, c: StrikeColumns, prev: StrikeColumns | null): void {
    const n = c.count;
    const delta = prev !== null && sameStrikes(prev, c);
    this.varint(offset);
    this.byte(delta ? 0 : FLAG_STRIKES);
    if (!delta) {
      this.varint(n);
      let last = 0;
      for (let i = 0; i < n; i += 1) {
        const k = Math.round(c.strikes[i]! * STRIKE_SCALE);
        this.varint(zigzag(k - last));
        last = k;
      }
    }
    for (const f of FIELDS) {
      const base = delta ? prev : null;
      const scale = SCALE[f];
      const ce: ColumnName = `ce${f}`;
      const pe: ColumnName = `pe${f}`;
      let g = 0;
      for (let i = 0; i < n; i += 1) {
        g = gcd(Math.abs(diff(c[ce][i]!, base ? base[ce][i]! : Number.NaN, scale)), g);
        g = gcd(Math.abs(diff(c[pe][i]!, base ? base[pe][i]! : Number.NaN, scale)), g);
      }
      if (g === 0) g = 1;
      this.varint(g);
      this.values(c[ce], base ? base[ce] : null, n, scale, g);
      this.values(c[pe], base ? base[pe] : null, n, scale, g);
    }
  }

  private values(col: Float64Array, base: Float64Array | null, n: number, scale: number, g: number): void {
    for (let i = 0; i < n; i += 1) {
      const v = col[i]!;
      if (Number.isNaN(v)) this.varint(0);
      else this.varint(zigzag(diff(v, base ? base[i]! : Number.NaN, scale) / g) + 1);
    }
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + extra));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** An unsigned integer up to 2^53, 7 bits a byte (division, not bit operations, above 2^31). */
  private varint(v: number): void {
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }
}

/** The stored integer of `v` minus that of `base` (0 when `v` or `base` is unknown). */
function diff(v: number, base: number, scale: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.round(v * scale) - (Number.isNaN(base) ? 0 : Math.round(base * scale));
}

class ByteReader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('history block ends early');
    return this.buf[this.pos++]!;
  }

  /** Reads past `count` varints. */
  skip(count: number): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let left = count; left > 0; pos += 1) {
      if (pos >= buf.length) throw new RangeError('history block ends early');
      if (buf[pos]! < 0x80) left -= 1;
    }
    this.pos = pos;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }
}

/**
 * Decodes a raw block. `until` stops after the last minute whose offset is at or below it (the
 * rest of the block is not decoded). Throws RangeError on a malformed block.
 */
export function decodeBlock(raw: Uint8Array, until = Infinity): BlockMinute[] {
  const out: BlockMinute[] = [];
  walkBlock(raw, until, FIELDS, (offset, c) => out.push({ offset, columns: copyColumns(c) }));
  return out;
}

/** A minute's strikes and CE and PE volumes (NaN unknown), as `eachVolumeMinute` hands them. */
export type VolumeColumns = Pick<StrikeColumns, 'count' | 'strikes' | 'ceVolume' | 'peVolume'>;

const VOLUME_ONLY: readonly Field[] = ['Volume'];

/**
 * Walks a raw block's minutes (offsets at or below `until`), handing each one's strikes and
 * volumes to `visit`: the other fields are read past, not decoded, and the columns are reused
 * from minute to minute (valid during the call only). For reads that need only the volumes of
 * many minutes (a day's straddle volumes): no allocation per minute. Throws like `decodeBlock`.
 */
export function eachVolumeMinute(raw: Uint8Array, visit: (offset: number, c: VolumeColumns) => void, until = Infinity): void {
  walkBlock(raw, until, VOLUME_ONLY, visit);
}

/**
 * The one parser of the layout: decodes the `fields` kept into columns reused from minute to
 * minute (a minute of differences is applied in place to the one before it) and reads past the
 * others; the fields not kept stay NaN.
 */
function walkBlock(raw: Uint8Array, until: number, fields: readonly Field[], visit: (offset: number, c: StrikeColumns) => void): void {
  const r = new ByteReader(raw);
  const version = r.byte();
  if (version !== FORMAT_VERSION) throw new RangeError(`history block version ${version} is not known`);
  let c = strikeColumns(0);
  let started = false;
  while (!r.done) {
    const offset = r.varint();
    if (offset > until) break;
    const listed = (r.byte() & FLAG_STRIKES) !== 0;
    if (listed) {
      const n = r.varint();
      if (n > c.strikes.length) c = strikeColumns(n);
      c.count = n;
      let k = 0;
      for (let i = 0; i < n; i += 1) {
        k += unzigzag(r.varint());
        c.strikes[i] = k / STRIKE_SCALE;
      }
    } else if (!started) {
      throw new RangeError('history block starts with a minute of differences');
    }
    started = true;
    for (const f of FIELDS) {
      const g = r.varint();
      if (!fields.includes(f)) {
        r.skip(2 * c.count);
        continue;
      }
      const scale = SCALE[f];
      for (const col of [c[`ce${f}`], c[`pe${f}`]]) {
        for (let i = 0; i < c.count; i += 1) {
          const v = r.varint();
          if (v === 0) col[i] = Number.NaN;
          else {
            // Differences from the minute before at that index when known, else from 0.
            const from = !listed && !Number.isNaN(col[i]!) ? Math.round(col[i]! * scale) : 0;
            col[i] = (from + unzigzag(v - 1) * g) / scale;
          }
        }
      }
    }
    visit(offset, c);
  }
}
