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
