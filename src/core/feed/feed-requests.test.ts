import { describe, expect, it } from 'vitest';
import { encodeDisconnectRequest, encodeSubscriptionMessages, parseFeedRequest } from './feed-requests';

const refs = (n: number) => Array.from({ length: n }, (_, i) => ({ segment: 'NSE_FNO' as const, securityId: 40_000 + i }));

describe('feed requests', () => {
  it('chunks at 100 instruments per message, with SecurityId as a string and the segment by name', () => {
    const msgs = encodeSubscriptionMessages('full', refs(250));
    expect(msgs).toHaveLength(3);
    const parsed = msgs.map((m) => JSON.parse(m));
    expect(parsed.map((m) => [m.RequestCode, m.InstrumentCount, m.InstrumentList.length])).toEqual([
      [21, 100, 100],
      [21, 100, 100],
      [21, 50, 50],
    ]);
    expect(parsed[0].InstrumentList[0]).toEqual({ ExchangeSegment: 'NSE_FNO', SecurityId: '40000' });
  });

  it('uses the real unsubscribe codes 16/18/22', () => {
    expect(['ticker', 'quote', 'full'].map((m) => JSON.parse(encodeSubscriptionMessages(m as 'full', refs(1), 'unsubscribe')[0]!).RequestCode)).toEqual([16, 18, 22]);
    expect(JSON.parse(encodeDisconnectRequest())).toEqual({ RequestCode: 12 });
  });

  it('parses what the client sends, tolerating integer ids', () => {
    for (const msg of encodeSubscriptionMessages('quote', refs(3))) {
      expect(parseFeedRequest(msg)).toEqual({ ok: true, request: { kind: 'subscribe', code: 17, mode: 'quote', instruments: refs(3) } });
    }
    const ints = JSON.stringify({ RequestCode: 15, InstrumentCount: 1, InstrumentList: [{ ExchangeSegment: 'IDX_I', SecurityId: 13 }] });
    expect(parseFeedRequest(ints)).toMatchObject({ ok: true, request: { mode: 'ticker', instruments: [{ segment: 'IDX_I', securityId: 13 }] } });
    expect(parseFeedRequest(encodeDisconnectRequest())).toEqual({ ok: true, request: { kind: 'disconnect', code: 12 } });
  });

  it('refuses malformed requests with a reason, and more than 100 instruments as too many', () => {
    expect(parseFeedRequest('{')).toMatchObject({ ok: false, error: /not JSON/ });
    expect(parseFeedRequest('[]')).toMatchObject({ ok: false });
    expect(parseFeedRequest('{"RequestCode":19}')).toMatchObject({ ok: false, error: /unknown RequestCode/ });
    expect(parseFeedRequest('{"RequestCode":15,"InstrumentList":[{"ExchangeSegment":"XX","SecurityId":"1"}]}')).toMatchObject({ ok: false, error: /bad instrument/ });
    const big = JSON.stringify({ RequestCode: 15, InstrumentCount: 101, InstrumentList: refs(101).map((r) => ({ ExchangeSegment: r.segment, SecurityId: String(r.securityId) })) });
    expect(parseFeedRequest(big)).toMatchObject({ ok: false, tooMany: true });
  });
});
