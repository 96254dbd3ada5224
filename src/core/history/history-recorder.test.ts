import { afterEach, describe, expect, it } from 'vitest';
import { black76Price } from '../../shared/black76';
import { expiryInstant } from '../../shared/expiry';
import { parseToken, SEGMENT_FEED_CODE, type InstrumentToken } from '../../shared/instruments';
import { IST_OFFSET_MS, istDate, istEpochMs } from '../../shared/market-calendar';
import { basePrice, makeCore, manualClock, testRegistry, type TestCore } from '../../../test/helpers/core';
import { AnalyticsBook } from '../analytics/analytics-book';
import type { ChainState } from '../chain/atm-engine';
import { FeedPacket } from '../feed/feed-codec';
import { RESPONSE_CODE } from '../feed/feed-protocol';
import { QuoteStore } from '../feed/quote-store';
import type { TimerFunctions } from '../lifecycle/scheduler';
import { createHistory, type History } from './index';
import { HistoryRecorder, inSessionMinute, RETENTION_SETTING } from './history-recorder';
import { HistoryStore, MINUTE_MS } from './history-store';

/** 10:00 IST on a trading day (the test master's own day, 2026-11-24, is an NSE holiday). */
const DAY_T = istEpochMs('2026-11-23', 10 * 60);
const EXPIRY = testRegistry().expiries('NIFTY')[0]!;

let cores: TestCore[] = [];
let histories: History[] = [];
afterEach(() => {
  histories.forEach((h) => h.stop());
  cores.forEach((c) => c.dispose());
  cores = [];
  histories = [];
});

/** Timers driven by hand: `fire()` runs what is due at the clock's time. */
function handTimers(clock: { now: () => number }): TimerFunctions & { pending(): number[]; fire(): void } {
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let id = 0;
  return {
    setTimeout: (fn, ms) => (timers.push({ at: clock.now() + ms, fn, id: ++id }), id),
    clearTimeout: (h) => (timers = timers.filter((t) => t.id !== h)),
    pending: () => timers.map((t) => t.at),
    fire() {
      const due = timers.filter((t) => t.at <= clock.now());
      timers = timers.filter((t) => t.at > clock.now());
      due.forEach((t) => t.fn());
    },
  };
}

interface Rig {
  core: TestCore;
  quotes: QuoteStore;
  history: History;
  state: ChainState;
  timers: ReturnType<typeof handTimers>;
  /** Prices every leg of the window (Black-76 at 15% on `spot`) with the OI and volume of `legOi`. */
  market(spot: number, legOi: (strike: number, isCall: boolean) => number): void;
}

function rig(dir?: string): Rig {
  const clock = manualClock(DAY_T);
  const core = makeCore({ clock, ...(dir ? { dir } : {}) });
  cores.push(core);
  const quotes = new QuoteStore({ now: clock.now });
  const analytics = new AnalyticsBook({ store: quotes, now: clock.now });
  const timers = handTimers(clock);
  const history = createHistory({ db: core.db, owners: core.owners, store: quotes, analytics, settings: core.repos.settings, now: clock.now, timers });
  histories.push(history);
  const state = core.owners.chain('NIFTY', EXPIRY) ?? core.owners.holdChain(`tierb:NIFTY:${EXPIRY}`, 'TIER_B', { symbol: 'NIFTY', expiry: EXPIRY }, basePrice('NIFTY')).state;
  const packet = new FeedPacket();
  const send = (token: InstrumentToken, fill: (p: FeedPacket) => void): void => {
    const ref = parseToken(token)!;
    packet.segment = ref.segment;
    packet.segmentCode = SEGMENT_FEED_CODE[ref.segment]!;
    packet.securityId = ref.securityId;
    fill(packet);
    quotes.apply(packet);
  };
  const market = (spot: number, legOi: (strike: number, isCall: boolean) => number): void => {
    const ltt = Math.floor((clock.now() + IST_OFFSET_MS) / 1000);
    const years = (expiryInstant(EXPIRY, 'NSE_FNO') - clock.now()) / (365 * 86_400_000);
    send(state.underlyingToken!, (p) => Object.assign(p, { code: RESPONSE_CODE.TICKER, ltp: spot, ltt }));
    for (const s of state.chain.strikes) {
      for (const [leg, isCall] of [[s.ce, true], [s.pe, false]] as const) {
        if (!leg) continue;
        const token: InstrumentToken = `${leg.segment}:${leg.securityId}`;
        send(token, (p) => Object.assign(p, { code: RESPONSE_CODE.PREV_CLOSE, prevClose: 1, prevOi: 1_000 }));
        const price = Math.max(0.05, Math.round(black76Price(spot, s.strike, years, 0.15, 0.065, isCall) / 0.05) * 0.05);
        send(token, (p) => Object.assign(p, { code: RESPONSE_CODE.FULL, ltp: price, ltt, oi: legOi(s.strike, isCall), volume: (isCall ? 10 : 20) * legOi(s.strike, isCall) }));
      }
    }
  };
  return { core, quotes, history, state, timers, market };
}

const quotedLtp = (r: Rig, strike: number, isCall: boolean): number => {
  const s = r.state.chain.strikes.find((x) => x.strike === strike)!;
  const leg = (isCall ? s.ce : s.pe)!;
  return r.quotes.ltp(`${leg.segment}:${leg.securityId}`)!;
};

describe('history recorder', () => {
  it('records the chain as a trader saw it: straddle = CE + PE at the ATM, PCR = PE OI / CE OI, every leg', () => {
    const r = rig();
    const spot = basePrice('NIFTY');
    r.market(spot, (k, isCall) => (isCall ? 2_000 + (k % 1_000) : 3_000));
    expect(r.history.recorder.recordMinute(DAY_T + 12_345)).toBe(1);

    const [m] = r.history.minutes('NIFTY', EXPIRY)!.minutes;
    const strikes = r.state.chain.strikes.map((s) => s.strike);
    const nearest = strikes.reduce((a, b) => (Math.abs(b - spot) < Math.abs(a - spot) ? b : a));
    expect(m!.t).toBe(DAY_T);
    expect(m!.underlying).toBe(spot);
    expect(m!.atmStrike).toBe(nearest);
    expect(m!.straddle).toBeCloseTo(quotedLtp(r, nearest, true) + quotedLtp(r, nearest, false), 9);
    const ceOi = strikes.reduce((n, k) => n + 2_000 + (k % 1_000), 0);
    const peOi = 3_000 * strikes.length;
    expect(m!.ceOi).toBe(ceOi);
    expect(m!.peOi).toBe(peOi);
    expect(m!.pcr).toBeCloseTo(peOi / ceOi, 12);
    expect(m!.pcrVolume).toBeCloseTo((2 * peOi) / ceOi, 12);
    expect(m!.atmIv).toBeCloseTo(0.15, 2);
    expect(m!.forward).toBeCloseTo(spot, -1);
    expect(m!.backfilled).toBe(false);

    const at = r.history.strikesAt('NIFTY', EXPIRY, DAY_T + 30_000)!;
    expect(at.t).toBe(DAY_T);
    expect(Object.keys(at.strikes).map(Number)).toEqual(strikes);
    const atm = at.strikes[String(nearest)]!;
    expect(atm.CE).toEqual({ ltp: quotedLtp(r, nearest, true), oi: 2_000 + (nearest % 1_000), oiChange: 1_000 + (nearest % 1_000), volume: 10 * (2_000 + (nearest % 1_000)), iv: expect.closeTo(0.15, 2) });
    expect(atm.PE).toEqual({ ltp: quotedLtp(r, nearest, false), oi: 3_000, oiChange: 2_000, volume: 60_000, iv: expect.closeTo(0.15, 2) });
  });

  it('a restart on the same file keeps the earlier minutes and goes on', () => {
    const first = rig();
    for (let m = 0; m < 3; m += 1) {
      first.core.clock.advance(MINUTE_MS);
      first.market(26_000 + 10 * m, () => 5_000 + m);
      first.history.recorder.recordMinute(first.core.clock.now());
    }
    first.history.stop();
    first.core.db.close();

    const second = rig(first.core.dir);
    second.core.clock.advance(5 * MINUTE_MS);
    second.market(26_100, () => 7_000);
    second.history.recorder.recordMinute(second.core.clock.now());

    const minutes = second.history.minutes('NIFTY', EXPIRY)!.minutes;
    expect(minutes.map((m) => [(m.t - DAY_T) / MINUTE_MS, m.underlying])).toEqual([[1, 26_000], [2, 26_010], [3, 26_020], [5, 26_100]]);
    const oiAt = (m: number) => Object.values(second.history.strikesAt('NIFTY', EXPIRY, DAY_T + m * MINUTE_MS)!.strikes)[0]!.PE.oi;
    expect([1, 2, 3, 4, 5].map(oiAt)).toEqual([5_000, 5_001, 5_002, 5_002, 7_000]);
  });

  it('the timer records each minute boundary once (in slices over event-loop turns), and stop() leaves nothing scheduled', async () => {
    const r = rig();
    r.market(26_000, () => 1_000);
    r.core.clock.advance(30_000);
    r.history.start();
    expect(r.timers.pending()).toEqual([DAY_T + MINUTE_MS]);
    // A timer's minute is recorded over a few turns of the event loop; the next is armed after.
    const settle = async () => {
      for (let i = 0; i < 10 && r.timers.pending().length === 0; i++) await new Promise((done) => setImmediate(done));
    };
    r.core.clock.advance(30_000);
    r.timers.fire();
    expect(r.timers.pending()).toEqual([]);
    await settle();
    expect(r.timers.pending()).toEqual([DAY_T + 2 * MINUTE_MS]);
    r.core.clock.advance(MINUTE_MS);
    r.timers.fire();
    await settle();
    expect(r.history.minutes('NIFTY', EXPIRY)!.minutes.map((m) => m.t)).toEqual([DAY_T + MINUTE_MS, DAY_T + 2 * MINUTE_MS]);
    r.history.stop();
    expect(r.timers.pending()).toEqual([]);
  });

  it('keeps exactly the last N trading days (the setting), pruning at start', () => {
    const r = rig();
    const store = new HistoryStore(r.core.db);
    const days = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-23'];
    for (const d of days) {
      for (const minute of [9 * 60 + 16, 15 * 60 + 30]) {
        store.writeMinute(istEpochMs(d, minute), [{ symbol: 'NIFTY', expiry: EXPIRY, strikes: null, summary: { underlying: 1, atmStrike: null, straddle: null, pcr: null, pcrVolume: null, atmIv: null, ceOi: null, peOi: null, forward: null } }]);
      }
    }
    r.core.repos.settings.set(RETENTION_SETTING, 3);
    // Tuesday 2026-11-24, an NSE holiday: the last three trading days are Thu, Fri and Mon.
    const recorder = new HistoryRecorder({ store, owners: r.core.owners, quotes: r.quotes, analytics: { of: () => { throw new Error('not sampled'); } }, settings: r.core.repos.settings, now: () => istEpochMs('2026-11-24', 8 * 60), timers: handTimers({ now: () => 0 }) });
    expect(recorder.retentionDays).toBe(3);
    recorder.start();
    recorder.stop();
    const kept = new Set(store.minutes('NIFTY', EXPIRY, { from: 0 })!.minutes.map((m) => istDate(m.t)));
    expect([...kept]).toEqual(['2026-11-19', '2026-11-20', '2026-11-23']);
    r.core.repos.settings.set(RETENTION_SETTING, 'forever');
    expect(recorder.retentionDays).toBe(20);
  });

  it('records NSE chains for the 375 minutes 9:16 .. 15:30, not on holidays', () => {
    const chain = { segment: 'NSE_FNO' } as ChainState['chain'];
    const minutes = Array.from({ length: 24 * 60 }, (_, m) => istEpochMs('2026-11-23', m)).filter((t) => inSessionMinute(chain, t));
    expect(minutes).toHaveLength(375);
    expect(minutes[0]).toBe(istEpochMs('2026-11-23', 9 * 60 + 16));
    expect(minutes[374]).toBe(istEpochMs('2026-11-23', 15 * 60 + 30));
    expect(inSessionMinute(chain, istEpochMs('2026-11-24', 10 * 60))).toBe(false);
  });
});
