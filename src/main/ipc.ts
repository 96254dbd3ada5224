/**
 * The contract over Electron IPC: one `ipcMain.handle('api:<command>')` per contract command,
 * generated from the command table (src/shared/commands.ts: a command cannot be left out), and the
 * stream's two channels.
 *
 * Every message is checked before anything reaches the engine:
 * - The sender must be the main window's webContents, from its top frame, on one of the app's own
 *   pages (app-pages.ts). Anything else (another webContents, an iframe, a page the window was
 *   somehow navigated to) is refused and logged; nothing is forwarded.
 * - The request is validated once with the contract's schema (src/shared/validate.ts): a
 *   BAD_REQUEST envelope, nothing forwarded; the parsed request is what goes to the engine.
 * - Every handler answers an envelope and never throws; an engine that does not answer in time
 *   gives an error envelope saying so.
 *
 * `admin:set-credentials` stays in main: the token is saved encrypted (credential-store.ts) and
 * never returned or logged. In simulator mode (or with the engine down) the engine restarts in
 * live mode with the new credentials; in live mode they are forwarded so the feed resumes at once.
 */
import { COMMAND_NAMES } from '../shared/commands';
import type { CommandName, CommandRequest, Envelope } from '../shared/contract';
import { AppError, type ErrorInfo } from '../shared/errors';
import type { StreamClientMessage, StreamServerMessage } from '../shared/events';
import { commandChannel, STREAM_MESSAGE_CHANNEL, STREAM_SEND_CHANNEL } from '../shared/ipc-channels';
import { tokenExpiresAt } from '../shared/token-expiry';
import { parseStreamMessage, validateRequest } from '../shared/validate';
import { isAppUrl, type AppPages } from './app-pages';
import type { DhanCredentials } from './credential-store';

/** The parts of WebFrameMain the sender check reads. */
export interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
}

/** The parts of WebContents this module uses. */
export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed?(): boolean;
}

/** The parts of an IPC event the sender check reads. */
export interface IpcEventLike {
  readonly sender: WebContentsLike;
  readonly senderFrame: FrameLike | null;
}

/** The parts of Electron's ipcMain this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
}

/** What the IPC layer needs of the engine (EngineSupervisor). */
export interface EngineLink {
  readonly mode: 'simulator' | 'live' | null;
  call(command: CommandName, request: unknown): Promise<Envelope<unknown>>;
  stream(message: StreamClientMessage): void;
  restart(): Promise<Envelope<{ mode: 'simulator' | 'live' }>>;
}

export interface IpcDeps {
  engine: EngineLink;
  credentials: { save(credentials: DhanCredentials): Promise<void> };
  /** The main window's webContents, or null before it exists or after it closed. */
  windowContents(): WebContentsLike | null;
  pages: AppPages;
  log(line: string): void;
  /** How long a command may take in the engine (default 30 s). */
  callTimeoutMs?: number;
  /** How long a switch to live mode may take: the day's master is downloaded (default 180 s). */
  restartTimeoutMs?: number;
}

const REFUSED: Envelope<never> = { ok: false, error: { code: 'AUTH', message: 'refused: only the strikedesk window may call the engine' } };

/** An envelope for a failure, never carrying internals. */
function failure(err: unknown, fallback: string): Envelope<never> {
  return { ok: false, error: err instanceof AppError ? err.toInfo() : { code: 'INTERNAL', message: fallback } };
}

/** `work`'s envelope, or a timeout envelope after `ms`. */
async function within<T>(work: Promise<Envelope<T>>, ms: number, what: string): Promise<Envelope<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Envelope<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: { code: 'INTERNAL', message: `the engine did not answer ${what} within ${Math.round(ms / 1000)} s (busy or restarting): try again` } }), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Send one stream message to the window, if it is still there. */
export function sendStream(contents: WebContentsLike | null, message: StreamServerMessage): void {
  if (!contents || contents.isDestroyed?.()) return;
  contents.send(STREAM_MESSAGE_CHANNEL, message);
}

/** Register every IPC channel; returns a disposer that removes them. */
export function registerIpc(ipc: IpcMainLike, deps: IpcDeps): () => void {
  const callTimeoutMs = deps.callTimeoutMs ?? 30_000;
  const restartTimeoutMs = deps.restartTimeoutMs ?? 180_000;

  const allowed = (event: IpcEventLike, what: string): boolean => {
    const contents = deps.windowContents();
    const frame = event.senderFrame;
    const ok = contents !== null && event.sender === contents && frame !== null && frame.parent === null && isAppUrl(frame.url, deps.pages);
    if (!ok) deps.log(`ipc: refused ${what} from ${contents !== null && event.sender === contents ? `a frame at ${frame?.url ?? '(gone)'}` : 'another webContents'}`);
    return ok;
  };

  const setCredentials = async (request: CommandRequest<'admin:set-credentials'>): Promise<Envelope<unknown>> => {
    const creds: DhanCredentials = { clientId: request.client_id, token: request.access_token };
    try {
      await deps.credentials.save(creds);
    } catch (err) {
      return failure(err, 'the Dhan token could not be saved');
    }
    deps.log(`ipc: Dhan credentials saved (client ${creds.clientId})`);
    if (deps.engine.mode === 'live') return scrub(await within(deps.engine.call('admin:set-credentials', request), callTimeoutMs, 'admin:set-credentials'), creds.token);
    deps.log('ipc: restarting the engine in live mode');
    const started = await within(deps.engine.restart(), restartTimeoutMs, 'the switch to live mode');
    if (!started.ok) return scrub(started, creds.token);
    if (started.value.mode !== 'live') return { ok: false, error: { code: 'INTERNAL', message: 'the engine restarted without the new credentials' } };
    return { ok: true, value: { resumed: 0, token_expires_at: tokenExpiresAt(creds.token) } };
  };

  const channels: string[] = [];
  for (const name of COMMAND_NAMES) {
    const channel = commandChannel(name);
    channels.push(channel);
    ipc.handle(channel, async (event, input): Promise<Envelope<unknown>> => {
      if (!allowed(event, name)) return REFUSED;
      let request: unknown;
      try {
        request = validateRequest(name, input);
      } catch (err) {
        return failure(err, 'invalid request');
      }
      try {
        if (name === 'admin:set-credentials') return await setCredentials(request as CommandRequest<'admin:set-credentials'>);
        return await within(deps.engine.call(name, request), callTimeoutMs, name);
      } catch (err) {
        deps.log(`ipc ${name}: ${err instanceof Error ? err.message : String(err)}`);
        return failure(err, 'internal error: see the strikedesk log');
      }
    });
  }

  const onStreamSend = (event: IpcEventLike, raw: unknown): void => {
    if (!allowed(event, 'a stream message')) return;
    const parsed = parseStreamMessage(raw);
    if (!parsed.ok) return sendStream(event.sender, parsed.error);
    deps.engine.stream(parsed.message);
  };
  ipc.on(STREAM_SEND_CHANNEL, onStreamSend);

  return () => {
    for (const c of channels) ipc.removeHandler(c);
    ipc.removeListener(STREAM_SEND_CHANNEL, onStreamSend);
  };
}

/** Belt and braces: an answer that would carry the token is replaced by a plain error. */
function scrub<T>(envelope: Envelope<T>, token: string): Envelope<T> {
  if (!JSON.stringify(envelope).includes(token)) return envelope;
  const error: ErrorInfo = { code: envelope.ok ? 'INTERNAL' : envelope.error.code, message: 'the answer was withheld: it quoted the Dhan token' };
  return { ok: false, error };
}
