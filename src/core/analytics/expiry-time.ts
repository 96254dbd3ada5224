/**
 * Time to expiry for option analytics: calendar time in 365-day years (ACT/365, the convention
 * the simulator and the exchanges' own IV figures use) from an injected `now` to the expiry's
 * session close in IST.
 *
 * Policy:
 * - Session close by segment: src/shared/expiry.ts (NSE/BSE 15:30 IST, currency 17:00, MCX 23:30),
 *   the rule the UI's expiry clock uses too.
 * - Time is quantised into buckets so a chain is not recomputed every millisecond only because
 *   the clock moved: 60 s while more than 100 minutes remain, 10 s down to ~17 minutes, then 1 s.
 *   The remaining time is rounded up to the bucket, so the relative error in T stays under 1% (until
 *   the last 100 seconds, where 1 s is the floor) and a live option never reads as expired early.
 */
import { EXPIRY_CLOSE_MINUTES, expiryInstant } from '../../shared/expiry';

export { EXPIRY_CLOSE_MINUTES, expiryInstant };

/** Milliseconds in an analytics year (365 calendar days). */
export const YEAR_MS = 365 * 86_400_000;

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
