/**
 * Instant chains (issue 17) as a trader meets them, on the simulator: an add right after start-up
 * knows its ATM with no REST call (every F&O underlying is live), and its first paint goes ahead of
 * the start-up's Tier B paint still queued behind it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startAppOnSim, type AppOnSim } from './helpers/app';
import { waitFor } from './helpers/wait';

let h: AppOnSim | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('instant chains', () => {
  it('an add right after start-up is centred at once and painted ahead of the Tier B paint still queued', async () => {
    h = await startAppOnSim({ still: true, prefix: 'strikedesk-instant-' });
    const { owners, store, rest, watchlists, registry } = h.app.services;
    const tierB = () => owners.tokens().filter((t) => owners.tierOf(t) === 'TIER_B');
    // The start-up has asked for the underlyings' prices; the chains' paint waits its turn.
    const tcs = registry.spot('TCS')!;
    expect(store.ltp(`${tcs.segment}:${tcs.securityId}`)).toBeGreaterThan(0);
    const requestsBefore = rest.quoteStats().requests;

    // Synchronous: no REST call stands between the trader and the subscription.
    const added = watchlists.add({ userId: 'u', symbol: 'TCS', instrumentType: 'STOCK_OPTION' });
    expect(added.chain!.optionTokens).toHaveLength(50);
    expect(rest.quoteStats().requests).toBe(requestsBefore);

    const legs = added.chain!.optionTokens;
    await waitFor(() => legs.every((t) => store.ltp(t) !== undefined), 10_000, 'the TCS legs painted');
    // The very next request carried them, while Tier B's start-up paint was not done yet.
    expect(rest.quoteStats().requests - requestsBefore).toBe(1);
    expect(tierB().filter((t) => store.ltp(t) === undefined).length).toBeGreaterThan(0);

    // Tier B's paint then completes: every Tier B instrument priced.
    await h.app.services.marketData.painted();
    expect(tierB().filter((t) => store.ltp(t) === undefined)).toEqual([]);
  }, 30_000);
});
