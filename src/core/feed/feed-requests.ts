/**
 * The JSON requests of Dhan's feed: what the client sends (subscribe / unsubscribe, at most 100
 * instruments a message, segment as the string enum, SecurityId as a string) and how the
 * simulator reads them (tolerating integer ids, refusing anything malformed with a reason).
 */
import { SEGMENTS, type InstrumentRef, type Segment } from '../../shared/instruments';
import { MAX_INSTRUMENTS_PER_MESSAGE, REQUEST_CODE, SUBSCRIBE_CODE, UNSUBSCRIBE_CODE, type FeedMode } from './feed-protocol';

/**
 * Subscribe (or unsubscribe) messages for `instruments` in `mode`, chunked at 100 per message.
 */
export function encodeSubscriptionMessages(mode: FeedMode, instruments: readonly InstrumentRef[], action: 'subscribe' | 'unsubscribe' = 'subscribe'): string[] {
  const code = action === 'subscribe' ? SUBSCRIBE_CODE[mode] : UNSUBSCRIBE_CODE[mode];
  const out: string[] = [];
  for (let i = 0; i < instruments.length; i += MAX_INSTRUMENTS_PER_MESSAGE) {
    const chunk = instruments.slice(i, i + MAX_INSTRUMENTS_PER_MESSAGE);
    out.push(
      JSON.stringify({
        RequestCode: code,
        InstrumentCount: chunk.length,
        InstrumentList: chunk.map((r) => ({ ExchangeSegment: r.segment, SecurityId: String(r.securityId) })),
      }),
    );
  }
  return out;
}

/** The feed-disconnect request. */
export function encodeDisconnectRequest(): string {
  return JSON.stringify({ RequestCode: REQUEST_CODE.DISCONNECT });
}

export type FeedRequest =
  | { kind: 'subscribe' | 'unsubscribe'; code: number; mode: FeedMode; instruments: InstrumentRef[] }
  | { kind: 'disconnect'; code: number };

const MODE_BY_CODE = new Map<number, { kind: 'subscribe' | 'unsubscribe'; mode: FeedMode }>([
  [REQUEST_CODE.SUBSCRIBE_TICKER, { kind: 'subscribe', mode: 'ticker' }],
  [REQUEST_CODE.UNSUBSCRIBE_TICKER, { kind: 'unsubscribe', mode: 'ticker' }],
  [REQUEST_CODE.SUBSCRIBE_QUOTE, { kind: 'subscribe', mode: 'quote' }],
  [REQUEST_CODE.UNSUBSCRIBE_QUOTE, { kind: 'unsubscribe', mode: 'quote' }],
  [REQUEST_CODE.SUBSCRIBE_FULL, { kind: 'subscribe', mode: 'full' }],
  [REQUEST_CODE.UNSUBSCRIBE_FULL, { kind: 'unsubscribe', mode: 'full' }],
]);
const SEGMENT_SET: ReadonlySet<string> = new Set(SEGMENTS);

/** Read one client request as Dhan would. `limit` is the per-message instrument cap. */
export function parseFeedRequest(text: string, limit = MAX_INSTRUMENTS_PER_MESSAGE): { ok: true; request: FeedRequest } | { ok: false; error: string; tooMany?: boolean } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, error: 'request is not JSON' };
  }
  if (typeof body !== 'object' || body === null) return { ok: false, error: 'request is not a JSON object' };
  const code = (body as { RequestCode?: unknown }).RequestCode;
  if (code === REQUEST_CODE.DISCONNECT) return { ok: true, request: { kind: 'disconnect', code } };
  const spec = typeof code === 'number' ? MODE_BY_CODE.get(code) : undefined;
  if (!spec || typeof code !== 'number') return { ok: false, error: `unknown RequestCode ${JSON.stringify(code)}` };
  const list = (body as { InstrumentList?: unknown }).InstrumentList;
  if (!Array.isArray(list)) return { ok: false, error: 'InstrumentList must be an array' };
  if (list.length > limit) return { ok: false, error: `${list.length} instruments in one message; at most ${limit}`, tooMany: true };
  const instruments: InstrumentRef[] = [];
  for (const item of list) {
    const seg = (item as { ExchangeSegment?: unknown })?.ExchangeSegment;
    const raw = (item as { SecurityId?: unknown })?.SecurityId;
    const id = typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : typeof raw === 'number' && Number.isInteger(raw) ? raw : NaN;
    if (typeof seg !== 'string' || !SEGMENT_SET.has(seg) || !(id >= 0 && id <= 2147483647)) {
      return { ok: false, error: `bad instrument ${JSON.stringify(item)}` };
    }
    instruments.push({ segment: seg as Segment, securityId: id });
  }
  return { ok: true, request: { kind: spec.kind, code, mode: spec.mode, instruments } };
}
