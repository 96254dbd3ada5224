/**
 * A lean WebSocket client (RFC 6455, client side) for the feed's hot path.
 *
 * Why not `ws`: Dhan sends one packet per frame, so at 100,000 packets/s the per-read and
 * per-frame work of a general-purpose client dominated the feed's CPU: a fresh Buffer for every
 * socket read (Node's stream layer), the Readable and Writable machinery between the socket and
 * the frame parser, a Buffer view and an event per frame. This client reads with Node's `onread`
 * into one preallocated buffer per socket, parses frame headers in place and hands each binary
 * message's byte range to the caller: nothing is allocated per read or per frame.
 *
 * Reads are paced: after a read the socket is left unread for `readPacingMs` (2 ms), so frames
 * arriving meanwhile are gathered by the kernel and come in one read. At one packet per frame a
 * read per frame cost more (system calls, waking the event loop) than decoding the packet did.
 * The price is at most `readPacingMs` of added latency; a socket with nothing to read is never
 * woken by the pacing, and `readNow()` lifts it at once (the liveness verdict uses it). The figures
 * are in bench/feed.bench.ts.
 *
 * Scope, deliberately what the feed needs and no more: ws:// and wss:// (the platform's CAs), the
 * opening handshake with Sec-WebSocket-Accept checked, binary and text messages (fragmented ones
 * reassembled; text is only heard, the feed never sends any), pings answered with pongs, the
 * close handshake, masked client frames. No extensions (compression is never offered), no
 * subprotocols, redirects or proxies. A protocol error closes with 1002, a message larger than
 * `maxPayload` with 1009.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect as netConnect, isIP, type OnReadOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { readHttpHead, refusalBody, type HttpHead } from './http-head';

/** What a socket reports. Exactly one of `refused` and `closed` ends it; nothing follows `terminate()`. */
export interface FeedSocketEvents {
  /** The opening handshake completed. */
  open(): void;
  /** Bytes arrived (a frame or part of one): called once per socket read, for liveness. */
  heard(): void;
  /** One whole binary message: bytes [start, end) of `bytes`, valid only during the call. */
  binary(bytes: Uint8Array, start: number, end: number): void;
  /** A pong arrived. */
  pong(): void;
  /** The server answered the upgrade with an HTTP status other than 101 (body: its first 4 KB). */
  refused(status: number, body: string): void;
  /** The socket is gone: a close frame (its code), the TCP end (1006) or an error (`error` set). */
  closed(code: number, error: string | null): void;
}

export interface FeedSocketOptions {
  /** Largest message accepted (bytes); larger closes with 1009. */
  maxPayload?: number;
  /** After a read, leave the socket unread this long (0: read as soon as bytes arrive). */
  readPacingMs?: number;
}

export type FeedSocketState = 'connecting' | 'open' | 'closed';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const READ_BYTES = 64 * 1024;
const MAX_HEAD = 16 * 1024;
const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

/** A masked client frame. */
function clientFrame(opcode: number, payload: Uint8Array): Buffer {
  const len = payload.length;
  const hdr = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(hdr + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) {
    out[1] = 0x80 | len;
  } else if (len < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  randomFillSync(out, hdr, 4);
  const body = hdr + 4;
  for (let i = 0; i < len; i++) out[body + i] = payload[i]! ^ out[hdr + (i & 3)]!;
  return out;
}

export class FeedSocket {
  private readonly socket: Socket;
  private readonly events: FeedSocketEvents;
  private readonly maxPayload: number;
  private readonly key = randomBytes(16).toString('base64');
  private _state: FeedSocketState = 'connecting';
  /** Where each socket read lands (Node's `onread`), reused for every read. */
  private readonly readBuf = Buffer.alloc(READ_BYTES);
  /** Bytes of a frame (or of the handshake) that a read ended inside of, kept for the next read. */
  private carry = Buffer.alloc(0);
  private carryLen = 0;
  /** A fragmented message being reassembled: its opcode (-1: none) and parts. */
  private fragOpcode = -1;
  private fragments: Buffer[] = [];
  private fragBytes = 0;
  /** A refused upgrade: its head, while its body is still arriving. */
  private refusal: HttpHead | null = null;
  private refusalBytes: Buffer[] = [];
  private readonly pacingMs: number;
  /** The pacing pause in progress (a real timer: it schedules I/O, not policy). */
  private pacer: NodeJS.Timeout | null = null;

  /** Open a socket to `url` (ws:// or wss://, path and query as given). */
  constructor(url: string, events: FeedSocketEvents, options: FeedSocketOptions = {}) {
    this.events = events;
    this.maxPayload = options.maxPayload ?? 16 * 1024 * 1024;
    this.pacingMs = options.readPacingMs ?? 2;
    const u = new URL(url);
    const secure = u.protocol === 'wss:';
    if (!secure && u.protocol !== 'ws:') throw new Error(`not a WebSocket URL: ${url}`);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port || (secure ? 443 : 80));
    const onread: OnReadOpts = { buffer: this.readBuf, callback: this.onRead };
    if (secure) {
      // Node's TLS socket takes `onread` like a plain one; @types/node leaves it out of its options.
      const tlsOptions: ConnectionOptions & { onread: OnReadOpts } = { host, port, ALPNProtocols: ['http/1.1'], onread, ...(isIP(host) ? {} : { servername: host }) };
      this.socket = tlsConnect(tlsOptions);
      this.socket.once('secureConnect', () => this.sendHandshake(u));
    } else {
      this.socket = netConnect({ host, port, onread });
      this.socket.once('connect', () => this.sendHandshake(u));
    }
    this.socket.setNoDelay(true);
    this.socket.on('error', (err) => this.end(1006, this._state === 'connecting' ? err.message : null));
    this.socket.on('close', () => this.end(1006, null));
  }

  get state(): FeedSocketState {
    return this._state;
  }

  /** Whether a callback just ended the socket (a method call, so checks after callbacks are not narrowed away). */
  private ended(): boolean {
    return this._state === 'closed';
  }

  /** Send a text message (false when not open). */
  sendText(text: string): boolean {
    return this.write(OP_TEXT, Buffer.from(text, 'utf8'));
  }

  /** Send a ping (false when not open). */
  ping(): boolean {
    return this.write(OP_PING, Buffer.alloc(0));
  }

  /** Read whatever has arrived without waiting for the pacing pause to end. */
  readNow(): void {
    if (this.pacer === null) return;
    clearTimeout(this.pacer);
    this.resumeReads();
  }

  /** Drop the connection now, without a close handshake; no event follows. */
  terminate(): void {
    this._state = 'closed';
    this.stopPacing();
    this.socket.destroy();
  }

  /** Bound once: the end of a pacing pause. */
  private readonly resumeReads = (): void => {
    this.pacer = null;
    if (this._state === 'open') this.socket.resume();
  };

  private stopPacing(): void {
    if (this.pacer !== null) clearTimeout(this.pacer);
    this.pacer = null;
  }

  private write(opcode: number, payload: Uint8Array): boolean {
    if (this._state !== 'open') return false;
    this.socket.write(clientFrame(opcode, payload));
    return true;
  }

  private sendHandshake(u: URL): void {
    if (this._state !== 'connecting') return;
    const defaultPort = u.protocol === 'wss:' ? '443' : '80';
    const hostHeader = u.port && u.port !== defaultPort ? `${u.hostname}:${u.port}` : u.hostname;
    this.socket.write(
      `GET ${u.pathname || '/'}${u.search} HTTP/1.1\r\nHost: ${hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${this.key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  }

  /** The one exit: reports once, then the socket is closed for good. */
  private end(code: number, error: string | null): void {
    if (this._state === 'closed') return;
    const refusal = this.refusal;
    this._state = 'closed';
    this.stopPacing();
    this.socket.destroy();
    if (refusal) this.events.refused(refusal.status, refusalBody(refusal, this.refusalBytes) ?? '');
    else this.events.closed(code, error);
  }

  /** Fail the connection: a close frame with `code` when open, then the socket ends. */
  private fail(code: number, why: string): void {
    if (this._state === 'open') this.socket.write(clientFrame(OP_CLOSE, Buffer.from([code >> 8, code & 255])));
    this.end(code, why);
  }

  /** Bound once: every socket read lands here, in `readBuf`. */
  private readonly onRead = (n: number, _bytes: Uint8Array): boolean => {
    if (this._state === 'closed') return true;
    this.events.heard();
    if (this.ended()) return true;
    // Copies below use Buffer.copy, which makes no view.
    let data = this.readBuf;
    let end = n;
    if (this.carryLen > 0) {
      // A frame continues from the last read: parse from the carry buffer.
      const need = this.carryLen + n;
      if (need > this.carry.length) {
        const grown = Buffer.allocUnsafe(Math.max(need, this.carry.length * 2));
        this.carry.copy(grown, 0, 0, this.carryLen);
        this.carry = grown;
      }
      this.readBuf.copy(this.carry, this.carryLen, 0, n);
      data = this.carry;
      end = need;
    }
    const at = this._state === 'connecting' ? this.onHead(data, end) : this.onFrames(data, 0, end);
    if (at < 0 || this.ended()) {
      this.carryLen = 0;
      return true;
    }
    const left = end - at;
    if (left > 0 && data === this.carry) {
      this.carry.copyWithin(0, at, end);
    } else if (left > 0) {
      if (left > this.carry.length) this.carry = Buffer.allocUnsafe(Math.max(left, READ_BYTES));
      data.copy(this.carry, 0, at, end);
    }
    this.carryLen = left;
    if (this.pacingMs > 0 && this._state === 'open' && this.pacer === null) {
      this.socket.pause();
      this.pacer = setTimeout(this.resumeReads, this.pacingMs);
    }
    return true;
  };

  /**
   * The handshake response (and, on a refusal, its body). Returns where frames start, or -1 when
   * all bytes were taken (or the socket ended).
   */
  private onHead(data: Uint8Array, end: number): number {
    if (this.refusal) {
      this.refusalBytes.push(Buffer.from(data.subarray(0, end)));
      if (refusalBody(this.refusal, this.refusalBytes, true) !== null) this.end(1006, null);
      return -1;
    }
    const head = readHttpHead(data, end, MAX_HEAD);
    if (head === null) return 0; // incomplete: keep every byte
    if (head === 'too-large') {
      this.end(1006, 'the feed answered the upgrade with an oversized HTTP head');
      return -1;
    }
    if (head.status !== 101) {
      this.refusal = head;
      return this.onHead(data.subarray(head.size, end), end - head.size);
    }
    const accept = createHash('sha1').update(this.key + GUID).digest('base64');
    const h = head.headers;
    if ((h.get('upgrade') ?? '').toLowerCase() !== 'websocket') this.end(1006, 'Invalid Upgrade header');
    else if (h.get('sec-websocket-accept') !== accept) this.end(1006, 'Invalid Sec-WebSocket-Accept header');
    else if (h.has('sec-websocket-extensions')) this.end(1006, 'Server sent a Sec-WebSocket-Extensions header but no extension was requested');
    if (this.ended()) return -1;
    this._state = 'open';
    this.events.open();
    if (this._state !== 'open') return -1;
    return this.onFrames(data, head.size, end);
  }

  /** Parse whole frames in [at, end); returns where an incomplete one starts (or end). */
  private onFrames(data: Uint8Array, at: number, end: number): number {
    while (end - at >= 2) {
      const b0 = data[at]!;
      const b1 = data[at + 1]!;
      let len = b1 & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (end - at < 4) break;
        len = (data[at + 2]! << 8) | data[at + 3]!;
        hdr = 4;
      } else if (len === 127) {
        if (end - at < 10) break;
        const high = ((data[at + 2]! << 24) | (data[at + 3]! << 16) | (data[at + 4]! << 8) | data[at + 5]!) >>> 0;
        const low = ((data[at + 6]! << 24) | (data[at + 7]! << 16) | (data[at + 8]! << 8) | data[at + 9]!) >>> 0;
        len = high > 0 ? Infinity : low;
        hdr = 10;
      }
      if (b0 & 0x70 || b1 & 0x80) {
        this.fail(1002, b1 & 0x80 ? 'a masked frame from the server' : 'RSV bits set without an extension');
        return -1;
      }
      if (len > this.maxPayload) {
        this.fail(1009, 'a message larger than the feed accepts');
        return -1;
      }
      if (end - at < hdr + len) break;
      const start = at + hdr;
      at = start + len;
      if (!this.onFrame(b0 & 0x80, b0 & 0x0f, data, start, at)) return -1;
    }
    return at;
  }

  /** One whole frame; false once the socket is closed. */
  private onFrame(fin: number, opcode: number, data: Uint8Array, start: number, end: number): boolean {
    if (opcode === OP_BINARY && fin && this.fragOpcode < 0) {
      this.events.binary(data, start, end);
    } else if (opcode >= OP_CLOSE) {
      if (!fin || end - start > 125) {
        this.fail(1002, 'a fragmented or oversized control frame');
      } else if (opcode === OP_PING) {
        this.write(OP_PONG, data.subarray(start, end));
      } else if (opcode === OP_PONG) {
        this.events.pong();
      } else if (opcode === OP_CLOSE) {
        const code = end - start >= 2 ? (data[start]! << 8) | data[start + 1]! : 1005;
        if (this._state === 'open') this.socket.end(clientFrame(OP_CLOSE, data.subarray(start, Math.min(end, start + 2))));
        this.end(code, null);
      } else {
        this.fail(1002, `unknown opcode ${opcode}`);
      }
    } else if (opcode === OP_TEXT || opcode === OP_BINARY || opcode === OP_CONT) {
      this.onFragment(fin, opcode, data.subarray(start, end));
    } else {
      this.fail(1002, `unknown opcode ${opcode}`);
    }
    return this._state === 'open';
  }

  /** A data frame that is part of a fragmented message (or a whole text one). */
  private onFragment(fin: number, opcode: number, part: Uint8Array): void {
    if ((opcode === OP_CONT) !== this.fragOpcode >= 0) {
      this.fail(1002, opcode === OP_CONT ? 'a continuation with no message to continue' : 'a new message inside a fragmented one');
      return;
    }
    if (this.fragOpcode < 0) this.fragOpcode = opcode;
    this.fragBytes += part.length;
    if (this.fragBytes > this.maxPayload) {
      this.fail(1009, 'a message larger than the feed accepts');
      return;
    }
    if (this.fragOpcode === OP_BINARY) this.fragments.push(Buffer.from(part));
    if (!fin) return;
    const binary = this.fragOpcode === OP_BINARY;
    const whole = binary ? Buffer.concat(this.fragments) : null;
    this.fragOpcode = -1;
    this.fragments = [];
    this.fragBytes = 0;
    if (whole) this.events.binary(whole, 0, whole.length);
  }
}
