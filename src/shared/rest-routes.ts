/**
 * The REST API v2 route table: method + path pattern -> contract command. Shared by the server
 * (src/server/routes.ts matches requests against it) and by clients such as the renderer's browser
 * mode (`restRequest` builds a request from a command), so both always agree on paths.
 */
import type { CommandName, CommandRequest } from './contract';

export type HttpMethod = 'GET' | 'POST';

export interface Route {
  method: HttpMethod;
  /** Path segments after `/api/v2/`; `:name` captures one (URL-decoded) segment. */
  segments: readonly string[];
  command: CommandName;
  /** Query parameters converted to numbers when they look numeric. */
  numeric?: readonly string[];
}

const route = (method: HttpMethod, path: string, command: CommandName, numeric?: readonly string[]): Route => ({
  method,
  segments: path.split('/'),
  command,
  ...(numeric ? { numeric } : {}),
});

/** Literal routes first: `subscriptions/status` must not be taken as a token. */
export const ROUTES: readonly Route[] = [
  route('POST', 'watchlist/add', 'watchlist:add'),
  route('POST', 'watchlist/remove', 'watchlist:remove'),
  route('GET', 'watchlist/:user_id', 'watchlist:list'),
  route('POST', 'option-chain/subscribe', 'option-chain:subscribe'),
  route('GET', 'option-chain/:symbol', 'option-chain:get'),
  route('GET', 'subscriptions/status', 'subscriptions:status'),
  route('GET', 'subscriptions/active', 'subscriptions:active'),
  route('GET', 'subscriptions/:token', 'subscriptions:get'),
  route('GET', 'instruments/search', 'instruments:search', ['limit']),
  route('GET', 'instruments/:symbol/expiries', 'instruments:expiries'),
  route('POST', 'admin/unsubscribe-all-tier-a', 'admin:unsubscribe-all-tier-a'),
  route('POST', 'admin/rebalance-ws', 'admin:rebalance-ws'),
  route('GET', 'admin/ws-status', 'admin:ws-status'),
  route('POST', 'admin/credentials', 'admin:set-credentials'),
  route('GET', 'chains', 'chains:list'),
  route('GET', 'settings', 'settings:get'),
  route('POST', 'settings', 'settings:set'),
];

export const API_PREFIX = '/api/v2/';

/** The route of a command (every command has exactly one). */
export function routeOf(command: CommandName): Route {
  const r = ROUTES.find((x) => x.command === command);
  if (!r) throw new Error(`no REST route for ${command}`);
  return r;
}

/**
 * The HTTP request for a command: path parameters filled in from the request's fields, the other
 * fields as the query string (GET) or the JSON body (POST).
 */
export function restRequest<K extends CommandName>(command: K, request: CommandRequest<K>): { method: HttpMethod; path: string; body?: string } {
  const r = routeOf(command);
  const fields: Record<string, unknown> = { ...(request as Record<string, unknown>) };
  const path = r.segments
    .map((seg) => {
      if (!seg.startsWith(':')) return seg;
      const name = seg.slice(1);
      const v = fields[name];
      delete fields[name];
      return encodeURIComponent(String(v ?? ''));
    })
    .join('/');
  if (r.method === 'POST') return { method: 'POST', path: API_PREFIX + path, body: JSON.stringify(fields) };
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) query.set(k, String(v));
  const qs = query.toString();
  return { method: 'GET', path: API_PREFIX + path + (qs ? `?${qs}` : '') };
}
