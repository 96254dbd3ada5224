/**
 * The IPC edge of the desktop app, with Electron's parts faked at the edge only: an ipcMain that
 * collects handlers, webContents and frames, a safeStorage whose encryption visibly changes the
 * bytes. The credential store writes a real file in a temp folder; the engine is a recording fake.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CredentialStore, type SafeStorageLike } from '../src/main/credential-store';
import { registerIpc, sendStream, type EngineLink, type IpcDeps, type IpcEventLike, type IpcMainLike, type WebContentsLike } from '../src/main/ipc';
import { COMMAND_NAMES } from '../src/shared/commands';
import { requestSchemas, type CommandName, type Envelope } from '../src/shared/contract';
import type { StreamClientMessage } from '../src/shared/events';
import { commandChannel } from '../src/shared/ipc-channels';
import { COMMAND_SAMPLES, parsedSample } from './helpers/command-samples';

vi.mock('electron', () => {
  throw new Error('the IPC layer must not load electron itself: it is handed ipcMain');
});

const INDEX = join(tmpdir(), 'strikedesk-app', 'out', 'renderer', 'index.html');
const APP_URL = `file://${INDEX}`;
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.dhan-secret-access-token.sig-4711';

const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.useRealTimers();
  while (cleanups.length) cleanups.pop()!();
});

type Listener = (event: IpcEventLike, ...args: unknown[]) => unknown;

/** ipcMain as far as registerIpc uses it. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  readonly listeners = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: Listener): void {
    this.listeners.set(channel, listener);
  }
  removeListener(channel: string): void {
    this.listeners.delete(channel);
  }
  invoke(channel: string, event: IpcEventLike, request: unknown): Promise<Envelope<unknown>> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`no handler for ${channel}`);
    return Promise.resolve(h(event, request)) as Promise<Envelope<unknown>>;
  }
}

class FakeContents implements WebContentsLike {
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

/** Encryption that visibly changes every byte, reversible, like the OS keychain would. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  const flip = (b: Buffer): Buffer => Buffer.from(b.map((x) => x ^ 0xa5));
  return {
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    encryptStringAsync: async (plain) => Buffer.concat([Buffer.from('ENC1'), flip(Buffer.from(plain, 'utf8'))]),
    decryptStringAsync: async (bytes) => {
      if (bytes.subarray(0, 4).toString() !== 'ENC1') throw new Error('not ours');
      return { result: flip(bytes.subarray(4)).toString('utf8'), shouldReEncrypt: false };
    },
    ...(options.backend ? { getSelectedStorageBackend: () => options.backend! } : {}),
  };
}

/** A recording engine. */
class FakeEngine implements EngineLink {
  mode: 'simulator' | 'live' | null = 'simulator';
  readonly calls: { command: CommandName; request: unknown }[] = [];
  readonly streamed: StreamClientMessage[] = [];
  restarts = 0;
  answer: (command: CommandName) => Promise<Envelope<unknown>> = async (command) => ({ ok: true, value: { echoed: command } });
  call(command: CommandName, request: unknown): Promise<Envelope<unknown>> {
    this.calls.push({ command, request });
    return this.answer(command);
  }
  stream(message: StreamClientMessage): void {
    this.streamed.push(message);
  }
  async restart(): Promise<Envelope<{ mode: 'simulator' | 'live' }>> {
    this.restarts++;
    this.mode = 'live';
    return { ok: true, value: { mode: 'live' } };
  }
}

function setup(options: { safe?: SafeStorageLike; devServerUrl?: string; callTimeoutMs?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'strikedesk-ipc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const ipc = new FakeIpcMain();
  const window = new FakeContents();
  const engine = new FakeEngine();
  const logs: string[] = [];
  const store = new CredentialStore(dir, options.safe ?? fakeSafeStorage(), (l) => logs.push(l));
  const deps: IpcDeps = {
    engine,
    credentials: store,
    windowContents: () => window,
    pages: { indexFile: INDEX, devServerUrl: options.devServerUrl, platform: 'linux' },
    log: (l) => logs.push(l),
    ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
  };
  const dispose = registerIpc(ipc, deps);
  /** An event from the main window's top frame on the app's page (or as overridden). */
  const event = (o: { sender?: WebContentsLike; url?: string; parent?: unknown; frame?: null } = {}): IpcEventLike => ({
    sender: o.sender ?? window,
    senderFrame: o.frame === null ? null : { url: o.url ?? APP_URL, parent: o.parent ?? null },
  });
  return { ipc, window, engine, logs, store, dispose, event, dir };
}

describe('registerIpc', () => {
  it('registers one handler per contract command, and the stream channel', () => {
    const { ipc, dispose } = setup();
    expect([...ipc.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map(commandChannel).sort());
    expect([...ipc.listeners.keys()]).toEqual(['stream:send']);
    dispose();
    expect(ipc.handlers.size + ipc.listeners.size).toBe(0);
  });

  it('forwards a valid request, as validated, and answers the engine envelope', async () => {
    const { ipc, engine, event } = setup();
    const res = await ipc.invoke('api:watchlist:add', event(), { user_id: 'trader', symbol: ' RELIANCE ', instrument_type: 'STOCK_OPTION' });
    expect(res).toEqual({ ok: true, value: { echoed: 'watchlist:add' } });
    expect(engine.calls).toEqual([{ command: 'watchlist:add', request: { user_id: 'trader', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' } }]);
  });

  it('carries every command of the table on its channel, forwarding the parsed request validated once', async () => {
    const { ipc, engine, event } = setup();
    engine.mode = 'live'; // so admin:set-credentials is forwarded too (after saving), not a restart
    const spies = COMMAND_NAMES.map((name) => [name, vi.spyOn(requestSchemas[name], 'safeParse')] as const);
    try {
      for (const name of COMMAND_NAMES) {
        expect(await ipc.invoke(commandChannel(name), event(), COMMAND_SAMPLES[name]), name).toEqual({ ok: true, value: { echoed: name } });
      }
      expect(engine.calls).toEqual(COMMAND_NAMES.map((command) => ({ command, request: parsedSample(command) })));
      expect(Object.fromEntries(spies.map(([name, spy]) => [name, spy.mock.calls.length]))).toEqual(Object.fromEntries(COMMAND_NAMES.map((n) => [n, 1])));
    } finally {
      for (const [, spy] of spies) spy.mockRestore();
    }
  });

  it('refuses bad input with BAD_REQUEST and forwards nothing', async () => {
    const { ipc, engine, event } = setup();
    const bad: [string, unknown][] = [
      ['api:watchlist:add', { user_id: 'trader', symbol: 'RELIANCE' }],
      ['api:watchlist:add', { user_id: 'trader', symbol: 'RELIANCE', instrument_type: 'FUTURE' }],
      ['api:watchlist:list', { user_id: 'trader', sql: 'drop table watchlist' }],
      ['api:instruments:search', { q: 42 }],
      ['api:subscriptions:get', { token: '../../etc/passwd' }],
      ['api:settings:set', 'keep'],
      ['api:option-chain:unsubscribe', { view_id: '' }],
    ];
    for (const [channel, request] of bad) {
      expect(await ipc.invoke(channel, event(), request), channel).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(engine.calls).toEqual([]);
  });

  it('refuses a foreign sender and forwards nothing', async () => {
    const { ipc, engine, event, logs } = setup();
    const request = { user_id: 'trader' };
    const foreign = [
      event({ sender: new FakeContents() }),
      event({ parent: { url: APP_URL } }),
      event({ url: 'https://evil.example/index.html' }),
      event({ url: `file://${join(tmpdir(), 'elsewhere', 'index.html')}` }),
      event({ frame: null }),
    ];
    for (const e of foreign) expect(await ipc.invoke('api:watchlist:list', e, request)).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(engine.calls).toEqual([]);
    expect(logs.filter((l) => l.startsWith('ipc: refused'))).toHaveLength(foreign.length);
    // The app's own page, with a fragment, is fine.
    expect(await ipc.invoke('api:watchlist:list', event({ url: `${APP_URL}#/chains` }), request)).toMatchObject({ ok: true });
  });

  it('in dev mode accepts the dev server origin only', async () => {
    const { ipc, engine, event } = setup({ devServerUrl: 'http://localhost:5173' });
    expect(await ipc.invoke('api:settings:get', event({ url: 'http://localhost:5173/' }), {})).toMatchObject({ ok: true });
    expect(await ipc.invoke('api:settings:get', event({ url: 'http://localhost:5174/' }), {})).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(await ipc.invoke('api:settings:get', event({ url: APP_URL }), {})).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(engine.calls).toHaveLength(1);
  });

  it('answers a timeout envelope when the engine does not answer', async () => {
    vi.useFakeTimers();
    const { ipc, engine, event } = setup({ callTimeoutMs: 5_000 });
    engine.answer = () => new Promise(() => undefined);
    const pending = ipc.invoke('api:subscriptions:status', event(), {});
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/did not answer subscriptions:status within 5 s/) } });
  });
});

describe('admin:set-credentials', () => {
  const request = { client_id: '1100123456', access_token: TOKEN };

  it('in simulator mode: stores the token encrypted, restarts the engine live, and never answers or logs it', async () => {
    const { ipc, engine, event, logs, store } = setup();
    const res = await ipc.invoke('api:admin:set-credentials', event(), request);
    expect(res).toEqual({ ok: true, value: { resumed: 0, token_expires_at: null } });
    expect(JSON.stringify(res)).not.toContain(TOKEN);
    expect(engine.restarts).toBe(1);
    expect(engine.calls).toEqual([]); // main handled it: the simulator engine never saw the token
    const bytes = readFileSync(store.file);
    expect(bytes.includes(Buffer.from(TOKEN))).toBe(false);
    expect(bytes.includes(Buffer.from('access_token'))).toBe(false);
    expect(await store.load()).toEqual({ clientId: '1100123456', token: TOKEN });
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('in live mode: stores it and forwards it so the feed resumes; a reply quoting the token is withheld', async () => {
    const { ipc, engine, event, store } = setup();
    engine.mode = 'live';
    engine.answer = async () => ({ ok: true, value: { resumed: 5, token_expires_at: null } });
    expect(await ipc.invoke('api:admin:set-credentials', event(), request)).toEqual({ ok: true, value: { resumed: 5, token_expires_at: null } });
    expect(engine.calls.map((c) => c.command)).toEqual(['admin:set-credentials']);
    expect(engine.restarts).toBe(0);
    expect(existsSync(store.file)).toBe(true);

    engine.answer = async () => ({ ok: false, error: { code: 'AUTH', message: `token ${TOKEN} refused` } });
    const res = await ipc.invoke('api:admin:set-credentials', event(), request);
    expect(res).toMatchObject({ ok: false, error: { code: 'AUTH' } });
    expect(JSON.stringify(res)).not.toContain(TOKEN);
  });

  it('refuses with a clear error when the OS cannot encrypt, writing and forwarding nothing', async () => {
    for (const safe of [fakeSafeStorage({ available: false }), fakeSafeStorage({ backend: 'basic_text' })]) {
      const { ipc, engine, event, store } = setup({ safe });
      const res = await ipc.invoke('api:admin:set-credentials', event(), request);
      expect(res).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not saved: .*(keyring|encryption)/) } });
      expect(existsSync(store.file)).toBe(false);
      expect(engine.calls).toEqual([]);
      expect(engine.restarts).toBe(0);
    }
  });

  it('a bad token is refused before anything is stored', async () => {
    const { ipc, engine, event, store } = setup();
    expect(await ipc.invoke('api:admin:set-credentials', event(), { client_id: '1100', access_token: 'short' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(existsSync(store.file)).toBe(false);
    expect(engine.restarts + engine.calls.length).toBe(0);
  });

  it('a credentials file that cannot be decrypted is ignored, and its content never logged', async () => {
    const { store, logs } = setup();
    const other = new CredentialStore(join(store.file, '..'), {
      ...fakeSafeStorage(),
      decryptStringAsync: async () => {
        throw new Error(`bad mac on ${TOKEN}`);
      },
    }, (l) => logs.push(l));
    await store.save({ clientId: '1100', token: TOKEN });
    expect(await other.load()).toBeNull();
    expect(logs.join('\n')).toMatch(/could not be decrypted/);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });
});

describe('the stream over IPC', () => {
  it('forwards valid messages, answers invalid ones to the sender, and ignores foreign senders', () => {
    const { ipc, engine, window, event } = setup();
    const send = ipc.listeners.get('stream:send')!;
    send(event(), { op: 'subscribe', view: 'chain', symbol: 'NIFTY', id: 'a' });
    expect(engine.streamed).toEqual([{ op: 'subscribe', view: 'chain', symbol: 'NIFTY', id: 'a' }]);

    send(event(), { op: 'subscribe', view: 'chain', id: 'b' });
    send(event(), { op: 'drop', view: 'status' });
    expect(engine.streamed).toHaveLength(1);
    expect(window.sent.map((s) => s.channel)).toEqual(['stream:message', 'stream:message']);
    expect(window.sent[0]!.args[0]).toMatchObject({ type: 'error', error: { code: 'BAD_REQUEST' }, id: 'b' });

    const other = new FakeContents();
    send(event({ sender: other }), { op: 'subscribe', view: 'status' });
    send(event({ url: 'https://evil.example/' }), { op: 'subscribe', view: 'status' });
    expect(engine.streamed).toHaveLength(1);
    expect(other.sent).toEqual([]);
  });

  it('sends engine messages to the window on stream:message, and nowhere once it is gone', () => {
    const contents = new FakeContents();
    const batch = { type: 'batch' as const, seq: 1, at: 0, chains: {} };
    sendStream(contents, batch);
    expect(contents.sent).toEqual([{ channel: 'stream:message', args: [batch] }]);
    contents.destroyed = true;
    sendStream(contents, batch);
    sendStream(null, batch);
    expect(contents.sent).toHaveLength(1);
  });
});
