/**
 * The engine process's logic, transport-free: it takes a port-like object, so the same code runs
 * in Electron's utility process (engine-entry.ts binds it to `process.parentPort`) and in tests on
 * plain Node over an in-memory port.
 *
 * What it does:
 * - `start`: boots the engine (engine-boot.ts: simulator without credentials, Dhan with them),
 *   then the loopback REST API + event stream for scripts (port from the config; a port in use is
 *   a warning, the desktop app carries on without it), then says `ready`. A boot failure is one
 *   `fatal` message; the process then exits and main restarts it with backoff.
 * - `call`: runs a contract command. This port is an edge of its own (a process boundary), so the
 *   request is validated here once (`withValidation`), whatever main did first, and the handler
 *   gets the parsed request. An AppError crosses as its code and message (masked of secrets);
 *   anything else is INTERNAL with a generic message, its details only in the log. Calls that
 *   arrive while the engine boots wait.
 * - `stream`: one StreamSession for the window. A 100 ms timer builds one batch of everything
 *   that changed for the window's views and posts it as one message: never a message per tick.
 *   A MessagePort gives no backpressure signal, so each built batch is committed as it is posted.
 * - `stop`: stops the timer, the API, the engine and the simulator, then says `stopped`.
 */
import { StreamSession } from '../core/api/stream-session';
import { loadOrCreateApiToken } from '../server/api-token';
import { startLocalApi, type LocalApi } from '../server/local-api';
import { isCommandName } from '../shared/commands';
import type { Api, Envelope } from '../shared/contract';
import { AppError, type ErrorInfo } from '../shared/errors';
import type { StreamErrorMessage } from '../shared/events';
import { parseStreamMessage, withValidation } from '../shared/validate';
import { bootEngine, MasterUnavailableError, SecretMask, type Engine, type EngineBootOptions } from './engine-boot';
import { isMainToEngine, type EngineStartConfig, type EngineToMain, type MainToEngine } from './engine-protocol';

/** The parent's side of the channel, as the host sees it (Electron's ParentPort, or a test's fake). */
export interface EnginePort {
  postMessage(message: EngineToMain): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

export interface EngineHostOptions {
  /** Extra boot options; tests pin the market clock and a small master here. */
  boot?: Partial<Pick<EngineBootOptions, 'now' | 'master' | 'masterUrl' | 'feedUrl' | 'apiUrl'>>;
  /** Stream batch interval, ms (default 100). */
  streamIntervalMs?: number;
}

export interface EngineHost {
  /** Settles once the host is done: `stopped` after a stop, `fatal` after a failed boot. */
  readonly done: Promise<'stopped' | 'fatal'>;
  /** Tell main the process is going down on an uncaught error (masked of secrets). */
  reportCrash(err: unknown): void;
}

const INTERNAL_MESSAGE = 'internal error: see the strikedesk log';
type StreamErrorCode = StreamErrorMessage['error']['code'];
/** The codes a stream error may carry; others cross as INTERNAL. */
const STREAM_CODES = new Set<string>(['BAD_REQUEST', 'NOT_FOUND', 'UNKNOWN_SYMBOL', 'INTERNAL'] satisfies StreamErrorCode[]);

/** Serve the engine over `port` until a `stop` (or a failed boot). */
export function runEngineHost(port: EnginePort, options: EngineHostOptions = {}): EngineHost {
  const intervalMs = options.streamIntervalMs ?? 100;
  const mask = new SecretMask();
  let engine: Engine | null = null;
  /** The engine's api behind the validating adapter: what `call` runs. */
  let api: Api | null = null;
  let booting: Promise<Engine | null> | null = null;
  let failure: ErrorInfo | null = null;
  let local: LocalApi | null = null;
  let session: StreamSession | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopping: Promise<void> | null = null;
  let finish!: (how: 'stopped' | 'fatal') => void;
  const done = new Promise<'stopped' | 'fatal'>((resolve) => (finish = resolve));

  const post = (m: EngineToMain): void => {
    try {
      port.postMessage(m);
    } catch {
      // The parent is gone: nobody is left to tell.
    }
  };
  const log = (line: string, level: 'info' | 'warn' | 'error' = /^warning\b/i.test(line) ? 'warn' : 'info'): void => post({ type: 'log', level, line: mask.apply(line) });

  /** A failure as it crosses to the window: AppErrors as they are, the rest without internals. */
  const errorInfo = (err: unknown, what: string): ErrorInfo => {
    if (err instanceof AppError) return { code: err.code, message: mask.apply(err.message) };
    log(`${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, 'error');
    return { code: 'INTERNAL', message: INTERNAL_MESSAGE };
  };

  /** The running engine, once booted; null when the boot failed or a stop began. */
  const running = async (): Promise<Engine | null> => {
    const e = booting ? await booting : null;
    return stopping ? null : e;
  };
  const notRunning = (): ErrorInfo =>
    failure ? { code: failure.code, message: `the engine is not running: ${failure.message}` } : { code: 'INTERNAL', message: stopping ? 'the engine is stopping' : 'the engine has not been started' };

  const flush = (): void => {
    if (!session || stopping) return;
    try {
      const pending = session.build(Date.now());
      if (!pending) return;
      pending.commit();
      post({ type: 'stream', message: pending.batch });
    } catch (err) {
      log(`stream batch: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  };

  const startApi = async (e: Engine, config: EngineStartConfig): Promise<number | null> => {
    if (config.apiPort === null) return null;
    try {
      local = await startLocalApi({ app: e.app, api: e.api, token: loadOrCreateApiToken(config.dataDir), port: config.apiPort, log: (l) => log(l, 'error') });
      log(`REST API v2 for scripts: http://127.0.0.1:${local.port}/api/v2 (bearer token: npm run cli -- api-token --data-dir "${config.dataDir}")`);
      return local.port;
    } catch (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      log(`warning: ${inUse ? `port ${config.apiPort} is in use` : err instanceof Error ? err.message : String(err)}: the REST API for scripts is off; the app carries on without it`, 'warn');
      return null;
    }
  };

  const boot = async (config: EngineStartConfig): Promise<Engine | null> => {
    if (config.credentials) mask.add(config.credentials.token);
    try {
      const e = await bootEngine({
        dataDir: config.dataDir,
        credentials: config.credentials,
        log: (line) => log(line),
        mask,
        ...options.boot,
      });
      engine = e;
      api = withValidation(e.api);
      session = new StreamSession(e.app);
      timer = setInterval(flush, intervalMs);
      const apiPort = await startApi(e, config);
      post({ type: 'ready', mode: e.mode, apiPort });
      return e;
    } catch (err) {
      // The reason goes to the window as it is (masked): the user has to act on it.
      const message = mask.apply(err instanceof Error ? err.message : String(err));
      failure = err instanceof AppError ? { code: err.code, message } : { code: err instanceof MasterUnavailableError ? 'NETWORK' : 'INTERNAL', message };
      log(`engine start failed: ${failure.message}`, 'error');
      post({ type: 'fatal', code: failure.code, message: failure.message });
      await shutdown();
      finish('fatal');
      return null;
    }
  };

  /** Stop everything this host started; safe to call twice. */
  const shutdown = async (): Promise<void> => {
    if (timer) clearInterval(timer);
    timer = null;
    session?.dispose();
    session = null;
    await local?.close().catch((err: unknown) => log(`closing the REST API: ${String(err)}`, 'error'));
    local = null;
    await engine?.stop().catch((err: unknown) => log(`stopping the engine: ${err instanceof Error ? err.message : String(err)}`, 'error'));
    engine = null;
    api = null;
  };

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await booting;
      await shutdown();
      post({ type: 'stopped' });
      finish('stopped');
    })());

  const call = async (m: Extract<MainToEngine, { type: 'call' }>): Promise<void> => {
    let envelope: Envelope<unknown>;
    const e = await running();
    if (!e || !api) {
      envelope = { ok: false, error: notRunning() };
    } else if (!isCommandName(m.command)) {
      envelope = { ok: false, error: { code: 'BAD_REQUEST', message: `unknown command "${String(m.command)}"` } };
    } else {
      try {
        // withValidation parses the request before the handler runs; the indexed generic cannot
        // be expressed for a command only known at run time, hence the cast.
        const fn = api[m.command] as (request: unknown) => Promise<unknown>;
        envelope = { ok: true, value: await fn(m.request) };
      } catch (err) {
        envelope = { ok: false, error: errorInfo(err, m.command) };
      }
    }
    post({ type: 'result', id: m.id, envelope });
  };

  const stream = async (raw: unknown): Promise<void> => {
    const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : undefined;
    const fail = (error: ErrorInfo): StreamErrorMessage => ({ type: 'error', error: { code: STREAM_CODES.has(error.code) ? (error.code as StreamErrorCode) : 'INTERNAL', message: error.message }, ...(id !== undefined ? { id } : {}) });
    const e = await running();
    if (!e || !session) return post({ type: 'stream', message: fail(notRunning()) });
    const parsed = parseStreamMessage(raw);
    if (!parsed.ok) return post({ type: 'stream', message: parsed.error });
    try {
      post({ type: 'stream', message: session.handle(parsed.message) });
    } catch (err) {
      post({ type: 'stream', message: fail(errorInfo(err, 'stream')) });
    }
  };

  port.on('message', (raw) => {
    if (!isMainToEngine(raw)) return log('warning: dropped a malformed message from main', 'warn');
    switch (raw.type) {
      case 'start':
        if (booting) return log('warning: start ignored: the engine was already started', 'warn');
        booting = boot(raw.config);
        return;
      case 'call':
        void call(raw);
        return;
      case 'stream':
        void stream(raw.message);
        return;
      case 'stop':
        void stop();
        return;
    }
  });

  return {
    done,
    reportCrash(err) {
      post({ type: 'fatal', code: 'INTERNAL', message: mask.apply(`the engine crashed: ${err instanceof Error ? err.message : String(err)}`) });
    },
  };
}
