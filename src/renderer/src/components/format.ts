/** Display formats shared by the panels and the chain (IST, Indian digit grouping, expiries). */
import { IST_OFFSET_MINUTES } from '../../../shared/market-calendar';

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `HH:MM:SS` in IST for an epoch-ms time. */
export function formatIstTime(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MINUTES * 60_000);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Shown for a value the feed has not sent. */
export const NO_VALUE = '—';

/** Group the digits of a non-negative integer string Indian-style: 1234567 -> 12,34,567. */
export function groupIndian(digits: string): string {
  if (digits.length <= 3) return digits;
  const head = digits.slice(0, -3);
  const tail = digits.slice(-3);
  return `${head.replace(/\B(?=(\d{2})+$)/g, ',')},${tail}`;
}

/** `value` with `decimals` places, its magnitude grouped Indian-style (the sign is the caller's). */
export function fixedIndian(value: number, decimals: number): string {
  const abs = Math.abs(value).toFixed(decimals);
  const dot = abs.indexOf('.');
  const int = dot < 0 ? abs : abs.slice(0, dot);
  const frac = dot < 0 ? '' : abs.slice(dot);
  return groupIndian(int) + frac;
}

/** A count (OI, volume): whole number, Indian grouping. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const s = fixedIndian(Math.round(value), 0);
  return value < 0 && Math.round(value) !== 0 ? `-${s}` : s;
}

/** An age in ms as `850 ms`, `3.2 s` or `4 min`; '—' when unknown. */
export function formatAge(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NO_VALUE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min`;
}

/** `2026-12-29` as `29 Dec 26`; '' stays ''. */
export function formatExpiry(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  return `${m[3]} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]!.slice(2)}`;
}

/** A short label for an expiry: "01 Dec", with the year ("25 Jan 27") when not `currentYear`. */
export function expiryLabel(expiry: string, currentYear: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiry);
  if (!m) return expiry;
  const [, y, mo, d] = m;
  const month = MONTHS[Number(mo) - 1] ?? mo;
  return Number(y) === currentYear ? `${d} ${month}` : `${d} ${month} ${y!.slice(2)}`;
}

/** `2026-12-29` as `29 Dec` (for lists of near expiries, where the year is plain). */
export function formatExpiryShort(date: string): string {
  return formatExpiry(date).slice(0, 6);
}
