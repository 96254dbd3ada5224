/**
 * Boot the engine the way a trader runs it, for both runtime entry points (`npm run serve` and the
 * Electron app's engine process). It lives in src/host, the one place allowed to join core, server
 * and sim (DESIGN.md "Layers and folders"), so it may import src/sim: with no Dhan credentials it starts the embedded simulator on 127.0.0.1 (any free
 * port) over a master generated for today (IST), kept in the data folder and reused the same day.
 * With credentials it talks to Dhan; the instrument master is downloaded once per IST day unless a
 * fixed file is given. A download is vetted before it replaces the last good copy (see
 * master-download.ts); when today's is refused or fails, the last good copy is used with a dated
 * warning and the download is retried with backoff (5, 10, 20, then every 40 min) until a good one
 * arrives, when the engine reloads on it (at once before the open, else as soon as no market
 * trades: a reload reconnects every feed socket) and the warning clears. Each morning's pre-session job
 * fetches the new day's master the same way. Every master, generated, fixed or downloaded, is
 * checked before anything starts on it: one with no instruments is refused by name.
 *
 * Secrets: every log line goes through a `SecretMask` holding each Dhan token this process has
 * held (the first, and any set at run time through the credentials holder), so no token is printed.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createApi } from '../core/api/create-api';
import { App, type AppConfig, type AppStatus } from '../core/app';
import type { FeedCredentials } from '../core/feed/feed-connection';
import { checkMasterFile } from '../core/instruments/load-registry';
import { DHAN_MASTER_URL, ensureDailyMaster, retryDailyMaster } from '../core/instruments/master-download';
import { reloadWhenQuiet } from './quiet-reload';
import type { Api } from '../shared/contract';
import { istDate } from '../shared/market-calendar';
import { writeMaster } from '../sim/master-generator';
import { startSimulator, type RunningSimulator } from '../sim/server';

export const DHAN_FEED_URL = 'wss://api-feed.dhan.co';
export const DHAN_API_URL = 'https://api.dhan.co/v2';

/** Replaces every secret it holds with `***` in a line of text. */
export class SecretMask {
  private readonly secrets = new Set<string>();

  constructor(initial: readonly string[] = []) {
    for (const s of initial) this.add(s);
  }

  /** Mask `secret` from now on (empty strings are ignored: they would mask everything). */
  add(secret: string): void {
    if (secret) this.secrets.add(secret);
  }

  /** The line with every secret masked. */
  apply(line: string): string {
    let out = line;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }
}

/** The instrument master could not be had (live mode, no download and no earlier copy). */
export class MasterUnavailableError extends Error {
  override name = 'MasterUnavailableError';
}

export interface EngineBootOptions {
  /** The data folder: database, masters, caches. */
  dataDir: string;
  /** Dhan credentials, or null for the embedded simulator. */
  credentials: FeedCredentials | null;
  /** A fixed scrip master file instead of the daily download (live) or the generated one (simulator). */
  master?: string;
  /** Where the daily master comes from (default Dhan's). */
  masterUrl?: string;
  /** Dhan's feed and REST URLs (live mode; the simulator's replace them otherwise). */
  feedUrl?: string;
  apiUrl?: string;
  keepWatchlists?: boolean;
  /** Where log lines go (already masked when they arrive here). */
  log: (line: string) => void;
  /** The mask to use (created with the credentials' token when absent). */
  mask?: SecretMask;
  /** Market time for the app and the simulator; tests pin it inside trading hours. Default Date.now. */
  now?: () => number;
  /** Simulator only: a history minute lasts this many real ms (charts e2e, demos); refused live. */
  historyMinuteMs?: number;
}

export interface Engine {
  app: App;
  api: Api;
  /** The embedded simulator, in simulator mode. */
  sim: RunningSimulator | null;
  mode: 'simulator' | 'live';
  /** What `app.start()` reported. */
  status: AppStatus;
  /** The mask every log line went through (holds tokens set at run time too). */
  mask: SecretMask;
  /** Stop the app, then the simulator. Safe to call twice. */
  stop(): Promise<void>;
}

/** The generated master for today (IST) in the data folder, written once per day. */
function simMaster(dataDir: string, now: () => number): { path: string; asOf: string } {
  const asOf = istDate(now());
  const path = join(dataDir, `sim-master-${asOf}.csv`);
  if (existsSync(path)) {
    try {
      checkMaster(dataDir, path);
      return { path, asOf };
    } catch {
      rmSync(path, { force: true }); // a generation cut short: write it again
    }
  }
  writeMaster(path, { asOf });
  checkMaster(dataDir, path);
  return { path, asOf };
}

/**
 * Refuse a master with no instruments (or an unusable header) by name before anything starts on
 * it; the snapshot this leaves makes the App's own load warm.
 */
function checkMaster(dataDir: string, path: string): void {
  checkMasterFile({ masterPath: path, cacheDir: join(dataDir, 'cache') });
}

/** Today's master from Dhan (once per IST day), or the last good copy with a warning. */
async function liveMaster(o: EngineBootOptions, log: (line: string) => void): Promise<{ path: string; warning?: string }> {
  try {
    let shown = 0;
    const dl = await ensureDailyMaster({
      dataDir: o.dataDir,
      url: o.masterUrl ?? DHAN_MASTER_URL,
      onProgress: (n, total) => {
        if (n - shown >= 8 << 20 || n === total) {
          shown = n;
          log(`instrument master: ${(n / 1048576).toFixed(0)} MB${total ? ` of ${(total / 1048576).toFixed(0)} MB` : ''}`);
        }
      },
    });
    return dl.warning ? { path: dl.path, warning: dl.warning } : { path: dl.path };
  } catch (err) {
    throw new MasterUnavailableError(err instanceof Error ? err.message : String(err));
  }
}

/** The simulator's sentence for the top bar while it trades outside market hours, else null. */
function simSessionNote(sim: RunningSimulator): () => string | null {
  return () => {
    const s = sim.status();
    return s.simulatedOutsideHours ? s.note : null;
  };
}

/**
 * Start the engine: the simulator when there are no credentials, Dhan otherwise; then the App.
 * Throws MasterUnavailableError when live mode has no master; anything started is stopped again
 * when the boot fails.
 */
export async function bootEngine(o: EngineBootOptions): Promise<Engine> {
  const mask = o.mask ?? new SecretMask();
  if (o.credentials) mask.add(o.credentials.token);
  const log = (line: string): void => o.log(mask.apply(line));
  const now = o.now ?? Date.now;
  // A first start: the data folder (Electron's userData, or --data-dir) may not exist yet.
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });

  let sim: RunningSimulator | null = null;
  let app: App | null = null;
  /** The pending retry of today's master, while a stale copy is in use (live mode). */
  let masterRetry: { dispose(): void } | null = null;
  const stop = async (): Promise<void> => {
    masterRetry?.dispose();
    masterRetry = null;
    await app?.stop();
    await sim?.stop();
  };
  try {
    let masterPath: string;
    let masterWarning: string | undefined;
    let feedUrl = o.feedUrl ?? DHAN_FEED_URL;
    let apiUrl = o.apiUrl ?? DHAN_API_URL;
    let credentials = o.credentials;
    if (credentials) {
      if (o.master) {
        masterPath = resolve(o.master);
      } else {
        const dl = await liveMaster(o, log);
        if (dl.warning) {
          log(`warning: ${dl.warning}`);
          masterWarning = dl.warning;
        }
        masterPath = dl.path;
      }
      checkMaster(o.dataDir, masterPath);
      log(`mode: live (Dhan client ${credentials.clientId}, feed ${feedUrl}, REST ${apiUrl})`);
    } else {
      const master = o.master ? { path: resolve(o.master), asOf: istDate(now()) } : simMaster(o.dataDir, now);
      masterPath = master.path;
      if (o.master) checkMaster(o.dataDir, masterPath); // the generated one was checked when made
      sim = await startSimulator({ master: master.path, asOf: master.asOf, host: '127.0.0.1', port: 0, ...(o.now ? { clock: { now } } : {}) });
      feedUrl = sim.feedUrl;
      apiUrl = sim.apiUrl;
      credentials = { clientId: sim.clientId, token: sim.token };
      log(`mode: simulator (no Dhan credentials; embedded exchange on 127.0.0.1:${sim.port}, master ${masterPath})`);
    }
    const live = o.credentials !== null;
    // Live mode without a fixed master: each morning's pre-session job fetches the day's master
    // and the engine reloads on it. (The simulator serves the master it started with.)
    // A stale copy in use: keep trying for today's with backoff; when a good one arrives, reload
    // on it (a warm start restoring every subscription) and clear the warning.
    const startMasterRetry = (): void => {
      masterRetry?.dispose();
      masterRetry = retryDailyMaster({
        dataDir: o.dataDir,
        url: o.masterUrl ?? DHAN_MASTER_URL,
        onStillStale: (warning, nextMs) => log(`warning: ${warning}; trying again in ${Math.round(nextMs / 60_000)} min`),
        onGood: async (dl) => {
          masterRetry = null;
          try {
            checkMaster(o.dataDir, dl.path);
          } catch (err) {
            log(`instrument master: today's copy ${dl.path} is unusable: ${err instanceof Error ? err.message : String(err)}`);
            return;
          }
          // A reload reconnects every feed socket: not while a market trades (quiet-reload.ts).
          masterRetry = reloadWhenQuiet({
            now,
            onWait: () => log(`instrument master: today's copy (${dl.date}) arrived; the engine switches to it when no market is open`),
            reload: async () => {
              masterRetry = null;
              try {
                delete config.masterWarning;
                log(`instrument master: reloading on today's copy (${dl.date})`);
                await app?.reload(dl.path);
              } catch (err) {
                log(`instrument master: reload on ${dl.path} failed: ${err instanceof Error ? err.message : String(err)}`);
              }
            },
          });
        },
      });
    };
    const refreshMaster = live && !o.master
      ? async () => {
          const dl = await ensureDailyMaster({ dataDir: o.dataDir, url: o.masterUrl ?? DHAN_MASTER_URL });
          checkMaster(o.dataDir, dl.path);
          if (dl.warning) {
            log(`warning: ${dl.warning}`);
            // The status shows it even when the stale copy is the one already loaded (no reload).
            config.masterWarning = dl.warning;
            if (app) app.status.masterWarning = dl.warning;
            startMasterRetry();
          } else {
            delete config.masterWarning;
            masterRetry?.dispose();
            masterRetry = null;
          }
          return dl.path;
        }
      : undefined;
    // Live mode: the token can be replaced at run time (admin:set-credentials); each one is masked.
    let current: FeedCredentials | null = credentials;
    const holder = {
      get current(): FeedCredentials | null {
        return current;
      },
      set current(next: FeedCredentials | null) {
        if (next) mask.add(next.token);
        current = next;
      },
    };
    const config: AppConfig = {
      dataDir: o.dataDir,
      masterPath,
      feedUrl,
      apiUrl,
      credentials: () => holder.current,
      ...(live ? { credentialsHolder: holder } : {}),
      log,
      keepWatchlists: o.keepWatchlists ?? false,
      mode: live ? 'live' : 'simulator',
      ...(o.now ? { now: o.now } : {}),
      ...(refreshMaster ? { refreshMaster } : {}),
      ...(masterWarning ? { masterWarning } : {}),
      // The embedded simulator trades around the clock by default: the top bar says so outside hours.
      ...(sim ? { simulatedSession: simSessionNote(sim) } : {}),
      ...(sim && o.historyMinuteMs !== undefined ? { historyMinuteMs: o.historyMinuteMs } : {}),
    };
    app = new App(config);
    const status = await app.start();
    if (masterWarning && refreshMaster) startMasterRetry();
    log(`market: ${status.market}`);
    if (status.tierBPending.length) log(`tier B pending (no price yet): ${status.tierBPending.join(', ')}`);
    let stopped: Promise<void> | null = null;
    return {
      app,
      api: createApi(app),
      sim,
      mode: live ? 'live' : 'simulator',
      status,
      mask,
      stop: () => (stopped ??= stop()),
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
