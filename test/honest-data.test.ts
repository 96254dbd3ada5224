/**
 * Honest data on a live chain (issue 15), app-level on the simulator: a leg that has not traded
 * today shows its previous close as such (no LTP, no change, `traded_today: false`, IV null for
 * want of a trade unless both sides are quoted), a traded leg shows its LTP with the time of its
 * last trade on today's session day, and the chain names the strike nearest the underlying beside
 * its ATM. Read through the REST option chain and the stream, the same fields in both.
 *
 * The simulator's price model is being reworked: nothing here depends on its prices, only on
 * there being, a few seconds after the open, strikes that traded and strikes that did not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../src/core/api/create-api';
import { StreamSession } from '../src/core/api/stream-session';
import type { Api, ChainView, LegView } from '../src/shared/contract';
import type { StreamLeg } from '../src/shared/events';
import { istEpochMs, istDate } from '../src/shared/market-calendar';
import { impliedVol } from '../src/shared/black76';
import { withValidation } from '../src/shared/validate';
import { startAppOnSim, TRADING_T0, type AppOnSim } from './helpers/app';

let h: AppOnSim;
let api: Api;

beforeAll(async () => {
  h = await startAppOnSim({ prefix: 'strikedesk-honest-' });
  api = withValidation(createApi(h.app));
});
afterAll(async () => {
  await h?.stop();
});

const legsOf = (c: ChainView): LegView[] => Object.values(c.strikes_ce_pe).flatMap((e) => [e.CE, e.PE]).filter((l): l is LegView => l !== undefined);
const untraded = (c: ChainView): LegView[] => legsOf(c).filter((l) => l.traded_today === false && l.prev_close !== null);
const traded = (c: ChainView): LegView[] => legsOf(c).filter((l) => l.traded_today);

/** The NIFTY chain once it shows both a leg that traded today and one that did not (first paint done). */
async function mixedChain(): Promise<ChainView> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const c = await api['option-chain:get']({ symbol: 'NIFTY' });
    // Every leg painted (by a tick or the REST snapshot: known to have traded today or not), some traded, some not.
    if (legsOf(c).every((l) => l.traded_today !== null) && untraded(c).length > 0 && traded(c).length > 0) return c;
    if (Date.now() > deadline) throw new Error(`no mixed NIFTY chain: ${traded(c).length} traded, ${untraded(c).length} untraded of ${legsOf(c).length}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The rules every leg keeps, whichever transport it came by. */
function expectHonest(leg: StreamLeg, sessionStart: number, now: number): void {
  if (leg.traded_today) {
    expect(leg.ltp).not.toBeNull();
    expect(leg.last_trade_time).not.toBeNull();
    expect(leg.last_trade_time!).toBeGreaterThanOrEqual(sessionStart);
    expect(leg.last_trade_time!).toBeLessThanOrEqual(now + 1_000);
    if (leg.prev_close !== null) expect(leg.change).toBe(Math.round((leg.ltp! - leg.prev_close) * 100) / 100);
    expect(leg.iv_reason).not.toBe('no-trade-today');
  } else if (leg.traded_today === null) {
    // Not known yet (no snapshot or tick): no price at all, and not called untraded.
    expect(leg.ltp).toBeNull();
    expect(leg.change).toBeNull();
    expect(leg.stale).toBe(false);
    expect(leg.iv).toBeNull();
  } else {
    // The previous close is shown as such: never as an LTP, never a change against itself, never "stale".
    expect(leg.ltp).toBeNull();
    expect(leg.change).toBeNull();
    expect(leg.stale).toBe(false);
    if (leg.last_trade_time !== null) expect(leg.last_trade_time).toBeLessThan(sessionStart);
    // No IV from an earlier day's price: from the mid when both sides are quoted, else none, and why.
    if (leg.bid === null || leg.ask === null) {
      expect(leg.iv).toBeNull();
      expect(leg.iv_reason).toBe(leg.prev_close !== null ? 'no-trade-today' : 'no-price');
    }
  }
}

describe('honest data on the simulator', () => {
  it('REST: untraded legs show their previous close as such, traded legs their LTP and trade time', async () => {
    const c = await mixedChain();
    const now = h.app.services.store.nowMs();
    const sessionStart = istEpochMs(istDate(TRADING_T0)); // IST midnight of the session day
    for (const leg of legsOf(c)) expectHonest(leg, sessionStart, now);

    const [quiet] = untraded(c);
    expect(quiet).toMatchObject({ ltp: null, change: null, traded_today: false, stale: false });
    expect(quiet!.prev_close).toBeGreaterThan(0);
    const [live] = traded(c);
    expect(live!.ltp).toBeGreaterThan(0);
    expect(live!.traded_today).toBe(true);
    expect(live!.stale).toBe(false);
    // Somewhere an untraded leg without a two-sided quote says why it has no IV.
    expect(untraded(c).some((l) => l.iv === null && l.iv_reason === 'no-trade-today')).toBe(true);
  });

  it('IV comes from the bid/ask mid wherever both sides are quoted (traded today or not)', async () => {
    // Books arrive with the legs' full packets: wait (bounded) for a few two-sided legs.
    const twoSided = (x: ChainView) => legsOf(x).filter((l) => l.bid !== null && l.ask !== null && l.iv !== null).length;
    let c = await mixedChain();
    for (const deadline = Date.now() + 20_000; twoSided(c) < 5 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      c = await api['option-chain:get']({ symbol: 'NIFTY' });
    }
    const { forward, years_to_expiry: years, rate } = c.analytics;
    expect(forward).not.toBeNull();
    let checked = 0;
    for (const [strike, entry] of Object.entries(c.strikes_ce_pe)) {
      for (const [side, leg] of [['CE', entry.CE], ['PE', entry.PE]] as const) {
        if (!leg || leg.bid === null || leg.ask === null || leg.iv === null) continue;
        const fromMid = impliedVol((leg.bid + leg.ask) / 2, forward!, Number(strike), years, rate, side === 'CE');
        expect({ strike, side, iv: leg.iv }).toEqual({ strike, side, iv: expect.closeTo(fromMid, 6) });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('REST and stream: the chain names the strike nearest the underlying beside its ATM', async () => {
    const c = await mixedChain();
    expect(c.strikes).toContain(c.nearest_strike);
    const gap = Math.abs(c.nearest_strike! - c.underlying_ltp);
    for (const k of c.strikes) expect(gap).toBeLessThanOrEqual(Math.abs(k - c.underlying_ltp));
    // The ATM moves only after a full step: it is never more than a step from the nearest strike.
    expect(Math.abs(c.atm_strike - c.nearest_strike!)).toBeLessThanOrEqual(c.strike_step);

    const session = new StreamSession(h.app);
    expect(session.handle({ op: 'subscribe', view: 'chain', symbol: 'NIFTY', expiry: c.expiry }).type).toBe('subscribed');
    const pending = session.build(Date.now())!;
    pending.commit();
    const part = pending.batch.chains[`NIFTY|${c.expiry}`]!;
    expect(part.strikes?.map((s) => s.strike)).toContain(part.nearest_strike);
    const now = h.app.services.store.nowMs();
    const sessionStart = istEpochMs(istDate(TRADING_T0));
    const legs = Object.values(part.legs);
    expect(legs.length).toBe(legsOf(c).length);
    for (const leg of legs) expectHonest(leg, sessionStart, now);
    expect(legs.some((l) => !l.traded_today && l.ltp === null && l.prev_close !== null)).toBe(true);
    expect(legs.some((l) => l.traded_today && l.ltp !== null)).toBe(true);
    session.dispose();
  });
});
