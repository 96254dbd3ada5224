/**
 * A fake transport for component tests: commands answer from handlers the test gives (or a clear
 * NOT_FOUND error), every call is recorded, and the test pushes stream messages itself.
 */
import type { CommandName, CommandRequest, CommandResponse, Envelope } from '../../../shared/contract';
import type { ErrorCode } from '../../../shared/errors';
import type { StreamClientMessage, StreamServerMessage } from '../../../shared/events';
import { createStreamHub } from './stream-hub';
import type { StreamState, Transport } from './transport';

export type FakeHandlers = { [K in CommandName]?: (request: CommandRequest<K>) => CommandResponse<K> | Promise<CommandResponse<K>> };

/** Thrown by a handler to answer `{ ok: false, error: { code, message } }`. */
export class FakeError extends Error {
  override name = 'FakeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface FakeTransport extends Transport {
  /** Every command called, in order. */
  readonly calls: { command: CommandName; request: unknown }[];
  /** Every stream message sent by the UI, in order. */
  readonly sent: StreamClientMessage[];
  /** Replace or add handlers. */
  handle(handlers: FakeHandlers): void;
  /** Deliver a stream message to every listener. */
  push(message: StreamServerMessage): void;
  setStreamState(state: StreamState): void;
}

export function createFakeTransport(initial: FakeHandlers = {}): FakeTransport {
  const handlers: FakeHandlers = { ...initial };
  const hub = createStreamHub('open');
  const fake: FakeTransport = {
    kind: 'fake',
    calls: [],
    sent: [],
    handle(more) {
      Object.assign(handlers, more);
    },
    async call<K extends CommandName>(command: K, request: CommandRequest<K>): Promise<Envelope<CommandResponse<K>>> {
      fake.calls.push({ command, request });
      const h = handlers[command] as ((r: CommandRequest<K>) => CommandResponse<K> | Promise<CommandResponse<K>>) | undefined;
      if (!h) return { ok: false, error: { code: 'NOT_FOUND', message: `fake transport: no handler for ${command}` } };
      try {
        return { ok: true, value: await h(request) };
      } catch (err) {
        if (err instanceof FakeError) return { ok: false, error: { code: err.code, message: err.message } };
        throw err;
      }
    },
    stream(message) {
      fake.sent.push(message);
    },
    onStream: hub.onStream,
    onStreamState: hub.onStreamState,
    push: hub.emit,
    setStreamState: hub.setState,
    close: hub.clear,
  };
  return fake;
}
