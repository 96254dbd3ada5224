/**
 * The contract's command names as a plain array, for code that must not load zod: the sandboxed
 * preload can `require` only Electron's own modules, and electron-vite leaves npm packages such as
 * zod external (required at run time), so the preload may import only types from contract.ts.
 * The check below makes a missing or extra name a compile error.
 */
import type { CommandName } from './contract';

/** Every command of the contract (`keyof typeof requestSchemas`), in the contract's order. */
export const COMMAND_NAMES = [
  'watchlist:add',
  'watchlist:remove',
  'watchlist:list',
  'option-chain:get',
  'option-chain:subscribe',
  'subscriptions:status',
  'subscriptions:active',
  'subscriptions:get',
  'instruments:search',
  'instruments:expiries',
  'admin:unsubscribe-all-tier-a',
  'admin:rebalance-ws',
  'admin:ws-status',
  'admin:set-credentials',
  'chains:list',
  'settings:get',
  'settings:set',
] as const satisfies readonly CommandName[];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

/** Compile-time proof that COMMAND_NAMES lists exactly the contract's commands (no value at run time). */
export type CommandNamesMatchContract = Assert<Same<(typeof COMMAND_NAMES)[number], CommandName>>;

/** True when `name` is one of the contract's commands. */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && (COMMAND_NAMES as readonly string[]).includes(name);
}
