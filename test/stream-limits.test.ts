/**
 * The event stream's per-client limits over real sockets on 127.0.0.1 (see the header of
 * src/server/event-stream.ts): a client that pauses reading and floods frames is closed and what
 * the server queues for it stays bounded; a flooding client gets close code 1008 with a reason; a
 * client that is slow when a reply is due is closed instead of queuing it; ids are echoed only
 * when they are strings of at most 100 characters; a normal client is unaffected throughout.
 * Every count and wait is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../src/core/api/create-api';
import { attachEventStream, CLOSE_POLICY, FLOOD_BURST, MAX_ECHO_ID, SLOW_CLIENT_BYTES, tooMuchBuffered, type EventStream } from '../src/server/event-stream';
import { closeHttp, createHttpServer, listenHttp } from '../src/server/http-api';
import type { StreamServerMessage } from '../src/shared/events';
import { startAppOnSim, type AppOnSim } from './helpers/app';
import { waitFor } from './helpers/wait';

const TOKEN = 'e'.repeat(64);
let env: AppOnSim;
let port: number;
let server: ReturnType<typeof createHttpServer>;
let stream: EventStream;
const logs: string[] = [];
/** While true every client counts as slow (see EventStreamOptions.isSlow). */
let allSlow = false;
const opened: WebSocket[] = [];

beforeAll(async () => {
  env = await startAppOnSim({ still: true, prefix: 'strikedesk-limits-', app: { log: (l) => logs.push(l) } });
  server = createHttpServer({ api: createApi(env.app), token: TOKEN, log: (l) => logs.push(l) });
  stream = attachEventStream(server, { app: env.app, token: TOKEN, intervalMs: 50, log: (l) => logs.push(l), isSlow: (c) => allSlow || tooMuchBuffered(c) });
  port = await listenHttp(server, 0);
}, 60_000);

afterAll(async () => {
  for (const ws of opened) ws.terminate();
  await stream?.close();
  if (server) await closeHttp(server);
  await env?.stop();
});

interface Peer {
  ws: WebSocket;
  messages: StreamServerMessage[];
  closed: Promise<{ code: number; reason: string }>;
}

async function connect(): Promise<Peer> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v2/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
  opened.push(ws);
  const messages: StreamServerMessage[] = [];
  ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')) as StreamServerMessage));
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

/** Wait until the stream has `n` connected clients. */
async function serverSideCount(n: number): Promise<void> {
  await waitFor(() => stream.clients === n || undefined, 5_000, `${n} stream clients`);
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('event stream limits', () => {
  it('closes a paused client that floods frames; its queue stays bounded; a normal client is unaffected', async () => {
    const normal = await connect();
    normal.ws.send(JSON.stringify({ op: 'subscribe', view: 'status', id: 'n1' }));
    await waitFor(() => normal.messages.find((m) => m.type === 'subscribed') ?? undefined, 5_000, 'the normal ack');

    const flooder = await connect();
    await serverSideCount(2);
    // Stop reading: nothing the server sends is taken off the socket.
    (flooder.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const id = 'x'.repeat(MAX_ECHO_ID);
    let maxQueued = 0;
    const frames = 20_000;
    for (let i = 0; i < frames && flooder.ws.readyState === WebSocket.OPEN; i++) {
      flooder.ws.send(JSON.stringify({ op: i % 2 ? 'subscribe' : 'unsubscribe', view: 'status', id }));
      if (i % 500 === 0) {
        maxQueued = Math.max(maxQueued, ...stream.queuedBytes());
        await pause(1);
      }
    }
    // The flooder is closed by the server (a close frame, then terminate: it never reads the frame).
    await serverSideCount(1);
    maxQueued = Math.max(maxQueued, ...stream.queuedBytes());
    expect(maxQueued).toBeLessThanOrEqual(SLOW_CLIENT_BYTES + 64 * 1024);
    expect(logs.some((l) => /closed a client: flooding/.test(l))).toBe(true);
    (flooder.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const why = await Promise.race([flooder.closed, pause(5_000).then(() => null)]);
    expect(why).not.toBeNull();

    // The normal client still gets batches and answers.
    const from = normal.messages.length;
    normal.ws.send(JSON.stringify({ op: 'subscribe', view: 'log', id: 'n2' }));
    await waitFor(() => normal.messages.slice(from).find((m) => m.type === 'subscribed' && m.id === 'n2') ?? undefined, 5_000, 'the normal ack after the flood');
    expect(normal.ws.readyState).toBe(WebSocket.OPEN);
    normal.ws.close();
    await normal.closed;
  }, 60_000);

  it('a flooding client that reads gets close code 1008 with a reason', async () => {
    const c = await connect();
    for (let i = 0; i < FLOOD_BURST * 3 && c.ws.readyState === WebSocket.OPEN; i++) c.ws.send('{"op":"subscribe","view":"status"}');
    const { code, reason } = await Promise.race([c.closed, pause(5_000).then(() => ({ code: 0, reason: 'timeout' }))]);
    expect(code).toBe(CLOSE_POLICY);
    expect(reason).toMatch(/flooding/);
    // At most the burst (and what refilled while it was read) was answered.
    expect(c.messages.filter((m) => m.type !== 'batch').length).toBeLessThanOrEqual(FLOOD_BURST + 10);
    await serverSideCount(0);
  }, 30_000);

  it('a client that is slow when a reply is due is closed, not queued', async () => {
    const c = await connect();
    await serverSideCount(1);
    allSlow = true;
    let result: { code: number; reason: string };
    try {
      c.ws.send(JSON.stringify({ op: 'subscribe', view: 'status', id: 's1' }));
      result = await Promise.race([c.closed, pause(5_000).then(() => ({ code: 0, reason: 'timeout' }))]);
    } finally {
      allSlow = false;
    }
    const { code, reason } = result;
    expect(code).toBe(CLOSE_POLICY);
    expect(reason).toMatch(/not reading/);
    expect(c.messages.filter((m) => m.type === 'subscribed')).toEqual([]);
  }, 30_000);

  it('echoes an id only when it is a string of at most 100 characters', async () => {
    const c = await connect();
    const ask = async (msg: unknown): Promise<StreamServerMessage> => {
      const from = c.messages.length;
      c.ws.send(JSON.stringify(msg));
      return waitFor(() => c.messages.slice(from).find((m) => m.type !== 'batch'), 5_000, `a reply to ${JSON.stringify(msg).slice(0, 80)}`);
    };
    const ok = 'k'.repeat(MAX_ECHO_ID);
    expect(await ask({ op: 'subscribe', view: 'status', id: ok })).toMatchObject({ type: 'subscribed', id: ok });
    const long = await ask({ op: 'subscribe', view: 'status', id: 'k'.repeat(MAX_ECHO_ID + 1) });
    expect(long.type).toBe('error');
    expect(long).not.toHaveProperty('id');
    const huge = await ask({ op: 'subscribe', view: 'status', id: 'h'.repeat(60_000) });
    expect(huge.type).toBe('error');
    expect(JSON.stringify(huge).length).toBeLessThan(1_000);
    const numeric = await ask({ op: 'subscribe', view: 'status', id: 42 });
    expect(numeric.type).toBe('error');
    expect(numeric).not.toHaveProperty('id');
    c.ws.close();
    await c.closed;
  }, 30_000);
});
