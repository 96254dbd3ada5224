/**
 * Matching requests against the REST API v2 route table (src/shared/rest-routes.ts), and how the
 * request object is assembled. GET requests take path parameters plus the query string; POST requests
 * take the JSON body only. Nothing is validated here beyond shape: the contract's zod schemas
 * (strict objects) reject missing, mistyped and unknown fields, so an unknown query parameter is
 * a 400 like an unknown body field.
 *
 * Which route a path names is decided before the method: the most specific pattern that matches
 * the path (literal segments before parameters, as ROUTES is ordered) owns it, whatever the
 * method. A wrong method on it is 405 with `Allow`, never a fall through to a parameter route:
 * `GET /watchlist/add` is a POST-only path, not the watchlist of a user named "add" (so a user
 * id spelled `add` or `remove` cannot be listed over REST, nor a symbol spelled `subscribe` or
 * `unsubscribe` read there: the seed's paths overlap, and its literal paths win).
 */
import { AppError } from '../shared/errors';
import type { HttpMethod } from '../shared/commands';
import { API_PREFIX, ROUTES, type Route } from '../shared/rest-routes';

export type RouteMatch = { kind: 'match'; route: Route; params: Record<string, string> } | { kind: 'method'; allow: HttpMethod[] } | { kind: 'none' };

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const part = parts[i]!;
    if (p.startsWith(':')) {
      if (!part) return null;
      params[p.slice(1)] = part;
    } else if (p !== part) return null;
  }
  return params;
}

/** A route's pattern, `watchlist/:user_id`: routes with the same pattern own the same paths. */
const patternOf = (r: Route): string => r.segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/');

/** Find the route for a method and a path (without the query string). */
export function matchRoute(method: string, pathname: string): RouteMatch {
  if (!pathname.startsWith(API_PREFIX)) return { kind: 'none' };
  const parts = pathname.slice(API_PREFIX.length).split('/');
  const allow = new Set<HttpMethod>();
  // The first pattern that matches (ROUTES: literal before parameter) owns the path.
  let owner: string | null = null;
  for (const r of ROUTES) {
    if (owner !== null && patternOf(r) !== owner) continue;
    const params = matchSegments(r.segments, parts);
    if (!params) continue;
    owner = patternOf(r);
    if (r.method !== method) {
      allow.add(r.method);
      continue;
    }
    const decoded: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) {
      try {
        decoded[k] = decodeURIComponent(v);
      } catch {
        throw new AppError('BAD_REQUEST', `path parameter ${k} is not valid URL encoding`);
      }
    }
    return { kind: 'match', route: r, params: decoded };
  }
  return allow.size ? { kind: 'method', allow: [...allow] } : { kind: 'none' };
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** The request for a GET route: path parameters plus query parameters (each at most once). */
export function queryRequest(r: Route, params: Record<string, string>, query: URLSearchParams): Record<string, unknown> {
  const entries: [string, unknown][] = Object.entries(params);
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    if (values.length > 1) throw new AppError('BAD_REQUEST', `query parameter ${key} is given more than once`);
    if (Object.hasOwn(params, key)) throw new AppError('BAD_REQUEST', `${key} is already given in the path`);
    const v = values[0]!;
    const numeric = r.numeric?.includes(key) === true;
    if (numeric && !NUMBER.test(v)) throw new AppError('BAD_REQUEST', `${key}: ${JSON.stringify(v)} is not a number`);
    entries.push([key, numeric ? Number(v) : v]);
  }
  // fromEntries makes own properties even of names like __proto__, so strict schemas see them.
  return Object.fromEntries(entries);
}
