import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, COMMANDS } from './commands';
import { API_PREFIX, ROUTES, restRequest, routeOf } from './rest-routes';

/**
 * The REST API v2 is a public contract: these method + path pairs are pinned here, written out
 * rather than derived, so a change to the command table that moves a path fails this test.
 */
const PUBLIC_ROUTES = [
  'POST /api/v2/watchlist/add',
  'POST /api/v2/watchlist/remove',
  'GET /api/v2/watchlist/:user_id',
  'GET /api/v2/option-chain/:symbol',
  'POST /api/v2/option-chain/subscribe',
  'POST /api/v2/option-chain/unsubscribe',
  'GET /api/v2/subscriptions/status',
  'GET /api/v2/subscriptions/active',
  'GET /api/v2/subscriptions/:token',
  'GET /api/v2/instruments/search',
  'GET /api/v2/instruments/:symbol/expiries',
  'POST /api/v2/admin/unsubscribe-all-tier-a',
  'POST /api/v2/admin/rebalance-ws',
  'GET /api/v2/admin/ws-status',
  'POST /api/v2/admin/credentials',
  'GET /api/v2/chains',
  'GET /api/v2/settings',
  'POST /api/v2/settings',
  'GET /api/v2/history/:symbol',
  'GET /api/v2/history/:symbol/strikes',
  'POST /api/v2/strategy/evaluate',
  'POST /api/v2/strategies',
  'GET /api/v2/strategies',
  'DELETE /api/v2/strategies/:id',
];

describe('REST route table (derived from the command table)', () => {
  it('gives every command exactly one route, its own method and path', () => {
    expect(ROUTES).toHaveLength(COMMAND_NAMES.length);
    for (const name of COMMAND_NAMES) {
      expect(ROUTES.filter((r) => r.command === name), name).toHaveLength(1);
      const r = routeOf(name);
      expect(r.command).toBe(name);
      expect({ method: r.method, path: r.segments.join('/') }).toEqual({ method: COMMANDS[name].method, path: COMMANDS[name].path });
    }
  });

  it('keeps every public path and method exactly', () => {
    expect(ROUTES.map((r) => `${r.method} ${API_PREFIX}${r.segments.join('/')}`).sort()).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('puts literal routes before parameter routes that could take the same path', () => {
    const index = (path: string): number => ROUTES.findIndex((r) => r.segments.join('/') === path);
    expect(index('subscriptions/status')).toBeLessThan(index('subscriptions/:token'));
    expect(index('subscriptions/active')).toBeLessThan(index('subscriptions/:token'));
    expect(index('option-chain/subscribe')).toBeLessThan(index('option-chain/:symbol'));
    expect(index('option-chain/unsubscribe')).toBeLessThan(index('option-chain/:symbol'));
    expect(index('watchlist/add')).toBeLessThan(index('watchlist/:user_id'));
    // In general: no route is preceded by a same-length route with a parameter where it has a literal.
    for (let i = 0; i < ROUTES.length; i++) {
      for (let j = 0; j < i; j++) {
        const [early, late] = [ROUTES[j]!.segments, ROUTES[i]!.segments];
        if (early.length !== late.length) continue;
        const first = early.findIndex((s, k) => s.startsWith(':') !== late[k]!.startsWith(':'));
        if (first >= 0) expect(early[first]!.startsWith(':'), `${early.join('/')} before ${late.join('/')}`).toBe(false);
      }
    }
  });

  it('builds GET requests with path parameters encoded and the rest as the query', () => {
    expect(restRequest('instruments:search', { q: 'nifty bank', limit: 5 })).toEqual({ method: 'GET', path: '/api/v2/instruments/search?q=nifty+bank&limit=5' });
    expect(restRequest('subscriptions:get', { token: 'NSE_FNO:35001' })).toEqual({ method: 'GET', path: '/api/v2/subscriptions/NSE_FNO%3A35001' });
    expect(restRequest('option-chain:get', { symbol: 'M&M', expiry: '2026-11-26' })).toEqual({ method: 'GET', path: '/api/v2/option-chain/M%26M?expiry=2026-11-26' });
    expect(restRequest('instruments:expiries', { symbol: 'NIFTY' })).toEqual({ method: 'GET', path: '/api/v2/instruments/NIFTY/expiries' });
  });

  it('builds DELETE requests like GET: the path names what goes, no body', () => {
    expect(restRequest('strategies:delete', { id: 42 })).toEqual({ method: 'DELETE', path: '/api/v2/strategies/42' });
  });

  it('builds POST requests with the fields as the JSON body', () => {
    const r = restRequest('watchlist:remove', { user_id: 'u1', symbol: 'RELIANCE', expiry: '2026-11-26' });
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/api/v2/watchlist/remove');
    expect(JSON.parse(r.body!)).toEqual({ user_id: 'u1', symbol: 'RELIANCE', expiry: '2026-11-26' });
    const u = restRequest('option-chain:unsubscribe', { view_id: 'v1' });
    expect({ method: u.method, path: u.path, body: JSON.parse(u.body!) }).toEqual({ method: 'POST', path: '/api/v2/option-chain/unsubscribe', body: { view_id: 'v1' } });
  });
});
