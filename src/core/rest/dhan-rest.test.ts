import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DhanRestClient } from './dhan-rest';
import { InstrumentRegistry } from '../instruments/registry';
import { parseMasterBuffer } from '../instruments/master-parser';
import { manualClock, SIM_AS_OF, startTestSim, testMaster, type TestSim } from '../../../test/helpers/sim';

let s: TestSim;
const clock = manualClock();
const registry = new InstrumentRegistry(parseMasterBuffer(testMaster()), { now: () => clock.now() });

beforeAll(async () => {
  s = await startTestSim({ clock });
});
afterAll(() => s.stop());

/** A client whose pacing waits move the simulator's clock instead of sleeping. */
function client(options: { token?: string; counter?: { n: number }; quoteIntervalMs?: number; baseUrl?: string } = {}) {
  const sleeps: number[] = [];
  const c = new DhanRestClient({
    baseUrl: options.baseUrl ?? s.sim.apiUrl,
    credentials: () => ({ clientId: s.sim.clientId, token: options.token ?? s.sim.token }),
    now: clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...(options.quoteIntervalMs !== undefined ? { quoteIntervalMs: options.quoteIntervalMs } : {}),
    fetch: (async (...args: Parameters<typeof fetch>) => {
      if (options.counter) options.counter.n++;
      return fetch(...args);
    }) as typeof fetch,
  });
  return { c, sleeps };
}

const options = () => {
  const chain = registry.optionChain({ symbol: 'NIFTY', ltp: 25_800, asOf: SIM_AS_OF, strikes: 5 });
  return chain.strikes.flatMap((k) => [k.ce!, k.pe!]);
};

describe('Dhan REST client against the simulator', () => {
  it('fetches quote snapshots and leaves unknown instruments out', async () => {
    clock.advance(5000);
    const { c } = client();
    const refs = [{ segment: 'IDX_I' as const, securityId: 13 }, { segment: 'NSE_EQ' as const, securityId: 2885 }, ...options().slice(0, 2), { segment: 'NSE_FNO' as const, securityId: 999_999_999 }];
    const got = await c.quotes(refs, 'quote');
    expect([...got.keys()].sort()).toEqual(refs.slice(0, 4).map((r) => `${r.segment}:${r.securityId}`).sort());
    const nifty = got.get('IDX_I:13')!;
    expect(nifty.last_price).toBeGreaterThan(10_000);
    expect(got.get('NSE_EQ:2885')!.depth?.buy).toHaveLength(5);
  });

  it('batches 2,500 instruments into 3 requests paced a second apart, and the exchange never says 429', async () => {
    clock.advance(5000);
    const counter = { n: 0 };
    const { c, sleeps } = client({ counter });
    const all: { segment: 'NSE_FNO'; securityId: number }[] = [];
    for (let r = 0; r < registry.size && all.length < 2500; r++) {
      if (registry.table.segmentOf(r) === 'NSE_FNO') all.push({ segment: 'NSE_FNO', securityId: registry.table.cols.securityId[r]! });
    }
    const got = await c.quotes(all, 'ltp');
    expect(counter.n).toBe(3);
    expect(sleeps.filter((ms) => ms > 0)).toHaveLength(2);
    expect(sleeps.every((ms) => ms <= 1100)).toBe(true);
    expect(got.size).toBeGreaterThan(2000); // expired contracts are not served
  });

  it('coalesces concurrent callers into one request, each getting what it asked for', async () => {
    clock.advance(5000);
    const counter = { n: 0 };
    const { c } = client({ counter });
    const [a, b] = options();
    const [ra, rb] = await Promise.all([c.quotes([a!], 'ltp'), c.quotes([a!, b!], 'ltp')]);
    expect(counter.n).toBe(1);
    expect([...ra.keys()]).toEqual([`NSE_FNO:${a!.securityId}`]);
    expect(rb.size).toBe(2);
  });

  it('reads an option chain and the expiry list', async () => {
    clock.advance(5000);
    const { c } = client();
    const expiries = await c.expiryList({ segment: 'IDX_I', securityId: 13 });
    expect(expiries[0]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    clock.advance(5000);
    const oc = await c.optionChain({ segment: 'IDX_I', securityId: 13 }, expiries[0]!);
    expect(oc.last_price).toBeGreaterThan(10_000);
    const [key, legs] = Object.entries(oc.oc)[0]!;
    expect(key).toMatch(/^\d+\.\d{6}$/);
    expect(legs.ce?.security_id ?? legs.pe?.security_id).toBeGreaterThan(0);
  });

  it('maps failures to codes a caller can act on', async () => {
    clock.advance(5000);
    await expect(client({ token: 'wrong' }).c.quotes(options().slice(0, 1))).rejects.toMatchObject({ code: 'AUTH' });
    clock.advance(5000);
    const unpaced = client({ quoteIntervalMs: 0 }).c;
    await unpaced.quotes(options().slice(0, 1), 'ltp');
    await expect(unpaced.quotes(options().slice(1, 2), 'ltp')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    clock.advance(5000);
    await expect(client().c.optionChain({ segment: 'IDX_I', securityId: 13 }, '2001-01-01')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(client({ baseUrl: 'http://127.0.0.1:1/v2' }).c.quotes(options().slice(0, 1))).rejects.toMatchObject({ code: 'NETWORK' });
    const none = new DhanRestClient({ baseUrl: s.sim.apiUrl, credentials: () => null });
    await expect(none.profile()).rejects.toMatchObject({ code: 'AUTH', message: expect.stringMatching(/no Dhan credentials/) });
  });
});
