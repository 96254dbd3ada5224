/**
 * Time to expiry for option analytics: calendar time in 365-day years (ACT/365, the convention
 * the simulator and the exchanges' own IV figures use) from an injected `now` to the expiry's
 * session close in IST.
 *
 * Policy:
 * - Session close by segment: NSE/BSE equity and index options 15:30 IST; currency options 17:00
 *   (their session); MCX options expire at the commodity session close, taken as 23:30 IST. MCX's
 *   winter close is 23:55 on some contracts; 23:30 is the conservative choice (it never reports a
 *   live option as expired early in the evening) and matches the simulator.
 * - Time is quantised into buckets so a chain is not recomputed every millisecond only because
 *   the clock moved: 60 s while more than 100 minutes remain, 10 s down to ~17 minutes, then 1 s.
 *   The remaining time is rounded up to the bucket, so the relative error in T stays under 1% (until
 *   the last 100 seconds, where 1 s is the floor) and a live option never reads as expired early.
 */
import type { Segment } from '../../shared/instruments';
import { istEpochMs } from '../../shared/market-calendar';

/** Milliseconds in an analytics year (365 calendar days). */
export const YEAR_MS = 365 * 86_400_000;

/** IST minutes after midnight at which each segment's options expire. */
export const EXPIRY_CLOSE_MINUTES: Readonly<Record<Segment, number>> = {
  IDX_I: 930, NSE_EQ: 930, BSE_EQ: 930, NSE_FNO: 930, BSE_FNO: 930,
  NSE_CURRENCY: 1020, BSE_CURRENCY: 1020,
  MCX_COMM: 1410, NSE_COMM: 1410,
};

/** The instant (epoch ms) an option of `segment` expiring on `expiry` (YYYY-MM-DD, IST) stops trading; NaN for a bad date. */
export function expiryInstant(expiry: string, segment: Segment): number {
  try {
    return istEpochMs(expiry, EXPIRY_CLOSE_MINUTES[segment] ?? 930);
  } catch {
    return Number.NaN;
  }
}

/** Exact years from `nowMs` to `expiryMs` (0 once expired, NaN for non-finite input). */
export function yearsToExpiry(expiryMs: number, nowMs: number): number {
  const left = expiryMs - nowMs;
  if (!Number.isFinite(left)) return Number.NaN;
  return left > 0 ? left / YEAR_MS : 0;
}

/** The bucket (ms) used for `remainingMs` to go. */
export function timeBucketMs(remainingMs: number, maxBucketMs = 60_000): number {
  if (remainingMs > 6_000_000) return maxBucketMs;
  if (remainingMs > 1_000_000) return Math.min(10_000, maxBucketMs);
  return Math.min(1_000, maxBucketMs);
}

/**
 * Years to expiry with the remaining time rounded up to its bucket (see the header): stable
 * within a bucket, 0 once expired, NaN for non-finite input.
 */
export function bucketedYearsToExpiry(expiryMs: number, nowMs: number, maxBucketMs = 60_000): number {
  const left = expiryMs - nowMs;
  if (!Number.isFinite(left)) return Number.NaN;
  if (left <= 0) return 0;
  const bucket = maxBucketMs > 0 ? timeBucketMs(left, maxBucketMs) : 0;
  return (bucket > 0 ? Math.ceil(left / bucket) * bucket : left) / YEAR_MS;
}
