/**
 * Calendar dates as epoch days (days since 1970-01-01, UTC calendar). Expiries are dates, never
 * instants, so no timezone enters here.
 */
import { IST_OFFSET_MS } from '../../shared/market-calendar';

const MS_PER_DAY = 86_400_000;

/** 'YYYY-MM-DD' -> epoch day, or null when the text is not a valid date. */
export function isoToEpochDay(iso: string): number | null {
  if (iso.length < 10 || iso[4] !== '-' || iso[7] !== '-') return null;
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  return civilToEpochDay(y, m, d);
}

/** Epoch day of a civil date, or null when the date does not exist. */
export function civilToEpochDay(y: number, m: number, d: number): number | null {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1) return null;
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== m - 1) return null;
  return Math.round(ms / MS_PER_DAY);
}

/** Epoch day -> 'YYYY-MM-DD'. */
export function epochDayToIso(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Today's date in India (IST, UTC+05:30) as an epoch day. */
export function istEpochDay(nowMs: number): number {
  return Math.floor((nowMs + IST_OFFSET_MS) / MS_PER_DAY);
}
