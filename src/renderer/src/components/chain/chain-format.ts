/**
 * Number and time formats for the chain, the way Indian traders read them: digits grouped in
 * thousands then lakhs and crores (1,23,45,678), prices with two decimals, changes signed.
 * Hand-rolled rather than Intl so a grid of 200 legs x 10 batches/s stays cheap and the output
 * does not depend on the ICU data the runtime ships. Analytics read the way option desks show them:
 * IV in percent (one decimal), delta/theta/vega to two decimals, gamma to four.
 */
import type { IvReason } from '../../../../shared/analytics';
import { expiryInstant } from '../../../../shared/expiry';
import type { Segment } from '../../../../shared/instruments';
import { IST_OFFSET_MINUTES } from '../../../../shared/market-calendar';
import { fixedIndian, formatIstTime, MONTHS, NO_VALUE } from '../format';

export { expiryLabel, formatCount, groupIndian, NO_VALUE } from '../format';

/** A number with `decimals` places and Indian grouping; a minus only when it survives rounding. */
export function formatFixed(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const s = fixedIndian(value, decimals);
  return value < 0 && /[1-9]/.test(s) ? `-${s}` : s;
}

/** A price: two decimals, Indian grouping. */
export function formatPrice(value: number | null | undefined): string {
  return formatFixed(value, 2);
}

/** A change: explicit sign, `decimals` places (2 for prices, 0 for OI), Indian grouping. */
export function formatSigned(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const s = fixedIndian(value, decimals);
  if (/^[0.]+$/.test(s)) return s;
  return value > 0 ? `+${s}` : `-${s}`;
}

/**
 * A number for a cell that holds `maxChars` characters (the chain's columns are sized for a 1600 px
 * window, see chain-columns.ts). It is shown whole while it fits: Indian grouping, `decimals`
 * places, a '+' on positives when `signed`. A price or a price change that does not fit drops the
 * grouping, then decimals (12857.45, 12857.5). A count (decimals 0) steps up to lakhs, then crores,
 * with two decimals where they fit (1,01,88,888 -> 1.02Cr; a change of +12,34,567 -> +12.35L):
 * how Indian option chains show large OI. Never an ellipsis, never a misleading truncation.
 */
export function formatFit(value: number | null | undefined, decimals: number, maxChars: number, signed = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const whole = signed ? formatSigned(value, decimals) : formatFixed(value, decimals);
  if (whole.length <= maxChars) return whole;
  const abs = Math.abs(value);
  const sign = value < 0 ? '-' : signed ? '+' : '';
  if (decimals === 0) {
    const [size, suffix] = abs >= CRORE ? [CRORE, 'Cr'] : [LAKH, 'L'];
    return shortest(sign, abs / size, 2, suffix, maxChars);
  }
  return shortest(sign, abs, decimals, '', maxChars);
}

const LAKH = 1e5;
const CRORE = 1e7;

/** `sign` + `x` ungrouped with as many of `decimals` places as fit in `maxChars`, then `suffix`. */
function shortest(sign: string, x: number, decimals: number, suffix: string, maxChars: number): string {
  let text = '';
  for (let d = decimals; d >= 0; d--) {
    text = `${sign}${x.toFixed(d)}${suffix}`;
    if (text.length <= maxChars) break;
  }
  return text;
}

/** 'up' for a positive number, 'down' for a negative one, '' otherwise (the CSS colouring). */
export function signOf(value: number | null | undefined): 'up' | 'down' | '' {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return '';
  return value > 0 ? 'up' : 'down';
}

const GAMMA_FIXED_MIN = 0.0001;

/** An implied volatility (a fraction) as a percentage with one decimal: 0.1432 -> "14.3". */
export function formatIv(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  return formatFixed(value * 100, 1);
}

/** Gamma is read to 4 decimals; below 0.0001 (far wings, long expiries) it would show 0, so 3 significant digits instead: "8.25e-5". */
export function formatGamma(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  if (value === 0 || Math.abs(value) >= GAMMA_FIXED_MIN) return formatFixed(value, 4);
  return value.toExponential(2);
}

/** Why a leg has no IV: the cell's short marker and its title. Never a 0 (a trader reads that as "no volatility"). */
export const IV_REASON_TEXT: Record<IvReason, { mark: string; title: string }> = {
  'no-price': { mark: 'no px', title: 'No price to solve the IV from' },
  'no-forward': { mark: 'no fwd', title: 'No forward for the chain yet' },
  expired: { mark: 'exp', title: 'Expired: no time left to value' },
  'below-intrinsic': { mark: '<intr', title: 'Price below intrinsic value' },
  'no-time-value': { mark: '=intr', title: 'Price equals intrinsic value: no time value' },
  'above-max': { mark: '>max', title: 'Price above what any volatility up to 1000% gives' },
  'bad-input': { mark: 'n/a', title: 'No IV: bad input' },
  'no-trade-today': { mark: 'no trd', title: 'No trade today and no two-sided quote: an earlier day\'s price says nothing about today\'s volatility' },
};

/** A trade time as a trader reads it: `09 Feb 15:10:02 IST`. */
export function formatTradeTime(epochMs: number | null | undefined): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return NO_VALUE;
  const d = new Date(epochMs + IST_OFFSET_MINUTES * 60_000);
  return `${String(d.getUTCDate()).padStart(2, '0')} ${MONTHS[d.getUTCMonth()]} ${formatIstTime(epochMs)} IST`;
}

/** An untraded leg's LTP cell title: it shows the previous close, and when the last trade was. */
export function untradedTitle(lastTradeMs: number | null | undefined): string {
  const last = lastTradeMs === null || lastTradeMs === undefined ? 'no trade known' : `last trade ${formatTradeTime(lastTradeMs)}`;
  return `No trade today: previous close (${last})`;
}

/** An IV cell's text: the percentage, or the reason's marker when there is none. */
export function formatIvCell(iv: number | null | undefined, reason: IvReason | null | undefined): string {
  if (iv !== null && iv !== undefined && Number.isFinite(iv)) return formatIv(iv);
  return reason ? IV_REASON_TEXT[reason].mark : NO_VALUE;
}

/**
 * Time left until `expiry` (YYYY-MM-DD) stops trading for options of `segment` (the engine's rule,
 * src/shared/expiry.ts: 15:30 IST on NSE/BSE, 23:30 on MCX; NSE when the segment is not known yet):
 * "6d 4h", "3h 12m", "12m", or "expired".
 */
export function timeToExpiry(expiry: string, nowMs: number, segment: Segment = 'NSE_FNO'): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expiry)) return NO_VALUE;
  const left = expiryInstant(expiry, segment) - nowMs;
  if (left <= 0) return 'expired';
  const minutes = Math.floor(left / 60_000);
  const days = Math.floor(minutes / 1_440);
  const hours = Math.floor((minutes % 1_440) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes % 60}m`;
  return `${Math.max(1, minutes)}m`;
}

