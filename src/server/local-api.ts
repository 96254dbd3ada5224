/**
 * The REST API v2 and the event stream on one loopback port, over a running engine: what
 * `npm run serve` offers, and what the desktop app's engine process offers to scripts on the same
 * machine while the window is open. Closing order matters: the stream first, because its upgraded
 * sockets would otherwise hold the HTTP server open.
 */
import type { ApiEngine } from '../core/api/engine';
import type { Api } from '../shared/contract';
import { loginLink } from './browser-session';
import { attachEventStream } from './event-stream';
import { closeHttp, createHttpServer, listenHttp } from './http-api';

export interface LocalApiOptions {
  app: ApiEngine;
  api: Api;
  /** The per-install bearer token (api-token.ts). */
  token: string;
  /** 0 for any free port. */
  port: number;
  /** Internal errors (their details never reach a caller). */
  log: (line: string) => void;
  /** Browser mode: the built renderer folder, served outside /api/. */
  staticDir?: string;
}

export interface LocalApi {
  /** The bound port. */
  port: number;
  /** A new one-time browser login link, `http://127.0.0.1:<port>/login?code=…` (browser-session.ts). */
  loginLink(): string;
  /** Close the stream, then the HTTP server. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Listen on 127.0.0.1:`port`. Rejects with the listen error (EADDRINUSE has `code`), leaving
 * nothing open behind.
 */
export async function startLocalApi(o: LocalApiOptions): Promise<LocalApi> {
  const server = createHttpServer({ api: o.api, token: o.token, log: o.log, ...(o.staticDir ? { staticDir: o.staticDir } : {}) });
  // Events (GET /api/v2/stream, WebSocket) on the same port: see event-stream.ts.
  const stream = attachEventStream(server, { app: o.app, token: o.token, log: o.log, sessions: server.sessions });
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await stream.close();
      await closeHttp(server);
    })());
  try {
    const port = await listenHttp(server, o.port);
    return { port, close, loginLink: () => loginLink(port, server.sessions.issueCode()) };
  } catch (err) {
    await close();
    throw err;
  }
}
