/**
 * The one app window and its session, with Electron's security defaults made explicit:
 * - The renderer is sandboxed, context-isolated, without Node, with web security on; it reaches
 *   the engine only through the preload's `window.api` (ipc.ts checks every sender).
 * - The built app's page gets a Content-Security-Policy response header (APP_CSP); the renderer's
 *   own <meta> policy stays as a second layer.
 * - Every permission request (camera, notifications, geolocation ...) is denied: the app needs none.
 * - The window never navigates away from the app: `will-navigate` is cancelled unless it stays on
 *   the same page; new windows are denied, and http(s) links open in the system browser.
 * - Size, position and maximised state persist in `<userData>/window-state.json` (window-state.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BrowserWindow, screen, shell, type Session } from 'electron';
import { PRODUCT_NAME } from '../shared/product';
import { isAppUrl, isExternalLink, isSamePage, withCsp, type AppPages } from './app-pages';
import { captureWindowState, debounced, MIN_HEIGHT, MIN_WIDTH, parseWindowState, restoreWindowState, type WindowState } from './window-state';

export interface MainWindowOptions {
  pages: AppPages;
  /** The built preload script. */
  preload: string;
  /** `<userData>/window-state.json`. */
  stateFile: string;
  log(line: string): void;
}

/** Lock the session down: CSP on the app's pages, no permissions. Call once, before any window. */
export function hardenSession(ses: Session, pages: AppPages, log: (line: string) => void): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log(`window: denied a permission request (${permission})`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  // The built app only: in `npm run dev` Vite injects an inline module script (React fast
  // refresh) that this policy would block; the dev server is the developer's own loopback.
  if (pages.devServerUrl) return;
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (details.resourceType === 'mainFrame' && isAppUrl(details.url, pages)) callback({ responseHeaders: withCsp(details.responseHeaders) });
    else callback({});
  });
}

function readState(file: string): WindowState | null {
  try {
    return parseWindowState(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function writeState(file: string, state: WindowState, log: (line: string) => void): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state)}\n`);
    renameSync(tmp, file);
  } catch (err) {
    log(`window: could not save its size and position: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Create and load the main window. */
export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const state = restoreWindowState(
    readState(o.stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: PRODUCT_NAME,
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  const contents = win.webContents;
  contents.on('will-navigate', (event, url) => {
    if (isSamePage(url, contents.getURL())) return;
    event.preventDefault();
    o.log(`window: blocked a navigation to ${url}`);
    if (isExternalLink(url)) void shell.openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (event.isMainFrame && !isAppUrl(url, o.pages)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    else o.log(`window: denied a new window for ${url}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());

  // Bursts of move/resize events: only the last state of a burst is written; close writes at once.
  const saver = debounced<WindowState>((s) => writeState(o.stateFile, s, o.log), 500);
  const capture = (): void => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    saver.push(captureWindowState(win.getNormalBounds(), win.isMaximized()));
  };
  win.on('resize', capture);
  win.on('move', capture);
  win.on('maximize', capture);
  win.on('unmaximize', capture);
  win.on('close', () => {
    capture();
    saver.flush();
  });
  win.on('closed', () => saver.dispose());

  if (o.pages.devServerUrl) void win.loadURL(o.pages.devServerUrl);
  else void win.loadFile(o.pages.indexFile);
  return win;
}
