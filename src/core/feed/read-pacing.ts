/**
 * Paced socket reads for `ws` (issue 17), through its documented `createConnection` option.
 *
 * Why: Dhan (and the simulator) send one packet per WebSocket frame, so an unpaced client does a
 * socket read and an event-loop wake-up per packet; at 100,000 packets/s the kernel was 44% of the
 * feed client's time. After a read, the socket is left unread for `pacingMs` (2 ms): frames arriving
 * meanwhile gather in the kernel and come in one read. The price is at most `pacingMs` of added
 * latency per frame; the figures are in bench/feed.bench.ts.
 *
 * How, with Node's public stream API only:
 * - After a read has been handed to ws (our 'data' listener runs after ws's), a `setImmediate`
 *   pauses the socket once the poll phase is over, so every chunk of that read (a TLS read yields
 *   one chunk per record) reaches ws first. A timer resumes the socket `pacingMs` later.
 * - `pause()` alone does not stop a plain socket's reads: Node keeps reading into the readable
 *   buffer until it holds `highWaterMark` bytes. The socket is therefore made with a 1-byte readable
 *   high-water mark, so the first chunk read during a pause stops the handle and the rest waits in
 *   the kernel (flowing reads are unaffected: a chunk goes straight to 'data'). Without it the reads
 *   during a pause still came one per frame, only into Node's buffer (read-pacing.test.ts checks).
 * - On resume, the chunks buffered during the pause are let through unpaused, so the read that
 *   follows (what the kernel gathered) is delivered now rather than one pause later.
 * - ws pauses the socket itself, from its own 'data' listener, when its receiver wants it
 *   (backpressure; or ws.pause() from a message handler) and resumes on its 'drain'. A socket ws
 *   has paused is left alone, and a timer only resumes a pause it made. (A ws.pause() from outside
 *   a message handler, during a pacing pause, would be undone by the timer: the feed never pauses.)
 * - Nothing is scheduled on an idle socket: the timer is armed by a read. Closing clears it.
 */
import { connect as netConnect, isIP, type Socket, type TcpNetConnectOpts } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { ClientOptions } from 'ws';

/** What ws hands `createConnection`: the http.request options for the upgrade (host, port, TLS options, ...). */
type ConnectOptions = TcpNetConnectOpts & ConnectionOptions;

/** The readable high-water mark that makes a paused socket stop reading (see the header). */
const PAUSED_READ_LIMIT = 1;

export class ReadPacer {
  private socket: Socket | null = null;
  private started = false;
  /** The pause in progress (a real timer: it schedules I/O, not policy). */
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** Whether the current pause is ours (ws's backpressure pauses are not). */
  private held = false;
  /** Bytes buffered during the last pause, still to be let through before pacing again. */
  private drainBytes = 0;

  private readonly secure: boolean;

  /**
   * @param url the WebSocket URL ws connects to (wss: is TLS)
   * @param pacingMs how long the socket is left unread after a read; 0 turns pacing off
   */
  constructor(url: string, private readonly pacingMs: number) {
    const protocol = new URL(url).protocol;
    this.secure = protocol === 'wss:' || protocol === 'https:';
  }

  /**
   * The `createConnection` option for ws: ws's own connect (net, or TLS with SNI for a host name)
   * with the readable high-water mark pacing needs.
   */
  readonly createConnection = ((options: ConnectOptions): Socket => {
    const socket = this.connect(options);
    this.socket = socket;
    socket.once('close', this.dispose);
    return socket;
  }) as unknown as NonNullable<ClientOptions['createConnection']>; // ws calls it with http.request's options; net's overloads do not describe that

  /** Start pacing: call on ws's 'open', so this listener runs after ws's own 'data' listener. */
  start(): void {
    const socket = this.socket;
    if (this.started || socket === null || socket.destroyed || this.pacingMs <= 0) return;
    this.started = true;
    socket.on('data', this.onData);
  }

  /** Whether a pause is in progress or about to start (false on an idle or closed socket). */
  get scheduled(): boolean {
    return this.timer !== null || this.immediate !== null;
  }

  /** Stop pacing now (the socket is being dropped): nothing stays scheduled. */
  stop(): void {
    this.socket?.off('data', this.onData);
    this.dispose();
  }

  /** Read whatever has arrived now, without waiting for the pause to end (the liveness verdict). */
  readNow(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.release();
  }

  private connect(options: ConnectOptions): Socket {
    // As ws's own netConnect/tlsConnect: `path` is the request's path, never a socket path here.
    // Node passes these high-water marks on to the socket's stream; @types/node leaves them out.
    if (this.secure) {
      const servername = options.servername || options.servername === '' ? options.servername : isIP(options.host ?? '') ? '' : options.host;
      // tls.connect takes one `highWaterMark` (readable and writable alike): the feed writes little.
      const tlsOptions: ConnectionOptions & { highWaterMark: number } = { ...options, path: undefined, servername, highWaterMark: PAUSED_READ_LIMIT };
      return tlsConnect(tlsOptions);
    }
    const netOptions: TcpNetConnectOpts & { path: undefined; readableHighWaterMark: number } = { ...options, path: undefined, readableHighWaterMark: PAUSED_READ_LIMIT };
    return netConnect(netOptions);
  }

  /** Bound once: after ws's listener, for every chunk read. */
  private readonly onData = (chunk: Buffer): void => {
    if (this.drainBytes > 0) {
      this.drainBytes -= chunk.length; // read before the last pause ended: let it through
      return;
    }
    if (this.immediate === null && this.timer === null) this.immediate = setImmediate(this.hold);
  };

  /** Bound once: the read is over (every chunk went to ws); leave the socket unread for a while. */
  private readonly hold = (): void => {
    this.immediate = null;
    const socket = this.socket;
    // A socket ws paused (its receiver is behind) is ws's to resume.
    if (socket === null || socket.destroyed || socket.isPaused()) return;
    socket.pause();
    this.held = true;
    this.timer = setTimeout(this.release, this.pacingMs);
  };

  /** Bound once: the end of a pause. */
  private readonly release = (): void => {
    this.timer = null;
    const socket = this.socket;
    if (!this.held || socket === null) return;
    this.held = false;
    this.drainBytes = socket.readableLength;
    socket.resume();
  };

  /** Bound once: the socket closed; nothing may stay scheduled. */
  private readonly dispose = (): void => {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = this.immediate = null;
    this.held = false;
  };
}
