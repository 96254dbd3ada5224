import { describe, expect, it } from 'vitest';
import { requestSchemas, type CommandName } from './contract';
import { ROUTES, restRequest, routeOf } from './rest-routes';

describe('REST route table', () => {
  it('gives every contract command exactly one route', () => {
    for (const name of Object.keys(requestSchemas) as CommandName[]) {
      expect(ROUTES.filter((r) => r.command === name), name).toHaveLength(1);
      expect(routeOf(name).command).toBe(name);
    }
  });

  it('builds GET requests with path parameters encoded and the rest as the query', () => {
    expect(restRequest('instruments:search', { q: 'nifty bank', limit: 5 })).toEqual({ method: 'GET', path: '/api/v2/instruments/search?q=nifty+bank&limit=5' });
    expect(restRequest('subscriptions:get', { token: 'NSE_FNO:35001' })).toEqual({ method: 'GET', path: '/api/v2/subscriptions/NSE_FNO%3A35001' });
    expect(restRequest('option-chain:get', { symbol: 'M&M', expiry: '2026-11-26' })).toEqual({ method: 'GET', path: '/api/v2/option-chain/M%26M?expiry=2026-11-26' });
  });

  it('builds POST requests with the fields as the JSON body', () => {
    const r = restRequest('watchlist:remove', { user_id: 'u1', symbol: 'RELIANCE', expiry: '2026-11-26' });
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/api/v2/watchlist/remove');
    expect(JSON.parse(r.body!)).toEqual({ user_id: 'u1', symbol: 'RELIANCE', expiry: '2026-11-26' });
  });
});
