/**
 * Option analytics as a trader gets them: computed in the engine from the simulator's live chain,
 * in the REST option chain (per leg iv/delta/gamma/theta/vega, per chain pcr/max_pain) and in the
 * stream's batches; the risk-free rate is a setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../src/core/api/create-api';
import { ANALYTICS_REFRESH_MS, StreamSession } from '../src/core/api/stream-session';
import type { Api, ChainView } from '../src/shared/contract';
import { withValidation } from '../src/shared/validate';
import { startAppOnSim, type AppOnSim } from './helpers/app';
import { waitFor } from './helpers/wait';

let h: AppOnSim;
let api: Api;

beforeAll(async () => {
  h = await startAppOnSim({ prefix: 'strikedesk-analytics-' });
  api = withValidation(createApi(h.app));
});
afterAll(async () => {
  await h?.stop();
});

/** The NIFTY chain once its ATM legs, and the legs at the analytics' ATM, have prices. */
async function niftyChain(): Promise<ChainView> {
  for (let i = 0; i < 200; i++) {
    const c = await api['option-chain:get']({ symbol: 'NIFTY' });
    const atm = c.strikes_ce_pe[String(c.atm_strike)];
    const straddle = c.strikes_ce_pe[String(c.analytics.atm_strike)];
    if (atm?.CE?.ltp && atm.PE?.ltp && straddle?.CE?.ltp && straddle.PE?.ltp && c.pcr !== null) return c;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('NIFTY ATM legs never got prices');
}

describe('option analytics on the live chain', () => {
  it('REST: IV and greeks per leg, PCR and max pain per chain, consistent with each other', async () => {
    const c = await niftyChain();
    const atm = c.strikes_ce_pe[String(c.atm_strike)]!;
    const ce = atm.CE!;
    const pe = atm.PE!;
    // The simulator's smile sits between 8% and 60%; at the money both legs imply the same vol.
    expect(ce.iv).toBeGreaterThan(0.05);
    expect(ce.iv).toBeLessThan(0.6);
    expect(Math.abs(ce.iv! - pe.iv!)).toBeLessThan(0.02);
    expect(ce.delta).toBeGreaterThan(0.3);
    expect(ce.delta).toBeLessThan(0.7);
    expect(pe.delta).toBeLessThan(-0.3);
    // Black-76 with the same vol: delta(CE) - delta(PE) = e^{-rT}, close to 1 weeks from expiry.
    expect(ce.delta! - pe.delta!).toBeGreaterThan(0.97);
    expect(ce.delta! - pe.delta!).toBeLessThanOrEqual(1);
    expect(ce.gamma).toBeGreaterThan(0);
    expect(ce.vega).toBeGreaterThan(0);
    expect(ce.theta).toBeLessThan(0);
    expect(c.pcr).toBeGreaterThan(0);
    expect(c.strikes).toContain(c.max_pain);
    expect(c.analytics.forward_source).toBe('parity');
    expect(Math.abs(c.analytics.forward! - c.underlying_ltp) / c.underlying_ltp).toBeLessThan(0.02);
    // The straddle is taken at the analytics' ATM (the strike nearest the forward), which can
    // differ from the window's centre (it moves only a full step away): read the legs there.
    const at = c.strikes_ce_pe[String(c.analytics.atm_strike)]!;
    expect(c.analytics.atm_straddle).toBeCloseTo(at.CE!.ltp! + at.PE!.ltp!, 0);
    // Nothing is NaN or Infinity anywhere: JSON would carry them as null, so check the numbers.
    for (const entry of Object.values(c.strikes_ce_pe)) {
      for (const leg of [entry.CE, entry.PE]) {
        if (!leg) continue;
        for (const k of ['iv', 'delta', 'gamma', 'theta', 'vega'] as const) if (leg[k] !== null) expect(Number.isFinite(leg[k])).toBe(true);
        if (leg.iv === null) expect(leg.iv_reason).not.toBeNull();
      }
    }
  });

  it('stream: batches carry the chain analytics and every leg refreshed about once a second', async () => {
    await niftyChain();
    const session = new StreamSession(h.app);
    const expiry = h.app.services.loaded.registry.expiries('NIFTY')[0]!;
    expect(session.handle({ op: 'subscribe', view: 'chain', symbol: 'NIFTY', expiry }).type).toBe('subscribed');
    const key = `NIFTY|${expiry}`;
    const first = session.build(Date.now())!;
    first.commit();
    const snap = first.batch.chains[key]!;
    expect(snap.snapshot).toBe(true);
    expect(snap.analytics.pcr).toBeGreaterThan(0);
    const atmRow = snap.strikes!.find((r) => r.strike === snap.atm_strike)!;
    expect(snap.legs[atmRow.CE!]!.iv).toBeGreaterThan(0.05);

    // Deltas carry only changed legs; after the refresh interval every leg comes again.
    const delta = await waitFor(() => {
      const p = session.build(Date.now());
      if (!p || !p.batch.chains[key]) return undefined;
      p.commit();
      return p.batch.chains[key];
    }, 10_000, 'a delta batch');
    expect(Object.keys(delta.legs).length).toBeLessThan(snap.strikes!.length * 2);
    const later = session.build(Date.now() + ANALYTICS_REFRESH_MS)!;
    expect(Object.keys(later.batch.chains[key]!.legs)).toHaveLength(Object.keys(snap.legs).length);
  });

  it('settings: the risk-free rate is saved and moves the analytics', async () => {
    const before = await niftyChain();
    expect((await api['settings:get']({})).risk_free_rate).toBeCloseTo(0.065, 6);
    const set = await api['settings:set']({ risk_free_rate: 0.1 });
    expect(set.risk_free_rate).toBe(0.1);
    const after = await niftyChain();
    expect(after.analytics.rate).toBe(0.1);
    expect(after.analytics.rate).not.toBe(before.analytics.rate);
    await expect(api['settings:set']({ risk_free_rate: 2 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await api['settings:set']({ risk_free_rate: 0.065 });
  });
});
