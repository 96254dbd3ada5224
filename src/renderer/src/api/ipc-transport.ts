/**
 * The desktop app's transport: the preload's `window.api` (Electron IPC), passed in by client.ts.
 * IPC has no connection to lose, so the stream state is always 'open'; a rejected invoke (the
 * engine gone, a bug in the bridge) still comes back as an envelope, never as a throw.
 */
import type { PreloadApi } from '../../../preload/api';
import type { CommandName, CommandRequest, CommandResponse, Envelope } from '../../../shared/contract';
import type { StreamServerMessage } from '../../../shared/events';
import { StreamViews } from './stream-views';
import type { Transport } from './transport';

/** Wrap the preload's api as a Transport. */
export function createIpcTransport(api: PreloadApi): Transport {
  const views = new StreamViews();
  const disposers = new Set<() => void>();
  return {
    kind: 'ipc',
    async call<K extends CommandName>(command: K, request: CommandRequest<K>): Promise<Envelope<CommandResponse<K>>> {
      try {
        return await api.invoke(command, request);
      } catch (err) {
        return { ok: false, error: { code: 'NETWORK', message: `${command}: the engine did not answer (${err instanceof Error ? err.message : String(err)})` } };
      }
    },
    stream(message) {
      if (views.track(message)) api.stream(message);
    },
    onStream(listener: (message: StreamServerMessage) => void) {
      const off = api.onStream(listener);
      disposers.add(off);
      return () => {
        disposers.delete(off);
        off();
      };
    },
    onStreamState(listener) {
      listener('open');
      return () => undefined;
    },
    close() {
      for (const off of [...disposers]) off();
      disposers.clear();
      views.clear();
    },
  };
}
