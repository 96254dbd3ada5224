/** Storage: the one database opener, the migration list, and one repository per table group. */
import { AtmCacheRepo } from './atm-cache-repo';
import type { Db } from './database';
import { MasterFilesRepo } from './master-files-repo';
import { SettingsRepo } from './settings-repo';
import { StrategiesRepo } from './strategies-repo';
import { SubscriptionLogRepo } from './subscription-log-repo';
import { SubscriptionsRepo } from './subscriptions-repo';
import { WatchlistRepo } from './watchlist-repo';

export { DEFAULT_BUSY_TIMEOUT_MS, openDatabase, transaction } from './database';
export type { Db, OpenDatabaseOptions } from './database';
export { validateMigrations } from './migration-runner';
export type { Migration } from './migration-runner';
export { MIGRATIONS } from './migrations';
export { WATCHLIST_INSTRUMENT_TYPES, WatchlistRepo } from './watchlist-repo';
export type { NewWatchlistEntry, WatchlistEntry, WatchlistInstrumentType } from './watchlist-repo';
export { SUBSCRIPTION_TIERS, SubscriptionsRepo } from './subscriptions-repo';
export type {
   Subscription, SubscriptionInput, SubscriptionOwner, SubscriptionTier,
} from './subscriptions-repo';
export { AtmCacheRepo } from './atm-cache-repo';
export type { AtmCacheEntry } from './atm-cache-repo';
export { SUBSCRIPTION_LOG_ACTIONS, SubscriptionLogRepo } from './subscription-log-repo';
export type { SubscriptionLogAction, SubscriptionLogEntry, SubscriptionLogInput } from './subscription-log-repo';
export { SettingsRepo } from './settings-repo';
export { StrategiesRepo } from './strategies-repo';
export type { NewStrategy, SavedStrategy, SavedStrategyLeg } from './strategies-repo';
export { MASTER_SOURCES, MasterFilesRepo } from './master-files-repo';
export type { MasterFile, MasterSource, NewMasterFile } from './master-files-repo';

export interface Repositories {
  watchlist: WatchlistRepo;
  subscriptions: SubscriptionsRepo;
  atmCache: AtmCacheRepo;
  subscriptionLog: SubscriptionLogRepo;
  settings: SettingsRepo;
  masterFiles: MasterFilesRepo;
  strategies: StrategiesRepo;
}

/**
 * Builds every repository on one open database (each prepares its statements once, here).
 * `now` is the clock for repositories that stamp times themselves (settings, strategies).
 */
export function createRepositories(db: Db, options: { now?: () => number } = {}): Repositories {
  return {
    watchlist: new WatchlistRepo(db),
    subscriptions: new SubscriptionsRepo(db),
    atmCache: new AtmCacheRepo(db),
    subscriptionLog: new SubscriptionLogRepo(db),
    settings: new SettingsRepo(db, options.now),
    masterFiles: new MasterFilesRepo(db),
    strategies: new StrategiesRepo(db, options.now),
  };
}
