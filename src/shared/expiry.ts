/**
 * When an option stops trading on its expiry day, by segment: one rule for the engine's analytics
 * (time to expiry) and the UI's "expiry in" clock. NSE/BSE equity and index options at 15:30 IST;
 * currency options at 17:00 (their session); MCX options at the commodity session close, taken as
 * 23:30 IST (some contracts close at 23:55 in winter: 23:30 never reports a live option as expired
 * early in the evening, and matches the simulator).
 */
import type { Segment } from './instruments';
import { istEpochMs } from './market-calendar';

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
