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

describe('SettingsDialog: risk-free rate', () => {
  const rateField = () => screen.getByTestId('settings-risk-free-rate') as HTMLInputElement;
  const sets = (transport: Awaited<ReturnType<typeof setup>>['transport']) =>
    transport.calls.filter((c) => c.command === 'settings:set').map((c) => c.request);

  it("shows the engine's rate as a percentage (0.065 -> 6.50 %)", async () => {
    await setup();
    expect(rateField().value).toBe('6.50');
    expect(rateField().closest('label')!.textContent).toContain('%');
  });

  it('saves a typed percentage as a fraction with settings:set and shows the answer', async () => {
    const { user, transport, services } = await setup();
    await user.clear(rateField());
    await user.type(rateField(), '7.1');
    await user.click(screen.getByTestId('settings-save-rate'));
    await waitFor(() => expect(screen.getByTestId('settings-rate-result').textContent).toBe('Risk-free rate set to 7.10 %.'));
    expect(sets(transport)).toEqual([{ risk_free_rate: 0.071 }]);
    expect(rateField().value).toBe('7.10');
    expect(services.store.getState().settings?.risk_free_rate).toBe(0.071);
  });

  it('Enter in the field saves the rate (not the credentials); 0 and 50 are the bounds', async () => {
    const { user, transport } = await setup();
    await user.clear(rateField());
    await user.type(rateField(), '0{Enter}');
    await waitFor(() => expect(sets(transport)).toEqual([{ risk_free_rate: 0 }]));
    await user.clear(rateField());
    await user.type(rateField(), '50 %{Enter}');
    await waitFor(() => expect(sets(transport)).toEqual([{ risk_free_rate: 0 }, { risk_free_rate: 0.5 }]));
    expect(transport.calls.some((c) => c.command === 'admin:set-credentials')).toBe(false);
    expect(screen.queryByTestId('settings-credentials-result')).toBeNull();
  });

  it.each(['50.01', '-1', '6,5', 'abc', '', '1e1'])('refuses %j beside the field and sends nothing', async (typed) => {
    const { user, transport } = await setup();
    await user.clear(rateField());
    if (typed) await user.type(rateField(), typed);
    await user.click(screen.getByTestId('settings-save-rate'));
    const result = screen.getByTestId('settings-rate-result');
    expect(result.className).toContain('result-bad');
    expect(result.textContent).toMatch(/percentage|between 0 and 50 %/);
    expect(rateField().getAttribute('aria-invalid')).toBe('true');
    expect(sets(transport)).toEqual([]);
  });

  it("shows the engine's refusal with its code and keeps the typed text", async () => {
    const { user } = await setup({
      'settings:set': () => {
        throw new FakeError('DB_ERROR', 'settings could not be written');
      },
    });
    await user.clear(rateField());
    await user.type(rateField(), '6.75');
    await user.click(screen.getByTestId('settings-save-rate'));
    await waitFor(() => expect(screen.getByTestId('settings-rate-result').textContent).toBe('DB_ERROR: settings could not be written'));
    expect(rateField().value).toBe('6.75');
  });
});
