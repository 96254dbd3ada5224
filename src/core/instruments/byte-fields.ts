/**
 * Reading CSV fields straight from bytes. The master is ~35 MB; decoding every field into a
 * string first would allocate millions of short-lived strings, so numbers, codes and dates are
 * read from the bytes and only the strings the registry keeps are created.
 */

/**
 * A lookup from short ASCII codes (`NSE`, `OPTIDX`, `CE`) to small numbers, read straight from
 * the bytes. An open-addressed table of 256 slots with every key checked byte by byte: no string
 * and no boxed number is made per lookup (a Map keyed by packed codes boxed every key above 2^31).
 */
export class CodeTable {
  private readonly slots = new Int16Array(256).fill(-1);
  private readonly keys: Uint8Array[] = [];
  private readonly values: number[] = [];

  constructor(entries: Iterable<readonly [string, number]>) {
    for (const [code, value] of entries) {
      const key = Buffer.from(code, 'latin1');
      let h = codeHash(key, 0, key.length);
      while (this.slots[h] !== -1) h = (h + 1) & 255;
      this.slots[h] = this.keys.length;
      this.keys.push(key);
      this.values.push(value);
    }
    if (this.keys.length > 128) throw new Error('CodeTable: at most 128 codes');
  }

  /** The value of the code in bytes [s, e), or -1 when it is not one of the codes. */
  find(buf: Uint8Array, s: number, e: number): number {
    if (e - s > 16) return -1;
    for (let h = codeHash(buf, s, e); ; h = (h + 1) & 255) {
      const k = this.slots[h]!;
      if (k < 0) return -1;
      const key = this.keys[k]!;
      if (key.length === e - s && bytesEqual(key, 0, buf, s, e - s)) return this.values[k]!;
    }
  }
}

/** From the length and the first and last bytes: enough to tell Dhan's codes apart. */
function codeHash(buf: Uint8Array, s: number, e: number): number {
  if (e === s) return 0;
  return ((e - s) * 61 + buf[s]! * 7 + buf[e - 1]!) & 255;
}

/** True when `n` bytes of `a` from `as` equal those of `b` from `bs`. */
export function bytesEqual(a: Uint8Array, as: number, b: Uint8Array, bs: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[as + i] !== b[bs + i]) return false;
  return true;
}

/** ASCII whitespace as String.prototype.trim sees it: tab, LF, VT, FF, CR and space. */
export function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Exact powers of ten: every 10^k for k <= 22 is a double, so scaling by one rounds only once. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
/** Exponent digits beyond this cannot change the result (it is already 0 or Infinity). */
const EXPONENT_CAP = 1000;

/**
 * A decimal like `-0.01000`, `25300.00000`, `65.0` or `78.25`, or in exponent notation like
 * `1.0E7` or `2.5e-3` (the master writes some large lot sizes that way); NaN for anything else
 * (empty, stray characters, an `E` without digits). Fraction digits beyond 12 are ignored.
 *
 * Range policy: the value is returned as read, so a number too large for a double comes back
 * as Infinity and a vanishingly small one as 0. Callers decide what range is valid for their
 * field (a lot size must be a positive whole number, a strike finite and positive).
 *
 * Hot path: three calls per master row. A field without an exponent takes the same steps as
 * before; the exponent branch is reached only after the fraction, on an `E` or `e`.
 */
export function parseDecimal(buf: Uint8Array, s: number, e: number): number {
  if (s >= e) return NaN;
  let i = s;
  let neg = false;
  if (buf[i] === 45 /* - */) {
    neg = true;
    i++;
  } else if (buf[i] === 43 /* + */) {
    i++;
  }
  let int = 0;
  let digits = 0;
  while (i < e) {
    const c = buf[i]!;
    if (c < 48 || c > 57) break;
    int = int * 10 + (c - 48);
    digits++;
    i++;
  }
  let frac = 0;
  let fracDigits = 0;
  if (i < e && buf[i] === 46 /* . */) {
    i++;
    while (i < e) {
      const c = buf[i]!;
      if (c < 48 || c > 57) break;
      if (fracDigits < 12) {
        frac = frac * 10 + (c - 48);
        fracDigits++;
      }
      i++;
    }
  }
  if (digits + fracDigits === 0) return NaN;
  if (i !== e) {
    const c = buf[i];
    if (c !== 69 /* E */ && c !== 101 /* e */) return NaN;
    const exp = parseExponent(buf, i + 1, e);
    if (Number.isNaN(exp)) return NaN;
    const value = scaleByPow10(int * POW10[fracDigits]! + frac, exp - fracDigits);
    return neg ? -value : value;
  }
  const scale = POW10[fracDigits]!;
  const value = (int * scale + frac) / scale;
  return neg ? -value : value;
}

/** The signed integer after an `E`; NaN when there are no digits or stray bytes follow. */
function parseExponent(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e && buf[i] === 45 /* - */) {
    neg = true;
    i++;
  } else if (i < e && buf[i] === 43 /* + */) {
    i++;
  }
  let exp = 0;
  let digits = 0;
  while (i < e) {
    const c = buf[i]!;
    if (c < 48 || c > 57) return NaN;
    if (exp < EXPONENT_CAP) exp = exp * 10 + (c - 48);
    digits++;
    i++;
  }
  if (digits === 0) return NaN;
  return neg ? -exp : exp;
}

/** mantissa * 10^p for a non-negative mantissa: exact powers up to 22, then Infinity or 0. */
function scaleByPow10(mantissa: number, p: number): number {
  if (mantissa === 0) return 0;
  if (p >= 0) return mantissa * (p <= 22 ? POW10[p]! : 10 ** p);
  return mantissa / (-p <= 22 ? POW10[-p]! : 10 ** -p);
}

/** A non-negative integer that fits in int32; -1 otherwise. */
export function parseId(buf: Uint8Array, s: number, e: number): number {
  if (s >= e || e - s > 10) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v <= 2147483647 ? v : -1;
}

/** `YYYY-MM-DD` (optionally followed by a time) packed as YYYYMMDD; -1 when malformed. */
export function packDate(buf: Uint8Array, s: number, e: number): number {
  if (e - s < 10 || buf[s + 4] !== 45 || buf[s + 7] !== 45) return -1;
  if (e - s > 10 && buf[s + 10] !== 32 && buf[s + 10] !== 84 /* T */) return -1;
  let v = 0;
  for (let i = s; i < s + 10; i++) {
    if (i === s + 4 || i === s + 7) continue;
    const c = buf[i]!;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** True when bytes [s, e) contain a byte >= 0x80 (so the text needs UTF-8 decoding). */
export function hasHighByte(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i]! >= 128) return true;
  return false;
}
