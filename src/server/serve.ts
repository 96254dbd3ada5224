/**
 * `npm run serve -- [--port N] [--data-dir DIR] [--master FILE] [--client-id C --token T]
 * [--feed-url URL] [--api-url URL]`: run the engine headless with the REST API v2 on 127.0.0.1.
 *
 * This is a runtime entry point, so unlike the rest of src/server it may import src/sim: with no
 * Dhan credentials (flags or STRIKEDESK_DHAN_CLIENT_ID / STRIKEDESK_DHAN_TOKEN) it starts the
 * embedded simulator on 127.0.0.1 (any free port) over a master generated for today (IST), kept in
 * the data folder and reused the same day, and points the app at it. With credentials it talks to
 * Dhan; its instrument master is downloaded once per IST day (`--master-url`, default Dhan's) unless
 * `--master FILE` is given, falling back to the last good copy with a warning.
 *
 * The Dhan token is never printed: every log line passes through a filter that masks it.
 * SIGINT/SIGTERM stop the HTTP server, the app and the simulator, then exit 0; a second signal
 * exits 1 at once.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApi } from '../core/api/create-api';
import { App } from '../core/app';
import { istDate } from '../shared/market-calendar';
import { writeMaster } from '../sim/master-generator';
import { DHAN_MASTER_URL, ensureDailyMaster } from '../core/instruments/master-download';
import { startSimulator, type RunningSimulator } from '../sim/server';
import { defaultDataDir, loadOrCreateApiToken } from './api-token';
import { attachEventStream, type EventStream } from './event-stream';
import { closeHttp, createHttpServer, listenHttp } from './http-api';

const USAGE = `usage: npm run serve -- [--port N] [--data-dir DIR] [--master FILE] [--master-url URL] [--keep-watchlists]
       [--client-id C --token T] [--feed-url URL] [--api-url URL]
  without credentials (flags or STRIKEDESK_DHAN_CLIENT_ID / STRIKEDESK_DHAN_TOKEN) the embedded simulator is the exchange`;

export const DHAN_FEED_URL = 'wss://api-feed.dhan.co';
export const DHAN_API_URL = 'https://api.dhan.co/v2';

interface ServeOptions {
  port: number;
  dataDir: string;
  master: string | undefined;
  masterUrl: string;
  keepWatchlists: boolean;
  credentials: { clientId: string; token: string } | null;
  feedUrl: string;
  apiUrl: string;
}

class UsageError extends Error {
  override name = 'UsageError';
}

function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ServeOptions {
  const { values: v } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      master: { type: 'string' },
      'master-url': { type: 'string' },
      'keep-watchlists': { type: 'boolean' },
      'client-id': { type: 'string' },
      token: { type: 'string' },
      'feed-url': { type: 'string' },
      'api-url': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const portText = v.port ?? env.STRIKEDESK_PORT;
  const port = Number(portText ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0-65535, got ${JSON.stringify(portText)}`);
  const clientId = v['client-id'] ?? env.STRIKEDESK_DHAN_CLIENT_ID ?? '';
  const token = v.token ?? env.STRIKEDESK_DHAN_TOKEN ?? '';
  if (Boolean(clientId) !== Boolean(token)) throw new UsageError('give both the Dhan client id and the access token, or neither (simulator)');
  return {
    port,
    dataDir: resolve(v['data-dir'] ?? env.STRIKEDESK_DATA_DIR ?? defaultDataDir()),
    master: v.master ?? env.STRIKEDESK_MASTER,
    masterUrl: v['master-url'] ?? env.STRIKEDESK_MASTER_URL ?? DHAN_MASTER_URL,
    keepWatchlists: v['keep-watchlists'] ?? env.STRIKEDESK_KEEP_WATCHLISTS === '1',
    credentials: clientId && token ? { clientId, token } : null,
    feedUrl: v['feed-url'] ?? env.STRIKEDESK_FEED_URL ?? DHAN_FEED_URL,
    apiUrl: v['api-url'] ?? env.STRIKEDESK_API_URL ?? DHAN_API_URL,
  };
}

/** The generated master for today (IST) in the data folder, written once per day. */
function simMaster(dataDir: string): { path: string; asOf: string } {
  const asOf = istDate(Date.now());
  const path = join(dataDir, `sim-master-${asOf}.csv`);
  if (!existsSync(path)) writeMaster(path, { asOf });
  return { path, asOf };
}

function waitForSignal(): Promise<string> {
  return new Promise((done) => {
    const onSignal = (signal: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // A second signal while stopping: give up waiting.
      const force = (): void => process.exit(1);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      done(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function main(): Promise<number> {
  let o: ServeOptions;
  try {
    o = parseServeArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`strikedesk: ${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  // Every Dhan token this process has held (the first, and any set at run time) is masked.
  const secrets = new Set<string>(o.credentials ? [o.credentials.token] : []);
  const mask = (line: string): string => {
    let out = line;
    for (const t of secrets) out = out.split(t).join('***');
    return out;
  };
  const log = (line: string): void => console.log(mask(line));
  const fail = (line: string): void => console.error(mask(line));

  const apiToken = loadOrCreateApiToken(o.dataDir);
  let sim: RunningSimulator | null = null;
  let app: App | null = null;
  let server: ReturnType<typeof createHttpServer> | null = null;
  let stream: EventStream | null = null;
  const stopAll = async (): Promise<void> => {
    // The stream first: its upgraded sockets would otherwise hold the HTTP server open.
    await stream?.close();
    if (server) await closeHttp(server);
    await app?.stop();
    await sim?.stop();
  };

  try {
    let masterPath: string;
    let masterWarning: string | undefined;
    let feedUrl = o.feedUrl;
    let apiUrl = o.apiUrl;
    let credentials = o.credentials;
    if (credentials) {
      if (o.master) {
        masterPath = resolve(o.master);
      } else {
        // Today's master from Dhan (once per IST day), or the last good copy with a warning.
        try {
          let shown = 0;
          const dl = await ensureDailyMaster({
            dataDir: o.dataDir,
            url: o.masterUrl,
            onProgress: (n, total) => {
              if (n - shown >= 8 << 20 || n === total) {
                shown = n;
                log(`instrument master: ${(n / 1048576).toFixed(0)} MB${total ? ` of ${(total / 1048576).toFixed(0)} MB` : ''}`);
              }
            },
          });
          if (dl.warning) {
            log(`warning: ${dl.warning}`);
            masterWarning = dl.warning;
          }
          masterPath = dl.path;
        } catch (err) {
          fail(`strikedesk: ${err instanceof Error ? err.message : String(err)}; or pass --master FILE (a Dhan scrip master CSV)`);
          return 2;
        }
      }
      log(`mode: live (Dhan client ${credentials.clientId}, feed ${feedUrl}, REST ${apiUrl})`);
    } else {
      const master = o.master ? { path: resolve(o.master), asOf: istDate(Date.now()) } : simMaster(o.dataDir);
      masterPath = master.path;
      sim = await startSimulator({ master: master.path, asOf: master.asOf, host: '127.0.0.1', port: 0 });
      feedUrl = sim.feedUrl;
      apiUrl = sim.apiUrl;
      credentials = { clientId: sim.clientId, token: sim.token };
      log(`mode: simulator (no Dhan credentials; embedded exchange on 127.0.0.1:${sim.port}, master ${masterPath})`);
    }
    const creds = credentials;
    // Live mode without a fixed --master: each morning's pre-session job fetches the day's master
    // and the engine reloads on it. (The simulator serves the master it started with.)
    const refreshMaster = o.credentials && !o.master
      ? async () => {
          const dl = await ensureDailyMaster({ dataDir: o.dataDir, url: o.masterUrl });
          if (dl.warning) log(`warning: ${dl.warning}`);
          return dl.path;
        }
      : undefined;
    // Live mode: the token can be replaced at run time (POST /api/v2/admin/credentials).
    const holder = {
      value: creds,
      get current() {
        return this.value;
      },
      set current(next) {
        if (next) secrets.add(next.token);
        this.value = next;
      },
    };
    app = new App({
      dataDir: o.dataDir,
      masterPath,
      feedUrl,
      apiUrl,
      credentials: () => holder.current,
      ...(o.credentials ? { credentialsHolder: holder } : {}),
      log,
      keepWatchlists: o.keepWatchlists,
      mode: sim ? 'simulator' : 'live',
      ...(refreshMaster ? { refreshMaster } : {}),
      ...(masterWarning ? { masterWarning } : {}),
    });
    const status = await app.start();
    log(`market: ${status.market}`);
    if (status.tierBPending.length) log(`tier B pending (no price yet): ${status.tierBPending.join(', ')}`);

    // Browser mode: the built UI (npm run build) from this package's out/renderer, when present.
    const rendererDir = resolve(__dirname, '..', '..', 'out', 'renderer');
    server = createHttpServer({ api: createApi(app), token: apiToken, log: fail, ...(existsSync(join(rendererDir, 'index.html')) ? { staticDir: rendererDir } : {}) });
    // Events (GET /api/v2/stream, WebSocket) on the same port: see event-stream.ts.
    stream = attachEventStream(server, { app, token: apiToken, log: fail });
    const port = await listenHttp(server, o.port);
    log(`strikedesk ready: http://127.0.0.1:${port}/?token=${apiToken}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(`strikedesk: ${code === 'EADDRINUSE' ? `port ${o.port} is in use (try --port 0)` : err instanceof Error ? err.message : String(err)}`);
    await stopAll();
    return 1;
  }

  const signal = await waitForSignal();
  log(`${signal}: stopping`);
  await stopAll();
  log('strikedesk stopped');
  return 0;
}

main().then(
  // Exit explicitly: a timer left by a dependency must not keep a stopped server alive.
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
