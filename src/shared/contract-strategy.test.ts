import { describe, expect, it } from 'vitest';
import { requestSchemas, strategyIdSchema } from './contract';
import { streamClientMessageSchema } from './events';
import { firstIssue } from './validate';

const evaluate = requestSchemas['strategy:evaluate'];
const leg = { expiry: '26nov2026', strike: 25_300, option_type: 'ce', side: ' Buy ', lots: 2 };

/** The first problem the schema finds, as the API reports it. */
const problem = (input: unknown): string => {
  const r = evaluate.safeParse(input);
  if (r.success) throw new Error('parsed');
  return firstIssue(r.error, 'request');
};

describe('strategy requests (issue 19)', () => {
  it('normalises a leg (expiry form, case) and parses its own output again unchanged', () => {
    const parsed = evaluate.parse({ symbol: ' nifty ', legs: [leg, { expiry: '2026-12-29', option_type: 'FUT', side: 'sell', lots: 1, price: 25_410.5 }], iv_shift: -2 });
    expect(parsed).toEqual({
      symbol: 'nifty',
      legs: [
        { expiry: '2026-11-26', strike: 25_300, option_type: 'CE', side: 'BUY', lots: 2 },
        { expiry: '2026-12-29', option_type: 'FUT', side: 'SELL', lots: 1, price: 25_410.5 },
      ],
      iv_shift: -2,
    });
    expect(evaluate.parse(parsed)).toEqual(parsed);
  });

  it('names what is wrong: the leg count first, then the leg and its field', () => {
    expect(problem({ symbol: 'NIFTY', legs: Array.from({ length: 21 }, () => ({})) })).toBe('legs: a strategy has at most 20 legs, not 21');
    expect(problem({ symbol: 'NIFTY', legs: [] })).toBe('legs: a strategy needs at least one leg');
    expect(problem({ symbol: 'NIFTY', legs: [leg, { ...leg, lots: 0 }] })).toBe('legs.1.lots: lots must be a whole number from 1 to 100000, not 0');
    expect(problem({ symbol: 'NIFTY', legs: [{ ...leg, lots: 2.5 }] })).toMatch(/^legs\.0\.lots: .*not 2\.5$/);
    expect(problem({ symbol: 'NIFTY', legs: [{ ...leg, option_type: 'CALL' }] })).toBe('legs.0.option_type: option_type must be one of CE, PE, FUT, not "CALL"');
    expect(problem({ symbol: 'NIFTY', legs: [{ ...leg, strike: undefined }] })).toBe('legs.0.strike: a CE leg needs its strike');
    expect(problem({ symbol: 'NIFTY', legs: [{ ...leg, price: -1 }] })).toBe('legs.0.price: a price must be above zero, not -1');
    expect(problem({ symbol: 'NIFTY', legs: [{ ...leg, qty: 1 }] })).toMatch(/^legs\.0: .*qty/);
    expect(problem({ symbol: 'NIFTY', legs: [leg], spot_range: [25_000, 25_000] })).toBe('spot_range: spot_range must be [lo, hi] with 0 < lo < hi, not [25000, 25000]');
    expect(problem({ symbol: 'NIFTY', legs: [leg], spot_range: [1] })).toMatch(/^spot_range: /);
    expect(problem({ symbol: 'NIFTY', legs: [leg], at_date: 'tomorrow' })).toMatch(/^at_date: "tomorrow" is not a date/);
  });

  it('takes a strategy id as a number or its digits, nothing else', () => {
    expect(strategyIdSchema.parse(3)).toBe(3);
    expect(strategyIdSchema.parse(' 42 ')).toBe(42);
    for (const bad of [0, -1, 1.5, '', 'abc', '1e3', '0x10', null, true]) expect(strategyIdSchema.safeParse(bad).success, String(bad)).toBe(false);
    expect(requestSchemas['strategies:delete'].parse({ id: '7' })).toEqual({ id: 7 });
  });

  it('subscribes a strategy on the stream by strategy_id; id stays the correlation id', () => {
    expect(streamClientMessageSchema.parse({ op: 'subscribe', view: 'strategy', strategy_id: '5', id: 'c1' })).toEqual({ op: 'subscribe', view: 'strategy', strategy_id: 5, id: 'c1' });
  });

  it("takes the issue's literal form: a numeric id names the strategy (a correlation id is a string)", () => {
    expect(streamClientMessageSchema.parse({ op: 'subscribe', view: 'strategy', id: 5 })).toEqual({ op: 'subscribe', view: 'strategy', strategy_id: 5 });
    expect(streamClientMessageSchema.parse({ op: 'unsubscribe', view: 'strategy', id: 5 })).toEqual({ op: 'unsubscribe', view: 'strategy', strategy_id: 5 });
    // A string id is a correlation id: the strategy is still missing.
    expect(streamClientMessageSchema.safeParse({ op: 'subscribe', view: 'strategy', id: '5' }).success).toBe(false);
    expect(streamClientMessageSchema.safeParse({ op: 'subscribe', view: 'strategy', id: 0 }).success).toBe(false);
    // Other views keep a numeric id refused, as before.
    expect(streamClientMessageSchema.safeParse({ op: 'subscribe', view: 'status', id: 5 }).success).toBe(false);
  });
});
