/**
 * Back-fill (issue 18) on the simulator: an app started at 10:00 IST gets the NIFTY chain's
 * minutes since the open from the intraday charts endpoint, marked, consistent minute by minute
 * (the straddle is the ATM legs' closes, the straddle volume their candles' volumes), and never
 * over a minute recorded live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTierBConfig } from '../src/core/lifecycle/tier-b-config';
import { fetchIntradayBars } from '../src/core/rest/intraday-charts';
import { istEpochMs } from '../src/shared/market-calendar';
import { startAppOnSim, TRADING_T0, type AppOnSim } from './helpers/app';
import { runningClock } from './helpers/sim';
import { waitFor } from './helpers/wait';

const clock = runningClock(TRADING_T0);
let env: AppOnSim;

beforeAll(async () => {
  env = await startAppOnSim({
    prefix: 'strikedesk-backfill-',
    now: clock.now,
    // One chain keeps the test short: each chain costs a few paced chart requests.
    app: { tierB: parseTierBConfig({ indexChains: [{ symbol: 'NIFTY', expiries: 1, strikes: 21 }], futures: [], optionChains: [], fnoUnderlyings: false }) },
  });
}, 60_000);

afterAll(async () => {
  await env?.stop();
});

describe('history back-fill', () => {
  it('fills the minutes since the open when a chain opens mid-session, marked, and leaves live minutes alone', async () => {
    const { services } = env.app;
    const nifty = services.owners.openChains()[0]!.state.chain;
    // The app tried at start-up; the simulator's index has no candle of today until it first
    // ticks (nothing to fill yet: tried again a minute later). Fill once it has.
    await services.backfill.idle();
    await waitFor(() => (services.store.get(`IDX_I:${nifty.underlying!.securityId}`)?.tradedToday ? true : undefined), 10_000, 'the index to tick');
    expect(await services.backfill.fill(nifty)).toBeGreaterThan(40);
    expect(env.logs.filter((l) => /back-fill/.test(l))).toEqual([]);
    const day = services.history.minutes('NIFTY', nifty.expiry)!.minutes;
    // 09:16 (the 09:15 candle) to the minute before start-up at 10:00 IST.
    const open = istEpochMs('2026-11-25', 9 * 60 + 16);
    expect(day[0]).toMatchObject({ t: open, backfilled: true });
    expect(day.length).toBeGreaterThanOrEqual(40);
    expect(day.every((m) => m.backfilled)).toBe(true);
    expect(day.every((m, i) => i === 0 || m.t === day[i - 1]!.t + 60_000)).toBe(true);
    expect(day[day.length - 1]!.t).toBeLessThanOrEqual(TRADING_T0);
    for (const m of day) {
      expect(m.underlying).toBeGreaterThan(0);
      expect(nifty.strikes.map((s) => s.strike)).toContain(m.atmStrike);
      expect(m).toMatchObject({ pcr: null, atmIv: null, forward: null });
    }
    // Minute by minute the straddle is the ATM legs' closes (each as recorded for that minute).
    const some = day.filter((m) => m.straddle !== null);
    expect(some.length).toBeGreaterThan(day.length / 2);
    for (const m of some.slice(0, 10)) {
      const at = services.history.strikesAt('NIFTY', nifty.expiry, m.t)!;
      expect(at.t).toBe(m.t);
      const legs = at.strikes[String(m.atmStrike)]!;
      expect(legs.CE.ltp! + legs.PE.ltp!).toBeCloseTo(m.straddle!, 2);
    }

    // Every minute after the first has its straddle volume, also where the ATM moved from the minute
    // before or a leg had no candle: the ATM legs' volumes in the minute's candle (it starts a minute
    // earlier), checked against the candles fetched here.
    expect(day[0]!.straddleVolume).toBeNull();
    expect(day.slice(1).filter((m) => m.straddleVolume === null)).toEqual([]);
    const moved = day.filter((m, i) => i > 0 && m.atmStrike !== day[i - 1]!.atmStrike);
    const pairCandles = new Map<number, Map<number, number>>();
    for (const m of [...day.slice(1, 6), ...moved.slice(0, 3)]) {
      let byStart = pairCandles.get(m.atmStrike!);
      if (!byStart) {
        const row = nifty.strikes.find((s) => s.strike === m.atmStrike)!;
        const bars = await Promise.all([row.ce!, row.pe!].map((ref) => {
          const leg = services.registry.get(ref)!;
          return fetchIntradayBars(services.rest, { ref: leg, kind: leg.kind, fromMs: istEpochMs('2026-11-25'), toMs: clock.now() });
        }));
        byStart = new Map();
        for (const b of bars.flat()) byStart.set(b.t, (byStart.get(b.t) ?? 0) + b.volume);
        pairCandles.set(m.atmStrike!, byStart);
      }
      expect(m.straddleVolume, `straddle volume at ${new Date(m.t).toISOString()}`).toBe(byStart.get(m.t - 60_000) ?? 0);
    }

    // A live minute goes in beside them; a back-fill again rewrites only back-filled minutes, never the live one.
    const live = Math.floor(clock.now() / 60_000) * 60_000;
    expect(services.history.recorder.recordMinute(live)).toBe(1);
    expect(await services.backfill.fill(nifty)).toBeLessThanOrEqual(day.length);
    const after = services.history.minutes('NIFTY', nifty.expiry)!.minutes;
    expect(after.find((m) => m.t === live)).toMatchObject({ backfilled: false });
    // The live minute took the place of a back-filled one at the same time, if there was one.
    expect(after.filter((m) => m.backfilled)).toHaveLength(day.filter((m) => m.t !== live).length);
  }, 60_000);
});
