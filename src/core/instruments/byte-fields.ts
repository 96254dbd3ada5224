/**
 * Reading CSV fields straight from bytes. The master is ~35 MB; decoding every field into a
 * string first would allocate millions of short-lived strings, so numbers, codes and dates are
 * read from the bytes and only the strings the registry keeps are created.
 */

/** Packs up to 6 ASCII bytes into one number: a cheap, allocation-free key for short codes. */
export function packCode(buf: Uint8Array, s: number, e: number): number {
  if (e - s > 6) return -1;
  let v = 0;
  for (let i = s; i < e; i++) v = v * 256 + buf[i]!;
  return v;
}

/** The packed key of an ASCII string, matching `packCode`. */
export function packString(text: string): number {
  let v = 0;
  for (let i = 0; i < text.length; i++) v = v * 256 + text.charCodeAt(i);
  return v;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];

/**
 * A decimal like `-0.01000`, `25300.00000`, `65.0` or `78.25`; NaN for anything else (empty,
 * exponent, stray characters, more than 12 fraction digits).
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
  if (i !== e || digits + fracDigits === 0) return NaN;
  const scale = POW10[fracDigits]!;
  const value = (int * scale + frac) / scale;
  return neg ? -value : value;
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
