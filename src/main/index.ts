/**
 * Electron main process: thin on purpose. It owns the window (window.ts), the IPC edge (ipc.ts)
 * and the engine's process (engine-supervisor.ts); the engine itself runs in a utility process
 * (engine-entry.ts says why), never in this one.
 *
 * Life cycle:
 * - One instance per user: a second launch focuses the first (two engines would share one
 *   database and one API port).
 * - Start: the saved Dhan credentials are decrypted (credential-store.ts) and sent in the engine's
 *   start message; without them the engine runs the embedded simulator. The window opens while
 *   the engine boots; calls made meanwhile wait for it.
 * - Quit: the engine is stopped cleanly first (database closed, feed and API down), then the app
 *   exits; an engine that does not stop in time is killed.
 * The data folder is Electron's userData (database, masters, api-token, window state, logs).
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, safeStorage, session, utilityProcess } from 'electron';
import type { AppPages } from './app-pages';
import { CredentialStore } from './credential-store';
import { DEFAULT_API_PORT, type EngineStartConfig } from '../host/engine-protocol';
import { ENGINE_NODE_FLAGS } from '../shared/product';
import { EngineSupervisor, type EngineChild } from './engine-supervisor';
import { registerIpc, sendStream } from './ipc';
import { createMainLog } from './main-log';
import { createMainWindow, hardenSession } from './window';

/** STRIKEDESK_PORT for the scripts' REST API, as `npm run serve` reads it; default 8787. */
function apiPort(): number {
  const text = process.env['STRIKEDESK_PORT'];
  const port = Number(text ?? DEFAULT_API_PORT);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : DEFAULT_API_PORT;
}

/** The engine's utility process. Its environment leaves out any Dhan secret main was started with. */
function forkEngine(): EngineChild {
  const env = { ...process.env };
  delete env['STRIKEDESK_DHAN_TOKEN'];
  delete env['STRIKEDESK_DHAN_CLIENT_ID'];
  const child = utilityProcess.fork(join(__dirname, 'engine-entry.js'), [], { serviceName: 'strikedesk engine', stdio: 'inherit', env, execArgv: [...ENGINE_NODE_FLAGS] });
  return {
    postMessage: (m) => child.postMessage(m),
    onMessage: (listener) => void child.on('message', listener),
    onExit: (listener) => void child.on('exit', listener),
    kill: () => void child.kill(),
  };
}

function main(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let win: BrowserWindow | null = null;
  let engine: EngineSupervisor | null = null;
  let stopped = false;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  void app.whenReady().then(() => {
    const userData = app.getPath('userData');
    const log = createMainLog(join(userData, 'logs'));
    const info = (line: string): void => log('info', line);
    const pages: AppPages = { indexFile: join(__dirname, '../renderer/index.html'), devServerUrl: process.env['ELECTRON_RENDERER_URL'] };
    hardenSession(session.defaultSession, pages, info);

    const credentials = new CredentialStore(userData, safeStorage, info);
    const config = async (): Promise<EngineStartConfig> => ({ dataDir: userData, credentials: await credentials.load(), apiPort: apiPort() });
    const supervisor = new EngineSupervisor({
      spawn: forkEngine,
      config,
      onStream: (m) => sendStream(win && !win.isDestroyed() ? win.webContents : null, m),
      log,
    });
    engine = supervisor;
    registerIpc(ipcMain, {
      engine: supervisor,
      credentials,
      windowContents: () => (win && !win.isDestroyed() ? win.webContents : null),
      pages,
      log: info,
    });
    void supervisor.start().then((r) => {
      if (!r.ok) log('error', `engine did not start: ${r.error.message}`);
    });

    const open = (): void => {
      win = createMainWindow({ pages, preload: join(__dirname, '../preload/index.js'), stateFile: join(userData, 'window-state.json'), log: info });
      win.on('closed', () => (win = null));
    };
    open();
    app.on('activate', () => {
      if (!win) open();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Hold the quit until the engine has stopped (its database closed), then quit for real.
  app.on('before-quit', (event) => {
    if (stopped || !engine) return;
    event.preventDefault();
    if (engine.status === 'stopping') return;
    void engine.stop().finally(() => {
      stopped = true;
      app.quit();
    });
  });
}

main();
