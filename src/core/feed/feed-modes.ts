/**
 * Which packet mode an instrument is subscribed in.
 *
 * Policy: an index, and an equity whose symbol has listed options (an F&O underlying, always live
 * in Tier B), in ticker mode (16-byte packets: the LTP and trade time, all an ATM and a chain header
 * need; Dhan sends the prev-close packet in every mode); everything else (options, futures, other
 * equities) in full mode, which carries OI, volume and the five-level book. Derived from the master
 * alone, so an instrument keeps its mode for as long as it is subscribed (unsubscribing uses the
 * same mode's request code).
 */
import type { InstrumentRef } from '../../shared/instruments';
import type { InstrumentRegistry } from '../instruments/registry';
import type { FeedMode } from './feed-protocol';

/** The mode rule over the master in use. */
export function feedModes(registry: Pick<InstrumentRegistry, 'get' | 'optionSegments'>): (ref: InstrumentRef) => FeedMode {
  return (ref) => {
    if (ref.segment === 'IDX_I') return 'ticker';
    if (ref.segment !== 'NSE_EQ' && ref.segment !== 'BSE_EQ') return 'full';
    const inst = registry.get(ref);
    return inst && registry.optionSegments(inst.underlying).length > 0 ? 'ticker' : 'full';
  };
}
