/**
 * One valid request per contract command, for tests that carry every command of the table
 * through an adapter. Keyed by every command name, so a command added to the table without a
 * sample here is a compile error. Some fields carry padding the schemas trim, so a test can tell
 * the parsed request from the raw one, and some are in the seed's forms the schemas normalise
 * (a DDMMMYYYY expiry, a seed token in lower case).
 */
import type { CommandName } from '../../src/shared/commands';
import { requestSchemas, type CommandRequest } from '../../src/shared/contract';

export const COMMAND_SAMPLES: { [K in CommandName]: CommandRequest<K> } = {
  'watchlist:add': { user_id: 'u1', symbol: ' RELIANCE ', instrument_type: 'STOCK_OPTION', underlying_ltp: 1400 },
  'watchlist:remove': { user_id: 'u1', symbol: 'RELIANCE', expiry: '26nov2026' },
  'watchlist:list': { user_id: 'trader one' },
  'option-chain:get': { symbol: 'M&M', expiry: '2026-11-26' },
  'option-chain:subscribe': { symbol: 'NIFTY', view_id: 'v1' },
  'option-chain:unsubscribe': { view_id: ' v1 ' },
  'subscriptions:status': {},
  'subscriptions:active': { tier: 'TIER_B' },
  'subscriptions:get': { token: 'reliance_26nov_1400ce' },
  'instruments:search': { q: 'nifty bank', limit: 5 },
  'instruments:expiries': { symbol: 'NIFTY' },
  'admin:unsubscribe-all-tier-a': {},
  'admin:rebalance-ws': {},
  'admin:ws-status': {},
  'admin:set-credentials': { client_id: '1100', access_token: 'a-long-enough-token' },
  'chains:list': {},
  'settings:get': {},
  'settings:set': { keep_watchlists: true },
  'history:minutes': { symbol: 'NIFTY', expiry: '2026-12-29', from: 1_795_581_000_000, to: 1_795_600_000_000 },
  'history:strikes': { symbol: 'nifty', expiry: '29DEC2026', t: 1_795_581_000_000 },
  'strategy:evaluate': {
    symbol: 'NIFTY',
    legs: [
      { expiry: '26NOV2026', strike: 25_300, option_type: 'CE', side: 'BUY', lots: 1 },
      { expiry: '2026-11-26', strike: 25_300, option_type: 'PE', side: 'BUY', lots: 1, price: 98.5 },
    ],
    spot_range: [24_000, 26_500],
    at_date: '2026-11-25',
    iv_shift: 2,
  },
  'strategies:save': { name: ' short strangle ', symbol: 'NIFTY', legs: [{ expiry: '2026-11-26', option_type: 'FUT', side: 'SELL', lots: 2 }] },
  'strategies:list': {},
  'strategies:delete': { id: 12 },
};

/** What the command's schema makes of its sample: what a handler must receive. */
export function parsedSample(name: CommandName): unknown {
  return requestSchemas[name].parse(COMMAND_SAMPLES[name]);
}
