/**
 * Preload: exposes `window.api` (api.d.ts) and nothing else: no ipcRenderer, no Node. It is
 * sandboxed, so it may load only Electron's own modules; it imports from src/shared only plain
 * values (command names, channel names, the product name) and types, never zod.
 *
 * - `invoke` sends a known command on its own channel; an unknown name is answered here with a
 *   BAD_REQUEST envelope and nothing crosses. Main validates the request and the sender again.
 * - `stream` / `onStream` carry the event stream; `onStream` returns its disposer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isCommandName } from '../shared/commands';
import type { Envelope } from '../shared/contract';
import type { StreamServerMessage } from '../shared/events';
import { commandChannel, STREAM_MESSAGE_CHANNEL, STREAM_SEND_CHANNEL } from '../shared/ipc-channels';
import { PRODUCT_NAME } from '../shared/product';
import type { PreloadApi } from './api';

/** Build the object exposed as `window.api` (exported for tests). */
export function buildPreloadApi(ipc: Pick<typeof ipcRenderer, 'invoke' | 'send' | 'on' | 'removeListener'>): PreloadApi {
  return {
    productName: PRODUCT_NAME,
    invoke(command, request) {
      if (!isCommandName(command)) {
        const refused: Envelope<never> = { ok: false, error: { code: 'BAD_REQUEST', message: `unknown command "${String(command)}"` } };
        return Promise.resolve(refused);
      }
      // Main always answers an envelope; a rejection means IPC itself failed.
      return ipc.invoke(commandChannel(command), request).catch(() => ({ ok: false as const, error: { code: 'INTERNAL' as const, message: 'the app did not answer (IPC failed)' } }));
    },
    stream(message) {
      ipc.send(STREAM_SEND_CHANNEL, message);
    },
    onStream(listener) {
      const wrapped = (_event: IpcRendererEvent, message: StreamServerMessage): void => listener(message);
      ipc.on(STREAM_MESSAGE_CHANNEL, wrapped);
      return () => {
        ipc.removeListener(STREAM_MESSAGE_CHANNEL, wrapped);
      };
    },
  };
}

contextBridge.exposeInMainWorld('api', buildPreloadApi(ipcRenderer));
