/**
 * The composition root: builds every engine service from one config, `start()`s them in order
 * (database, instrument master, restore, feed, Tier B, Tier A) and `stop()`s them in reverse.
 * It knows nothing of where the exchange is: the runtime entry points (the server, the Electron
 * main process) pass Dhan's URLs and credentials, or the embedded simulator's.
 *
 * Start-up policy: Tier A (watchlists) is restored only while the NSE session has not closed
 * for the day; started after 15:30 IST, on a weekend or a holiday, the day's Tier A is cleaned up
 * instead and the status says the market is closed. Tier B chains whose underlying has no price
 * yet are retried after the first REST snapshot and on the pre-session job.
 */
import { join } from 'node:path';
import { AppError } from '../shared/errors';
import { parseToken, type InstrumentToken } from '../shared/instruments';
import { FeedPool } from './feed/feed-pool';
import type { FeedCredentials } from './feed/feed-connection';
import { MarketData } from './feed/market-data';
import { QuoteStore } from './feed/quote-store';
import { loadRegistry, type LoadedRegistry } from './instruments/load-registry';
import { runEndOfDay, restoreWatchlists } from './lifecycle/end-of-day';
import { DayScheduler } from './lifecycle/scheduler';
import { startupDecision } from './lifecycle/session-clock';
import { DEFAULT_TIER_B_CONFIG, type TierBConfig } from './lifecycle/tier-b-config';
import { applyTierB, describeTierBPlan, planTierB, pruneTierB, type TierBChainPlan } from './lifecycle/tier-b';
import { tokenExpiresAt } from '../shared/token-expiry';
import { AnalyticsBook } from './analytics/analytics-book';
import { DEFAULT_RATE } from './analytics/chain-analytics';
import { DhanRestClient } from './rest/dhan-rest';
import { openDatabase, type Db } from './storage/database';
import { createSubscriptionCore, type SubscriptionCore } from './subscriptions/index';

export interface AppConfig {
  /** Folder for the database, the master and its snapshot. */
  dataDir: string;
  /** The scrip master CSV to load. */
  masterPath: string;
  /** Feed WebSocket base URL (Dhan's or the simulator's). */
  feedUrl: string;
  /** REST base URL ending in /v2. */
  apiUrl: string;
  /** Read on every connect and request: the token rolls over daily. */
  credentials: () => FeedCredentials | null;
  /** When given, `setCredentials` replaces `current` (and `credentials` should read it). */
  credentialsHolder?: { current: FeedCredentials | null };
  tierB?: TierBConfig;
  sockets?: number;
  perSocket?: number;
  /**
   * Keep watchlists over end of day (re-centred next session) instead of clearing them. The
   * default: a value the user saved (`setKeepWatchlists`, kept in the database) wins over it.
   */
  keepWatchlists?: boolean;
  /** Where the feed comes from, for the status and the UI's warning (default 'live'). */
  mode?: 'live' | 'simulator';
  /** Risk-free rate of the option analytics (a fraction; default 0.065). A saved setting wins. */
  riskFreeRate?: number;
  now?: () => number;
  /**
   * Called by the pre-session job for the day's instrument master (live mode downloads it).
   * When it gives a different file, the engine reloads on it: a stop and a warm start that
   * restores every subscription, at a quiet hour (08:45 IST by default).
   */
  refreshMaster?: () => Promise<string | null>;
  /** Shown in the status when the master in use is not today's ("master is from <date>: ..."). */
  masterWarning?: string;
  /** Feed connection policy overrides (tests shorten timings). */
  feed?: { graceMs?: number };
  log?: (line: string) => void;
}

const KEEP_WATCHLISTS_KEY = 'eod.keep_watchlists';
const RATE_KEY = 'analytics.risk_free_rate';

export interface AppStatus {
  market: string;
  /** Set when the Dhan token is about to expire or has expired. */
  tokenWarning?: string;
  /** Set when the instrument master in use is not today's (a failed download). */
  masterWarning?: string;
  tierBPlanned: number;
  tierBPending: string[];
  masterSource: 'csv' | 'snapshot';
  instruments: number;
}

export class App {
  readonly config: AppConfig;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  db!: Db;
  loaded!: LoadedRegistry;
  core!: SubscriptionCore;
  store!: QuoteStore;
  rest!: DhanRestClient;
  pool!: FeedPool;
  marketData!: MarketData;
  scheduler!: DayScheduler;
  analytics!: AnalyticsBook;
  status!: AppStatus;
  private pendingTierB: TierBChainPlan[] = [];
  private started = false;

  constructor(config: AppConfig) {
    this.config = config;
    this.now = config.now ?? Date.now;
    this.log = config.log ?? ((line) => console.log(line));
  }

  /** Start everything, in order. */
  async start(): Promise<AppStatus> {
    const c = this.config;
    this.db = openDatabase(join(c.dataDir, 'strikedesk.db'));
    this.loaded = loadRegistry({ masterPath: c.masterPath, cacheDir: join(c.dataDir, 'cache'), now: this.now });
    const registry = this.loaded.registry;
    this.log(`instrument master: ${registry.size} instruments from the ${this.loaded.source} in ${Math.round(this.loaded.loadMs)} ms`);
    this.store = new QuoteStore({ now: this.now });
    this.core = createSubscriptionCore({
      registry,
      db: this.db,
      now: this.now,
      prices: this.store,
      ...(c.sockets ? { sockets: c.sockets } : {}),
      ...(c.perSocket ? { perSocket: c.perSocket } : {}),
    });
    const savedRate = this.core.repos.settings.get<unknown>(RATE_KEY);
    this.analytics = new AnalyticsBook({
      store: this.store,
      now: this.now,
      rate: typeof savedRate === 'number' ? savedRate : (c.riskFreeRate ?? DEFAULT_RATE),
      isOpen: (key) => this.core.atm.list().some((s) => s.key === key),
    });
    this.rest = new DhanRestClient({ baseUrl: c.apiUrl, credentials: c.credentials, now: this.now });
    this.pool = new FeedPool({
      placement: this.core.placement,
      url: c.feedUrl,
      credentials: c.credentials,
      rebalance: (kind, socket) => this.core.manager.rebalance(kind, socket),
      onPacket: (p) => this.marketData.onPacket(p),
      onError: (err) => this.log(`feed: ${err instanceof Error ? err.message : String(err)}`),
      ...(c.feed?.graceMs !== undefined ? { graceMs: c.feed.graceMs } : {}),
    });
    this.marketData = new MarketData({
      registry,
      manager: this.core.manager,
      chains: this.core.chains,
      pool: this.pool,
      store: this.store,
      rest: this.rest,
      onError: (m) => this.log(m),
    });

    // Restore what was subscribed before (a crash or a restart), then decide about Tier A.
    this.marketData.start();
    this.core.restore();
    const decision = startupDecision(this.now());
    if (!decision.restoreTierA) {
      const eod = runEndOfDay(this.core, { keepWatchlists: this.keepWatchlists });
      if (eod.unsubscribed) this.log(`market closed: released ${eod.unsubscribed} Tier A instruments left from the session`);
    }
    this.pool.start();

    // Tier B: prices of the underlyings from a snapshot, then open every chain.
    const plan = planTierB(registry, c.tierB ?? DEFAULT_TIER_B_CONFIG);
    this.log(describeTierBPlan(plan));
    for (const p of plan.problems) this.log(`tier B: ${p}`);
    // Chains restored from the database keep their persisted window (they re-centre on the next
    // full-step move); only the rest are opened now.
    const toOpen = plan.owners.filter((o) => !(o.kind === 'chain' && this.core.manager.hasOwner(o.owner) && this.core.chains.adopt(o.owner, 'TIER_B', o.spec)));
    await this.snapshotPrices(toOpen.flatMap((o) => (o.kind === 'chain' ? [o.underlyingToken] : [])));
    const applied = applyTierB(this.core, { owners: toOpen }, (t) => this.store.ltp(t));
    this.pendingTierB = applied.pending.map((p) => p.plan);
    for (const f of applied.failed) this.log(`tier B ${f.owner}: ${f.message}`);

    if (decision.restoreTierA) await this.restoreKeptWatchlists();

    this.scheduler = new DayScheduler({
      now: this.now,
      onEndOfDay: () => {
        const r = runEndOfDay(this.core, { keepWatchlists: this.keepWatchlists });
        this.log(`end of day: ${r.unsubscribed} Tier A instruments unsubscribed, ${r.entriesCleared} watchlist entries cleared`);
      },
      onPreSession: async () => {
        // A new day: a new master (the engine reloads on it), expired contracts leave, Tier B is
        // planned again (expiries roll), kept watchlists come back re-centred.
        if (c.refreshMaster) {
          const path = await c.refreshMaster();
          if (path && path !== this.config.masterPath) {
            this.log(`instrument master: reloading on ${path}`);
            await this.reload(path);
            return; // the fresh start did the rest of the pre-session work
          }
        }
        const plan = planTierB(registry, c.tierB ?? DEFAULT_TIER_B_CONFIG);
        const pruned = pruneTierB(this.core, plan);
        if (pruned.released.length) this.log(`tier B: released ${pruned.released.length} expired chains`);
        this.core.repos.atmCache.deleteExpired(registry.today());
        const fresh = plan.owners.filter((o) => !this.core.manager.hasOwner(o.owner));
        this.pendingTierB = [...this.pendingTierB.filter((p) => !fresh.some((f) => f.owner === p.owner)), ...fresh.filter((o): o is TierBChainPlan => o.kind === 'chain')];
        for (const o of fresh) if (o.kind === 'instruments') applyTierB(this.core, { owners: [o] }, () => undefined);
        await this.retryPendingTierB();
        if (this.keepWatchlists) await this.restoreKeptWatchlists();
      },
      onTokenExpiryWarning: (w) => {
        const text = w.expired ? 'the Dhan access token has expired: the feed stops until a new one is given' : `the Dhan access token expires in ${Math.round(w.msLeft / 60_000)} min: generate a new one in Dhan`;
        if (this.status) this.status.tokenWarning = text;
        this.log(`warning: ${text}`);
      },
      tokenExpiresAt: tokenExpiryOf(c.credentials()),
      onError: (job, err) => this.log(`scheduled ${job} failed: ${err instanceof Error ? err.message : String(err)}`),
    });
    this.scheduler.start();
    this.started = true;
    this.status = {
      market: decision.status,
      tierBPlanned: plan.plannedInstruments,
      tierBPending: this.pendingTierB.map((p) => p.owner),
      masterSource: this.loaded.source,
      instruments: registry.size,
      ...(c.masterWarning ? { masterWarning: c.masterWarning } : {}),
    };
    return this.status;
  }

  /** The end-of-day behaviour in force: the user's saved choice, else the config's default. */
  get keepWatchlists(): boolean {
    const saved = this.db?.isOpen ? this.core?.repos.settings.get<unknown>(KEEP_WATCHLISTS_KEY) : undefined;
    return typeof saved === 'boolean' ? saved : (this.config.keepWatchlists ?? false);
  }

  /** Save the end-of-day behaviour (it survives restarts). */
  setKeepWatchlists(keep: boolean): void {
    this.core.repos.settings.set(KEEP_WATCHLISTS_KEY, keep);
    this.log(`setting: watchlists are ${keep ? 'kept' : 'cleared'} at end of day`);
  }

  /** Save the option analytics' risk-free rate (a fraction, 0-0.5); every chain recomputes. */
  setRiskFreeRate(rate: number): void {
    this.analytics.setRate(rate);
    this.core.repos.settings.set(RATE_KEY, rate);
    this.log(`setting: risk-free rate ${(rate * 100).toFixed(2)}%`);
  }

  /** Next session with kept watchlists: subscribe them again, re-centred on fresh prices. */
  async restoreKeptWatchlists(): Promise<number> {
    const registry = this.loaded.registry;
    const entries = this.core.repos.watchlist.listAll().filter((e) => !this.core.manager.hasOwner(`watch:${e.userId}:${e.symbol}:${e.expiryDate}`));
    if (!entries.length) return 0;
    const spots = entries.flatMap((e) => {
      const spot = registry.spot(e.symbol);
      return spot ? [`${spot.segment}:${spot.securityId}`] : [];
    });
    await this.snapshotPrices(spots);
    const restored = restoreWatchlists(this.core, registry, (t) => this.store.ltp(t));
    this.log(`watchlists kept over end of day: ${restored.restored.length} subscribed again, ${restored.pending.length} waiting for a price, ${restored.dropped.length} expired`);
    return restored.restored.length;
  }

  /**
   * A new Dhan token (or client id): used from the next connect and request on, the token-expiry
   * warning is re-armed, and sockets stopped for an expired or bad token resume. Needs a config
   * whose `credentials` reads `setCredentials`' value (see `credentialsHolder`).
   */
  setCredentials(creds: FeedCredentials): { resumed: number; tokenExpiresAt: number | null } {
    if (!this.config.credentialsHolder) throw new AppError('BAD_REQUEST', 'credentials are fixed in this mode (the simulator)');
    this.config.credentialsHolder.current = creds;
    const expiresAt = tokenExpiresAt(creds.token);
    this.scheduler?.setTokenExpiry(expiresAt);
    if (this.status) delete this.status.tokenWarning;
    const before = this.pool.health().filter((h) => h.state === 'failed').length;
    this.pool.resume();
    // Tier B chains that could not get a price with the old token try again now.
    void this.retryPendingTierB().catch((err: unknown) => this.log(`tier B retry failed: ${err instanceof Error ? err.message : String(err)}`));
    return { resumed: before, tokenExpiresAt: expiresAt };
  }

  /** Retry Tier B chains that had no price at start-up. */
  async retryPendingTierB(): Promise<number> {
    if (!this.pendingTierB.length) return 0;
    await this.snapshotPrices(this.pendingTierB.map((p) => p.underlyingToken));
    const applied = applyTierB(this.core, { owners: this.pendingTierB }, (t) => this.store.ltp(t));
    this.pendingTierB = applied.pending.map((p) => p.plan);
    this.status.tierBPending = this.pendingTierB.map((p) => p.owner);
    return applied.opened.length;
  }

  /** Reload on another master: stop, then a warm start that restores every subscription. */
  async reload(masterPath: string): Promise<AppStatus> {
    await this.stop();
    (this.config as { masterPath: string }).masterPath = masterPath;
    const status = await this.start();
    if (this.keepWatchlists) await this.restoreKeptWatchlists();
    return status;
  }

  /** Stop everything, in reverse; safe to call twice. */
  async stop(): Promise<void> {
    if (!this.started && !this.db) return;
    this.started = false;
    this.scheduler?.stop();
    this.pool?.stop();
    this.marketData?.stop();
    if (this.db?.isOpen) this.db.close();
  }

  private async snapshotPrices(tokens: InstrumentToken[]): Promise<void> {
    const refs = [...new Set(tokens)].filter((t) => this.store.ltp(t) === undefined).flatMap((t) => {
      const ref = parseToken(t);
      return ref ? [ref] : [];
    });
    if (!refs.length) return;
    try {
      const quotes = await this.rest.quotes(refs, 'ltp');
      for (const [token, q] of quotes) this.store.seed(token, { ltp: q.last_price });
    } catch (err) {
      this.log(`price snapshot failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function tokenExpiryOf(creds: FeedCredentials | null): number | null {
  return creds ? tokenExpiresAt(creds.token) : null;
}
