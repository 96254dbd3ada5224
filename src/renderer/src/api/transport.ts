/**
 * How the renderer reaches the engine. Two real transports share this shape: Electron IPC through
 * the preload's `window.api` (ipc-transport.ts) and, in browser mode, the REST API v2 plus the
 * WebSocket event stream (http-transport.ts). Component tests use fake-transport.ts. Exactly one
 * module (client.ts) picks the transport; components receive it, they never touch `window.api`.
 */
import type { CommandName, CommandRequest, CommandResponse, Envelope } from '../../../shared/contract';
import type { StreamClientMessage, StreamServerMessage } from '../../../shared/events';

export type StreamState = 'connecting' | 'open' | 'closed';

export interface Transport {
  /** 'ipc' in the desktop app, 'http' in browser mode, 'fake' in component tests. */
  readonly kind: 'ipc' | 'http' | 'fake';
  /** Run a contract command; failures (including the transport's own) come back as `{ ok: false }`. */
  call<K extends CommandName>(command: K, request: CommandRequest<K>): Promise<Envelope<CommandResponse<K>>>;
  /**
   * Send a stream subscribe/unsubscribe. The transport remembers the views subscribed and sends
   * them again after a reconnect (browser mode), so callers subscribe once.
   */
  stream(message: StreamClientMessage): void;
  /** Listen to stream messages; returns a disposer. */
  onStream(listener: (message: StreamServerMessage) => void): () => void;
  /** Listen to the stream connection's state; returns a disposer. Called at once with the current state. */
  onStreamState(listener: (state: StreamState) => void): () => void;
  /** Release sockets and listeners. */
  close(): void;
}
