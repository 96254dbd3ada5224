/**
 * Writing Dhan feed packets (the simulator's side, and tests'). Each writer puts one packet at
 * `offset` of a caller-owned buffer and returns its size, so a sender can stack packets or reuse
 * one buffer per frame without allocating.
 */
import { SEGMENT_FEED_CODE, type Segment } from '../../shared/instruments';
import { DEPTH_LEVELS, PACKET_SIZE, RESPONSE_CODE } from './feed-protocol';
import { DEPTH_STRIDE, type FeedPacket } from './feed-codec';

/** The fields a packet writer reads; a FeedPacket (or the simulator's quote) satisfies it. */
export type PacketFields = Omit<FeedPacket, 'code' | 'length' | 'segment' | 'segmentCode' | 'securityId'>;

function header(v: DataView, offset: number, code: number, segment: Segment, securityId: number): number {
  const size = PACKET_SIZE[code]!;
  v.setUint8(offset, code);
  v.setUint16(offset + 1, size, true);
  v.setUint8(offset + 3, SEGMENT_FEED_CODE[segment] ?? 0);
  v.setUint32(offset + 4, securityId >>> 0, true);
  return size;
}

/** Bytes 8-33, laid out alike in quote and full packets. */
function writeTrade(v: DataView, o: number, f: PacketFields): void {
  v.setFloat32(o + 8, f.ltp, true);
  v.setUint16(o + 12, Math.min(f.ltq, 65535), true);
  v.setInt32(o + 14, f.ltt, true);
  v.setFloat32(o + 18, f.atp, true);
  v.setUint32(o + 22, f.volume >>> 0, true);
  v.setUint32(o + 26, f.totalSellQty >>> 0, true);
  v.setUint32(o + 30, f.totalBuyQty >>> 0, true);
}

/** Write one packet of `code` for (segment, securityId) from `f`; returns its size in bytes. */
export function writePacket(v: DataView, offset: number, code: number, segment: Segment, securityId: number, f: PacketFields): number {
  const size = header(v, offset, code, segment, securityId);
  const o = offset;
  switch (code) {
    case RESPONSE_CODE.TICKER:
      v.setFloat32(o + 8, f.ltp, true);
      v.setInt32(o + 12, f.ltt, true);
      break;
    case RESPONSE_CODE.QUOTE:
      writeTrade(v, o, f);
      v.setFloat32(o + 34, f.open, true);
      v.setFloat32(o + 38, f.close, true);
      v.setFloat32(o + 42, f.high, true);
      v.setFloat32(o + 46, f.low, true);
      break;
    case RESPONSE_CODE.OI:
      v.setUint32(o + 8, f.oi >>> 0, true);
      break;
    case RESPONSE_CODE.PREV_CLOSE:
      v.setFloat32(o + 8, f.prevClose, true);
      v.setUint32(o + 12, f.prevOi >>> 0, true);
      break;
    case RESPONSE_CODE.FULL: {
      writeTrade(v, o, f);
      v.setUint32(o + 34, f.oi >>> 0, true);
      v.setUint32(o + 38, f.oiDayHigh >>> 0, true);
      v.setUint32(o + 42, f.oiDayLow >>> 0, true);
      v.setFloat32(o + 46, f.open, true);
      v.setFloat32(o + 50, f.close, true);
      v.setFloat32(o + 54, f.high, true);
      v.setFloat32(o + 58, f.low, true);
      const d = f.depth;
      for (let i = 0, p = o + 62; i < DEPTH_LEVELS; i++, p += 20) {
        const k = i * DEPTH_STRIDE;
        v.setUint32(p, d[k]! >>> 0, true);
        v.setUint32(p + 4, d[k + 1]! >>> 0, true);
        v.setUint16(p + 8, Math.min(d[k + 2]!, 65535), true);
        v.setUint16(p + 10, Math.min(d[k + 3]!, 65535), true);
        v.setFloat32(p + 12, d[k + 4]!, true);
        v.setFloat32(p + 16, d[k + 5]!, true);
      }
      break;
    }
    case RESPONSE_CODE.DISCONNECT:
      v.setInt16(o + 8, f.disconnectReason, true);
      break;
    case RESPONSE_CODE.MARKET_STATUS:
      break;
    default:
      throw new Error(`cannot encode feed packet code ${code}`);
  }
  return size;
}

/** A code-50 disconnect packet (segment and id zero) as its own buffer. */
export function disconnectPacket(reason: number): Buffer {
  const buf = Buffer.alloc(PACKET_SIZE[RESPONSE_CODE.DISCONNECT]!);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setUint8(0, RESPONSE_CODE.DISCONNECT);
  v.setUint16(1, buf.length, true);
  v.setInt16(8, reason, true);
  return buf;
}
