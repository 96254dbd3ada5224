/**
 * The HTTP answer to a WebSocket upgrade, read by hand (feed-socket.ts owns its socket's reads):
 * the status line and headers, and for a refusal enough of the body to name Dhan's reason
 * (`{"data":{"807":"..."}}`). Bodies are read by Content-Length, chunked encoding, or until the
 * server closes, and cut at 4 KB.
 */

export interface HttpHead {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Map<string, string>;
  /** Bytes of the head, the blank line included: the body (or the first frame) starts here. */
  size: number;
}

const MAX_BODY = 4096;

/** The head in bytes [0, end) of `data`: null while incomplete, 'too-large' past `max` bytes. */
export function readHttpHead(data: Uint8Array, end: number, max: number): HttpHead | null | 'too-large' {
  const bytes = Buffer.from(data.buffer, data.byteOffset, end);
  const stop = bytes.indexOf('\r\n\r\n');
  if (stop < 0) return end > max ? 'too-large' : null;
  const lines = bytes.toString('latin1', 0, stop).split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: status ? Number(status[1]) : 0, headers, size: stop + 4 };
}

/**
 * The body of a refusal from the parts read so far (at most 4 KB of it). With `onlyIfComplete`,
 * null until the whole body is there (a body that runs until the close is never complete).
 */
export function refusalBody(head: HttpHead, parts: readonly Buffer[], onlyIfComplete = false): string | null {
  const raw = Buffer.concat(parts);
  const length = head.headers.get('content-length');
  if ((head.headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked')) {
    const { body, complete } = dechunk(raw);
    if (onlyIfComplete && !complete && body.length < MAX_BODY) return null;
    return body.toString('utf8', 0, Math.min(body.length, MAX_BODY));
  }
  if (length !== undefined && /^\d+$/.test(length)) {
    const want = Number(length);
    if (onlyIfComplete && raw.length < want && raw.length < MAX_BODY) return null;
    return raw.toString('utf8', 0, Math.min(want, raw.length, MAX_BODY));
  }
  if (onlyIfComplete && raw.length < MAX_BODY) return null;
  return raw.toString('utf8', 0, Math.min(raw.length, MAX_BODY));
}

/** A chunked body's data so far, and whether its last (empty) chunk arrived. */
function dechunk(raw: Buffer): { body: Buffer; complete: boolean } {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return { body: Buffer.concat(out), complete: false };
    const size = parseInt(raw.toString('latin1', at, eol), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(out), complete: true };
    if (size === 0) return { body: Buffer.concat(out), complete: true };
    const start = eol + 2;
    out.push(raw.subarray(start, Math.min(start + size, raw.length)));
    if (start + size + 2 > raw.length) return { body: Buffer.concat(out), complete: false };
    at = start + size + 2;
  }
}
