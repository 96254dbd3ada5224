/**
 * Which stream views this renderer holds, shared by the IPC and HTTP transports.
 *
 * Policy: several components may want the same view (two panels on one chain, the shell and a
 * panel on `status`). Every subscribe is forwarded (the server answers a repeated chain subscribe
 * with a fresh snapshot, which a newly mounted panel needs), but an unsubscribe goes out only when
 * the last holder lets go, so one panel closing never silences another. After a reconnect the
 * transport replays `active()`: one subscribe per view still held.
 */
import type { StreamClientMessage } from '../../../shared/events';

/**
 * The identity of a view: `status`, `log`, `chain|SYMBOL|expiry` (expiry '' for "nearest") or
 * `history|SYMBOL|expiry` (two history views of different chains are two views), `strategy|id`.
 */
export function viewKey(message: StreamClientMessage): string {
  if (message.view === 'chain') return `chain|${message.symbol.trim().toUpperCase()}|${message.expiry ?? ''}`;
  if (message.view === 'history') return `history|${message.symbol.trim().toUpperCase()}|${message.expiry}`;
  if (message.view === 'strategy') return `strategy|${message.strategy_id}`;
  return message.view;
}

/** Reference counts of the views held, and the subscribe message to replay for each. */
export class StreamViews {
  private readonly held = new Map<string, { count: number; subscribe: StreamClientMessage }>();

  /**
   * Record a message; returns whether it should go to the server now. Subscribes always go;
   * an unsubscribe goes only when it releases the last holder of that view.
   */
  track(message: StreamClientMessage): boolean {
    const key = viewKey(message);
    const entry = this.held.get(key);
    if (message.op === 'subscribe') {
      const { id: _id, ...subscribe } = message;
      if (entry) entry.count += 1;
      else this.held.set(key, { count: 1, subscribe });
      return true;
    }
    if (!entry) return false;
    entry.count -= 1;
    if (entry.count > 0) return false;
    this.held.delete(key);
    return true;
  }

  /** One subscribe message per view still held (without correlation ids), for a reconnect. */
  active(): StreamClientMessage[] {
    return [...this.held.values()].map((e) => e.subscribe);
  }

  /** Forget every view. */
  clear(): void {
    this.held.clear();
  }
}
