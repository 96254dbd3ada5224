/**
 * The lean feed socket against a hand-written server on 127.0.0.1:0, which controls the bytes
 * and how they are cut into TCP writes: frames split anywhere, many frames in one read, every
 * length encoding, fragments, ping/pong, close, refusals and bad handshakes.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedSocket, type FeedSocketEvents } from './feed-socket';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A server frame (unmasked). */
function frame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0, len]) : len < 65_536 ? Buffer.from([0, 126, len >> 8, len & 255]) : Buffer.alloc(10);
  if (len >= 65_536) {
    head[1] = 127;
    head.writeUInt32BE(len, 6);
  }
  head[0] = (fin ? 0x80 : 0) | opcode;
  return Buffer.concat([head, payload]);
}

/** Client frames the server received: [opcode, unmasked payload]. */
function parseClientFrames(bytes: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let at = 0;
  while (at + 6 <= bytes.length) {
    let len = bytes[at + 1]! & 0x7f;
    let hdr = 2;
    if (len === 126) {
      len = bytes.readUInt16BE(at + 2);
      hdr = 4;
    }
    const mask = bytes.subarray(at + hdr, at + hdr + 4);
    const body = Buffer.from(bytes.subarray(at + hdr + 4, at + hdr + 4 + len));
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
    out.push([bytes[at]! & 0x0f, body]);
    at += hdr + 4 + len;
  }
  return out;
}

interface Peer {
  socket: Socket;
  /** Bytes from the client after its handshake. */
  received: Buffer[];
}

interface Rig {
  url: string;
  peer: Promise<Peer>;
}

const servers: Server[] = [];
const sockets: FeedSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that answers the handshake with `answer(key)` and hands over the socket. */
function rig(answer: (key: string) => string = (key) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${createHash('sha1').update(key + GUID).digest('base64')}\r\n\r\n`): Promise<Rig> {
  let handOver: (p: Peer) => void = () => undefined;
  const peer = new Promise<Peer>((r) => (handOver = r));
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    let head = '';
    const received: Buffer[] = [];
    let upgraded = false;
    socket.on('data', (d: Buffer) => {
      if (upgraded) {
        received.push(d);
        return;
      }
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      upgraded = true;
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(head)![1]!;
      socket.write(answer(key));
      handOver({ socket, received });
    });
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/?version=2`, peer })));
}

interface Recorder extends FeedSocketEvents {
  log: string[];
  messages: Buffer[];
  pongs: number;
  done: Promise<string>;
}

function recorder(): Recorder {
  let finish: (s: string) => void = () => undefined;
  const rec: Recorder = {
    log: [],
    messages: [],
    pongs: 0,
    done: new Promise((r) => (finish = r)),
    open: () => rec.log.push('open'),
    heard: () => undefined,
    binary: (bytes, start, end) => rec.messages.push(Buffer.from(bytes.subarray(start, end))),
    pong: () => rec.pongs++,
    refused: (status, body) => finish(`refused ${status} ${body}`),
    closed: (code, error) => finish(`closed ${code} ${error ?? ''}`.trim()),
  };
  return rec;
}

function open(url: string, rec: Recorder, readPacingMs = 0): FeedSocket {
  const s = new FeedSocket(url, rec, { readPacingMs, maxPayload: 100_000 });
  sockets.push(s);
  return s;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const start = performance.now();
  while (!cond()) {
    if (performance.now() - start > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('feed socket: frames', () => {
  for (const pacing of [0, 2]) {
    it(`every message arrives whole however the bytes are cut (read pacing ${pacing} ms)`, async () => {
      const { url, peer } = await rig();
      const rec = recorder();
      open(url, rec, pacing);
      const { socket } = await peer;
      const payloads = [Buffer.alloc(16, 1), Buffer.alloc(162, 2), Buffer.alloc(300, 3), Buffer.alloc(70_000, 4), Buffer.alloc(0), Buffer.alloc(50, 5)];
      payloads.forEach((p, i) => p.length > 0 && (p[0] = i));
      const bytes = Buffer.concat(payloads.map((p) => frame(2, p)));
      // Cut at awkward places: inside headers, inside extended lengths, inside payloads.
      const cuts = [1, 3, 5, 20, 170, 171, 180, 500, 40_000, bytes.length];
      let from = 0;
      for (const to of cuts) {
        socket.write(bytes.subarray(from, to));
        from = to;
        await new Promise((r) => setTimeout(r, 3));
      }
      await until(() => rec.messages.length === payloads.length, 'every message');
      expect(rec.messages.map((m) => m.length)).toEqual(payloads.map((p) => p.length));
      rec.messages.forEach((m, i) => expect(m.equals(payloads[i]!)).toBe(true));
    });
  }

  it('reassembles a fragmented binary message, hears text, answers a ping with its payload, counts pongs', async () => {
    const { url, peer } = await rig();
    const rec = recorder();
    open(url, rec);
    const { socket, received } = await peer;
    socket.write(Buffer.concat([frame(2, Buffer.from('ab'), false), frame(9, Buffer.from('mid')), frame(0, Buffer.from('cd'), false), frame(0, Buffer.from('e')), frame(1, Buffer.from('{"text":1}')), frame(10, Buffer.alloc(0))]));
    await until(() => rec.messages.length === 1 && rec.pongs === 1 && received.length > 0, 'the message, the pong and our pong');
    expect(rec.messages[0]!.toString()).toBe('abcde');
    expect(parseClientFrames(Buffer.concat(received))).toEqual([[10, Buffer.from('mid')]]);
  });

  it('sends masked text and pings; a close frame is answered and ends the socket with its code', async () => {
    const { url, peer } = await rig();
    const rec = recorder();
    const s = open(url, rec);
    const { socket, received } = await peer;
    await until(() => s.state === 'open', 'open');
    expect(s.sendText('{"RequestCode":15}')).toBe(true);
    expect(s.ping()).toBe(true);
    await until(() => parseClientFrames(Buffer.concat(received)).length === 2, 'two client frames');
    expect(parseClientFrames(Buffer.concat(received))).toEqual([[1, Buffer.from('{"RequestCode":15}')], [9, Buffer.alloc(0)]]);
    socket.write(frame(8, Buffer.from([0x03, 0xe8])));
    expect(await rec.done).toBe('closed 1000');
    await until(() => parseClientFrames(Buffer.concat(received)).length === 3, 'the close answered');
    expect(parseClientFrames(Buffer.concat(received))[2]).toEqual([8, Buffer.from([0x03, 0xe8])]);
    expect(s.sendText('late')).toBe(false);
  });

  it('a masked server frame is a protocol error (1002); an oversized message closes with 1009', async () => {
    for (const [bytes, want] of [[Buffer.from([0x82, 0x81, 1, 2, 3, 4, 5]), /closed 1002 a masked frame/], [frame(2, Buffer.alloc(100_001)), /closed 1009/]] as const) {
      const { url, peer } = await rig();
      const rec = recorder();
      open(url, rec);
      (await peer).socket.write(bytes);
      expect(await rec.done).toMatch(want);
    }
  });

  it('a TCP end without a close frame is 1006 and no error', async () => {
    const { url, peer } = await rig();
    const rec = recorder();
    open(url, rec);
    (await peer).socket.end();
    expect(await rec.done).toBe('closed 1006');
  });
});

describe('feed socket: the handshake', () => {
  it('a refusal reports its status and body (chunked), never open', async () => {
    const { url } = await rig(() => 'HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{"data\r\n14\r\n":{"807":"expired"}}\r\n0\r\n\r\n');
    const rec = recorder();
    open(url, rec);
    expect(await rec.done).toBe('refused 401 {"data":{"807":"expired"}}');
    expect(rec.log).toEqual([]);
  });

  it('a refusal with Content-Length reports its body at once, before the server closes', async () => {
    const { url } = await rig(() => 'HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\n\r\n{}');
    const rec = recorder();
    open(url, rec);
    expect(await rec.done).toBe('refused 429 {}');
  });

  it('a wrong Sec-WebSocket-Accept fails the connection with a reason', async () => {
    const { url } = await rig(() => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: nope\r\n\r\n');
    const rec = recorder();
    open(url, rec);
    expect(await rec.done).toBe('closed 1006 Invalid Sec-WebSocket-Accept header');
  });

  it('a refused TCP connection reports the error', async () => {
    const { url } = await rig();
    await new Promise((r) => servers.pop()!.close(r));
    const rec = recorder();
    open(url, rec);
    expect(await rec.done).toMatch(/closed 1006 connect ECONNREFUSED/);
  });
});
