/**
 * The preload's `window.api`, with Electron faked at the edge: it exposes exactly the declared
 * shape, sends known commands on their own channel, answers unknown ones without IPC, and
 * `onStream` returns a working disposer.
 */
import { describe, expect, it, vi } from 'vitest';

const exposed = vi.hoisted(() => ({ key: '', api: null as unknown }));
const ipc = vi.hoisted(() => ({
  invoked: [] as { channel: string; args: unknown[] }[],
  sent: [] as { channel: string; args: unknown[] }[],
  listeners: new Map<string, Set<(...args: unknown[]) => void>>(),
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => {
      exposed.key = key;
      exposed.api = api;
    },
  },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      ipc.invoked.push({ channel, args });
      if (channel === 'api:chains:list') throw new Error('Error invoking remote method: boom');
      return { ok: true, value: { channel } };
    },
    send: (channel: string, ...args: unknown[]) => ipc.sent.push({ channel, args }),
    on: (channel: string, l: (...args: unknown[]) => void) => {
      if (!ipc.listeners.has(channel)) ipc.listeners.set(channel, new Set());
      ipc.listeners.get(channel)!.add(l);
    },
    removeListener: (channel: string, l: (...args: unknown[]) => void) => ipc.listeners.get(channel)?.delete(l),
  },
}));

// The sandboxed preload can load only Electron's modules: zod (or anything pulling it) must stay out.
vi.mock('zod', () => {
  throw new Error('the preload loaded zod');
});

await import('../src/preload/index');
const api = exposed.api as import('../src/preload/api').PreloadApi;

describe('window.api', () => {
  it('is exposed as "api" with exactly the declared members', () => {
    expect(exposed.key).toBe('api');
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onStream', 'productName', 'stream']);
    expect(api.productName).toBe('strikedesk');
  });

  it('invokes a known command on its own channel', async () => {
    expect(await api.invoke('watchlist:list', { user_id: 'u' })).toEqual({ ok: true, value: { channel: 'api:watchlist:list' } });
    expect(ipc.invoked.at(-1)).toEqual({ channel: 'api:watchlist:list', args: [{ user_id: 'u' }] });
  });

  it('answers an unknown command itself, without IPC', async () => {
    const before = ipc.invoked.length;
    expect(await api.invoke('orders:place' as never, {} as never)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/unknown command/) } });
    expect(ipc.invoked.length).toBe(before);
  });

  it('turns a failed IPC round trip into an envelope', async () => {
    expect(await api.invoke('chains:list', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('sends stream messages and delivers stream events until disposed', () => {
    api.stream({ op: 'subscribe', view: 'status' });
    expect(ipc.sent).toEqual([{ channel: 'stream:send', args: [{ op: 'subscribe', view: 'status' }] }]);
    const got: unknown[] = [];
    const dispose = api.onStream((m) => got.push(m));
    const deliver = (m: unknown): void => ipc.listeners.get('stream:message')!.forEach((l) => l({ sender: 'ipc event' }, m));
    deliver({ type: 'batch', seq: 1 });
    dispose();
    deliver({ type: 'batch', seq: 2 });
    expect(got).toEqual([{ type: 'batch', seq: 1 }]);
  });
});
