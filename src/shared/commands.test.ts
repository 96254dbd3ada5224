import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS, isCommandName } from './commands';
import { requestSchemas } from './contract';
import { commandChannel } from './ipc-channels';
import { routeOf } from './rest-routes';

describe('the command table', () => {
  it('gives every command a route, an IPC channel and a request schema, and nothing else has one', () => {
    expect(COMMAND_NAMES).toEqual(Object.keys(COMMANDS));
    expect(Object.keys(requestSchemas).sort()).toEqual([...COMMAND_NAMES].sort());
    const channels = new Set<string>();
    for (const name of COMMAND_NAMES) {
      expect(routeOf(name).command, name).toBe(name);
      expect(commandChannel(name)).toBe(`api:${name}`);
      channels.add(commandChannel(name));
      expect(typeof requestSchemas[name].safeParse, name).toBe('function');
    }
    expect(channels.size).toBe(COMMAND_NAMES.length);
  });

  it('declares each REST route once (no two commands share a method and path)', () => {
    const keys = COMMAND_NAMES.map((n) => `${COMMANDS[n].method} ${COMMANDS[n].path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('knows its own names only', () => {
    expect(isCommandName('option-chain:unsubscribe')).toBe(true);
    for (const name of ['toString', '__proto__', 'constructor', 'watchlist', '', 42, null, undefined]) expect(isCommandName(name), String(name)).toBe(false);
  });
});
