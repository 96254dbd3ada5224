/**
 * Which packet mode an instrument is subscribed in.
 *
 * Policy: an index, and an equity that is only there as an always-live F&O underlying, in ticker
 * mode (16-byte packets: the LTP and trade time, all an ATM and a chain header need; Dhan sends
 * the prev-close packet in every mode); everything else (options, futures, other equities) in
 * full mode, which carries OI, volume and the five-level book.
 */
import { tokenOf, type InstrumentRef, type InstrumentToken } from '../../shared/instruments';
import type { FeedMode } from './feed-protocol';

/** The mode rule over the F&O underlyings held live (read at each subscribe: fill it before the feed connects). */
export function feedModes(underlyings: ReadonlySet<InstrumentToken>): (ref: InstrumentRef) => FeedMode {
  return (ref) => {
    if (ref.segment === 'IDX_I') return 'ticker';
    if ((ref.segment === 'NSE_EQ' || ref.segment === 'BSE_EQ') && underlyings.has(tokenOf(ref))) return 'ticker';
    return 'full';
  };
}
