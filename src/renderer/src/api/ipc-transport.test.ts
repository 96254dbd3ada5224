import { describe, expect, it } from 'vitest';
import type { PreloadApi } from '../../../preload/api';
import type { StreamClientMessage, StreamServerMessage } from '../../../shared/events';
import { createIpcTransport } from './ipc-transport';

function fakeApi(invoke: PreloadApi['invoke']) {
  const sent: StreamClientMessage[] = [];
  const listeners = new Set<(m: StreamServerMessage) => void>();
  const api: PreloadApi = {
    productName: 'strikedesk',
    invoke,
    stream: (m) => void sent.push(m),
    onStream(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  return { api, sent, listeners };
}

describe('ipc transport', () => {
  it('passes envelopes through and turns a failed invoke into a NETWORK envelope', async () => {
    const ok = createIpcTransport(fakeApi(async () => ({ ok: true, value: { chains: [] } }) as never).api);
    expect(await ok.call('chains:list', {})).toEqual({ ok: true, value: { chains: [] } });
    const broken = createIpcTransport(fakeApi(() => Promise.reject(new Error('channel closed'))).api);
    const r = await broken.call('chains:list', {});
    expect(r.ok === false && r.error).toEqual({ code: 'NETWORK', message: 'chains:list: the engine did not answer (channel closed)' });
  });

  it('unsubscribes a view only when its last holder lets go, and close() removes its listeners', () => {
    const { api, sent, listeners } = fakeApi(async () => ({ ok: true, value: {} }) as never);
    const t = createIpcTransport(api);
    const states: string[] = [];
    t.onStreamState((s) => states.push(s));
    expect(states).toEqual(['open']);
    const chain = { view: 'chain', symbol: 'NIFTY', expiry: '2026-12-01' } as const;
    t.stream({ op: 'subscribe', ...chain });
    t.stream({ op: 'subscribe', ...chain });
    t.stream({ op: 'unsubscribe', ...chain });
    expect(sent.map((m) => m.op)).toEqual(['subscribe', 'subscribe']);
    t.stream({ op: 'unsubscribe', ...chain });
    expect(sent.map((m) => m.op)).toEqual(['subscribe', 'subscribe', 'unsubscribe']);
    t.stream({ op: 'unsubscribe', view: 'log' }); // never held: nothing to undo
    expect(sent).toHaveLength(3);
    t.onStream(() => undefined);
    expect(listeners.size).toBe(1);
    t.close();
    expect(listeners.size).toBe(0);
  });
});
