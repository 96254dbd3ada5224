/**
 * Main's side of the engine process: spawns it (a utility process, see engine-entry.ts), sends
 * it its start config, matches call results to callers, forwards stream messages, restarts it
 * when it dies, and stops it cleanly on quit.
 *
 * Restart policy: an exit nobody asked for is logged and the engine is started again after a
 * capped exponential delay (1 s, 2 s, 4 s ... 30 s); the delay resets once an engine has stayed up
 * for a minute. There is one engine and one supervisor, so there is no herd to spread with jitter.
 * Calls in flight when it dies are answered at once with an error envelope, and calls made while
 * it is down are refused with one (never left hanging). The window's stream subscriptions are kept
 * as a desired set and replayed to each new engine, like the feed resubscribes after a reconnect.
 *
 * Stopping: `stop` asks the engine to stop (it closes the API, the feed, the database and the
 * simulator) and waits for its `stopped`, then for the exit; past `stopTimeoutMs` it is killed.
 */
import type { CommandName, Envelope } from '../shared/contract';
import type { ErrorInfo } from '../shared/errors';
import type { StreamClientMessage, StreamServerMessage } from '../shared/events';
import { isEngineToMain, type EngineStartConfig, type EngineToMain, type MainToEngine } from '../host/engine-protocol';

/** The engine process as the supervisor sees it (Electron's UtilityProcess, or a test's fake). */
export interface EngineChild {
  postMessage(message: MainToEngine): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number) => void): void;
  kill(): void;
}

export interface EngineSupervisorOptions {
  spawn(): EngineChild;
  /** Read at every (re)start: the credentials may have changed since the last one. */
  config(): Promise<EngineStartConfig>;
  onStream(message: StreamServerMessage): void;
  log(level: 'info' | 'warn' | 'error', line: string): void;
  restartDelayMs?: { initial: number; max: number; resetAfter: number };
  stopTimeoutMs?: number;
  now?: () => number;
}

export type EngineState = 'idle' | 'starting' | 'ready' | 'waiting' | 'stopping' | 'stopped';

type Ready = Extract<EngineToMain, { type: 'ready' }>;

/** Supervises one engine process at a time. */
export class EngineSupervisor {
  private child: EngineChild | null = null;
  private state: EngineState = 'idle';
  private nextId = 1;
  private readonly pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  /** The window's stream subscriptions, and the engine each was last sent to (for the replay). */
  private readonly desired = new Map<string, { message: StreamClientMessage; sentTo: EngineChild | null }>();
  private readyInfo: Ready | null = null;
  private lastFailure: ErrorInfo | null = null;
  private failures = 0;
  private readyAt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private starting: Promise<Envelope<Ready>> | null = null;
  private readonly delays: { initial: number; max: number; resetAfter: number };
  private readonly now: () => number;

  constructor(private readonly o: EngineSupervisorOptions) {
    this.delays = o.restartDelayMs ?? { initial: 1000, max: 30_000, resetAfter: 60_000 };
    this.now = o.now ?? Date.now;
  }

  /** Where the engine is in its life. */
  get status(): EngineState {
    return this.state;
  }

  /** The running engine's mode, or null when none is ready. */
  get mode(): 'simulator' | 'live' | null {
    return this.state === 'ready' ? (this.readyInfo?.mode ?? null) : null;
  }

  /** Start the engine; resolves when it is ready, or with the reason it could not start. */
  start(): Promise<Envelope<Ready>> {
    if (this.state === 'stopping' || this.state === 'stopped') return Promise.resolve(this.refusal());
    if (this.starting) return this.starting;
    if (this.state === 'ready' && this.readyInfo) return Promise.resolve({ ok: true, value: this.readyInfo });
    this.clearRetry();
    const starting = this.launch().finally(() => {
      if (this.starting === starting) this.starting = null;
    });
    this.starting = starting;
    return starting;
  }

  /** Stop the running engine and start a new one (reading the config again). */
  async restart(): Promise<Envelope<Ready>> {
    if (this.state === 'stopping' || this.state === 'stopped') return this.refusal();
    await this.starting;
    this.clearRetry();
    await this.stopChild();
    this.state = 'idle';
    this.failures = 0;
    return this.start();
  }

  /** Run a command in the engine; never rejects. */
  call(command: CommandName, request: unknown): Promise<Envelope<unknown>> {
    const child = this.child;
    if (!child || (this.state !== 'ready' && this.state !== 'starting')) return Promise.resolve(this.refusal());
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send(child, { type: 'call', id, command, request });
    });
  }

  /** Send a (validated) stream message, and remember the subscription for the next engine. */
  stream(message: StreamClientMessage): void {
    const key =
      message.view === 'chain'
        ? `chain|${message.symbol.toUpperCase()}|${message.expiry ?? ''}`
        : message.view === 'history'
          ? `history|${message.symbol.toUpperCase()}|${message.expiry}`
          : message.view === 'strategy'
            ? `strategy|${message.strategy_id}`
            : message.view;
    const child = this.child && (this.state === 'ready' || this.state === 'starting') ? this.child : null;
    if (message.op === 'subscribe') this.desired.set(key, { message, sentTo: child });
    else this.desired.delete(key);
    if (child) this.send(child, { type: 'stream', message });
  }

  /** Stop the engine for good (quit). Safe to call twice. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.clearRetry();
    this.state = 'stopping';
    await this.stopChild();
    this.state = 'stopped';
  }

  private refusal(): Envelope<never> {
    const why =
      this.state === 'stopping' || this.state === 'stopped'
        ? 'the engine is stopping'
        : this.lastFailure
          ? `the engine is restarting after a failure (${this.lastFailure.message}); try again in a moment`
          : 'the engine is not running';
    return { ok: false, error: { code: this.lastFailure?.code ?? 'INTERNAL', message: why } };
  }

  private send(child: EngineChild, message: MainToEngine): void {
    try {
      child.postMessage(message);
    } catch (err) {
      this.o.log('error', `engine: could not send ${message.type}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async launch(): Promise<Envelope<Ready>> {
    this.state = 'starting';
    this.readyInfo = null;
    let config: EngineStartConfig;
    try {
      config = await this.o.config();
    } catch (err) {
      this.lastFailure = { code: 'INTERNAL', message: `engine config: ${err instanceof Error ? err.message : String(err)}` };
      this.state = 'idle';
      return { ok: false, error: this.lastFailure };
    }
    if (this.state !== 'starting') return this.refusal();
    const child = this.o.spawn();
    this.child = child;
    return new Promise<Envelope<Ready>>((resolve) => {
      let settled = false;
      const settle = (e: Envelope<Ready>): void => {
        if (!settled) resolve(e);
        settled = true;
      };
      child.onMessage((raw) => {
        if (!isEngineToMain(raw)) return this.o.log('warn', 'engine: dropped a malformed message');
        // A child being stopped may still answer calls and log; nothing else of it counts.
        if (this.child !== child && raw.type !== 'result' && raw.type !== 'log') return;
        this.onMessage(raw, settle);
      });
      child.onExit((code) => {
        this.onExit(child, code);
        settle({ ok: false, error: this.lastFailure ?? { code: 'INTERNAL', message: `the engine exited (code ${code}) before it was ready` } });
      });
      this.send(child, { type: 'start', config });
    });
  }

  private onMessage(m: EngineToMain, settle: (e: Envelope<Ready>) => void): void {
    switch (m.type) {
      case 'ready':
        this.state = 'ready';
        this.readyInfo = m;
        this.readyAt = this.now();
        this.lastFailure = null;
        this.o.log('info', `engine ready (${m.mode}${m.apiPort !== null ? `, REST API on 127.0.0.1:${m.apiPort}` : ''})`);
        // Subscriptions the previous engine had: sent again, without their old correlation ids.
        for (const entry of this.desired.values()) {
          if (!this.child || entry.sentTo === this.child) continue;
          const { id: _id, ...replay } = entry.message;
          entry.sentTo = this.child;
          this.send(this.child, { type: 'stream', message: replay });
        }
        settle({ ok: true, value: m });
        return;
      case 'result': {
        const resolve = this.pending.get(m.id);
        this.pending.delete(m.id);
        resolve?.(m.envelope);
        return;
      }
      case 'stream':
        this.o.onStream(m.message);
        return;
      case 'log':
        this.o.log(m.level, `engine: ${m.line}`);
        return;
      case 'fatal':
        this.lastFailure = { code: m.code, message: m.message };
        this.o.log('error', `engine failed: ${m.message}`);
        settle({ ok: false, error: this.lastFailure });
        return;
      case 'stopped':
        return;
    }
  }

  private onExit(child: EngineChild, code: number): void {
    if (this.child !== child) return;
    this.child = null;
    const error: ErrorInfo = { code: 'INTERNAL', message: `the engine stopped unexpectedly (exit code ${code}); it is restarting` };
    for (const resolve of this.pending.values()) resolve({ ok: false, error });
    this.pending.clear();
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.lastFailure ??= { code: 'INTERNAL', message: `exit code ${code}` };
    if (this.state === 'ready' && this.now() - this.readyAt >= this.delays.resetAfter) this.failures = 0;
    this.failures++;
    const delay = Math.min(this.delays.max, this.delays.initial * 2 ** (this.failures - 1));
    this.state = 'waiting';
    this.o.log('error', `engine exited (code ${code}); restarting in ${Math.round(delay / 100) / 10} s (failure ${this.failures})`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.start();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Ask the running child to stop; kill it past the timeout. Resolves once it exited. */
  private async stopChild(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
    this.child = null;
    this.send(child, { type: 'stop' });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.o.stopTimeoutMs ?? 5000)));
    if ((await Promise.race([exited, timedOut])) === 'timeout') {
      this.o.log('warn', 'engine did not stop in time: killed');
      child.kill();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
    clearTimeout(timer);
    const error: ErrorInfo = { code: 'INTERNAL', message: 'the engine was stopped' };
    for (const resolve of this.pending.values()) resolve({ ok: false, error });
    this.pending.clear();
  }
}
