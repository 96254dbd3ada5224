/**
 * The composition root: builds every engine service from one config, `start()`s them in order
 * (database, instrument master, restore, feed, Tier B, Tier A) and `stop()`s them in reverse.
 * It knows nothing of where the exchange is: the runtime entry points (src/host) pass Dhan's URLs
 * and credentials, or the embedded simulator's.
 *
 * What a start builds is one immutable `Services` record; the API and the stream read it through
 * `app.services` on every call, and a reload (a new day's master) swaps that one reference.
 *
 * Start-up policy: Tier A (watchlists) is restored only while the NSE session has not closed
 * for the day; started after 15:30 IST, on a weekend or a holiday, the day's Tier A is cleaned up
 * instead and the status says the market is closed. Tier B chains whose underlying has no price
 * yet are retried after the first REST snapshot and on the pre-session job.
 */
import { join } from 'node:path';
import { AppError } from '../shared/errors';
import { parseChainKey, watchlistOwner } from '../shared/keys';
import type { ApiEngine, ApiServices, EngineStatus } from './api/engine';
import { AnalyticsBook } from './analytics/analytics-book';
import { fastMinutes } from './lifecycle/fast-minutes';
import { DEFAULT_RATE } from './analytics/chain-analytics';
import type { FeedCredentials } from './feed/feed-connection';
import { feedModes } from './feed/feed-modes';
import { FeedPool } from './feed/feed-pool';
import { MarketData } from './feed/market-data';
import { QuoteStore } from './feed/quote-store';
import { tokenExpiresAt } from '../shared/token-expiry';
import { loadRegistry, type LoadedRegistry } from './instruments/load-registry';
import { endOfDayDue, markEndOfDay, restoreWatchlists, runEndOfDay, unsubscribeAllTierA } from './lifecycle/end-of-day';
import { DayScheduler } from './lifecycle/scheduler';
import { latestEodDate, latestSessionStart, startupDecision } from './lifecycle/session-clock';
import { DEFAULT_TIER_B_CONFIG, type TierBConfig } from './lifecycle/tier-b-config';
import { applyTierB, describeTierBPlan, planTierB, pruneTierB, type TierBChainPlan } from './lifecycle/tier-b';
import { Backfiller } from './history/backfill';
import { createHistory, inSessionMinute, type History } from './history/index';
import { DhanRestClient } from './rest/dhan-rest';
import { openDatabase, type Db } from './storage/database';
import { createSubscriptionCore, type SubscriptionCore } from './subscriptions/index';
import { ViewOwners } from './subscriptions/view-owners';

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
  /** How long a REST view with no stream client lives without being used (default 10 min). */
  viewIdleMs?: number;
  now?: () => number;
  /**
   * Called by the pre-session job for the day's instrument master (live mode downloads it).
   * When it gives a different file, the engine reloads on it: a stop and a warm start that
   * restores every subscription, at a quiet hour (08:45 IST by default).
   */
  refreshMaster?: () => Promise<string | null>;
  /** Shown in the status when the master in use is not today's ("master is from <date>: ..."). */
  masterWarning?: string;
  /**
   * The embedded simulator's word on its session, read for every status: a sentence when it trades
   * outside the exchange's hours (shown plainly in the top bar), else null.
   */
  simulatedSession?: () => string | null;
  /**
   * Simulator only: a history minute lasts this many real ms (fast-minutes.ts), for end-to-end
   * tests and demos of the charts. Absent: real minutes.
   */
  historyMinuteMs?: number;
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

/** Everything one start built: read through `app.services`, replaced whole by a reload. */
export interface Services extends ApiServices {
  readonly db: Db;
  readonly loaded: LoadedRegistry;
  readonly core: SubscriptionCore;
  readonly pool: FeedPool;
  readonly marketData: MarketData;
  readonly scheduler: DayScheduler;
  readonly rest: DhanRestClient;
  readonly history: History;
  readonly backfill: Backfiller;
}

export class App implements ApiEngine {
  readonly config: AppConfig;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private masterPath: string;
  private current: Services | null = null;
  private appStatus: AppStatus | null = null;
  private pendingTierB: TierBChainPlan[] = [];
  private warmSearch: ReturnType<typeof setTimeout> | null = null;
  private disposeBackfill: (() => void) | null = null;

  constructor(config: AppConfig) {
    this.config = config;
    this.masterPath = config.masterPath;
    this.now = config.now ?? Date.now;
    this.log = config.log ?? ((line) => console.log(line));
  }

  /** The running services. @throws AppError INTERNAL before start() or after stop(). */
  get services(): Services {
    if (!this.current) throw new AppError('INTERNAL', 'the engine is not running');
    return this.current;
  }

  /** What the last start reported (and warnings since). */
  get status(): AppStatus {
    if (!this.appStatus) throw new AppError('INTERNAL', 'the engine has not started');
    return this.appStatus;
  }

  /** Start everything, in order. */
  async start(): Promise<AppStatus> {
    const c = this.config;
    const db = openDatabase(join(c.dataDir, 'strikedesk.db'));
    try {
      return await this.startOn(db);
    } catch (err) {
      await this.stop();
      if (db.isOpen) db.close();
      throw err;
    }
  }

  private async startOn(db: Db): Promise<AppStatus> {
    const c = this.config;
    const loaded = loadRegistry({ masterPath: this.masterPath, cacheDir: join(c.dataDir, 'cache'), now: this.now });
    const registry = loaded.registry;
    this.log(`instrument master: ${registry.size} instruments from the ${loaded.source} in ${Math.round(loaded.loadMs)} ms`);
    const store = new QuoteStore({ now: this.now });
    const core = createSubscriptionCore({
      registry,
      db,
      now: this.now,
      prices: store,
      ...(c.sockets ? { sockets: c.sockets } : {}),
      ...(c.perSocket ? { perSocket: c.perSocket } : {}),
    });
    const savedRate = core.repos.settings.get<unknown>(RATE_KEY);
    const analytics = new AnalyticsBook({
      store,
      now: this.now,
      rate: typeof savedRate === 'number' ? savedRate : (c.riskFreeRate ?? DEFAULT_RATE),
      isOpen: (key) => {
        const k = parseChainKey(key);
        return k !== null && core.owners.chain(k.symbol, k.expiry) !== undefined;
      },
    });
    const rest = new DhanRestClient({ baseUrl: c.apiUrl, credentials: c.credentials, now: this.now });
    let marketData: MarketData | null = null;
    const pool = new FeedPool({
      modeFor: feedModes(registry),
      placement: core.placement,
      url: c.feedUrl,
      credentials: c.credentials,
      rebalance: (kind, socket) => core.owners.rebalance(kind, socket),
      onPacket: (p) => marketData!.onPacket(p),
      onError: (err) => this.log(`feed: ${err instanceof Error ? err.message : String(err)}`),
      ...(c.feed?.graceMs !== undefined ? { graceMs: c.feed.graceMs } : {}),
    });
    marketData = new MarketData({
      registry,
      owners: core.owners,
      pool,
      store,
      rest,
      sessionStart: () => latestSessionStart(this.now()),
      onError: (m) => this.log(m),
    });
    const views = new ViewOwners({ owners: core.owners, now: this.now, ...(c.viewIdleMs !== undefined ? { idleMs: c.viewIdleMs } : {}) });
    const scheduler = this.buildScheduler();
    // The exchange's session, or the embedded simulator's session outside market hours.
    const inSession = (chain: Parameters<typeof inSessionMinute>[0], t: number) => inSessionMinute(chain, t) || (c.simulatedSession?.() ?? null) !== null;
    const fast = c.historyMinuteMs !== undefined ? fastMinutes(c.historyMinuteMs, this.now) : null;
    const history = createHistory({
      db,
      owners: core.owners,
      store,
      analytics,
      settings: core.repos.settings,
      ...(fast ? { now: fast.now, timers: fast.timers } : { now: this.now }),
      shouldRecord: inSession,
      onError: (err) => this.log(`history: ${err instanceof Error ? err.message : String(err)}`),
    });
    const backfill = new Backfiller({ history, registry, rest, now: this.now, shouldFill: inSession, onError: (m) => this.log(`history: ${m}`) });
    this.current = Object.freeze({
      db,
      loaded,
      core,
      registry,
      search: loaded.search,
      owners: core.owners,
      views,
      watchlists: core.watchlists,
      placement: core.placement,
      store,
      analytics,
      pool,
      feed: pool,
      rest,
      log: core.repos.subscriptionLog,
      strategies: core.repos.strategies,
      marketData,
      scheduler,
      history,
      backfill,
    });

    // Restore what was subscribed before (a crash or a restart), then decide about Tier A. Nothing
    // restored is painted yet: the start-up paint goes out below, Tier B first.
    marketData.start();
    const startedAt = this.now();
    const decision = startupDecision(startedAt);
    const latestEod = latestEodDate(startedAt);
    marketData.quietly(() => {
      core.restore();
      // Only an end of day that did not run (down at 15:30): what came after it stays as it was.
      if (endOfDayDue(core, latestEod, !decision.restoreTierA)) {
        const eod = runEndOfDay(core, { keepWatchlists: this.keepWatchlists, session: latestEod });
        if (eod.unsubscribed) this.log(`end of day ${latestEod} missed while stopped: released ${eod.unsubscribed} Tier A instruments left from the session`);
      } else {
        markEndOfDay(core, latestEod);
      }
    });
    pool.start();
    views.start();

    // Tier B: the lists first (the F&O underlyings, futures), whose paint gives the chains their
    // centres; then every chain. Chains restored from the database keep their persisted window
    // (they re-centre on the next full-step move). All of it paints in the background lane,
    // ceil(N/1,000) requests, so a trader's first add goes ahead of it.
    const plan = planTierB(registry, c.tierB ?? DEFAULT_TIER_B_CONFIG);
    this.log(describeTierBPlan(plan));
    for (const p of plan.problems) this.log(`tier B: ${p.field} ${p.symbol}: ${p.message}`);
    const toOpen = plan.owners.filter((o) => o.kind !== 'chain' || !core.owners.owner(o.owner)?.chain);
    const lists = marketData.inBackground(() => applyTierB(core, { owners: toOpen.filter((o) => o.kind === 'instruments') }, () => undefined));
    await marketData.paint(toOpen.flatMap((o) => (o.kind === 'chain' ? [o.underlyingToken] : [])), 'background');
    const applied = marketData.inBackground(() => applyTierB(core, { owners: toOpen.filter((o) => o.kind === 'chain') }, (t) => store.ltp(t)));
    this.pendingTierB = applied.pending.map((p) => p.plan);
    for (const f of [...lists.failed, ...applied.failed]) this.log(`tier B ${f.owner}: ${f.message}`);
    // What was restored and not painted yet: Tier B's, then the rest.
    const restored = core.owners.tokens();
    void marketData.paint(restored.filter((t) => core.owners.tierOf(t) === 'TIER_B'), 'background');
    void marketData.paint(restored, 'background');

    if (decision.restoreTierA) await this.restoreKeptWatchlists();

    scheduler.start();
    history.start();
    // A chain opened mid-session gets today's earlier minutes (once a day per chain): background
    // work, begun once the start-up paint is in (with the embedded simulator its chart answers
    // share the engine's event loop, and would delay the paint's requests into Dhan-style refusals).
    const openChains = () => core.owners.openChains().map((o) => o.state.chain);
    void marketData.painted().then(() => {
      if (this.current?.backfill !== backfill) return; // stopped (or reloaded) meanwhile
      this.disposeBackfill = core.owners.onChange(() => backfill.consider(openChains()));
      backfill.consider(openChains());
    });
    // The search index is built by its first query; build it a moment after start-up instead, so
    // neither the first keystroke nor a request right after "ready" pays for it.
    this.warmSearch = setTimeout(() => loaded.search.warm(), 1_000);
    this.warmSearch.unref?.();
    this.appStatus = {
      market: decision.status,
      tierBPlanned: plan.plannedInstruments,
      tierBPending: this.pendingTierB.map((p) => p.owner),
      masterSource: loaded.source,
      instruments: registry.size,
      ...(c.masterWarning ? { masterWarning: c.masterWarning } : {}),
    };
    return this.appStatus;
  }

  private buildScheduler(): DayScheduler {
    const c = this.config;
    return new DayScheduler({
      now: this.now,
      onEndOfDay: (fire) => {
        const r = runEndOfDay(this.services.core, { keepWatchlists: this.keepWatchlists, session: fire.date });
        this.log(`end of day: ${r.unsubscribed} Tier A instruments unsubscribed, ${r.entriesCleared} watchlist entries cleared`);
      },
      onPreSession: async () => {
        // A new day: a new master (the engine reloads on it), expired contracts leave, Tier B is
        // planned again (expiries roll), kept watchlists come back re-centred.
        if (c.refreshMaster) {
          const path = await c.refreshMaster();
          if (path && path !== this.masterPath) {
            this.log(`instrument master: reloading on ${path}`);
            await this.reload(path);
            return; // the fresh start did the rest of the pre-session work
          }
        }
        const { core, registry } = this.services;
        const plan = planTierB(registry, c.tierB ?? DEFAULT_TIER_B_CONFIG);
        const pruned = pruneTierB(core, plan);
        if (pruned.released.length) this.log(`tier B: released ${pruned.released.length} expired chains`);
        core.repos.atmCache.deleteExpired(registry.today());
        const fresh = plan.owners.filter((o) => !core.owners.hasOwner(o.owner));
        this.pendingTierB = [...this.pendingTierB.filter((p) => !fresh.some((f) => f.owner === p.owner)), ...fresh.filter((o): o is TierBChainPlan => o.kind === 'chain')];
        for (const o of fresh) if (o.kind === 'instruments') applyTierB(core, { owners: [o] }, () => undefined);
        await this.retryPendingTierB();
        if (this.keepWatchlists) await this.restoreKeptWatchlists();
      },
      onTokenExpiryWarning: (w) => {
        const text = w.expired ? 'the Dhan access token has expired: the feed stops until a new one is given' : `the Dhan access token expires in ${Math.round(w.msLeft / 60_000)} min: generate a new one in Dhan`;
        if (this.appStatus) this.appStatus.tokenWarning = text;
        this.log(`warning: ${text}`);
      },
      tokenExpiresAt: tokenExpiryOf(c.credentials()),
      onError: (job, err) => this.log(`scheduled ${job} failed: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  engineStatus(): EngineStatus {
    const s = this.appStatus;
    const simulated = this.config.simulatedSession?.() ?? null;
    return {
      market: s?.market ?? '',
      mode: this.config.mode ?? 'live',
      ...(simulated ? { simulatedSession: simulated } : {}),
      ...(s?.tokenWarning ? { tokenWarning: s.tokenWarning } : {}),
      ...(s?.masterWarning ? { masterWarning: s.masterWarning } : {}),
    };
  }

  clientId(): string | null {
    return (this.config.mode ?? 'live') === 'live' ? (this.config.credentials()?.clientId ?? null) : null;
  }

  /** The end-of-day behaviour in force: the user's saved choice, else the config's default. */
  get keepWatchlists(): boolean {
    const db = this.current?.db;
    const saved = db?.isOpen ? this.current!.core.repos.settings.get<unknown>(KEEP_WATCHLISTS_KEY) : undefined;
    return typeof saved === 'boolean' ? saved : (this.config.keepWatchlists ?? false);
  }

  /** Save the end-of-day behaviour (it survives restarts). */
  setKeepWatchlists(keep: boolean): void {
    this.services.core.repos.settings.set(KEEP_WATCHLISTS_KEY, keep);
    this.log(`setting: watchlists are ${keep ? 'kept' : 'cleared'} at end of day`);
  }

  /** Save the option analytics' risk-free rate (a fraction, 0-0.5); every chain recomputes. */
  setRiskFreeRate(rate: number): void {
    this.services.analytics.setRate(rate);
    this.services.core.repos.settings.set(RATE_KEY, rate);
    this.log(`setting: risk-free rate ${(rate * 100).toFixed(2)}%`);
  }

  /** The admin's "unsubscribe all Tier A": released, and kept released across restarts. */
  unsubscribeAllTierA(): { unsubscribed: number } {
    const r = unsubscribeAllTierA(this.services.core);
    this.log(`admin: unsubscribed all Tier A (${r.owners} owners, ${r.unsubscribed} instruments; ${r.entriesReleased} watchlist entries released)`);
    return { unsubscribed: r.unsubscribed };
  }

  /** Next session with kept watchlists: subscribe ACTIVE entries again, re-centred on fresh prices. */
  async restoreKeptWatchlists(): Promise<number> {
    const { core, registry, store } = this.services;
    const entries = core.repos.watchlist.listAll().filter((e) => e.state === 'ACTIVE' && !core.owners.hasOwner(watchlistOwner(e.userId, e.symbol, e.expiryDate)));
    if (!entries.length) return 0;
    const spots = entries.flatMap((e) => {
      const spot = registry.spot(e.symbol);
      return spot ? [`${spot.segment}:${spot.securityId}`] : [];
    });
    await this.services.marketData.paint(spots);
    const restored = restoreWatchlists(core, registry, (t) => store.ltp(t));
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
    const { scheduler, pool } = this.services;
    scheduler.setTokenExpiry(expiresAt);
    if (this.appStatus) delete this.appStatus.tokenWarning;
    const before = pool.health().filter((h) => h.state === 'failed').length;
    pool.resume();
    // Tier B chains that could not get a price with the old token try again now.
    void this.retryPendingTierB().catch((err: unknown) => this.log(`tier B retry failed: ${err instanceof Error ? err.message : String(err)}`));
    return { resumed: before, tokenExpiresAt: expiresAt };
  }

  /** Retry Tier B chains that had no price at start-up. */
  async retryPendingTierB(): Promise<number> {
    if (!this.pendingTierB.length) return 0;
    const { core, store } = this.services;
    await this.services.marketData.paint(this.pendingTierB.map((p) => p.underlyingToken));
    const applied = applyTierB(core, { owners: this.pendingTierB }, (t) => store.ltp(t));
    this.pendingTierB = applied.pending.map((p) => p.plan);
    if (this.appStatus) this.appStatus.tierBPending = this.pendingTierB.map((p) => p.owner);
    return applied.opened.length;
  }

  /** Reload on another master: stop, then a warm start that restores every subscription. */
  async reload(masterPath: string): Promise<AppStatus> {
    await this.stop();
    this.masterPath = masterPath;
    const status = await this.start();
    if (this.keepWatchlists) await this.restoreKeptWatchlists();
    return status;
  }

  /** Stop everything, in reverse; safe to call twice. */
  async stop(): Promise<void> {
    const s = this.current;
    if (!s) return;
    this.current = null;
    if (this.warmSearch) clearTimeout(this.warmSearch);
    s.scheduler.stop();
    this.disposeBackfill?.();
    this.disposeBackfill = null;
    s.backfill.stop();
    s.history.stop();
    s.views.stop();
    s.pool.stop();
    s.marketData.stop();
    if (s.db.isOpen) s.db.close();
  }

}

function tokenExpiryOf(creds: FeedCredentials | null): number | null {
  return creds ? tokenExpiresAt(creds.token) : null;
}
