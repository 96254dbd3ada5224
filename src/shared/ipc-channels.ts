/**
 * Electron IPC channel names, shared by the main process and the preload so the two cannot drift.
 * One invoke channel per contract command (`api:<command>`), derived from the command table
 * (commands.ts), so main registers exactly the contract and nothing else; the stream uses two
 * one-way channels.
 */
import type { CommandName } from './commands';

/** renderer -> main: a stream subscribe/unsubscribe (fire and forget; the answer comes on STREAM_MESSAGE_CHANNEL). */
export const STREAM_SEND_CHANNEL = 'stream:send';
/** main -> renderer: acks, errors and coalesced batches. */
export const STREAM_MESSAGE_CHANNEL = 'stream:message';

/** The invoke channel of a command. */
export function commandChannel(command: CommandName): `api:${CommandName}` {
  return `api:${command}`;
}
