import { describe, expect, it } from 'vitest';
import { AtmEngine, chainTokens } from './atm-engine';
import { InstrumentRegistry } from '../instruments/registry';
import { parseText } from '../../../test/helpers/fixtures';

const HEADER =
  'SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,SEM_TRADING_SYMBOL,SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE,SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME';

/** A stock "ACME" at about 2,640 with 5-rupee strikes from 2,500 to 2,800, two expiries. */
function acmeMaster(): string {
  const rows = [HEADER, 'NSE,E,777,EQUITY,0,ACME,1.0,Acme Ltd,,,,5.0000,NA,ES,EQ,ACME LTD'];
  let id = 90_000;
  for (const expiry of ['2026-12-29', '2027-01-26']) {
    for (let k = 2500; k <= 2800; k += 5) {
      for (const t of ['CE', 'PE']) {
        rows.push(`NSE,D,${id++},OPTSTK,0,ACME-Dec2026-${k}-${t},250.0,ACME ${k} ${t},${expiry} 14:30:00,${k}.00000,${t},5.0000,M,OP,,`);
      }
    }
  }
  return rows.join('\n');
}

const registry = new InstrumentRegistry(parseText(acmeMaster()), { now: () => Date.parse('2026-11-24T05:00:00Z') });

describe('ATM engine', () => {
  const spec = { symbol: 'ACME', expiry: '2026-12-29' };

  it('centres on round(2641.5 / 5) * 5 = 2640 with 25 strikes, 12 each side', () => {
    const engine = new AtmEngine({ registry });
    const state = engine.build(spec, 2641.5);
    expect(state.chain).toMatchObject({ atm: 2640, step: 5, lotSize: 250 });
    expect(state.chain.strikes.map((s) => s.strike)).toEqual(Array.from({ length: 25 }, (_, i) => 2580 + i * 5));
    expect(state.optionTokens).toHaveLength(50);
    expect(state.underlyingToken).toBe('NSE_EQ:777');
    expect(chainTokens(state)).toHaveLength(51);
  });

  it('re-centres only on a full step, reporting the strikes entering and leaving', () => {
    const engine = new AtmEngine({ registry });
    const current = engine.build(spec, 2641.5);
    expect(engine.decide(current, spec, 2644.99)).toMatchObject({ kind: 'none', reason: 'within-step' });
    expect(engine.decide(current, spec, 2635.01)).toMatchObject({ kind: 'none', reason: 'within-step' });
    const d = engine.decide(current, spec, 2652);
    if (d.kind !== 'recentre') throw new Error(`expected a re-centre, got ${d.kind}`);
    expect(d.next.chain.atm).toBe(2650);
    expect(d.entering).toHaveLength(4); // 2705 and 2710, CE and PE
    expect(d.leaving).toHaveLength(4);
    expect(engine.decide(undefined, { symbol: 'ACME', expiry: '2027-01-26' }, 2700)).toMatchObject({ kind: 'none', reason: 'no-chain' });
  });

  it('says why a bad or stale price does not move the chain', () => {
    const engine = new AtmEngine({ registry });
    const current = engine.build(spec, 2641.5);
    for (const bad of [0, -1, Number.NaN]) expect(engine.decide(current, spec, bad)).toMatchObject({ kind: 'none', reason: 'bad-ltp', message: expect.stringMatching(/not a usable price/) });
    expect(engine.decide(current, spec, 2700, { ltt: 1, sessionStart: 2 })).toMatchObject({ kind: 'none', reason: 'stale-ltp' });
  });

  it('does not move at the edge of the ladder when no nearer strike is listed', () => {
    const engine = new AtmEngine({ registry });
    const current = engine.build(spec, 2800);
    expect(engine.decide(current, spec, 2900)).toMatchObject({ kind: 'none', reason: 'within-step' });
  });

  it('a walk of re-centres reports what a fresh engine reports for each step, and lowercase symbols keep working', () => {
    const engine = new AtmEngine({ registry });
    let current = engine.build(spec, 2641.5);
    for (const ltp of [2652, 2671, 2660, 2700, 2590, 2622, 2800, 2600]) {
      const d = engine.decide(current, spec, ltp);
      const fresh = new AtmEngine({ registry }).decide(new AtmEngine({ registry }).build(spec, current.chain.ltp), spec, ltp);
      if (d.kind !== 'recentre' || fresh.kind !== 'recentre') throw new Error(`expected re-centres at ${ltp}`);
      expect(d.entering).toEqual(fresh.entering);
      expect(d.leaving).toEqual(fresh.leaving);
      expect(d.next.chain).toEqual(fresh.next.chain);
      const window = new Set(d.next.optionTokens);
      expect(current.optionTokens.filter((t) => !window.has(t))).toEqual(d.leaving);
      current = d.next;
    }
    expect(engine.build({ symbol: 'acme', expiry: '2026-12-29' }, 2641.5).chain).toEqual(engine.build(spec, 2641.5).chain);
    expect(() => engine.build({ symbol: 'NOPE', expiry: '2026-12-29' }, 2641.5)).toThrow(/unknown symbol/);
  });
});
