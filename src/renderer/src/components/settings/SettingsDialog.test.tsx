// @vitest-environment jsdom
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandRequest } from '../../../../shared/contract';
import { FakeError } from '../../api/fake-transport';
import { renderWithServices } from '../../state/test-harness';
import { SettingsDialog } from './SettingsDialog';

afterEach(cleanup);

const SECRET = 'eyJhbGciOiJIUzUxMiJ9.SECRET-TOKEN-4711';

async function setup(handlers: Parameters<typeof renderWithServices>[1] = {}) {
  const sent: CommandRequest<'admin:set-credentials'>[] = [];
  const h = renderWithServices(<SettingsDialog onClose={() => undefined} />, {
    'admin:set-credentials': (r) => {
      sent.push(r);
      return { resumed: 5, token_expires_at: Date.UTC(2026, 10, 26, 3, 30) };
    },
    'settings:set': (r) => ({ mode: 'simulator', client_id: null, keep_watchlists: r.keep_watchlists ?? false, risk_free_rate: r.risk_free_rate ?? 0.065 }),
    ...handlers,
  });
  await act(() => h.services.actions.refreshSettings());
  return { ...h, sent, user: userEvent.setup() };
}

/** Everything on screen a token could leak into: text and every field's value. */
function everythingShown(): string {
  const values = [...document.querySelectorAll('input, textarea, select')].map((e) => (e as HTMLInputElement).value);
  return [document.body.textContent ?? '', ...values].join('\n');
}

describe('SettingsDialog', () => {
  it('sends the credentials, shows the result, and never shows or keeps the token', async () => {
    const { user, sent, services } = await setup();
    const tokenField = screen.getByTestId('settings-token');
    expect(tokenField.getAttribute('type')).toBe('password');
    await user.type(screen.getByTestId('settings-client-id'), '1100001234');
    await user.type(tokenField, SECRET);
    await user.click(screen.getByTestId('settings-save-credentials'));
    await waitFor(() => expect(screen.getByTestId('settings-credentials-result').textContent).toContain('Credentials accepted: 5 feed socket(s) resumed'));
    expect(screen.getByTestId('settings-credentials-result').textContent).toContain('26 Nov 26 09:00:00 IST');
    expect(sent).toEqual([{ client_id: '1100001234', access_token: SECRET }]);
    expect(tokenField).toHaveProperty('value', '');
    expect(everythingShown()).not.toContain('SECRET-TOKEN');
    expect(JSON.stringify(services.store.getState())).not.toContain('SECRET-TOKEN');
    expect(JSON.stringify({ ...localStorage })).not.toContain('SECRET-TOKEN');
    expect(JSON.stringify({ ...sessionStorage })).not.toContain('SECRET-TOKEN');
  });

  it("shows a refusal with its code, and the field is still cleared", async () => {
    const { user } = await setup({
      'admin:set-credentials': () => {
        throw new FakeError('AUTH', 'Dhan refused the token (807: token expired)');
      },
    });
    await user.type(screen.getByTestId('settings-client-id'), '1100001234');
    await user.type(screen.getByTestId('settings-token'), SECRET);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('settings-credentials-result').textContent).toBe('AUTH: Dhan refused the token (807: token expired)'));
    expect(screen.getByTestId('settings-token')).toHaveProperty('value', '');
    expect(everythingShown()).not.toContain('SECRET-TOKEN');
  });

  it('end-of-day behaviour: shows the setting and changes it with settings:set', async () => {
    const { user, transport } = await setup();
    expect(screen.getByTestId('settings-eod-clear')).toHaveProperty('checked', true);
    await user.click(screen.getByTestId('settings-eod-keep'));
    await waitFor(() => expect(screen.getByTestId('settings-eod-keep')).toHaveProperty('checked', true));
    expect(transport.calls.filter((c) => c.command === 'settings:set').map((c) => c.request)).toEqual([{ keep_watchlists: true }]);
  });
});
