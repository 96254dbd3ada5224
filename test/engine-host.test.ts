/**
 * The desktop app's engine process, on plain Node: the real engine host booted over an in-memory
 * port (messages pass through structuredClone, as over Electron's MessagePort), on the embedded
 * simulator in a temp data folder, with the market clock pinned inside NSE trading hours.
 * Every wait is event-driven with a bound; stop must leave no socket or server behind.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEngineHost, type EngineHostOptions, type EnginePort } from '../src/host/engine-host';
import type { EngineToMain, MainToEngine } from '../src/host/engine-protocol';
import type { ChainView } from '../src/shared/contract';
import type { StreamBatch, StreamServerMessage } from '../src/shared/events';
import { istDate } from '../src/shared/market-calendar';
import { generateMaster } from '../src/sim/master-generator';
import { TRADING_T0 } from './helpers/app';
import { tcpSockets } from './helpers/feed';
import { runningClock } from './helpers/sim';
import { waitFor } from './helpers/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** The parent's end of the channel: records what the host posts, delivers what the test sends. */
class FakePort implements EnginePort {
  readonly received: EngineToMain[] = [];
  private listener: ((m: unknown) => void) | null = null;
  private wakers = new Set<() => void>();

  postMessage(m: EngineToMain): void {
    this.received.push(structuredClone(m));
    for (const w of this.wakers) w();
  }
  on(_event: 'message', listener: (m: unknown) => void): void {
    this.listener = listener;
  }
  send(m: MainToEngine): void {
    this.listener!(structuredClone(m));
  }
  /** The first message from index `from` on that matches, waiting up to `ms`. */
  next<T extends EngineToMain>(match: (m: EngineToMain) => m is T, ms: number, what: string, from = 0): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.received.slice(from).find(match);
        if (!hit) return false;
        done();
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${this.received.map((m) => m.type).join(', ')}`));
      }, ms);
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(waker);
      };
      const waker = (): void => void check();
      this.wakers.add(waker);
      check();
    });
  }
  /** The envelope answering call `id`. */
  result(id: number, ms = 15_000): Promise<Extract<EngineToMain, { type: 'result' }>> {
    return this.next((m): m is Extract<EngineToMain, { type: 'result' }> => m.type === 'result' && m.id === id, ms, `the result of call ${id}`);
  }
  streamMessages(): StreamServerMessage[] {
    return this.received.flatMap((m) => (m.type === 'stream' ? [m.message] : []));
  }
}

const isReadyOrFatal = (m: EngineToMain): m is Extract<EngineToMain, { type: 'ready' | 'fatal' }> => m.type === 'ready' || m.type === 'fatal';
const isStopped = (m: EngineToMain): m is Extract<EngineToMain, { type: 'stopped' }> => m.type === 'stopped';

/** A temp data folder with a small generated master for the pinned trading day. */
function dataFolder(): { dataDir: string; master: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'strikedesk-host-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const master = join(dataDir, 'master.csv');
  writeFileSync(master, generateMaster({ asOf: istDate(TRADING_T0), rows: 20_000, seed: 7 }));
  return { dataDir, master };
}

/** Start a host; the cleanup stops it if the test did not. */
function startHost(boot: EngineHostOptions['boot']) {
  const port = new FakePort();
  const host = runEngineHost(port, boot ? { boot } : {});
  cleanups.push(async () => {
    port.send({ type: 'stop' });
    await host.done;
  });
  return { port, host };
}

describe('the engine host', () => {
  it('boots on the simulator, answers the contract, streams coalesced batches, and stops clean', async () => {
    const baseline = tcpSockets();
    const { dataDir, master } = dataFolder();
    const { port, host } = startHost({ now: runningClock(TRADING_T0).now, master });
    port.send({ type: 'start', config: { dataDir, credentials: null, apiPort: 0 } });
    const ready = await port.next(isReadyOrFatal, 30_000, 'ready');
    expect(ready).toMatchObject({ type: 'ready', mode: 'simulator' });
    const apiPort = (ready as Extract<EngineToMain, { type: 'ready' }>).apiPort!;
    expect(apiPort).toBeGreaterThan(0);

    // Scripts can use the REST API v2 while the app runs, with the per-install token.
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const rest = await fetch(`http://127.0.0.1:${apiPort}/api/v2/subscriptions/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toMatchObject({ mode: 'simulator' });

    // A stock option underlying: its chain of 25 strikes around the money, every CE and PE.
    port.send({ type: 'call', id: 1, command: 'watchlist:add', request: { user_id: 'trader', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' } });
    const added = await port.result(1);
    expect(added.envelope.ok).toBe(true);
    const value = (added.envelope as { ok: true; value: { option_chain: ChainView; strikes_subscribed: number } }).value;
    // 25 strikes centred on the live ATM, clipped where this small master's ladder ends (1280-1520).
    const strikes = value.option_chain.strikes;
    const atm = value.option_chain.atm_strike;
    expect(strikes).toContain(atm);
    expect(strikes).toEqual(strikes.filter((k) => Math.abs(k - atm) <= 120));
    expect(strikes.length).toBe(Math.min(atm + 120, 1520) / 10 - Math.max(atm - 120, 1280) / 10 + 1);
    expect(value.strikes_subscribed).toBe(2 * strikes.length);

    // The chain view: an ack, a snapshot batch, then delta batches.
    const from = port.received.length;
    port.send({ type: 'stream', message: { op: 'subscribe', view: 'chain', symbol: 'RELIANCE', id: 'c1' } });
    const ack = await port.next((m): m is Extract<EngineToMain, { type: 'stream' }> => m.type === 'stream' && m.message.type !== 'batch', 5_000, 'the ack', from);
    expect(ack.message).toMatchObject({ type: 'subscribed', view: 'chain', id: 'c1', key: `RELIANCE|${value.option_chain.expiry}` });
    const key = `RELIANCE|${value.option_chain.expiry}`;
    const batchesOf = (): StreamBatch[] => port.streamMessages().filter((m): m is StreamBatch => m.type === 'batch' && key in m.chains);
    await waitFor(() => batchesOf().length > 0, 5_000, 'the snapshot batch');
    const snapshot = batchesOf()[0]!.chains[key]!;
    expect(snapshot.snapshot).toBe(true);
    // The whole window: 25 strikes around its ATM, clipped where the ladder ends (as for the add).
    const window = snapshot.strikes!.map((k) => k.strike);
    expect(window).toEqual(window.filter((k) => Math.abs(k - snapshot.atm_strike) <= 120));
    expect(window.length).toBe(Math.min(snapshot.atm_strike + 120, 1520) / 10 - Math.max(snapshot.atm_strike - 120, 1280) / 10 + 1);
    expect(Object.keys(snapshot.legs)).toHaveLength(2 * window.length);
    await waitFor(() => batchesOf().length >= 4, 15_000, 'delta batches as the simulated market trades');
    const deltas = batchesOf().slice(1);
    for (const b of deltas) {
      expect(b.chains[key]!.snapshot).toBeUndefined();
      expect(Object.keys(b.chains[key]!.legs).length).toBeLessThanOrEqual(50);
    }
    // One message per batch interval, never one per tick.
    const all = port.streamMessages().filter((m): m is StreamBatch => m.type === 'batch');
    for (let i = 1; i < all.length; i++) expect(all[i]!.at - all[i - 1]!.at).toBeGreaterThanOrEqual(80);
    expect(all.map((b) => b.seq)).toEqual(all.map((_, i) => i + 1));

    // Bad input, an unknown command and an engine-side refusal all answer an error envelope.
    port.send({ type: 'call', id: 2, command: 'watchlist:add', request: { user_id: 'trader', symbol: '', instrument_type: 'STOCK_OPTION' } });
    expect((await port.result(2)).envelope).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/symbol/) } });
    port.send({ type: 'call', id: 3, command: 'orders:place' as never, request: {} });
    expect((await port.result(3)).envelope).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/unknown command/) } });
    port.send({ type: 'call', id: 4, command: 'subscriptions:get', request: { token: 'NSE_FNO:999999999' } });
    expect((await port.result(4)).envelope).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const before = port.received.length;
    port.send({ type: 'stream', message: { op: 'subscribe', view: 'orders', id: 'x' } });
    const refused = await port.next((m): m is Extract<EngineToMain, { type: 'stream' }> => m.type === 'stream' && m.message.type === 'error', 5_000, 'the stream error', before);
    expect(refused.message).toMatchObject({ type: 'error', error: { code: 'BAD_REQUEST' }, id: 'x' });

    // Stop: stopped, done, and no socket or server left (API, stream, feed, simulator).
    port.send({ type: 'stop' });
    await port.next(isStopped, 10_000, 'stopped');
    await expect(host.done).resolves.toBe('stopped');
    const after = port.received.length;
    await expect(fetch(`http://127.0.0.1:${apiPort}/api/v2/subscriptions/status`)).rejects.toThrow();
    await waitFor(() => tcpSockets() <= baseline, 5_000, `sockets back to ${baseline}`);
    port.send({ type: 'call', id: 5, command: 'subscriptions:status', request: {} });
    expect((await port.result(5)).envelope).toMatchObject({ ok: false, error: { message: expect.stringMatching(/stopping/) } });
    // No more batches after the stop (the timer is gone): only the answer to call 5 arrived.
    expect(port.received.slice(after).map((m) => m.type)).toEqual(['result']);
  }, 60_000);

  it('carries on without the REST API when its port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const takenPort = (taken.address() as { port: number }).port;
    const { dataDir, master } = dataFolder();
    const { port } = startHost({ now: runningClock(TRADING_T0).now, master });
    port.send({ type: 'start', config: { dataDir, credentials: null, apiPort: takenPort } });
    expect(await port.next(isReadyOrFatal, 30_000, 'ready')).toMatchObject({ type: 'ready', mode: 'simulator', apiPort: null });
    const warning = port.received.find((m) => m.type === 'log' && m.level === 'warn' && m.line.includes(`port ${takenPort} is in use`));
    expect(warning).toBeDefined();
    port.send({ type: 'call', id: 1, command: 'settings:get', request: {} });
    expect((await port.result(1)).envelope).toMatchObject({ ok: true, value: { mode: 'simulator', client_id: null } });
  }, 60_000);

  it('live mode with no master to be had: one fatal message naming the cause, never the token', async () => {
    const { dataDir } = dataFolder();
    const { port, host } = startHost({ masterUrl: 'http://127.0.0.1:1/api-scrip-master.csv' });
    port.send({ type: 'start', config: { dataDir, credentials: { clientId: '1100', token: 'dhan-secret-token-4711' }, apiPort: 0 } });
    const fatal = await port.next(isReadyOrFatal, 20_000, 'fatal');
    expect(fatal).toMatchObject({ type: 'fatal', code: 'NETWORK', message: expect.stringMatching(/could not be downloaded/) });
    await expect(host.done).resolves.toBe('fatal');
    port.send({ type: 'call', id: 1, command: 'subscriptions:status', request: {} });
    expect((await port.result(1)).envelope).toMatchObject({ ok: false, error: { code: 'NETWORK', message: expect.stringMatching(/not running/) } });
    expect(JSON.stringify(port.received)).not.toContain('dhan-secret-token-4711');
  }, 30_000);
});
