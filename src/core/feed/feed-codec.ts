/**
 * Binary packets of Dhan's live feed (DHAN-PROTOCOL.md §2): little-endian, float32 prices, an
 * 8-byte header whose length field is the whole packet. A frame may stack several packets; they
 * are split by that length field.
 *
 * Hot path: `FeedDecoder.decode` reads fields at fixed offsets into one reused `FeedPacket` and
 * hands it to a callback, so decoding allocates nothing per packet. A truncated, oversized,
 * unknown or unplaceable packet is counted and skipped; decode never throws on bad bytes.
 */
import type { Segment } from '../../shared/instruments';
import { DEPTH_LEVELS, HEADER_SIZE, PACKET_SIZE, RESPONSE_CODE, SEGMENT_BY_CODE } from './feed-protocol';

/** Depth level fields in `FeedPacket.depth`, 6 numbers per level. */
export const DEPTH_BID_QTY = 0;
export const DEPTH_ASK_QTY = 1;
export const DEPTH_BID_ORDERS = 2;
export const DEPTH_ASK_ORDERS = 3;
export const DEPTH_BID_PRICE = 4;
export const DEPTH_ASK_PRICE = 5;
export const DEPTH_STRIDE = 6;

/**
 * One decoded packet. The decoder reuses a single instance: copy what you need inside the
 * callback. Fields a packet type does not carry keep stale values; read only those of `code`.
 */
export class FeedPacket {
  code = 0;
  length = 0;
  segment: Segment = 'IDX_I';
  /** The header's numeric segment (Dhan's annexure number), for numeric keys. */
  segmentCode = 0;
  securityId = 0;
  ltp = 0;
  ltq = 0;
  /** Last trade time: epoch seconds of IST wall-clock time, as Dhan sends it. */
  ltt = 0;
  atp = 0;
  volume = 0;
  totalSellQty = 0;
  totalBuyQty = 0;
  oi = 0;
  oiDayHigh = 0;
  oiDayLow = 0;
  open = 0;
  close = 0;
  high = 0;
  low = 0;
  prevClose = 0;
  prevOi = 0;
  disconnectReason = 0;
  /** 5 levels x (bidQty, askQty, bidOrders, askOrders, bidPrice, askPrice). */
  readonly depth = new Float64Array(DEPTH_LEVELS * DEPTH_STRIDE);
}

export interface DecodeStats {
  frames: number;
  packets: number;
  /** Frame ended inside a packet (or inside a header). */
  truncated: number;
  /** Length field larger than the packet type's size. */
  oversized: number;
  /** Length field smaller than the type's size, or below the header size. */
  malformed: number;
  /** Response code not known (or the undocumented index packet). */
  unknown: number;
  /** Segment byte not in Dhan's table. */
  badSegment: number;
}

export type PacketHandler = (packet: FeedPacket) => void;

// Hot-path constants as module locals (imported bindings can cost a getter call per access when
// the module is loaded through a CommonJS shim, as tsx and vitest do).
const TICKER = RESPONSE_CODE.TICKER;
const QUOTE = RESPONSE_CODE.QUOTE;
const OI = RESPONSE_CODE.OI;
const PREV_CLOSE = RESPONSE_CODE.PREV_CLOSE;
const FULL = RESPONSE_CODE.FULL;
const DISCONNECT = RESPONSE_CODE.DISCONNECT;
const MARKET_STATUS = RESPONSE_CODE.MARKET_STATUS;
const LEVELS = DEPTH_LEVELS;
const HEADER = HEADER_SIZE;
const SEGMENT_OF = SEGMENT_BY_CODE.slice();
/** Packet size by code; 0 for codes with no known layout. */
const SIZE_OF = new Uint16Array(256);
for (const [code, size] of Object.entries(PACKET_SIZE)) SIZE_OF[Number(code)] = size;

export class FeedDecoder {
  readonly stats: DecodeStats = { frames: 0, packets: 0, truncated: 0, oversized: 0, malformed: 0, unknown: 0, badSegment: 0 };
  private readonly packet = new FeedPacket();
  /**
   * Views of the buffers frames arrive in. ws hands over each frame as a slice of the socket read it
   * came in (a paced read carries many), and a frame split across reads as a buffer of its own; the
   * two kinds can alternate, so two views are kept and neither is rebuilt per frame.
   */
  private bufA: ArrayBufferLike | null = null;
  private viewA: DataView | null = null;
  private bufB: ArrayBufferLike | null = null;
  private viewB: DataView | null = null;

  /**
   * Decode every packet of one binary frame, calling `onPacket` for each good one.
   * Returns the number of packets delivered.
   */
  decode(frame: Uint8Array, onPacket: PacketHandler): number {
    return this.decodeRange(frame, 0, frame.byteLength, onPacket);
  }

  /** `decode` for the frame in bytes [start, end) of `bytes` (no view of it is made). */
  decodeRange(bytes: Uint8Array, start: number, end: number, onPacket: PacketHandler): number {
    const s = this.stats;
    s.frames++;
    const buffer = bytes.buffer;
    let view: DataView;
    if (buffer === this.bufA) {
      view = this.viewA!;
    } else if (buffer === this.bufB) {
      view = this.viewB!;
    } else {
      view = new DataView(buffer);
      this.bufB = this.bufA;
      this.viewB = this.viewA;
      this.bufA = buffer;
      this.viewA = view;
    }
    const base = bytes.byteOffset + start;
    const n = bytes.byteOffset + end;
    const p = this.packet;
    let delivered = 0;
    let at = base;
    while (at < n) {
      if (n - at < HEADER) {
        s.truncated++;
        break;
      }
      const code = view.getUint8(at);
      const length = view.getUint16(at + 1, true);
      if (length < HEADER) {
        // No way to find the next packet boundary: drop the rest of the frame.
        s.malformed++;
        break;
      }
      if (at + length > n) {
        s.truncated++;
        break;
      }
      const expected = SIZE_OF[code]!;
      if (expected === 0) {
        s.unknown++;
      } else if (length > expected) {
        s.oversized++;
      } else if (length < expected) {
        s.malformed++;
      } else {
        const segmentCode = view.getUint8(at + 3);
        const segment = SEGMENT_OF[segmentCode]!;
        if (segment === null && code !== DISCONNECT && code !== MARKET_STATUS) {
          s.badSegment++;
        } else {
          p.code = code;
          p.length = length;
          p.segment = segment ?? 'IDX_I';
          p.segmentCode = segment === null ? 0 : segmentCode;
          p.securityId = view.getUint32(at + 4, true);
          readBody(view, at, code, p);
          s.packets++;
          delivered++;
          onPacket(p);
        }
      }
      at += length;
    }
    return delivered;
  }
}

/** Bytes 8-33, laid out alike in quote and full packets: LTP, LTQ, LTT, ATP, volume, sell/buy quantity. */
function readTrade(v: DataView, at: number, p: FeedPacket): void {
  p.ltp = v.getFloat32(at + 8, true);
  p.ltq = v.getUint16(at + 12, true);
  p.ltt = v.getInt32(at + 14, true);
  p.atp = v.getFloat32(at + 18, true);
  p.volume = v.getUint32(at + 22, true);
  p.totalSellQty = v.getUint32(at + 26, true);
  p.totalBuyQty = v.getUint32(at + 30, true);
}

function readBody(v: DataView, at: number, code: number, p: FeedPacket): void {
  switch (code) {
    case TICKER:
      p.ltp = v.getFloat32(at + 8, true);
      p.ltt = v.getInt32(at + 12, true);
      return;
    case QUOTE:
      readTrade(v, at, p);
      p.open = v.getFloat32(at + 34, true);
      p.close = v.getFloat32(at + 38, true);
      p.high = v.getFloat32(at + 42, true);
      p.low = v.getFloat32(at + 46, true);
      return;
    case OI:
      p.oi = v.getUint32(at + 8, true);
      return;
    case PREV_CLOSE:
      p.prevClose = v.getFloat32(at + 8, true);
      p.prevOi = v.getUint32(at + 12, true);
      return;
    case FULL: {
      readTrade(v, at, p);
      p.oi = v.getUint32(at + 34, true);
      p.oiDayHigh = v.getUint32(at + 38, true);
      p.oiDayLow = v.getUint32(at + 42, true);
      p.open = v.getFloat32(at + 46, true);
      p.close = v.getFloat32(at + 50, true);
      p.high = v.getFloat32(at + 54, true);
      p.low = v.getFloat32(at + 58, true);
      const d = p.depth;
      for (let i = 0, o = at + 62; i < LEVELS; i++, o += 20) {
        const k = i * DEPTH_STRIDE;
        d[k] = v.getUint32(o, true);
        d[k + 1] = v.getUint32(o + 4, true);
        d[k + 2] = v.getUint16(o + 8, true);
        d[k + 3] = v.getUint16(o + 10, true);
        d[k + 4] = v.getFloat32(o + 12, true);
        d[k + 5] = v.getFloat32(o + 16, true);
      }
      return;
    }
    case DISCONNECT:
      p.disconnectReason = v.getInt16(at + 8, true);
      return;
    default:
      return; // market status: header only
  }
}
