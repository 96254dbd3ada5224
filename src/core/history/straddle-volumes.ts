/**
 * A minute's straddle volume (`HistoryMinute.straddleVolume`): the contracts of the ATM call and
 * put traded during minute t, at t's own ATM strike K, derived when read from the strikes blocks,
 * whose volumes are each leg's day volume so far (the recorder's and the back-fill's alike):
 *   (CE + PE volume at K at t) - (CE + PE volume at K at t - 1 minute).
 *
 * Policy:
 * - Derived, not stored: no schema change, and it follows whatever the blocks hold (a back-fill
 *   that lands later, a minute recorded again).
 * - Null when it is not known, never 0: the minute before was not recorded (the first minute, a
 *   gap), K is unknown, a leg's volume at K is unknown at either minute (a back-filled minute holds
 *   its ATM's legs and the next minute's ATM's only, see backfill.ts), or the difference is
 *   negative: the two counts are not of one series (the day volume restarts at the session's
 *   start; a count back-filled from the charts ran ahead of the feed's). Clamping to 0 would claim
 *   a quiet minute nobody saw.
 * - One pass: each block of the range is walked once, volumes only (`eachVolumeMinute`), plus the
 *   block of the minute before the first, so an incremental read of one new minute gets the same
 *   value as a read of the day. At a minute u the pair's volume is taken at u's ATM and at the ATM
 *   of u + 1 minute: two numbers per minute are kept, no decoded minute.
 */
import type { HistoryMinute } from './history-types';
import { eachVolumeMinute, MINUTE_MS, type VolumeColumns } from './strike-codec';

/** A strikes block, raw (inflated): its start (epoch ms) and bytes. */
export interface RawBlock {
  start: number;
  raw: Uint8Array;
}

/**
 * The straddle volume of each of `minutes` (ascending `t`), aligned with them. `blocks` are the
 * chain's blocks in time order from the one holding `minutes[0].t - 1 minute` to the last one's.
 */
export function straddleVolumes(minutes: readonly Pick<HistoryMinute, 't' | 'atmStrike'>[], blocks: Iterable<RawBlock>): (number | null)[] {
  const n = minutes.length;
  const index = new Map<number, number>();
  for (let i = 0; i < n; i += 1) index.set(minutes[i]!.t, i);
  /** The pair's day volume at the minute's ATM: at that minute, and at the minute before it. */
  const at = new Float64Array(n).fill(Number.NaN);
  const before = new Float64Array(n).fill(Number.NaN);
  for (const block of blocks) {
    eachVolumeMinute(block.raw, (offset, c) => {
      const u = block.start + offset * MINUTE_MS;
      const i = index.get(u);
      if (i !== undefined) at[i] = pairVolume(c, minutes[i]!.atmStrike);
      const next = index.get(u + MINUTE_MS);
      if (next !== undefined) before[next] = pairVolume(c, minutes[next]!.atmStrike);
    });
  }
  const out: (number | null)[] = new Array<number | null>(n);
  for (let i = 0; i < n; i += 1) {
    const traded = at[i]! - before[i]!;
    out[i] = traded >= 0 ? traded : null; // NaN (unknown) and negative both fail
  }
  return out;
}

/** CE + PE volume at `strike` (NaN when the strike is not held or a leg's volume is unknown). */
function pairVolume(c: VolumeColumns, strike: number | null): number {
  if (strike === null) return Number.NaN;
  // Strikes ascend; they are stored to the hundredth (strike-codec.ts), hence the tolerance.
  let lo = 0;
  let hi = c.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = c.strikes[mid]!;
    if (Math.abs(k - strike) < 0.005) return c.ceVolume[mid]! + c.peVolume[mid]!;
    if (k < strike) lo = mid + 1;
    else hi = mid - 1;
  }
  return Number.NaN;
}
