/**
 * The session history's API (issue 18) over real HTTP, with the app on the simulator: minutes
 * recorded from the live chain read back in the contract's shape (straddle = CE + PE LTP at the
 * ATM at that minute, straddle_volume = the ATM pair's contracts traded in the minute), the
 * strikes at or before a minute, and refusals that name what is wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../src/core/api/create-api';
import { StreamSession } from '../src/core/api/stream-session';
import { startLocalApi, type LocalApi } from '../src/server/local-api';
import type { ChainView, HistoryMinutesView, HistoryStrikesView } from '../src/shared/contract';
import { startAppOnSim, TRADING_T0, type AppOnSim } from './helpers/app';
import { runningClock } from './helpers/sim';
import { waitFor } from './helpers/wait';

const TOKEN = 'h'.repeat(64);
let env: AppOnSim;
/** The app's clock: inside an NSE session whenever the test runs (the recorder records in session only). */
const clock = runningClock(TRADING_T0);
let local: LocalApi;

async function get<T>(path: string): Promise<{ status: number; json: T & { error?: { code: string; message: string } } }> {
  const res = await fetch(`http://127.0.0.1:${local.port}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, json: (await res.json()) as T & { error?: { code: string; message: string } } };
}

beforeAll(async () => {
  env = await startAppOnSim({ prefix: 'strikedesk-history-', now: clock.now });
  local = await startLocalApi({ app: env.app, api: createApi(env.app), token: TOKEN, port: 0, log: () => {} });
}, 60_000);

afterAll(async () => {
  await local?.close();
  await env?.stop();
});

describe('history API', () => {
  it('reads back the minutes recorded from the live NIFTY chain, and its strikes at a minute', async () => {
    const { services } = env.app;
    const open = () => services.owners.openChains().find((c) => c.state.chain.symbol === 'NIFTY')!.state;
    const expiry = open().chain.expiry;
    // Wait until the chain has an ATM whose two legs traded today (the straddle needs both).
    let chain: ChainView;
    for (let i = 0; ; i++) {
      chain = (await get<ChainView>(`/api/v2/option-chain/NIFTY?expiry=${expiry}`)).json;
      const at = chain.analytics.atm_strike === null ? undefined : chain.strikes_ce_pe[String(chain.analytics.atm_strike)];
      if (at?.CE?.ltp && at.PE?.ltp) break;
      if (i > 200) throw new Error('NIFTY never had a traded ATM');
      await new Promise((r) => setTimeout(r, 50));
    }
    // Record a minute, and read the quote store in the same turn (no packet in between).
    const t = Math.floor(clock.now() / 60_000) * 60_000;
    expect(services.history.recorder.recordMinute(t)).toBeGreaterThan(0);
    const legsNow = new Map(open().chain.strikes.map((k) => [k.strike, { ce: k.ce ? services.store.ltp(`${k.ce.segment}:${k.ce.securityId}`) : undefined, pe: k.pe ? services.store.ltp(`${k.pe.segment}:${k.pe.securityId}`) : undefined }]));

    const minutes = await get<HistoryMinutesView>(`/api/v2/history/NIFTY?expiry=${expiry}`);
    expect(minutes.status, JSON.stringify(minutes.json)).toBe(200);
    expect(minutes.json).toMatchObject({ symbol: 'NIFTY', expiry });
    expect(minutes.json.minutes).toHaveLength(1);
    const m = minutes.json.minutes[0]!;
    expect(m).toMatchObject({ t, backfilled: false });
    expect(m.atm_strike).not.toBeNull();
    // The straddle is CE + PE at the ATM at that minute.
    const atm = legsNow.get(m.atm_strike!)!;
    expect(m.straddle).toBeCloseTo(atm.ce! + atm.pe!, 2);
    expect(m.underlying).toBeGreaterThan(0);
    expect(m.pcr).toBeCloseTo(m.pe_oi! / m.ce_oi!, 6);
    expect(m.ce_oi).toBeGreaterThan(0);

    // A range that ends before the minute has none; one that holds it has it.
    expect((await get<HistoryMinutesView>(`/api/v2/history/NIFTY?expiry=${expiry}&to=${t - 1}`)).json.minutes).toEqual([]);
    expect((await get<HistoryMinutesView>(`/api/v2/history/NIFTY?expiry=${expiry}&from=${t}&to=${t}`)).json.minutes).toHaveLength(1);

    const strikes = await get<HistoryStrikesView>(`/api/v2/history/NIFTY/strikes?expiry=${expiry}&t=${t + 59_000}`);
    expect(strikes.status, JSON.stringify(strikes.json)).toBe(200);
    expect(strikes.json.t).toBe(t);
    const at = strikes.json.strikes[String(m.atm_strike)]!;
    expect(Object.keys(at.CE).sort()).toEqual(['iv', 'ltp', 'oi', 'oi_change', 'volume']);
    expect(at.CE.ltp! + at.PE.ltp!).toBeCloseTo(m.straddle!, 1);
    // Before anything was recorded: no minute, no strikes.
    expect((await get<HistoryStrikesView>(`/api/v2/history/NIFTY/strikes?expiry=${expiry}&t=${t - 1}`)).json).toEqual({ symbol: 'NIFTY', expiry, t: null, strikes: {} });
  });

  it('streams the day so far on subscribe, then each minute as it closes; a back-fill sends the day again', async () => {
    const { services } = env.app;
    const expiry = services.owners.openChains().find((c) => c.state.chain.symbol === 'BANKNIFTY')!.state.chain.expiry;
    const key = `BANKNIFTY|${expiry}`;
    const t0 = Math.floor(clock.now() / 60_000) * 60_000 + 60_000;
    services.history.recorder.recordMinute(t0);
    const session = new StreamSession(env.app);
    try {
      expect(session.handle({ op: 'subscribe', view: 'history', symbol: 'banknifty', expiry, id: 'h1' })).toEqual({ type: 'subscribed', view: 'history', key, id: 'h1' });
      const first = session.build(Date.now())!;
      first.commit();
      expect(first.batch.history![key]!.snapshot).toBe(true);
      expect(first.batch.history![key]!.minutes.map((m) => m.t)).toContain(t0);
      // Nothing closed since: nothing to send.
      expect(session.build(Date.now())).toBeNull();
      // The next minute closes: only it is sent.
      services.history.recorder.recordMinute(t0 + 60_000);
      const next = session.build(Date.now())!;
      next.commit();
      expect(next.batch.history![key]).toEqual({ minutes: [expect.objectContaining({ t: t0 + 60_000, backfilled: false })] });
      // The minute read alone (from the last one sent + 1) has the straddle volume a read of the day gives it.
      const rest = await get<HistoryMinutesView>(`/api/v2/history/BANKNIFTY?expiry=${expiry}`);
      const same = rest.json.minutes.find((m) => m.t === t0 + 60_000)!;
      expect(typeof same.straddle_volume).toBe('number');
      expect(next.batch.history![key]!.minutes[0]!.straddle_volume).toBe(same.straddle_volume);
      // A back-fill lands behind what was sent: the day again, the filled minute marked.
      const earlier = t0 - 30 * 60_000;
      expect(services.history.writeBackfilled('BANKNIFTY', expiry, [{ t: earlier, underlying: 50_000, atmStrike: 50_000, straddle: null, pcr: null, pcrVolume: null, atmIv: null, ceOi: null, peOi: null, forward: null }])).toBe(1);
      const again = session.build(Date.now())!;
      again.commit();
      expect(again.batch.history![key]!.snapshot).toBe(true);
      expect(again.batch.history![key]!.minutes[0]).toMatchObject({ t: earlier, backfilled: true, underlying: 50_000 });
      // Unknown symbols are refused by name; unsubscribe stops it.
      expect(session.handle({ op: 'subscribe', view: 'history', symbol: 'NOSUCH', expiry })).toMatchObject({ type: 'error', error: { code: 'UNKNOWN_SYMBOL' } });
      expect(session.handle({ op: 'unsubscribe', view: 'history', symbol: 'BANKNIFTY', expiry })).toMatchObject({ type: 'unsubscribed', key });
      services.history.recorder.recordMinute(t0 + 120_000);
      expect(session.build(Date.now())).toBeNull();
    } finally {
      session.dispose();
    }
  });

  it("gives a minute's straddle_volume as the ATM pair's volume traded since the minute before, by the strikes at both", async () => {
    const { services } = env.app;
    const state = () => services.owners.openChains().find((c) => c.state.chain.symbol === 'NIFTY')!.state;
    const expiry = state().chain.expiry;
    // Minutes no other test records: ta - 1 minute is not recorded.
    const ta = Math.floor(clock.now() / 60_000) * 60_000 + 10 * 60_000;
    services.history.recorder.recordMinute(ta);
    // The ATM pair's day volume as the quote store has it (what the recorder samples).
    const pairNow = (): { strike: number; volume: number } | undefined => {
      const strike = services.analytics.of(state()).summary.atmStrike;
      const row = state().chain.strikes.find((k) => k.strike === strike);
      const volume = (ref: { segment: string; securityId: number } | null | undefined) => (ref ? services.store.get(`${ref.segment}:${ref.securityId}`)?.volume : undefined);
      const ce = volume(row?.ce);
      const pe = volume(row?.pe);
      return strike === null || ce === undefined || pe === undefined ? undefined : { strike, volume: ce + pe };
    };
    const recorded = (strike: number) => {
      const legs = services.history.strikesAt('NIFTY', expiry, ta)!.strikes[String(strike)];
      return legs ? legs.CE.volume! + legs.PE.volume! : undefined;
    };
    // Once the ATM pair has traded since, the next minute is recorded (in the same turn as the check).
    await waitFor(() => {
      const p = pairNow();
      if (!p || recorded(p.strike) === undefined || p.volume === recorded(p.strike)) return false;
      services.history.recorder.recordMinute(ta + 60_000);
      return true;
    }, 20_000, 'the NIFTY ATM pair to trade');

    const minutes = (await get<HistoryMinutesView>(`/api/v2/history/NIFTY?expiry=${expiry}&from=${ta}&to=${ta + 60_000}`)).json.minutes;
    expect(minutes.map((m) => m.t)).toEqual([ta, ta + 60_000]);
    // The first minute recorded: nothing before it to count from.
    expect(minutes[0]!.straddle_volume).toBeNull();
    // The next: computed here from the strikes API at both minutes, at that minute's ATM.
    const k = String(minutes[1]!.atm_strike);
    const strikesAt = async (t: number) => (await get<HistoryStrikesView>(`/api/v2/history/NIFTY/strikes?expiry=${expiry}&t=${t}`)).json;
    const [before, after] = [await strikesAt(ta), await strikesAt(ta + 60_000)];
    expect([before.t, after.t]).toEqual([ta, ta + 60_000]);
    const pair = (s: HistoryStrikesView) => s.strikes[k]!.CE.volume! + s.strikes[k]!.PE.volume!;
    expect(minutes[1]!.straddle_volume).toBe(pair(after) - pair(before));
    expect(minutes[1]!.straddle_volume).toBeGreaterThan(0);
  });

  it('refuses what it cannot read, naming it', async () => {
    const unknown = await get<unknown>('/api/v2/history/NOSUCH?expiry=2026-12-29');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: 'UNKNOWN_SYMBOL', message: expect.stringMatching(/NOSUCH/) });
    const noExpiry = await get<unknown>('/api/v2/history/NIFTY');
    expect(noExpiry.status).toBe(400);
    expect(noExpiry.json.error?.message).toMatch(/expiry/);
    const backwards = await get<unknown>('/api/v2/history/NIFTY?expiry=2026-12-29&from=2000&to=1000');
    expect(backwards.status).toBe(400);
    expect(backwards.json.error?.message).toMatch(/from/);
    const badT = await get<unknown>('/api/v2/history/NIFTY/strikes?expiry=2026-12-29&t=soon');
    expect(badT.status).toBe(400);
    expect(badT.json.error?.message).toMatch(/^t: /);
  });
});
