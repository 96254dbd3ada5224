import { describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, type CommandName } from './commands';
import { requestSchemas, type Api } from './contract';
import { AppError } from './errors';
import { parseStreamMessage, validateRequest, withValidation } from './validate';

/** An api whose every handler records what it got and echoes it. */
function recordingApi(): { api: Api; calls: { name: CommandName; request: unknown }[] } {
  const calls: { name: CommandName; request: unknown }[] = [];
  const entries = COMMAND_NAMES.map((name) => [name, async (request: unknown) => (calls.push({ name, request }), { echo: request })]);
  // A stand-in for every handler: the responses are not the contract's, which this test does not read.
  return { api: Object.fromEntries(entries) as unknown as Api, calls };
}

describe('validateRequest', () => {
  it('answers the parsed request (trimmed), or BAD_REQUEST naming the first problem', () => {
    expect(validateRequest('option-chain:unsubscribe', { view_id: ' v1 ' })).toEqual({ view_id: 'v1' });
    expect(validateRequest('settings:get', undefined)).toEqual({});
    for (const bad of [{}, { view_id: '' }, { view_id: 'x'.repeat(65) }, { view_id: 'v1', extra: 1 }]) {
      expect(() => validateRequest('option-chain:unsubscribe', bad), JSON.stringify(bad)).toThrow(AppError);
    }
    expect(() => validateRequest('option-chain:unsubscribe', {})).toThrow(/^view_id: /);
  });
});

describe('withValidation (the in-process adapter)', () => {
  it('hands every handler the parsed request', async () => {
    const { api, calls } = recordingApi();
    const validated = withValidation(api);
    expect(Object.keys(validated).sort()).toEqual([...COMMAND_NAMES].sort());
    await validated['watchlist:add']({ user_id: ' trader ', symbol: ' RELIANCE ', instrument_type: 'STOCK_OPTION' });
    await validated['option-chain:unsubscribe']({ view_id: ' v1 ' });
    expect(calls).toEqual([
      { name: 'watchlist:add', request: { user_id: 'trader', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' } },
      { name: 'option-chain:unsubscribe', request: { view_id: 'v1' } },
    ]);
  });

  it('rejects bad input with BAD_REQUEST and never calls the handler', async () => {
    const { api, calls } = recordingApi();
    const validated = withValidation(api);
    const bad = (name: CommandName, input: unknown): Promise<unknown> => (validated[name] as (r: unknown) => Promise<unknown>)(input);
    await expect(bad('watchlist:add', { user_id: 'trader', symbol: 'RELIANCE' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(bad('subscriptions:get', { token: '../../etc/passwd' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(bad('settings:set', 'keep')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(calls).toEqual([]);
  });

  it('parses each call once', async () => {
    const { api } = recordingApi();
    const parse = vi.spyOn(requestSchemas['instruments:search'], 'safeParse');
    try {
      const validated = withValidation(api);
      await validated['instruments:search']({ q: 'nifty' });
      await validated['instruments:search']({ q: 'reli', limit: 5 });
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      parse.mockRestore();
    }
  });
});

describe('parseStreamMessage', () => {
  it('takes an optional view_id on a chain subscribe, with the REST view id rules', () => {
    expect(parseStreamMessage({ op: 'subscribe', view: 'chain', symbol: 'NIFTY', view_id: ' v1 ', id: 'c1' })).toEqual({ ok: true, message: { op: 'subscribe', view: 'chain', symbol: 'NIFTY', view_id: 'v1', id: 'c1' } });
    expect(parseStreamMessage({ op: 'subscribe', view: 'chain', symbol: 'NIFTY' })).toMatchObject({ ok: true });
    expect(parseStreamMessage({ op: 'subscribe', view: 'chain', symbol: 'NIFTY', view_id: '', id: 'c2' })).toEqual({ ok: false, error: { type: 'error', error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^view_id: /) }, id: 'c2' } });
    expect(parseStreamMessage({ op: 'subscribe', view: 'status', view_id: 'v1' })).toMatchObject({ ok: false });
  });
});

describe("the seed's forms at the edge (normalised once, so handlers see one form)", () => {
  it('user_id: integers and strings name one user; anything else is named', () => {
    expect(validateRequest('watchlist:list', { user_id: 1 })).toEqual({ user_id: '1' });
    expect(validateRequest('watchlist:list', { user_id: '1' })).toEqual(validateRequest('watchlist:list', { user_id: 1 }));
    expect(validateRequest('watchlist:remove', { user_id: 42, symbol: 'RELIANCE' })).toEqual({ user_id: '42', symbol: 'RELIANCE' });
    for (const bad of [1.5, -1, true, null, '', ' ', 'x'.repeat(65), 2 ** 60]) {
      expect(() => validateRequest('watchlist:list', { user_id: bad }), String(bad)).toThrow(/^user_id: /);
    }
  });

  it('expiry: YYYY-MM-DD or DDMMMYYYY, a real date, handed on as YYYY-MM-DD', () => {
    const add = { user_id: 1, symbol: 'RELIANCE', expiry: '26FEB2026', instrument_type: 'STOCK_OPTION', underlying_ltp: 2641.5 };
    expect(validateRequest('watchlist:add', add)).toEqual({ ...add, user_id: '1', expiry: '2026-02-26' });
    expect(validateRequest('watchlist:remove', { user_id: 1, symbol: 'RELIANCE', expiry: ' 26feb2026 ' })).toMatchObject({ expiry: '2026-02-26' });
    expect(validateRequest('option-chain:get', { symbol: 'RELIANCE', expiry: '2026-02-26' })).toEqual({ symbol: 'RELIANCE', expiry: '2026-02-26' });
    expect(validateRequest('option-chain:subscribe', { symbol: 'RELIANCE', expiry: '26Feb2026' })).toEqual({ symbol: 'RELIANCE', expiry: '2026-02-26' });
    for (const bad of ['2026-13-45', '31FEB2026', '2026-02-30', '26-02-2026', 'next week', '']) {
      expect(() => validateRequest('option-chain:get', { symbol: 'RELIANCE', expiry: bad }), bad).toThrow(/^expiry: /);
      expect(() => validateRequest('option-chain:subscribe', { symbol: 'RELIANCE', expiry: bad }), bad).toThrow(/^expiry: /);
      expect(() => validateRequest('watchlist:add', { ...add, expiry: bad }), bad).toThrow(/^expiry: /);
      expect(() => validateRequest('watchlist:remove', { user_id: 1, symbol: 'RELIANCE', expiry: bad }), bad).toThrow(/^expiry: /);
    }
    expect(() => validateRequest('option-chain:get', { symbol: 'RELIANCE', expiry: '2026-13-45' })).toThrow(/2026-13-45/);
  });

  it("token: Dhan's form or the seed's, the seed's in its canonical spelling", () => {
    expect(validateRequest('subscriptions:get', { token: 'NSE_FNO:42512' })).toEqual({ token: 'NSE_FNO:42512' });
    expect(validateRequest('subscriptions:get', { token: 'RELIANCE_26FEB_2640CE' })).toEqual({ token: 'RELIANCE_26FEB_2640CE' });
    expect(validateRequest('subscriptions:get', { token: 'reliance_26feb_2640.0pe' })).toEqual({ token: 'RELIANCE_26FEB_2640PE' });
    for (const bad of ['../../etc/passwd', 'nse_fno:1', 'NSE_FNO:', 'RELIANCE_31FEB_2640CE', 'RELIANCE_26FEB_2640', 'RELIANCE']) {
      expect(() => validateRequest('subscriptions:get', { token: bad }), bad).toThrow(/^token: /);
    }
  });

  it('the stream takes the same expiry forms on a chain subscribe', () => {
    expect(parseStreamMessage({ op: 'subscribe', view: 'chain', symbol: 'RELIANCE', expiry: '26FEB2026' })).toEqual({ ok: true, message: { op: 'subscribe', view: 'chain', symbol: 'RELIANCE', expiry: '2026-02-26' } });
    expect(parseStreamMessage({ op: 'subscribe', view: 'chain', symbol: 'RELIANCE', expiry: '2026-02-26' })).toMatchObject({ ok: true, message: { expiry: '2026-02-26' } });
    expect(parseStreamMessage({ op: 'subscribe', view: 'chain', symbol: 'RELIANCE', expiry: '31FEB2026', id: 'c3' })).toEqual({ ok: false, error: { type: 'error', error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^expiry: .*31FEB2026/) }, id: 'c3' } });
  });

  it('a parsed request parses again unchanged (IPC hands parsed requests on to the engine process)', () => {
    const once = validateRequest('watchlist:add', { user_id: 7, symbol: ' RELIANCE ', expiry: '26feb2026', instrument_type: 'STOCK_OPTION' });
    expect(validateRequest('watchlist:add', once)).toEqual(once);
    const token = validateRequest('subscriptions:get', { token: 'reliance_26feb_2640ce' });
    expect(validateRequest('subscriptions:get', token)).toEqual(token);
  });
});
