import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineStartConfig, EngineToMain, MainToEngine } from '../host/engine-protocol';
import { EngineSupervisor, type EngineChild } from './engine-supervisor';

/** A scripted engine process. */
class FakeChild implements EngineChild {
  readonly sent: MainToEngine[] = [];
  killed = false;
  private messageListeners: ((m: unknown) => void)[] = [];
  private exitListeners: ((code: number) => void)[] = [];
  /** Answer `stop` with stopped + exit, as the real host does. */
  stopsOnRequest = true;

  postMessage(m: MainToEngine): void {
    this.sent.push(m);
    if (m.type === 'stop' && this.stopsOnRequest) {
      this.emit({ type: 'stopped' });
      this.exit(0);
    }
  }
  onMessage(listener: (m: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onExit(listener: (code: number) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.killed = true;
    this.exit(9);
  }
  emit(m: EngineToMain): void {
    for (const l of this.messageListeners) l(m);
  }
  exit(code: number): void {
    const ls = this.exitListeners;
    this.exitListeners = [];
    for (const l of ls) l(code);
  }
  ready(mode: 'simulator' | 'live' = 'simulator'): void {
    this.emit({ type: 'ready', mode, apiPort: 8787 });
  }
}

const CONFIG: EngineStartConfig = { dataDir: '/data', credentials: null, apiPort: 8787 };

function setup() {
  const children: FakeChild[] = [];
  const logs: string[] = [];
  const streamed: unknown[] = [];
  const supervisor = new EngineSupervisor({
    spawn: () => {
      const c = new FakeChild();
      children.push(c);
      return c;
    },
    config: async () => CONFIG,
    onStream: (m) => streamed.push(m),
    log: (level, line) => logs.push(`${level} ${line}`),
    stopTimeoutMs: 2000,
  });
  return { supervisor, children, logs, streamed };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EngineSupervisor', () => {
  it('starts with the config, matches results to calls, and forwards stream messages', async () => {
    const { supervisor, children, streamed } = setup();
    const started = supervisor.start();
    await vi.waitFor(() => expect(children).toHaveLength(1));
    const child = children[0]!;
    expect(child.sent[0]).toEqual({ type: 'start', config: CONFIG });
    // A subscription made while the engine boots goes to it once (the host queues it), not again on ready.
    supervisor.stream({ op: 'subscribe', view: 'status', id: 's1' });
    child.ready();
    expect(child.sent.filter((m) => m.type === 'stream')).toEqual([{ type: 'stream', message: { op: 'subscribe', view: 'status', id: 's1' } }]);
    expect(await started).toMatchObject({ ok: true, value: { mode: 'simulator' } });
    expect(supervisor.mode).toBe('simulator');

    const a = supervisor.call('settings:get', {});
    const b = supervisor.call('chains:list', {});
    const [callA, callB] = child.sent.filter((m) => m.type === 'call') as Extract<MainToEngine, { type: 'call' }>[];
    child.emit({ type: 'result', id: callB!.id, envelope: { ok: true, value: 'b' } });
    child.emit({ type: 'result', id: callA!.id, envelope: { ok: true, value: 'a' } });
    expect(await a).toEqual({ ok: true, value: 'a' });
    expect(await b).toEqual({ ok: true, value: 'b' });

    child.emit({ type: 'stream', message: { type: 'batch', seq: 1, at: 0, chains: {} } });
    expect(streamed).toHaveLength(1);
  });

  it('after a crash: answers calls in flight, refuses new ones, restarts with growing delays, and replays the stream subscriptions', async () => {
    vi.useFakeTimers();
    const { supervisor, children, logs } = setup();
    void supervisor.start();
    await vi.advanceTimersByTimeAsync(0);
    children[0]!.ready();
    supervisor.stream({ op: 'subscribe', view: 'chain', symbol: 'NIFTY', id: 'c1' });
    supervisor.stream({ op: 'subscribe', view: 'status' });
    supervisor.stream({ op: 'unsubscribe', view: 'status' });
    const inFlight = supervisor.call('subscriptions:status', {});

    children[0]!.exit(1);
    expect(await inFlight).toMatchObject({ ok: false, error: { message: expect.stringMatching(/stopped unexpectedly/) } });
    expect(await supervisor.call('subscriptions:status', {})).toMatchObject({ ok: false, error: { message: expect.stringMatching(/restarting/) } });
    expect(logs.join('\n')).toMatch(/restarting in 1 s/);

    await vi.advanceTimersByTimeAsync(999);
    expect(children).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(children).toHaveLength(2);
    children[1]!.emit({ type: 'fatal', code: 'NETWORK', message: 'master could not be downloaded' });
    children[1]!.exit(1);
    expect(logs.join('\n')).toMatch(/restarting in 2 s/);
    await vi.advanceTimersByTimeAsync(2000);
    expect(children).toHaveLength(3);
    children[2]!.ready();
    // The chain view comes back (without the old correlation id); the status view was dropped.
    expect(children[2]!.sent.filter((m) => m.type === 'stream')).toEqual([{ type: 'stream', message: { op: 'subscribe', view: 'chain', symbol: 'NIFTY' } }]);
    expect(supervisor.mode).toBe('simulator');
    await supervisor.stop();
  });

  it('restart: stops the running engine, starts one with the config read again', async () => {
    const { supervisor, children } = setup();
    const first = supervisor.start();
    await vi.waitFor(() => expect(children).toHaveLength(1));
    children[0]!.ready();
    await first;
    const restarted = supervisor.restart();
    await vi.waitFor(() => expect(children).toHaveLength(2));
    expect(children[0]!.sent.at(-1)).toEqual({ type: 'stop' });
    children[1]!.ready('live');
    expect(await restarted).toMatchObject({ ok: true, value: { mode: 'live' } });
    expect(supervisor.mode).toBe('live');
  });

  it('stop: asks the engine to stop, kills it past the timeout, and never restarts it', async () => {
    vi.useFakeTimers();
    const { supervisor, children, logs } = setup();
    void supervisor.start();
    await vi.advanceTimersByTimeAsync(0);
    children[0]!.ready();
    children[0]!.stopsOnRequest = false;
    const stopping = supervisor.stop();
    await vi.advanceTimersByTimeAsync(2000);
    await stopping;
    expect(children[0]!.killed).toBe(true);
    expect(logs.join('\n')).toMatch(/killed/);
    expect(supervisor.status).toBe('stopped');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(children).toHaveLength(1);
    expect(await supervisor.call('settings:get', {})).toMatchObject({ ok: false, error: { message: 'the engine is stopping' } });
  });
});
