/**
 * Strike arithmetic for option chains. The step is never hard-coded: it is the most common gap
 * between listed strikes near the money (exchanges list wider gaps far from it), and the ATM is
 * `round(ltp / step) * step`, snapped to a strike that is actually listed.
 */

/** Gaps are compared in units of 1e-4 so that 2.5 and 1.5 steps don't suffer float noise. */
const GAP_SCALE = 10_000;

/** Index of the listed strike nearest `price` (ties go to the lower strike); -1 when empty. */
export function nearestStrikeIndex(strikes: ArrayLike<number>, price: number): number {
  const n = strikes.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strikes[mid]! < price) lo = mid + 1;
    else hi = mid;
  }
  // lo is the first strike >= price (or the last one)
  if (lo > 0 && price - strikes[lo - 1]! <= strikes[lo]! - price) return lo - 1;
  return lo;
}

/**
 * The strike step near `reference`: the modal gap among the `window` strikes on each side of the
 * strike nearest to it (ties go to the smaller gap). 0 when fewer than two strikes are listed.
 */
export function deriveStrikeStep(strikes: ArrayLike<number>, reference: number, window = 10): number {
  const n = strikes.length;
  if (n < 2) return 0;
  const centre = nearestStrikeIndex(strikes, reference);
  const from = Math.max(0, centre - window);
  const to = Math.min(n - 1, centre + window);
  const counts = new Map<number, number>();
  for (let i = from; i < to; i++) {
    const gap = Math.round((strikes[i + 1]! - strikes[i]!) * GAP_SCALE);
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [gap, count] of counts) {
    if (count > bestCount || (count === bestCount && gap < best)) {
      best = gap;
      bestCount = count;
    }
  }
  return best / GAP_SCALE;
}

/** `round(ltp / step) * step`, kept to 4 decimals to avoid float noise (2641.5 / 5 -> 2640). */
export function roundToStep(ltp: number, step: number): number {
  return Math.round(Math.round(ltp / step) * step * GAP_SCALE) / GAP_SCALE;
}

/** A usable underlying price: finite and above zero. */
export function isUsableLtp(ltp: number): boolean {
  return Number.isFinite(ltp) && ltp > 0;
}

/**
 * The window of `count` strikes centred on `atmIndex`: half below, the rest above, fewer where
 * fewer are listed on a side. Returns [first, last] inclusive indexes.
 */
export function strikeWindow(listed: number, atmIndex: number, count: number): [number, number] {
  if (listed === 0 || count <= 0) return [0, -1];
  const below = Math.floor((count - 1) / 2);
  const above = count - 1 - below;
  return [Math.max(0, atmIndex - below), Math.min(listed - 1, atmIndex + above)];
}
