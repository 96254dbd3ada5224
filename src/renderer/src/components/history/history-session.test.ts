import { describe, expect, it } from 'vitest';
import type { HistoryStrikesView } from '../../../../shared/contract';
import { createFakeTransport, FakeError } from '../../api/fake-transport';
import type { DaySeries, StrikePicture } from './history-model';
import { HistorySession, type HistorySink } from './history-session';
import { historyBatch, minute, strikesView, T0 } from './history-test-data';

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

function setup(strikes: (req: { t?: number }) => HistoryStrikesView | Promise<HistoryStrikesView> = (req) => strikesView(req.t ?? T0 + 120_000)) {
  const fake = createFakeTransport({ 'history:strikes': strikes });
  const days: DaySeries[] = [];
  const pictures: { now: StrikePicture | null; picked: StrikePicture | null }[] = [];
  const errors: (string | null)[] = [];
  const sink: HistorySink = { day: (s) => days.push(s), strikes: (now, picked) => pictures.push({ now, picked }), error: (e) => errors.push(e) };
  const session = new HistorySession({ transport: fake, symbol: 'nifty', expiry: '2026-12-08', sink });
  return { fake, session, days, pictures, errors };
}

describe('HistorySession', () => {
  it('subscribes the history view and draws each closed minute once, reading the latest strikes', async () => {
    const { fake, session, days, pictures } = setup();
    session.start();
    expect(fake.sent).toEqual([{ op: 'subscribe', view: 'history', symbol: 'NIFTY', expiry: '2026-12-08', id: session.streamId }]);
    fake.push(historyBatch([minute(0), minute(1)], true));
    await flush();
    expect(days).toHaveLength(1);
    expect(days[0]!.t).toHaveLength(2);
    expect(fake.calls).toEqual([{ command: 'history:strikes', request: { symbol: 'NIFTY', expiry: '2026-12-08' } }]);
    expect(pictures.at(-1)!.now!.strikes.length).toBeGreaterThan(0);
    expect(pictures.at(-1)!.picked).toBeNull();
    // A batch without this view's part (ticks of other views) draws nothing.
    fake.push({ type: 'batch', seq: 2, at: 0, chains: {} });
    fake.push(historyBatch([minute(2)]));
    await flush();
    expect(days).toHaveLength(2);
    expect(days[1]!.t).toHaveLength(3);
    session.stop();
    expect(fake.sent.at(-1)).toEqual({ op: 'unsubscribe', view: 'history', symbol: 'NIFTY', expiry: '2026-12-08' });
    fake.push(historyBatch([minute(3)]));
    expect(days).toHaveLength(2);
  });

  it('shows a picked minute, drops a slower answer for an older pick, and follows live again', async () => {
    const slow: ((v: HistoryStrikesView) => void)[] = [];
    const { fake, session, pictures } = setup((req) => (req.t === T0 ? new Promise((r) => slow.push(r)) : strikesView(req.t ?? T0 + 120_000)));
    session.start();
    fake.push(historyBatch([minute(0), minute(1), minute(2)], true));
    await flush();
    session.pick(T0); // slow answer
    session.pick(T0 + 60_000); // answered at once
    await flush();
    expect(pictures.at(-1)!.picked!.t).toBe(T0 + 60_000);
    slow[0]!(strikesView(T0));
    await flush();
    expect(pictures.at(-1)!.picked!.t).toBe(T0 + 60_000); // the older pick's late answer is dropped
    expect(session.pickedMinute).toBe(T0 + 60_000);
    session.pick(null);
    expect(pictures.at(-1)!.picked).toBeNull();
    expect(pictures.at(-1)!.now!.t).toBe(T0 + 120_000);
    session.stop();
  });

  it('re-cuts the pictures it has to another strike window, now and at the picked minute, without reading again', async () => {
    const { fake, session, pictures } = setup();
    session.start();
    fake.push(historyBatch([minute(0), minute(1), minute(2)], true));
    await flush();
    session.pick(T0);
    await flush();
    expect(pictures.at(-1)!.now!.strikes).toEqual([25_300, 25_400, 25_500, 25_600, 25_700]);
    const reads = fake.calls.length;
    const drawn = pictures.length;
    session.setWindow(1);
    expect(fake.calls).toHaveLength(reads);
    expect(pictures).toHaveLength(drawn + 1);
    expect(pictures.at(-1)!.now!.strikes).toEqual([25_400, 25_500, 25_600]);
    expect(pictures.at(-1)!.picked!.strikes).toEqual([25_400, 25_500, 25_600]);
    expect(pictures.at(-1)!.picked!.t).toBe(T0);
    session.setWindow(1); // unchanged: nothing redrawn
    expect(pictures).toHaveLength(drawn + 1);
    // The next closed minute's picture keeps the window.
    fake.push(historyBatch([minute(3)]));
    await flush();
    expect(pictures.at(-1)!.now!.strikes).toEqual([25_400, 25_500, 25_600]);
    session.stop();
  });

  it("reports a refused strikes read and a stream error of its own, not another view's", async () => {
    const { fake, session, errors } = setup(() => {
      throw new FakeError('UNKNOWN_SYMBOL', 'NIFTY has no expiry 2026-12-08');
    });
    session.start();
    fake.push({ type: 'error', error: { code: 'BAD_REQUEST', message: 'someone else' }, id: 'chain:X#1' });
    expect(errors).toEqual([]);
    fake.push({ type: 'error', error: { code: 'BAD_REQUEST', message: 'at most 20 history views per connection' }, id: session.streamId });
    expect(errors).toEqual(['at most 20 history views per connection']);
    fake.push(historyBatch([minute(0)], true));
    await flush();
    expect(errors.at(-1)).toBe('NIFTY has no expiry 2026-12-08');
    session.stop();
  });
});
