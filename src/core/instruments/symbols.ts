/**
 * Symbol conventions of Dhan's master. NSE derivative rows have a blank name column, so the
 * underlying comes from the trading symbol: `<UNDERLYING>-<[DD]MonYYYY>-FUT` or
 * `<UNDERLYING>-<[DD]MonYYYY>-<STRIKE>-<CE|PE>`. Underlyings may contain hyphens (BAJAJ-AUTO).
 */

/** `NIFTY-Feb2026-25300-CE` -> `NIFTY`; `BAJAJ-AUTO-Feb2026-FUT` -> `BAJAJ-AUTO`. */
export function deriveUnderlying(tradingSymbol: string): string {
  let end = tradingSymbol.length;
  if (tradingSymbol.endsWith('-CE') || tradingSymbol.endsWith('-PE')) {
    end = tradingSymbol.lastIndexOf('-', end - 4); // drop "-<strike>-CE"
  } else if (tradingSymbol.endsWith('-FUT')) {
    end -= 4;
  } else {
    const dash = tradingSymbol.indexOf('-');
    return dash > 0 ? tradingSymbol.slice(0, dash) : tradingSymbol;
  }
  if (end <= 0) return tradingSymbol;
  const dateDash = tradingSymbol.lastIndexOf('-', end - 1);
  return dateDash > 0 ? tradingSymbol.slice(0, dateDash) : tradingSymbol.slice(0, end);
}

/**
 * `deriveUnderlying` on bytes: the end of the underlying in the trading symbol at bytes [s, e)
 * (it is always a prefix), so the parser finds it without making a string. Works on UTF-8 as it
 * does on text, since a multi-byte character never contains an ASCII byte such as `-`.
 */
export function underlyingEnd(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  let end: number;
  if (n >= 3 && b[e - 3] === 45 && (b[e - 2] === 67 || b[e - 2] === 80) && b[e - 1] === 69) {
    end = lastDash(b, s, n, n - 4); // "-CE" / "-PE": drop "-<strike>-CE"
  } else if (n >= 4 && b[e - 4] === 45 && b[e - 3] === 70 && b[e - 2] === 85 && b[e - 1] === 84) {
    end = n - 4; // "-FUT"
  } else {
    for (let i = s; i < e; i++) if (b[i] === 45) return i > s ? i : e;
    return e;
  }
  if (end <= 0) return e;
  const dateDash = lastDash(b, s, n, end - 1);
  return dateDash > 0 ? s + dateDash : s + end;
}

/** String.prototype.lastIndexOf('-', from) on the n bytes from s, as an offset from s; -1 if none. */
function lastDash(b: Uint8Array, s: number, n: number, from: number): number {
  for (let i = Math.min(Math.max(from, 0), n - 1); i >= 0; i--) if (b[s + i] === 45) return i;
  return -1;
}

/**
 * Derivative underlyings whose index row carries another symbol in the master
 * (NIFTYNXT50 options on the "NIFTY NEXT 50" index; SENSEX50 on "SNSX50").
 */
export const INDEX_ALIASES: Readonly<Record<string, string>> = {
  NIFTYNXT50: 'NIFTY NEXT 50',
  SENSEX50: 'SNSX50',
};
