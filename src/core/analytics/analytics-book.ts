/**
 * One ChainAnalytics per open chain, brought up to date when asked for (a REST chain view, a
 * stream batch). Refreshing is incremental (only strikes whose prices changed are solved again),
 * so asking every batch costs about 0.1 ms per 101-strike chain. Chains that closed are dropped
 * on the next sweep; the risk-free rate applies to every chain at once.
 */
import type { ChainState } from '../chain/atm-engine';
import { ChainAnalytics, DEFAULT_RATE } from './chain-analytics';
import { refreshChainAnalytics, type QuoteReader } from './chain-adapter';

export interface AnalyticsBookOptions {
  store: QuoteReader;
  now: () => number;
  rate?: number;
  /** Whether a chain (by ChainState.key) is still open; closed ones are swept now and then. */
  isOpen?: (key: string) => boolean;
}

const SWEEP_EVERY = 512;

export class AnalyticsBook {
  private readonly books = new Map<string, ChainAnalytics>();
  private rate: number;
  private calls = 0;

  constructor(private readonly o: AnalyticsBookOptions) {
    this.rate = o.rate ?? DEFAULT_RATE;
  }

  /** The chain's analytics, refreshed from the latest quotes. */
  of(state: ChainState): ChainAnalytics {
    if (++this.calls % SWEEP_EVERY === 0 && this.o.isOpen) for (const key of this.books.keys()) if (!this.o.isOpen(key)) this.books.delete(key);
    let a = this.books.get(state.key);
    if (!a) this.books.set(state.key, (a = new ChainAnalytics({ rate: this.rate })));
    refreshChainAnalytics(a, state, this.o.store, this.o.now());
    return a;
  }

  /** Chains held (for tests). */
  get size(): number {
    return this.books.size;
  }

  /** The continuously compounded risk-free rate (a fraction) used for every chain. */
  get riskFreeRate(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    if (!Number.isFinite(rate) || rate < 0 || rate > 0.5) throw new RangeError(`the risk-free rate must be a fraction between 0 and 0.5, got ${rate}`);
    this.rate = rate;
    for (const a of this.books.values()) a.setRate(rate);
  }
}
