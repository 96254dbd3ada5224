/**
 * A Dhan token expires (807): the feed stops and says why, no reconnect storm; a new token given
 * through the API resumes every socket and the pending Tier B chains, and is never logged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApi } from '../src/core/api/create-api';
import type { FeedCredentials } from '../src/core/feed/feed-connection';
import { withValidation } from '../src/shared/validate';
import { startAppOnSim } from './helpers/app';
import { waitFor } from './helpers/wait';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('token rollover', () => {
  it('stops on an expired token with a reason, and a new token through the API resumes the feed and Tier B', async () => {
    const clientId = '1000000001';
    const holder: { current: FeedCredentials | null } = { current: { clientId, token: 'yesterdays-token-0001' } };
    const env = await startAppOnSim({
      still: true,
      now: Date.now,
      prefix: 'strikedesk-creds-',
      sim: { clientId, expiredToken: 'yesterdays-token-0001' },
      app: { credentials: () => holder.current, credentialsHolder: holder },
    });
    cleanups.push(() => env.stop());
    const { s, app, logs, started: status } = env;
    // No prices with a dead token: the Tier B chains wait; every socket stops with the reason.
    expect(status.tierBPending.length).toBeGreaterThan(0);
    await waitFor(() => app.services.pool.health().every((h) => h.state === 'failed'), 10_000, 'every socket stopped');
    expect(app.services.pool.health()[0]!.lastError).toMatch(/token has expired/);
    const attempts = app.services.pool.health().reduce((n, h) => n + h.connectAttempts, 0);

    const api = withValidation(createApi(app));
    await expect(api['admin:set-credentials']({ client_id: s.sim.clientId, access_token: 'x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const res = await api['admin:set-credentials']({ client_id: s.sim.clientId, access_token: s.sim.token });
    expect(res.resumed).toBe(5);
    await waitFor(() => app.services.pool.health().every((h) => h.state === 'open'), 10_000, 'every socket open again');
    expect(attempts).toBeLessThanOrEqual(5); // it did not keep retrying the dead token
    await waitFor(() => app.status.tierBPending.length === 0, 10_000, 'the pending Tier B chains opened');
    const tokens = app.services.core.owners.tokens();
    await waitFor(() => {
      const have = env.exchangeTokens();
      return tokens.every((t) => have.has(t));
    }, 10_000, 'Tier B live at the simulator');
    expect(logs.join('\n')).not.toContain(s.sim.token);
  });
});
