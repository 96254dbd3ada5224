/**
 * Dhan live-feed protocol constants (DHAN-PROTOCOL.md §1-§2): request codes, response codes,
 * packet sizes, segment numbers and disconnect reasons. Shared by the client and the simulator.
 */
import { SEGMENTS, SEGMENT_FEED_CODE, type Segment } from '../../shared/instruments';

/** Client -> server request codes (JSON `RequestCode`). */
export const REQUEST_CODE = {
  CONNECT: 11,
  DISCONNECT: 12,
  SUBSCRIBE_TICKER: 15,
  UNSUBSCRIBE_TICKER: 16,
  SUBSCRIBE_QUOTE: 17,
  UNSUBSCRIBE_QUOTE: 18,
  SUBSCRIBE_FULL: 21,
  UNSUBSCRIBE_FULL: 22,
} as const;

/** Server -> client packet codes (byte 0 of the header). */
export const RESPONSE_CODE = {
  INDEX: 1,
  TICKER: 2,
  QUOTE: 4,
  OI: 5,
  PREV_CLOSE: 6,
  MARKET_STATUS: 7,
  FULL: 8,
  DISCONNECT: 50,
} as const;

/** Total packet size (header included) by response code; the index packet's layout is undocumented. */
export const PACKET_SIZE: Readonly<Record<number, number>> = {
  [RESPONSE_CODE.TICKER]: 16,
  [RESPONSE_CODE.QUOTE]: 50,
  [RESPONSE_CODE.OI]: 12,
  [RESPONSE_CODE.PREV_CLOSE]: 16,
  [RESPONSE_CODE.MARKET_STATUS]: 8,
  [RESPONSE_CODE.FULL]: 162,
  [RESPONSE_CODE.DISCONNECT]: 10,
};

export const HEADER_SIZE = 8;
export const DEPTH_LEVELS = 5;
/** Dhan's limits, declared once in src/shared/product.ts. */
export { MAX_INSTRUMENTS_PER_MESSAGE, MAX_INSTRUMENTS_PER_SOCKET } from '../../shared/product';

export type FeedMode = 'ticker' | 'quote' | 'full';

export const SUBSCRIBE_CODE: Readonly<Record<FeedMode, number>> = {
  ticker: REQUEST_CODE.SUBSCRIBE_TICKER,
  quote: REQUEST_CODE.SUBSCRIBE_QUOTE,
  full: REQUEST_CODE.SUBSCRIBE_FULL,
};
export const UNSUBSCRIBE_CODE: Readonly<Record<FeedMode, number>> = {
  ticker: REQUEST_CODE.UNSUBSCRIBE_TICKER,
  quote: REQUEST_CODE.UNSUBSCRIBE_QUOTE,
  full: REQUEST_CODE.UNSUBSCRIBE_FULL,
};

/** Header byte 3 -> segment (annexure numbering); index = numeric code. */
export const SEGMENT_BY_CODE: readonly (Segment | null)[] = (() => {
  const out: (Segment | null)[] = new Array<Segment | null>(256).fill(null);
  for (const s of SEGMENTS) {
    const code = SEGMENT_FEED_CODE[s];
    if (code !== null) out[code] = s;
  }
  return out;
})();

/** Disconnect reasons (code-50 packets) and what they mean for a trader. */
export const DISCONNECT_REASON: Readonly<Record<number, string>> = {
  800: 'Dhan internal server error',
  804: 'too many instruments requested',
  805: 'too many connections or requests: the oldest connection was dropped',
  806: 'Data APIs are not subscribed on this Dhan account',
  807: 'the access token has expired',
  808: 'authentication failed: client id or access token invalid',
  809: 'the access token is invalid',
  810: 'the client id is invalid',
};

/** Reasons after which reconnecting cannot help until the user fixes something. */
export const FATAL_DISCONNECTS: ReadonlySet<number> = new Set([806, 807, 808, 809, 810]);
