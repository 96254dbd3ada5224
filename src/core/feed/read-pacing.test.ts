/**
 * Read pacing on a real `ws` client against a real `ws` server on 127.0.0.1:0 (plain and TLS). The
 * server sends one small frame per event-loop turn, so an unpaced client reads about once per
 * frame; paced, the frames must still all arrive, in order, in far fewer reads. A read is counted
 * as an event-loop turn in which the socket's `bytesRead` moved: reads into Node's buffer during a
 * pause count too, and over TLS (one 'data' event per record, paced or not) it still sees reads.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { ReadPacer } from './read-pacing';

const CERT = readFileSync(join(__dirname, 'testdata', 'loopback-cert.pem'));
const KEY = readFileSync(join(__dirname, 'testdata', 'loopback-key.pem'));

interface Rig {
  url: string;
  /** The server side of the one connection. */
  peer: Promise<WebSocket>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function rig(tls = false): Promise<Rig> {
  let https: HttpsServer | null = null;
  let wss: WebSocketServer;
  if (tls) {
    https = createHttpsServer({ cert: CERT, key: KEY });
    wss = new WebSocketServer({ server: https });
    await new Promise<void>((r) => https!.listen(0, '127.0.0.1', r));
  } else {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', r));
  }
  closers.push(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
    if (https) await new Promise((r) => https.close(r));
  });
  const address = (https ?? wss).address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const peer = new Promise<WebSocket>((r) => wss.once('connection', r));
  return { url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${address.port}/feed?x=1`, peer };
}

interface Client {
  ws: WebSocket;
  pacer: ReadPacer;
  /** Message sequence numbers in arrival order. */
  got: number[];
  /** Event-loop turns in which the raw socket read something (until `stopCounting()`). */
  reads(): number;
  stopCounting(): void;
}

async function client(url: string, pacingMs: number, countReads = false): Promise<Client> {
  const pacer = new ReadPacer(url, pacingMs);
  let reads = 0;
  let counting = countReads;
  const createConnection = ((options: object) => {
    const socket = (pacer.createConnection as unknown as (o: object) => Socket)(options);
    let last = 0;
    const poll = (): void => {
      if (socket.bytesRead !== last) reads++;
      last = socket.bytesRead;
      if (counting && !socket.destroyed) setImmediate(poll);
    };
    if (counting) poll();
    return socket;
  }) as unknown as typeof pacer.createConnection;
  const ws = new WebSocket(url, { createConnection, perMessageDeflate: false, ca: CERT });
  const got: number[] = [];
  ws.on('message', (data: Buffer) => got.push(data.readUInt32BE(0)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      pacer.start();
      resolve();
    });
    ws.once('error', reject);
  });
  closers.push(async () => {
    if (ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => ws.once('close', r));
    ws.terminate();
    await closed;
  });
  return { ws, pacer, got, reads: () => reads, stopCounting: () => (counting = false) };
}

function frame(seq: number): Buffer {
  const b = Buffer.alloc(44);
  b.writeUInt32BE(seq, 0);
  return b;
}

/** Send `n` frames, one per event-loop turn (a stream like Dhan's: one packet per frame). */
function stream(peer: WebSocket, n: number, from = 0): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const tick = (): void => {
      peer.send(frame(from + i++));
      if (i < n) setImmediate(tick);
      else resolve();
    };
    tick();
  });
}

async function until(cond: () => boolean, ms: number, what: () => string): Promise<void> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > ms) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('read pacing', () => {
  it.each([false, true])('tls=%s: a stream of small frames all arrive, in order, in a fraction of the reads an unpaced client makes', async (tls) => {
    const N = 3000;
    const paced = await rig(tls);
    const c = await client(paced.url, 2, true);
    await stream(await paced.peer, N);
    await until(() => c.got.length === N, 10_000, () => `${N} frames, got ${c.got.length}`);
    c.stopCounting();
    expect(c.got).toEqual(range(N));

    const unpacedRig = await rig(tls);
    const u = await client(unpacedRig.url, 0, true);
    await stream(await unpacedRig.peer, N);
    await until(() => u.got.length === N, 10_000, () => `${N} frames unpaced, got ${u.got.length}`);
    u.stopCounting();
    expect(u.got).toEqual(range(N));
    // The rig does make a read per frame or so when unpaced; pacing gathers them.
    expect(u.reads()).toBeGreaterThan(N / 2);
    expect(c.reads()).toBeLessThan(N / 5);
  });

  it('a lone frame on an idle socket arrives at once, and an idle socket has nothing scheduled', async () => {
    const r = await rig();
    const c = await client(r.url, 2);
    const peer = await r.peer;
    await stream(peer, 200);
    await until(() => c.got.length === 200, 5000, () => `200 frames, got ${c.got.length}`);
    await until(() => !c.pacer.scheduled, 1000, () => 'the last pause to end');
    // Idle: no timer is armed (nothing wakes the process for an idle socket).
    await new Promise((r) => setTimeout(r, 20));
    expect(c.pacer.scheduled).toBe(false);

    const sent = performance.now();
    let arrived = 0;
    c.ws.once('message', () => (arrived = performance.now()));
    peer.send(frame(200));
    await until(() => arrived > 0, 1000, () => 'the lone frame');
    // Not held back for pacing: a read on an idle socket is handed over before any pause starts.
    expect(arrived - sent).toBeLessThan(20);
    expect(c.got.at(-1)).toBe(200);
    // That read started a pause, which ends on its own.
    await until(() => !c.pacer.scheduled, 1000, () => 'the pause after the lone frame to end');
  });

  it('a socket the application paused through ws stays paused: a pacing pause never resumes it', async () => {
    const r = await rig();
    const c = await client(r.url, 2);
    const peer = await r.peer;
    c.ws.on('message', () => {
      if (c.got.length === 100) c.ws.pause();
    });
    await stream(peer, 100);
    await until(() => c.got.length === 100, 5000, () => `100 frames, got ${c.got.length}`);
    await stream(peer, 200, 100);
    await new Promise((r) => setTimeout(r, 30)); // several pacing periods
    expect(c.got.length).toBe(100);
    c.ws.resume();
    await until(() => c.got.length === 300, 5000, () => `300 frames, got ${c.got.length}`);
    expect(c.got).toEqual(range(300));
  });

  it('readNow ends a pause at once; closing the socket clears what was scheduled', async () => {
    const r = await rig();
    const c = await client(r.url, 10_000); // a pause that would otherwise hold for 10 s
    const peer = await r.peer;
    peer.send(frame(0));
    await until(() => c.got.length === 1, 1000, () => 'the first frame');
    await until(() => c.pacer.scheduled, 1000, () => 'a pause');
    peer.send(frame(1));
    await new Promise((r) => setTimeout(r, 30));
    expect(c.got).toEqual([0]); // held by the pause
    c.pacer.readNow();
    await until(() => c.got.length === 2, 1000, () => 'the frame read after readNow');
    peer.send(frame(2));
    await until(() => c.got.length === 3, 1000, () => 'a frame on the resumed socket');
    await until(() => c.pacer.scheduled, 1000, () => 'the next pause');
    const closed = new Promise((r) => c.ws.once('close', r));
    c.ws.terminate();
    await closed;
    expect(c.pacer.scheduled).toBe(false);
  });
});
