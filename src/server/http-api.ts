/**
 * The contract over HTTP: the REST API v2 on loopback, for scripts and spreadsheets on the same
 * machine. A thin adapter: match the route, assemble the request, validate it at the edge with
 * the contract's schema, call the api, and answer its response JSON as is (200) or the error
 * envelope `{ ok: false, error: { code, message } }` with a status from http-status.ts.
 *
 * Guards, in order, before anything reaches the api:
 * - Host must be 127.0.0.1 or localhost (any port): a page on another origin that re-binds its
 *   DNS name to 127.0.0.1 still sends its own Host, and is refused with 403.
 * - `Authorization: Bearer <per-install token>`, compared in constant time (both sides hashed
 *   first, so neither the length nor a prefix leaks), or a browser session cookie from the
 *   one-time login link (`GET /login?code=`, see browser-session.ts, with its CSRF rules: a
 *   matching Origin when one is sent, `Content-Type: application/json` on POST and DELETE): 401
 *   otherwise.
 * - Every response carries `Referrer-Policy: no-referrer`; no response ever puts the bearer
 *   token in a URL or a Location header.
 * - Bodies are JSON objects of at most 1 MB (413 past it, 400 when not JSON or not an object).
 * A refused request changes nothing: validation happens once, here, before the api is called
 * (handlers get the parsed request and do not validate again), and the api is all-or-nothing itself.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Api, CommandName, CommandResponse } from '../shared/contract';
import { AppError, type ErrorCode, type ErrorInfo } from '../shared/errors';
import { BrowserSessions, LOGIN_LINK_PATH, LOGIN_PATH, loginLink, sameOrigin, sessionCookie, sessionFromCookie } from './browser-session';
import { publicError } from './http-status';
import { serveStatic } from './static-files';
import { validateRequest } from '../shared/validate';
import { matchRoute, queryRequest } from './routes';

export const MAX_BODY_BYTES = 1024 * 1024;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost']);

export interface HttpServerOptions {
  api: Api;
  /** The per-install bearer token (see api-token.ts). */
  token: string;
  /** Loopback only: 127.0.0.1 (default) or localhost. */
  host?: string;
  /** Where internal errors are logged (their details never reach the caller). Default console.error. */
  log?: (line: string) => void;
  /** Browser mode: the built renderer folder, served outside /api/. */
  staticDir?: string;
  /** Login codes and browser sessions, shared with the event stream. Default: a new store. */
  sessions?: BrowserSessions;
}

/** An error answered with its own HTTP status (guards that are not contract errors). */
class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time check of an Authorization header against the token. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  // Compare even when the header is absent, so timing does not tell the two cases apart.
  const given = digest(m?.[1] ?? '');
  return timingSafeEqual(given, expected) && m !== null;
}

/** True for `127.0.0.1`, `localhost`, optionally with a port. Exported for the event stream's upgrade guard. */
export function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const m = /^([^:]+)(?::\d{1,5})?$/.exec(host.trim().toLowerCase());
  return m !== null && LOOPBACK_NAMES.has(m[1]!);
}

/** Read the body as a JSON object; `{}` when empty. */
async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, 'BAD_REQUEST', `request body over ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'BAD_REQUEST', `request body over ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('BAD_REQUEST', 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AppError('BAD_REQUEST', 'request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Validate at the edge (once per call), then call the api with the parsed request. */
async function dispatch<K extends CommandName>(api: Api, name: K, input: unknown): Promise<CommandResponse<K>> {
  return api[name](validateRequest(name, input));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: ErrorInfo, headers: Record<string, string> = {}): void {
  send(res, status, { ok: false, error }, headers);
}

/**
 * An `http.Server` serving the REST API v2 (not yet listening: call `listenHttp`).
 * Throws when `host` is not a loopback address.
 */
export function createHttpServer(options: HttpServerOptions): Server & { strikedeskHost: string; sessions: BrowserSessions } {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_NAMES.has(host)) throw new AppError('BAD_REQUEST', `the API listens on loopback only, not on ${host}`);
  if (options.token.length < 16) throw new AppError('BAD_REQUEST', 'the API token is too short');
  const expected = digest(options.token);
  const log = options.log ?? ((line: string) => console.error(line));
  const { api } = options;
  const sessions = options.sessions ?? new BrowserSessions();

  /** `GET /login?code=`: spend the one-time code for a session cookie, then go to `/`. */
  const login = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    if (req.method !== 'GET') throw new HttpError(405, 'BAD_REQUEST', `${req.method} is not allowed on ${LOGIN_PATH}`, { allow: 'GET' });
    const id = sessions.redeem(url.searchParams.get('code'));
    if (id === null) throw new HttpError(401, 'AUTH', 'this login link was used or has expired: use the link of a new `npm run serve`, or POST /api/v2/session/login-link with the bearer token');
    res.writeHead(303, { location: '/', 'set-cookie': sessionCookie(req, id, sessions.sessionTtlMs), 'cache-control': 'no-store', 'content-length': '0' });
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!loopbackHost(req.headers.host)) throw new HttpError(403, 'AUTH', 'requests must be addressed to 127.0.0.1 or localhost');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === LOGIN_PATH) return login(req, res, url);
    // Browser mode: outside /api/ the built UI is served (it holds no secret; the API needs a session).
    const path = (req.url ?? '/').split('?')[0]!;
    if (options.staticDir && req.method === 'GET' && !path.startsWith('/api/')) {
      if (await serveStatic(options.staticDir, path, res)) return;
      throw new HttpError(404, 'NOT_FOUND', `no file ${path}`);
    }
    const bearer = authorized(req.headers.authorization, expected);
    if (!bearer) {
      if (!sessions.valid(sessionFromCookie(req))) {
        throw new HttpError(401, 'AUTH', 'missing or wrong bearer token (npm run cli -- api-token prints it), or no browser session (open the login link `npm run serve` prints)', {
          'www-authenticate': 'Bearer',
        });
      }
      // CSRF rules for the cookie (browser-session.ts).
      if (!sameOrigin(req, false)) throw new HttpError(403, 'AUTH', 'cross-origin requests are refused');
      if (req.method !== 'GET' && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
        throw new HttpError(415, 'BAD_REQUEST', 'requests that change state must be Content-Type: application/json');
      }
    }
    if (url.pathname === LOGIN_LINK_PATH) {
      if (!bearer) throw new HttpError(401, 'AUTH', 'a login link is minted with the bearer token only', { 'www-authenticate': 'Bearer' });
      if (req.method !== 'POST') throw new HttpError(405, 'BAD_REQUEST', `${req.method} is not allowed on ${LOGIN_LINK_PATH} (allowed: POST)`, { allow: 'POST' });
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      return send(res, 200, { url: loginLink(port, sessions.issueCode()), expires_in_s: Math.floor(sessions.codeTtlMs / 1000) });
    }
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    if (match.kind === 'none') throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
    if (match.kind === 'method') throw new HttpError(405, 'BAD_REQUEST', `${req.method} is not allowed on ${url.pathname} (allowed: ${match.allow.join(', ')})`, { allow: match.allow.join(', ') });
    const { route, params } = match;
    let input: Record<string, unknown>;
    if (route.method === 'POST') {
      if (url.search) throw new AppError('BAD_REQUEST', 'POST requests take a JSON body, not query parameters');
      input = await readJsonObject(req);
    } else {
      // GET and DELETE: what they read or remove is named by the path and the query.
      input = queryRequest(route, params, url.searchParams);
    }
    send(res, 200, await dispatch(api, route.command, input));
  };

  const server = createServer((req, res) => {
    // Every answer, of any kind: a page of this origin never sends its URL on to another.
    res.setHeader('referrer-policy', 'no-referrer');
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        sendError(res, err.status, { code: err.code, message: err.message }, err.headers);
        // Drain (not buffer) whatever of a refused body is still arriving, then the connection closes.
        req.resume();
        return;
      }
      const info: ErrorInfo = err instanceof AppError ? err.toInfo() : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
      const pub = publicError(info);
      if (pub.status >= 500) log(`api ${req.method} ${req.url?.split('?')[0]}: ${info.code}: ${info.message}`);
      sendError(res, pub.status, pub.error);
    });
  });
  return Object.assign(server, { strikedeskHost: host, sessions });
}

/** Listen on the server's loopback host; resolves to the bound port (useful with port 0). */
export function listenHttp(server: Server & { strikedeskHost: string }, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, server.strikedeskHost, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Stop accepting, drop idle and open connections, resolve when closed. */
export function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
