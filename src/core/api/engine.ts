/**
 * What the contract's implementation (create-api.ts) and the stream sessions need of a running
 * engine: narrow interfaces, so src/core/api never reaches into the composition root. The app
 * (src/core/app.ts) satisfies them; `services` is one reference, swapped whole when the engine
 * reloads on a new instrument master.
 */
import type { AnalyticsBook } from '../analytics/analytics-book';
import type { FeedCredentials } from '../feed/feed-connection';
import type { FeedPool } from '../feed/feed-pool';
import type { QuoteStore } from '../feed/quote-store';
import type { InstrumentRegistry } from '../instruments/registry';
import type { InstrumentSearch } from '../instruments/search';
import type { MarketData } from '../feed/market-data';
import type { History } from '../history/index';
import type { StrategiesRepo } from '../storage/strategies-repo';
import type { SubscriptionLogRepo } from '../storage/subscription-log-repo';
import type { OwnerRegistry } from '../subscriptions/owner-registry';
import type { SocketPlacement } from '../subscriptions/placement';
import type { ViewOwners } from '../subscriptions/view-owners';
import type { WatchlistManager } from '../subscriptions/watchlist-manager';

/** The services the API reads and drives. */
export interface ApiServices {
  readonly registry: InstrumentRegistry;
  readonly search: Pick<InstrumentSearch, 'search'>;
  readonly owners: OwnerRegistry;
  readonly views: ViewOwners;
  readonly watchlists: WatchlistManager;
  readonly placement: Pick<SocketPlacement, 'socketOf'>;
  readonly store: QuoteStore;
  readonly analytics: AnalyticsBook;
  readonly feed: Pick<FeedPool, 'isLive' | 'health' | 'rebalanceNow'>;
  /** First paint from a REST snapshot (queued, `now` ahead of bulk). */
  readonly marketData: Pick<MarketData, 'paint'>;
  readonly log: Pick<SubscriptionLogRepo, 'recent'>;
  /** The session history's reads (issue 18). */
  readonly history: Pick<History, 'minutes' | 'strikesAt' | 'writes'>;
  /** Saved strategies (issue 19). */
  readonly strategies: Pick<StrategiesRepo, 'save' | 'get' | 'list' | 'delete'>;
}

/** The engine state the status view shows. */
export interface EngineStatus {
  market: string;
  mode: 'live' | 'simulator';
  /** Set when the Dhan token is about to expire or has expired. */
  tokenWarning?: string;
  /** Set when the instrument master in use is not today's. */
  masterWarning?: string;
  /** Set when the embedded simulator trades outside the exchange's hours (it says so plainly). */
  simulatedSession?: string;
}

/** The running engine as the API sees it. */
export interface ApiEngine {
  /** The current services (replaced whole on a reload: read it per call, never keep it). */
  readonly services: ApiServices;
  engineStatus(): EngineStatus;
  /** The Dhan client id in use (null in simulator mode); the token never leaves the engine. */
  clientId(): string | null;
  readonly keepWatchlists: boolean;
  setKeepWatchlists(keep: boolean): void;
  setRiskFreeRate(rate: number): void;
  setCredentials(creds: FeedCredentials): { resumed: number; tokenExpiresAt: number | null };
  /** Release every Tier A owner and mark every watchlist entry RELEASED. */
  unsubscribeAllTierA(): { unsubscribed: number };
}
