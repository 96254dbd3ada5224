/**
 * The shape of `window.api` as the renderer sees it: the contract's commands through one typed
 * `invoke`, and the event stream. Nothing else crosses (no ipcRenderer, no Node).
 */
import type { CommandName, CommandRequest, CommandResponse, Envelope } from '../shared/contract';
import type { StreamClientMessage, StreamServerMessage } from '../shared/events';

export interface PreloadApi {
  readonly productName: string;
  /** Run a contract command in the engine; every failure is an `{ ok: false, error }` envelope. */
  invoke<K extends CommandName>(command: K, request: CommandRequest<K>): Promise<Envelope<CommandResponse<K>>>;
  /** Send a stream subscribe/unsubscribe; its ack or error arrives through `onStream`. */
  stream(message: StreamClientMessage): void;
  /** Listen to the stream (acks, errors and one coalesced batch per interval); returns a disposer. */
  onStream(listener: (message: StreamServerMessage) => void): () => void;
}

declare global {
  interface Window {
    /** Present in the desktop app; absent in browser mode (REST + WebSocket instead). */
    api?: PreloadApi;
  }
}
