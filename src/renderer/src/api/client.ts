/**
 * The one module that looks at `window.api`: the desktop app (preload present) talks IPC, a
 * browser tab (browser mode, `npm run serve`) talks REST + WebSocket to the page's own origin,
 * authorised by the HttpOnly session cookie of the login link (no token in the page's JS).
 */
import { createHttpTransport } from './http-transport';
import { createIpcTransport } from './ipc-transport';
import type { Transport } from './transport';

/** The transport for this window. */
export function createTransport(): Transport {
  const api = window.api;
  if (api && typeof api.invoke === 'function') return createIpcTransport(api);
  return createHttpTransport({ baseUrl: window.location.origin });
}
