/** Display formats shared by the shell's panels (IST, Indian digit grouping). */
import { IST_OFFSET_MINUTES } from '../../../shared/market-calendar';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** `HH:MM:SS` in IST for an epoch-ms time. */
export function formatIstTime(epochMs: number): string {
  const d = new Date(epochMs + IST_OFFSET_MINUTES * 60_000);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** A count with Indian digit grouping (25,000; 1,00,000). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-IN');
}

/** An age in ms as `850 ms`, `3.2 s` or `4 min`; '—' when unknown. */
export function formatAge(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
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

/** `2026-12-29` as `29 Dec` (for lists of near expiries, where the year is plain). */
export function formatExpiryShort(date: string): string {
  return formatExpiry(date).slice(0, 6);
}
