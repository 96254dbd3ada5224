/**
 * Browser sessions for the loopback API: the long-lived bearer token never appears in a URL.
 *
 * Login flow:
 * - `npm run serve` prints a one-time login link, `http://127.0.0.1:<port>/login?code=<code>`:
 *   32 random bytes (base64url), valid once and for LOGIN_CODE_TTL_MS (5 minutes). A fresh link
 *   is minted with `POST /api/v2/session/login-link` (bearer token only).
 * - `GET /login?code=` redeems the code (it is deleted whether or not the rest succeeds) for a
 *   session: 303 to `/` with the cookie `strikedesk_session_<port>=<32 random bytes>` (HttpOnly,
 *   SameSite=Strict, Path=/, Max-Age = SESSION_TTL_MS). A used, expired or unknown code is 401:
 *   a link left in history is worthless. The Location header is always `/`.
 * - Cookies are not scoped by port (a cookie for 127.0.0.1 is sent to every port of that host), so
 *   the cookie's name carries the API port, and a session is only valid on the server that made
 *   it (sessions live in memory: a restart logs every tab out; the new ready line has a new link).
 * - REST and the event stream accept the session cookie as well as `Authorization: Bearer`.
 *
 * CSRF (for requests authorised by the cookie only; bearer callers are scripts, not browsers):
 * - SameSite=Strict keeps the cookie off requests started by other sites. Other ports of the same
 *   host count as the same site, so in addition:
 * - an `Origin` header, when present, must be `http://<the request's Host>`: 403 otherwise. The
 *   WebSocket upgrade must carry a matching Origin (browsers always send one there).
 * - state-changing requests (POST) must be `Content-Type: application/json`: a cross-origin page
 *   cannot send that without a CORS preflight, which this server never grants (415 otherwise).
 * The Host guard (127.0.0.1 / localhost only) still runs first, and every response carries
 * `Referrer-Policy: no-referrer`.
 *
 * Codes and session ids are kept only as SHA-256 digests; at most MAX_CODES codes and
 * MAX_SESSIONS sessions are held (the oldest is dropped first).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const LOGIN_PATH = '/login';
export const LOGIN_LINK_PATH = '/api/v2/session/login-link';
export const LOGIN_CODE_TTL_MS = 5 * 60_000;
export const SESSION_TTL_MS = 24 * 3600_000;
const MAX_CODES = 32;
const MAX_SESSIONS = 256;

const digest = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const fresh = (): string => randomBytes(32).toString('base64url');

/** Codes and sessions of one API server (in memory). */
export class BrowserSessions {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;
  readonly codeTtlMs: number;
  readonly sessionTtlMs: number;

  constructor(options: { now?: () => number; codeTtlMs?: number; sessionTtlMs?: number } = {}) {
    this.now = options.now ?? Date.now;
    this.codeTtlMs = options.codeTtlMs ?? LOGIN_CODE_TTL_MS;
    this.sessionTtlMs = options.sessionTtlMs ?? SESSION_TTL_MS;
  }

  /** A new one-time login code. */
  issueCode(): string {
    const code = fresh();
    remember(this.codes, digest(code), this.now() + this.codeTtlMs, MAX_CODES, this.now());
    return code;
  }

  /** Spend a code: a new session id, or null when the code is unknown, used or expired. */
  redeem(code: string | null | undefined): string | null {
    if (!code || code.length > 200) return null;
    const key = digest(code);
    const until = this.codes.get(key);
    this.codes.delete(key);
    if (until === undefined || until <= this.now()) return null;
    const id = fresh();
    remember(this.sessions, digest(id), this.now() + this.sessionTtlMs, MAX_SESSIONS, this.now());
    return id;
  }

  /** Whether `id` is a live session. */
  valid(id: string | undefined): boolean {
    if (!id || id.length > 200) return false;
    const key = digest(id);
    const until = this.sessions.get(key);
    if (until === undefined) return false;
    if (until <= this.now()) {
      this.sessions.delete(key);
      return false;
    }
    return true;
  }
}

/** Add `key` (dropping expired entries, then the oldest past `max`). */
function remember(map: Map<string, number>, key: string, until: number, max: number, now: number): void {
  for (const [k, t] of map) if (t <= now) map.delete(k);
  while (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, until);
}

/** The port of a Host header (`80` when none). */
function hostPort(host: string | undefined): string {
  const m = /:(\d{1,5})$/.exec(host?.trim() ?? '');
  return m ? m[1]! : '80';
}

/** The session cookie's name for the server `req` was addressed to. */
export function cookieName(req: IncomingMessage): string {
  return `strikedesk_session_${hostPort(req.headers.host)}`;
}

/** The session id the request's Cookie header carries, if any. */
export function sessionFromCookie(req: IncomingMessage): string | undefined {
  const name = cookieName(req);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie value for a new session. */
export function sessionCookie(req: IncomingMessage, id: string, ttlMs: number): string {
  return `${cookieName(req)}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(ttlMs / 1000)}`;
}

/** The Origin rule for cookie-authorised requests: absent, or `http://<Host>`. */
export function sameOrigin(req: IncomingMessage, required: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return !required;
  return origin.toLowerCase() === `http://${(req.headers.host ?? '').trim().toLowerCase()}`;
}

/** A login link for the server on `port`. */
export function loginLink(port: number, code: string): string {
  return `http://127.0.0.1:${port}${LOGIN_PATH}?code=${code}`;
}
