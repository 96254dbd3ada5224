/**
 * The contract's command table, declared once: each command's name and its REST API v2 route
 * (method and path under /api/v2/). Everything else is derived from it: `CommandName`, the names
 * list, the REST route table (rest-routes.ts), the IPC channels (ipc-channels.ts), and through
 * `CommandName` the request schemas and responses in contract.ts, whose maps must have exactly
 * these keys (a missing or extra entry is a compile error there). Adding a command is one entry
 * here, its schema and response in contract.ts, and its handler in src/core/api.
 *
 * Zod-free on purpose: the sandboxed preload can `require` only Electron's own modules, and
 * electron-vite leaves npm packages such as zod external, so the preload loads this module's
 * values and only types from contract.ts.
 *
 * Paths are the public REST API: never change one. `:name` captures one path segment, filled from
 * the request's field of that name; where a literal path and a parameter path could both match
 * (`subscriptions/status`, `subscriptions/:token`) the literal one wins (rest-routes.ts).
 */

/**
 * GET reads (path parameters and the query string), POST acts (a JSON body), DELETE removes what
 * its path names (path parameters and the query string, like GET; no body).
 */
export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** One command's REST route. */
export interface CommandSpec {
  readonly method: HttpMethod;
  /** Path after `/api/v2/`; `:name` captures one (URL-decoded) segment into the request field `name`. */
  readonly path: string;
  /** GET/DELETE query parameters converted to numbers when they look numeric. */
  readonly numeric?: readonly string[];
}

export const COMMANDS = {
  'watchlist:add': { method: 'POST', path: 'watchlist/add' },
  'watchlist:remove': { method: 'POST', path: 'watchlist/remove' },
  'watchlist:list': { method: 'GET', path: 'watchlist/:user_id' },
  'option-chain:get': { method: 'GET', path: 'option-chain/:symbol' },
  'option-chain:subscribe': { method: 'POST', path: 'option-chain/subscribe' },
  'option-chain:unsubscribe': { method: 'POST', path: 'option-chain/unsubscribe' },
  'subscriptions:status': { method: 'GET', path: 'subscriptions/status' },
  'subscriptions:active': { method: 'GET', path: 'subscriptions/active' },
  'subscriptions:get': { method: 'GET', path: 'subscriptions/:token' },
  'instruments:search': { method: 'GET', path: 'instruments/search', numeric: ['limit'] },
  'instruments:expiries': { method: 'GET', path: 'instruments/:symbol/expiries' },
  'admin:unsubscribe-all-tier-a': { method: 'POST', path: 'admin/unsubscribe-all-tier-a' },
  'admin:rebalance-ws': { method: 'POST', path: 'admin/rebalance-ws' },
  'admin:ws-status': { method: 'GET', path: 'admin/ws-status' },
  'admin:set-credentials': { method: 'POST', path: 'admin/credentials' },
  'chains:list': { method: 'GET', path: 'chains' },
  'settings:get': { method: 'GET', path: 'settings' },
  'settings:set': { method: 'POST', path: 'settings' },
  'history:minutes': { method: 'GET', path: 'history/:symbol', numeric: ['from', 'to'] },
  'history:strikes': { method: 'GET', path: 'history/:symbol/strikes', numeric: ['t'] },
  'strategy:evaluate': { method: 'POST', path: 'strategy/evaluate' },
  'strategies:save': { method: 'POST', path: 'strategies' },
  'strategies:list': { method: 'GET', path: 'strategies' },
  'strategies:delete': { method: 'DELETE', path: 'strategies/:id' },
} as const satisfies Record<string, CommandSpec>;

/** A contract command's name. */
export type CommandName = keyof typeof COMMANDS;

/** Every command of the contract, in the table's order. */
export const COMMAND_NAMES: readonly CommandName[] = Object.freeze(Object.keys(COMMANDS) as CommandName[]);

/** True when `name` is one of the contract's commands (own keys only: `toString` is not a command). */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(COMMANDS, name);
}
