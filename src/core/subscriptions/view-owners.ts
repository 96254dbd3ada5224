/**
 * REST views (`option-chain:subscribe`) as owners with a lifetime. A view is an owner of the
 * registry (`view:<id>`, Tier A) like a watchlist entry; what this module adds is when it ends:
 *
 * - explicitly (`option-chain:unsubscribe {"view_id"}`);
 * - when the stream client it was bound to goes away (a chain subscribe on the event stream or
 *   over IPC that names the `view_id`): the view lives exactly as long as that client;
 * - otherwise after `idleMs` (default 10 minutes) in which nobody subscribed it again or read its
 *   chain over REST. A sweep every minute closes idle views.
 *
 * Opening a view on an open chain joins it (the registry never moves a chain for a newcomer), so
 * a view costs the same whether it is the first or the five-hundredth.
 */
import { AppError } from '../../shared/errors';
import { chainKey, isViewOwner, VIEW_OWNER_PREFIX, viewOwner } from '../../shared/keys';
import type { ChainSpec, ChainState } from '../chain/atm-engine';
import type { OwnerRegistry, SubscriptionChange } from './owner-registry';

export const DEFAULT_VIEW_IDLE_MS = 10 * 60_000;
const SWEEP_EVERY_MS = 60_000;

interface ViewMeta {
  /** The stream client it is bound to, if any. */
  client: string | null;
  /** Last time it was subscribed or its chain read (epoch ms). */
  seen: number;
  key: string;
}

export interface ViewOwnersOptions {
  owners: OwnerRegistry;
  idleMs?: number;
  now?: () => number;
}

export class ViewOwners {
  private readonly meta = new Map<string, ViewMeta>();
  private readonly idleMs: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly o: ViewOwnersOptions) {
    this.idleMs = o.idleMs ?? DEFAULT_VIEW_IDLE_MS;
    this.now = o.now ?? Date.now;
  }

  /** Start the idle sweep (a timer that does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Open (or renew) view `viewId` on the chain of `spec`; `ltp` only centres a chain nobody holds. */
  open(viewId: string, spec: ChainSpec, ltp: number | undefined): { state: ChainState; change: SubscriptionChange } {
    const owner = viewOwner(viewId);
    const { state, change } = this.o.owners.holdChain(owner, 'TIER_A', spec, ltp, { reason: `view ${viewId}` });
    const prev = this.meta.get(viewId);
    this.meta.set(viewId, { client: prev && prev.key === state.key ? prev.client : null, seen: this.now(), key: state.key });
    return { state, change };
  }

  /**
   * Close a view. NOT_FOUND when no such view is open.
   * @returns the upstream change
   */
  close(viewId: string, reason = 'view closed'): SubscriptionChange {
    const owner = viewOwner(viewId);
    this.meta.delete(viewId);
    if (!this.o.owners.hasOwner(owner)) throw new AppError('NOT_FOUND', `no view "${viewId}" is open`);
    return this.o.owners.release(owner, reason);
  }

  /** Bind an open view to a stream client: it closes when the client goes away. False if no such view. */
  bind(viewId: string, client: string): boolean {
    const m = this.meta.get(viewId);
    if (!m || !this.o.owners.hasOwner(viewOwner(viewId))) return false;
    m.client = client;
    return true;
  }

  /** A stream client went away: close every view bound to it. Returns how many closed. */
  clientGone(client: string): number {
    const ids = [...this.meta].filter(([, m]) => m.client === client).map(([id]) => id);
    if (!ids.length) return 0;
    for (const id of ids) this.meta.delete(id);
    this.o.owners.releaseMany(ids.map(viewOwner), `view closed: its stream client went away`);
    return ids.length;
  }

  /** A client read the chain of (symbol, expiry): its unbound views are in use. */
  seenChain(symbol: string, expiry: string): void {
    const key = chainKey(symbol, expiry);
    const at = this.now();
    for (const m of this.meta.values()) if (m.key === key) m.seen = at;
  }

  /** Views open now (ids). */
  list(): string[] {
    return this.o.owners.listOwners().filter((o) => isViewOwner(o.owner)).map((o) => o.owner.slice(VIEW_OWNER_PREFIX.length));
  }

  /** Close unbound views idle for longer than the idle limit (and forget views the registry evicted). Returns how many closed. */
  sweep(): number {
    const cutoff = this.now() - this.idleMs;
    const idle: string[] = [];
    for (const [id, m] of this.meta) {
      if (!this.o.owners.hasOwner(viewOwner(id))) this.meta.delete(id);
      else if (m.client === null && m.seen < cutoff) idle.push(id);
    }
    for (const id of idle) this.meta.delete(id);
    if (idle.length) this.o.owners.releaseMany(idle.map(viewOwner), `view closed: idle for ${Math.round(this.idleMs / 60_000)} min`);
    return idle.length;
  }
}
