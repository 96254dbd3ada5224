/**
 * `npm run serve -- [--port N] [--data-dir DIR] [--master FILE] [--client-id C --token-file PATH]
 * [--feed-url URL] [--api-url URL]`: run the engine headless with the REST API v2 on 127.0.0.1.
 *
 * The Dhan access token comes, in order of preference, from STRIKEDESK_DHAN_TOKEN or
 * `--token-file PATH` (`-` reads standard input; the file's first line, trimmed): neither shows in
 * the process list. `--token T` still works but prints a warning, because every user of the
 * machine can read a process's arguments (`ps`). When several are given, `--token` wins, then
 * `--token-file`, then the environment.
 *
 * This is a runtime entry point in src/host (the one place allowed to join core, server and sim),
 * so it may import src/sim: with no Dhan credentials (flags or STRIKEDESK_DHAN_CLIENT_ID /
 * STRIKEDESK_DHAN_TOKEN) it starts the embedded simulator on 127.0.0.1 (any free port) over a
 * master generated for today (IST), kept in the data folder and reused the same day, and points
 * the app at it. With credentials it talks to
 * Dhan; its instrument master is downloaded once per IST day (`--master-url`, default Dhan's) unless
 * `--master FILE` is given, falling back to the last good copy with a warning.
 *
 * The boot itself is engine-boot.ts, shared with the desktop app's engine process; the API and
 * stream are src/server/local-api.ts. The Dhan token is never printed: every log line passes through a filter
 * that masks it.
 * SIGINT/SIGTERM stop the HTTP server, the app and the simulator, then exit 0; a second signal
 * exits 1 at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DHAN_MASTER_URL } from '../core/instruments/master-download';
import { MIN_FAST_MINUTE_MS } from '../core/lifecycle/fast-minutes';
import { defaultDataDir, loadOrCreateApiToken } from '../server/api-token';
import { startLocalApi, type LocalApi } from '../server/local-api';
import { bootEngine, DHAN_API_URL, DHAN_FEED_URL, MasterUnavailableError, SecretMask, type Engine } from './engine-boot';

const USAGE = `usage: npm run serve -- [--port N] [--data-dir DIR] [--master FILE] [--master-url URL] [--keep-watchlists]
       [--client-id C (--token-file PATH|- | --token T)] [--feed-url URL] [--api-url URL]
       [--history-minute-ms N]  (simulator only: a history minute lasts N real ms, for demos and tests)
  the Dhan access token: STRIKEDESK_DHAN_TOKEN or --token-file (- for standard input); --token shows it in the process list
  without credentials (flags or STRIKEDESK_DHAN_CLIENT_ID / STRIKEDESK_DHAN_TOKEN) the embedded simulator is the exchange`;

/** Printed when the Dhan token is given as `--token`. */
const TOKEN_FLAG_WARNING =
  'strikedesk: warning: --token shows the Dhan access token in the process list (ps); use STRIKEDESK_DHAN_TOKEN or --token-file PATH (- for standard input) instead';

interface ServeOptions {
  port: number;
  dataDir: string;
  master: string | undefined;
  masterUrl: string;
  keepWatchlists: boolean;
  credentials: { clientId: string; token: string } | null;
  feedUrl: string;
  apiUrl: string;
  /** Simulator only: a history minute lasts this many real ms. */
  historyMinuteMs: number | undefined;
  /** The token was given as `--token` (visible in `ps`): warn. */
  tokenOnCommandLine: boolean;
}

/** The first line of a token file (`-`: standard input), trimmed. */
function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err))}`);
  }
  const token = (text.split(/\r?\n/, 1)[0] ?? '').trim();
  if (!token) throw new UsageError(`--token-file ${path}: the file is empty`);
  return token;
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
      'token-file': { type: 'string' },
      'feed-url': { type: 'string' },
      'api-url': { type: 'string' },
      'history-minute-ms': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const portText = v.port ?? env.STRIKEDESK_PORT;
  const port = Number(portText ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0-65535, got ${JSON.stringify(portText)}`);
  const clientId = v['client-id'] ?? env.STRIKEDESK_DHAN_CLIENT_ID ?? '';
  const token = v.token ?? (v['token-file'] !== undefined ? readTokenFile(v['token-file']) : undefined) ?? env.STRIKEDESK_DHAN_TOKEN ?? '';
  if (Boolean(clientId) !== Boolean(token)) throw new UsageError('give both the Dhan client id and the access token, or neither (simulator)');
  const minuteText = v['history-minute-ms'];
  const historyMinuteMs = minuteText === undefined ? undefined : Number(minuteText);
  if (historyMinuteMs !== undefined) {
    if (clientId) throw new UsageError('--history-minute-ms is for the embedded simulator only: with Dhan the history keeps real minutes');
    if (!Number.isInteger(historyMinuteMs) || historyMinuteMs < MIN_FAST_MINUTE_MS || historyMinuteMs > 60_000) {
      throw new UsageError(`--history-minute-ms must be an integer ${MIN_FAST_MINUTE_MS}-60000, got ${JSON.stringify(minuteText)}`);
    }
  }
  return {
    port,
    dataDir: resolve(v['data-dir'] ?? env.STRIKEDESK_DATA_DIR ?? defaultDataDir()),
    master: v.master ?? env.STRIKEDESK_MASTER,
    masterUrl: v['master-url'] ?? env.STRIKEDESK_MASTER_URL ?? DHAN_MASTER_URL,
    keepWatchlists: v['keep-watchlists'] ?? env.STRIKEDESK_KEEP_WATCHLISTS === '1',
    credentials: clientId && token ? { clientId, token } : null,
    feedUrl: v['feed-url'] ?? env.STRIKEDESK_FEED_URL ?? DHAN_FEED_URL,
    apiUrl: v['api-url'] ?? env.STRIKEDESK_API_URL ?? DHAN_API_URL,
    historyMinuteMs,
    tokenOnCommandLine: v.token !== undefined,
  };
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
  const mask = new SecretMask(o.credentials ? [o.credentials.token] : []);
  const log = (line: string): void => console.log(mask.apply(line));
  const fail = (line: string): void => console.error(mask.apply(line));
  if (o.tokenOnCommandLine) fail(TOKEN_FLAG_WARNING);

  const apiToken = loadOrCreateApiToken(o.dataDir);
  let engine: Engine | null = null;
  let local: LocalApi | null = null;
  const stopAll = async (): Promise<void> => {
    await local?.close();
    await engine?.stop();
  };

  try {
    try {
      engine = await bootEngine({
        dataDir: o.dataDir,
        credentials: o.credentials,
        ...(o.master ? { master: o.master } : {}),
        masterUrl: o.masterUrl,
        feedUrl: o.feedUrl,
        apiUrl: o.apiUrl,
        keepWatchlists: o.keepWatchlists,
        ...(o.historyMinuteMs !== undefined ? { historyMinuteMs: o.historyMinuteMs } : {}),
        log: (line) => console.log(line),
        mask,
      });
    } catch (err) {
      if (!(err instanceof MasterUnavailableError)) throw err;
      fail(`strikedesk: ${err.message}; or pass --master FILE (a Dhan scrip master CSV)`);
      return 2;
    }
    // Browser mode: the built UI (npm run build) from this package's out/renderer, when present.
    const rendererDir = resolve(__dirname, '..', '..', 'out', 'renderer');
    local = await startLocalApi({
      app: engine.app,
      api: engine.api,
      token: apiToken,
      port: o.port,
      log: fail,
      ...(existsSync(join(rendererDir, 'index.html')) ? { staticDir: rendererDir } : {}),
    });
    // The bearer token never goes into a URL: the browser gets a one-time login link instead.
    log(`strikedesk ready: ${local.loginLink()}`);
    log('  (a one-time browser login link, valid 5 minutes; scripts send Authorization: Bearer <token>, see npm run cli -- api-token)');
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
