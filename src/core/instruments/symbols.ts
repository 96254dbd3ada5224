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
 * Derivative underlyings whose index row carries another symbol in the master
 * (NIFTYNXT50 options on the "NIFTY NEXT 50" index; SENSEX50 on "SNSX50").
 */
export const INDEX_ALIASES: Readonly<Record<string, string>> = {
  NIFTYNXT50: 'NIFTY NEXT 50',
  SENSEX50: 'SNSX50',
};
