/**
 * The subscription budget as the trader sees it: Dhan allows 5 sockets x 5,000 instruments. The
 * eviction warning fires when the free room is smaller than the largest chain the UI can add (an
 * index chain: 101 strikes x CE/PE plus its underlying), because then the next add may push out
 * the least recently used Tier A chain (or, with no Tier A to evict, be refused).
 */
import type { StatusView } from '../../../../shared/contract';
import { formatCount } from '../format';

export { MAX_INSTRUMENTS_PER_SOCKET as INSTRUMENTS_PER_SOCKET } from '../../../../shared/product';
/** 101 strikes x (CE + PE) + the underlying. */
export const LARGEST_CHAIN_INSTRUMENTS = 203;

export interface Capacity {
  tierA: number;
  tierB: number;
  total: number;
  cap: number;
  free: number;
  /** 'evict': the next chain may evict a Tier A chain; 'refuse': nothing left to evict; null: room. */
  warning: 'evict' | 'refuse' | null;
}

/** The capacity figures of a status view. */
export function capacityOf(status: Pick<StatusView, 'tier_a_count' | 'tier_b_count' | 'total_subscriptions' | 'max_capacity'>): Capacity {
  const cap = status.max_capacity;
  const total = status.total_subscriptions;
  const free = Math.max(0, cap - total);
  const warning = free >= LARGEST_CHAIN_INSTRUMENTS ? null : status.tier_a_count > 0 ? 'evict' : 'refuse';
  return { tierA: status.tier_a_count, tierB: status.tier_b_count, total, cap, free, warning };
}

/** The eviction warning ("100 free (< 203): the next chain added evicts ..."), or null when there is room. */
export function capacityWarningText(c: Pick<Capacity, 'warning' | 'free'>): string | null {
  if (c.warning === null) return null;
  const why = c.warning === 'evict' ? 'the next chain added evicts the least recently used Tier A chain.' : 'no Tier A chain is left to evict; the next chain added may be refused.';
  return `${formatCount(c.free)} free (< ${LARGEST_CHAIN_INSTRUMENTS}): ${why}`;
}
