import { afterEach, describe, expect, it } from 'vitest';
import { makeCore, testRegistry, type TestCore } from '../../../test/helpers/core';
import { parseToken, tokenOf, type InstrumentToken } from '../../shared/instruments';
import { applyTierB, DEFAULT_TIER_B_CONFIG, describeTierBPlan, parseTierBConfig, parseTierBConfigJson, planTierB, pruneTierB, type TierBChainPlan, type TierBPlan } from './tier-b';

const INDICES = ['NIFTY', 'BANKNIFTY', 'SENSEX', 'FINNIFTY', 'MIDCPNIFTY', 'BANKEX'];
const FUTURES = ['GOLD', 'SILVER', 'CRUDEOIL', 'NATURALGAS', 'COPPER'];

let core: TestCore | undefined;
afterEach(() => {
  core?.dispose();
  core = undefined;
});

const chainsOf = (plan: TierBPlan) => plan.owners.filter((o): o is TierBChainPlan => o.kind === 'chain');

/** A price for each chain's underlying: the middle listed strike, so every window is whole. */
function midPrices(plan: TierBPlan): Map<InstrumentToken, number> {
  const registry = testRegistry();
  const prices = new Map<InstrumentToken, number>();
  for (const c of chainsOf(plan)) {
    const ladder = registry.ladder(c.spec.symbol, c.spec.expiry, c.spec.segment)!;
    prices.set(c.underlyingToken, ladder.strikes[ladder.strikes.length >> 1]!);
  }
  return prices;
}

describe('Tier B plan (default config, generated master)', () => {
  const registry = testRegistry();
  const plan = planTierB(registry, DEFAULT_TIER_B_CONFIG, '2026-11-24');

  it('plans every index for its nearest N expiries, 101 strikes, with its index as underlying', () => {
    expect(plan.problems).toEqual([]);
    for (const entry of DEFAULT_TIER_B_CONFIG.indexChains) {
      const chains = chainsOf(plan).filter((c) => c.spec.symbol === entry.symbol);
      expect(chains.map((c) => c.spec.expiry), entry.symbol).toEqual(registry.expiries(entry.symbol, { asOf: '2026-11-24' }).slice(0, entry.expiries));
      for (const c of chains) {
        // 101 strikes where listed (the generated master lists fewer for later expiries), CE and PE each.
        const listed = registry.ladder(entry.symbol, c.spec.expiry, c.spec.segment)!.strikes.length;
        expect(c).toMatchObject({ group: 'indexChains', owner: `tierb:${entry.symbol}:${c.spec.expiry}`, spec: { strikes: 101 }, options: 2 * Math.min(101, listed) });
        expect(registry.get(parseToken(c.underlyingToken)!)).toMatchObject({ kind: 'INDEX', segment: 'IDX_I' });
      }
    }
    expect(new Set(chainsOf(plan).filter((c) => c.group === 'indexChains').map((c) => c.spec.symbol))).toEqual(new Set(INDICES));
    // The nearest expiry of each index lists at least 101 strikes here: a full chain.
    for (const symbol of INDICES) expect(chainsOf(plan).find((c) => c.spec.symbol === symbol)!.options, symbol).toBe(202);
  });

  it('finds the nearest MCX future of each commodity and the MCX option chains with their futures', () => {
    for (const symbol of FUTURES) {
      const owner = plan.owners.find((o) => o.owner === `tierb:fut:${symbol}`);
      expect(owner?.kind, symbol).toBe('instruments');
      const tokens = owner!.kind === 'instruments' ? owner!.tokens : [];
      expect(tokens).toHaveLength(1);
      const future = registry.get(parseToken(tokens[0]!)!)!;
      expect(future).toMatchObject({ kind: 'FUTCOM', segment: 'MCX_COMM', underlying: symbol, expiry: registry.expiries(symbol, { kind: 'futures', segment: 'MCX_COMM', asOf: '2026-11-24' })[0] });
    }
    for (const symbol of ['CRUDEOIL', 'NATURALGAS']) {
      const chains = chainsOf(plan).filter((c) => c.group === 'optionChains' && c.spec.symbol === symbol);
      expect(chains, symbol).toHaveLength(2);
      for (const c of chains) {
        expect(c.spec).toMatchObject({ segment: 'MCX_COMM', strikes: 41 });
        expect(registry.get(parseToken(c.underlyingToken)!)).toMatchObject({ kind: 'FUTCOM', underlying: symbol });
      }
    }
  });

  it('counts each distinct instrument once, far below the 25,000 cap', () => {
    // Independently: build every chain at its middle strike and collect all tokens.
    const all = new Set<InstrumentToken>();
    const prices = midPrices(plan);
    for (const c of chainsOf(plan)) {
      const chain = registry.optionChain({ ...c.spec, ltp: prices.get(c.underlyingToken)!, asOf: plan.asOf });
      for (const s of chain.strikes) for (const leg of [s.ce, s.pe]) if (leg) all.add(tokenOf(leg));
      all.add(c.underlyingToken);
    }
    for (const o of plan.owners) if (o.kind === 'instruments') o.tokens.forEach((t) => all.add(t));
    expect(plan.plannedInstruments).toBe(all.size);
    // 1,668 on this master (its later expiries list 23-29 strikes); about 2,970 on a real one.
    expect(plan.plannedInstruments).toBeGreaterThan(1_000);
    expect(plan.plannedInstruments).toBeLessThan(5_000);
    expect(describeTierBPlan(plan)).toContain(`${plan.plannedInstruments.toLocaleString('en-US')} instruments planned`);
  });

  it('reports a symbol the master lacks and plans the rest', () => {
    const config = parseTierBConfig({
      indexChains: [{ symbol: 'NOSUCHIDX', expiries: 1, strikes: 101 }, { symbol: 'nifty', expiries: 1, strikes: 51 }],
      futures: [{ symbol: 'UNOBTAINIUM', count: 1 }, { symbol: 'GOLD', count: 2 }],
      fnoUnderlyings: false,
    });
    const p = planTierB(registry, config, '2026-11-24');
    expect(p.problems).toEqual([
      { field: 'indexChains[0]', symbol: 'NOSUCHIDX', message: 'NOSUCHIDX is not in the instrument master' },
      { field: 'futures[0]', symbol: 'UNOBTAINIUM', message: 'UNOBTAINIUM is not in the instrument master' },
    ]);
    expect(p.owners.map((o) => o.owner)).toEqual([`tierb:NIFTY:${registry.expiries('NIFTY', { asOf: '2026-11-24' })[0]}`, 'tierb:fut:GOLD']);
    expect(p.plannedInstruments).toBe(102 + 1 + 2);
  });

  it('keeps every F&O underlying live: the spot of each symbol with options, and the future each MCX expiry follows', () => {
    const owner = plan.owners.find((o) => o.owner === 'tierb:underlyings');
    expect(owner?.kind).toBe('instruments');
    const tokens = new Set(owner!.kind === 'instruments' ? owner!.tokens : []);
    // What a trader adds: an F&O stock, an index, a BSE index, a commodity's options.
    const asOf = '2026-11-24';
    for (const symbol of ['RELIANCE', 'TCS', 'NIFTY', 'SENSEX', 'CRUDEOIL', 'GOLD']) {
      for (const expiry of registry.expiries(symbol, { asOf })) {
        const under = registry.chainUnderlying(symbol, expiry)!;
        expect(tokens.has(tokenOf(under)), `${symbol} ${expiry}`).toBe(true);
      }
    }
    expect(tokens.has('NSE_EQ:2885')).toBe(true);
    // Nothing but underlyings: no option, and no stock without options.
    for (const t of tokens) expect(['EQUITY', 'INDEX', 'FUTCOM', 'FUTCUR', 'FUTIDX'], t).toContain(registry.get(parseToken(t)!)!.kind);
    const equities = [...tokens].filter((t) => t.startsWith('NSE_EQ:') || t.startsWith('BSE_EQ:'));
    for (const t of equities) expect(registry.optionSegments(registry.get(parseToken(t)!)!.underlying).length, t).toBeGreaterThan(0);
    expect(tokens.size).toBeGreaterThan(100);
    expect(tokens.size).toBeLessThan(1_000);
    expect(describeTierBPlan(plan)).toContain(`${tokens.size} F&O underlyings always live`);
  });

  it('refuses a malformed config with an error naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ indexChains: [{ symbol: 'NIFTY', expiries: 2, strikes: 0 }] }, /indexChains\[0\]\.strikes/],
      [{ indexChains: [{ symbol: 'NIFTY', expiries: 2, strike: 101 }] }, /indexChains\[0\].*strike/],
      [{ futures: [{ symbol: '', count: 1 }] }, /futures\[0\]\.symbol/],
      [{ futures: [{ symbol: 'GOLD', count: 1.5 }] }, /futures\[0\]\.count/],
      [{ optionChains: [{ symbol: 'CRUDEOIL', expiries: 1, strikes: 25, segment: 'MCX' }] }, /optionChains\[0\]\.segment/],
      [{ indexchains: [] }, /indexchains/],
      [{ indexChains: [{ symbol: 'NIFTY', expiries: 1, strikes: 101 }], optionChains: [{ symbol: 'nifty', expiries: 1, strikes: 25 }] }, /optionChains\[0\]\.symbol: NIFTY is already listed at indexChains\[0\]/],
      [[], /\(config\)/],
    ];
    for (const [raw, message] of bad) {
      expect(() => parseTierBConfig(raw), JSON.stringify(raw)).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringMatching(message) }));
    }
    expect(() => parseTierBConfigJson('{"indexChains": [')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringMatching(/not JSON/) }));
  });
});

describe('applyTierB', () => {
  const registry = testRegistry();
  const plan = planTierB(registry, DEFAULT_TIER_B_CONFIG, '2026-11-24');

  it('opens every owner as TIER_B: the manager holds exactly the planned count', () => {
    core = makeCore();
    const prices = midPrices(plan);
    const out = applyTierB(core, plan, (t) => prices.get(t));
    expect(out.failed).toEqual([]);
    expect(out.pending).toEqual([]);
    expect(out.opened.map((o) => o.owner)).toEqual(plan.owners.map((o) => o.owner));
    expect(core.owners.stats()).toMatchObject({ tierA: 0, tierB: plan.plannedInstruments, total: plan.plannedInstruments });
    expect(out.subscribed).toBe(plan.plannedInstruments);
    expect(core.owners.listOwners().every((o) => o.tier === 'TIER_B')).toBe(true);
    // Applying again changes nothing.
    expect(applyTierB(core, plan, (t) => prices.get(t)).subscribed).toBe(0);
  });

  it('a chain whose underlying has no price waits, holding its underlying; the rest open', () => {
    core = makeCore();
    const prices = midPrices(plan);
    const nifty = chainsOf(plan).filter((c) => c.spec.symbol === 'NIFTY');
    const niftyIndex = nifty[0]!.underlyingToken;
    const out = applyTierB(core, plan, (t) => (t === niftyIndex ? undefined : prices.get(t)));
    expect(out.failed).toEqual([]);
    expect(out.pending.map((p) => p.plan.owner)).toEqual(nifty.map((c) => c.owner));
    expect(out.pending[0]!.reason).toMatch(/no price yet for IDX_I:13/);
    expect(core.owners.isSubscribed(niftyIndex)).toBe(true);
    const niftyOptions = nifty.reduce((n, c) => n + c.options, 0);
    expect(core.owners.stats().tierB).toBe(plan.plannedInstruments - niftyOptions);
    // The REST snapshot arrives: the pending chains open.
    const retry = applyTierB(core, { owners: out.pending.map((p) => p.plan) }, (t) => prices.get(t));
    expect(retry.pending).toEqual([]);
    expect(core.owners.stats().tierB).toBe(plan.plannedInstruments);
  });

  it('pruneTierB drops the chains and futures that expired by the next day', () => {
    core = makeCore();
    const prices = midPrices(plan);
    applyTierB(core, plan, (t) => prices.get(t));
    const later = planTierB(registry, DEFAULT_TIER_B_CONFIG, '2026-11-27');
    const gone = plan.owners.map((o) => o.owner).filter((o) => !later.owners.some((l) => l.owner === o));
    expect(gone).toContain(`tierb:SENSEX:2026-11-26`);
    const out = pruneTierB(core, later);
    expect(out.released.sort()).toEqual(gone.sort());
    expect(core.owners.hasOwner('tierb:SENSEX:2026-11-26')).toBe(false);
    expect(core.owners.hasOwner('tierb:fut:GOLD')).toBe(true);
  });
});
