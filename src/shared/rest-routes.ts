/**
 * The REST API v2 route table, derived from the command table (commands.ts): method + path
 * pattern -> contract command. Shared by the server (src/server/routes.ts matches requests against
 * it) and by clients such as the renderer's browser mode (`restRequest` builds a request from a
 * command), so both always agree on paths.
 *
 * Order: where a literal segment and a parameter could both match, the literal route comes
 * first, so `subscriptions/status` is never taken as a token. ROUTES is sorted by each route's
 * shape (literal before parameter, segment by segment); routes of the same shape keep the table's
 * order.
 */
import { COMMAND_NAMES, COMMANDS, type CommandName, type HttpMethod } from './commands';
import type { CommandRequest } from './contract';

export interface Route {
  method: HttpMethod;
  /** Path segments after `/api/v2/`; `:name` captures one (URL-decoded) segment. */
  segments: readonly string[];
  command: CommandName;
  /** Query parameters converted to numbers when they look numeric. */
  numeric?: readonly string[];
}

export const API_PREFIX = '/api/v2/';

const routeOfSpec = (command: CommandName): Route => {
  const spec: { method: HttpMethod; path: string; numeric?: readonly string[] } = COMMANDS[command];
  return { method: spec.method, segments: spec.path.split('/'), command, ...(spec.numeric ? { numeric: spec.numeric } : {}) };
};

/** A route's shape as a sortable key: one character per segment, literal ('0') before parameter ('1'). */
const shape = (r: Route): string => r.segments.map((s) => (s.startsWith(':') ? '1' : '0')).join('');

const BY_COMMAND = new Map<CommandName, Route>(COMMAND_NAMES.map((c) => [c, routeOfSpec(c)]));

/** Every command's route, literal routes before parameter routes (see above). */
export const ROUTES: readonly Route[] = [...BY_COMMAND.values()].sort((a, b) => (shape(a) < shape(b) ? -1 : shape(a) > shape(b) ? 1 : 0));

/** The route of a command (every command has exactly one). */
export function routeOf(command: CommandName): Route {
  const r = BY_COMMAND.get(command);
  if (!r) throw new Error(`no REST route for ${String(command)}`);
  return r;
}

/**
 * The HTTP request for a command: path parameters filled in from the request's fields, the other
 * fields as the query string (GET, DELETE) or the JSON body (POST).
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
  return { method: r.method, path: API_PREFIX + path + (qs ? `?${qs}` : '') };
}
