import { useState, type FormEvent } from 'react';
import { useAppState, useServices } from '../../state/app-context';
import { istDate } from '../../../../shared/market-calendar';
import { formatExpiry, formatIstTime } from '../format';
import { Modal } from '../common/Modal';
import { MAX_RATE_PERCENT, formatRatePercent, parseRatePercent } from './risk-free-rate';

type FieldResult = { ok: true; text: string } | { ok: false; text: string } | null;

/** When a token expires, as `29 Dec 26 09:30:00 IST`. */
function expiresText(epochMs: number | null): string {
  if (epochMs === null) return 'its expiry is not known';
  return `it expires ${formatExpiry(istDate(epochMs))} ${formatIstTime(epochMs)} IST`;
}

/**
 * Settings: Dhan credentials, the end-of-day behaviour and the analytics' risk-free rate.
 *
 * The access token is held in this component's state only while typed: it is cleared the moment
 * it is sent (before the answer comes), never written to the store or storage, and only the
 * engine's answer (counts, expiry) is shown. The engine keeps it in memory only.
 *
 * The risk-free rate is shown and typed as a percentage (6.50 %) and sent as a fraction with
 * `settings:set {risk_free_rate}`. Until the trader types, the field shows the engine's value
 * (so it fills in when the settings arrive); after a save it shows the engine's answer again.
 * Text outside 0-50 % is refused beside the field and nothing is sent.
 */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const settings = useAppState((s) => s.settings);
  const { actions } = useServices();
  const [clientId, setClientId] = useState(settings?.client_id ?? '');
  const [token, setToken] = useState('');
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<FieldResult>(null);
  const [savingEod, setSavingEod] = useState(false);
  /** The rate as typed; null while untouched (the field then shows the engine's value). */
  const [rateText, setRateText] = useState<string | null>(null);
  const [savingRate, setSavingRate] = useState(false);
  const [rateResult, setRateResult] = useState<FieldResult>(null);
  const rateShown = rateText ?? (settings ? formatRatePercent(settings.risk_free_rate) : '');

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const id = clientId.trim();
    const secret = token.trim();
    setToken('');
    if (!id || !secret) {
      setResult({ ok: false, text: 'Enter both the client id and the access token.' });
      return;
    }
    setSending(true);
    setResult(null);
    const r = await actions.setCredentials(id, secret);
    setSending(false);
    if (r.ok) {
      setResult({ ok: true, text: `Credentials accepted: ${r.value.resumed} feed socket(s) resumed; ${expiresText(r.value.token_expires_at)}.` });
      void actions.refreshSettings();
    } else {
      setResult({ ok: false, text: `${r.error.code}: ${r.error.message}` });
    }
  };

  const setKeep = async (keep: boolean): Promise<void> => {
    setSavingEod(true);
    await actions.setKeepWatchlists(keep);
    setSavingEod(false);
  };

  const saveRate = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const input = parseRatePercent(rateShown);
    if (!input.ok) {
      setRateResult({ ok: false, text: input.message });
      return;
    }
    setSavingRate(true);
    setRateResult(null);
    const r = await actions.setRiskFreeRate(input.fraction);
    setSavingRate(false);
    if (r.ok) {
      setRateText(null);
      setRateResult({ ok: true, text: `Risk-free rate set to ${formatRatePercent(r.value.risk_free_rate)} %.` });
    } else {
      setRateResult({ ok: false, text: `${r.error.code}: ${r.error.message}` });
    }
  };

  return (
    <Modal title="Settings" onClose={onClose} testId="settings-dialog">
      <form className="form" onSubmit={(e) => void submit(e)} autoComplete="off">
        <fieldset>
          <legend>Dhan credentials</legend>
          <p className="muted small">
            Mode: <b>{settings?.mode === 'live' ? 'live (Dhan)' : settings?.mode === 'simulator' ? 'simulator (no credentials)' : '…'}</b>. Dhan access tokens roll over daily; the
            new one is kept in the engine's memory only and never shown again.
          </p>
          <label className="field">
            <span>Client id</span>
            <input data-testid="settings-client-id" data-autofocus value={clientId} onChange={(e) => setClientId(e.target.value)} maxLength={32} spellCheck={false} />
          </label>
          <label className="field">
            <span>Access token</span>
            <input data-testid="settings-token" type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="new-password" spellCheck={false} />
          </label>
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" data-testid="settings-save-credentials" disabled={sending}>
              {sending ? 'Sending…' : 'Use these credentials'}
            </button>
          </div>
          {result && (
            <div className={result.ok ? 'result result-ok' : 'result result-bad'} role="status" data-testid="settings-credentials-result">
              {result.text}
            </div>
          )}
        </fieldset>
        <fieldset disabled={!settings || savingEod}>
          <legend>At 15:30 IST (end of day)</legend>
          <label className="radio">
            <input type="radio" name="eod" data-testid="settings-eod-clear" checked={settings?.keep_watchlists === false} onChange={() => void setKeep(false)} />
            Clear the watchlist (Tier A unsubscribed, entries removed)
          </label>
          <label className="radio">
            <input type="radio" name="eod" data-testid="settings-eod-keep" checked={settings?.keep_watchlists === true} onChange={() => void setKeep(true)} />
            Keep the watchlist for the next session (re-centred then)
          </label>
        </fieldset>
      </form>
      <form className="form" onSubmit={(e) => void saveRate(e)} autoComplete="off" noValidate>
        <fieldset disabled={!settings || savingRate}>
          <legend>Option analytics</legend>
          <label className="field">
            <span>Risk-free rate</span>
            <span style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
              <input
                data-testid="settings-risk-free-rate"
                inputMode="decimal"
                value={rateShown}
                onChange={(e) => {
                  setRateText(e.target.value);
                  setRateResult(null);
                }}
                aria-invalid={rateResult?.ok === false}
                maxLength={12}
                spellCheck={false}
                style={{ width: '7em', textAlign: 'right' }}
              />
              %
            </span>
          </label>
          <p className="muted small">Used for implied volatility, the Greeks and the forward; 0 to {MAX_RATE_PERCENT} %.</p>
          <div className="form-actions">
            <button type="submit" className="btn" data-testid="settings-save-rate">
              {savingRate ? 'Saving…' : 'Save rate'}
            </button>
          </div>
          {rateResult && (
            <div className={rateResult.ok ? 'result result-ok' : 'result result-bad'} role="status" data-testid="settings-rate-result">
              {rateResult.text}
            </div>
          )}
        </fieldset>
      </form>
      <div className="modal-actions">
        <button type="button" className="btn" data-testid="settings-close" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
