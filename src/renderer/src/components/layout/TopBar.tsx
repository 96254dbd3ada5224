import { PRODUCT_NAME } from '../../../../shared/product';
import { useAppState } from '../../state/app-context';
import { IstClock } from './IstClock';

/** How the market status text reads: open (green), closed (grey) or about to open (amber). */
export function marketTone(text: string): 'open' | 'closed' | 'pre' {
  if (/\bis open\b/i.test(text)) return 'open';
  if (/closed/i.test(text)) return 'closed';
  return 'pre';
}

/** The top bar: product, feed mode, market status, warnings, IST clock and the settings button. */
export function TopBar({ onOpenSettings }: { onOpenSettings: () => void }) {
  const status = useAppState((s) => s.status);
  const settingsMode = useAppState((s) => s.settings?.mode);
  const streamState = useAppState((s) => s.streamState);
  const mode = status?.mode ?? settingsMode;
  const market = status?.market ?? '';
  const warnings: { key: string; text: string }[] = [];
  if (status?.token_warning) warnings.push({ key: 'token', text: status.token_warning });
  if (status?.master_warning) warnings.push({ key: 'master', text: status.master_warning });
  if (streamState !== 'open') warnings.push({ key: 'stream', text: streamState === 'connecting' ? 'Stream connecting…' : 'Stream disconnected' });

  return (
    <header className="topbar">
      <span className="brand">{PRODUCT_NAME}</span>
      {mode && (
        <span className={`badge ${mode === 'simulator' ? 'badge-sim' : 'badge-live'}`} data-testid="mode-badge" title={mode === 'simulator' ? 'No Dhan credentials: the embedded market simulator is the exchange' : 'Connected to Dhan'}>
          {mode === 'simulator' ? 'SIMULATOR' : 'LIVE'}
        </span>
      )}
      <span className={`market market-${marketTone(market)}`} data-testid="market-status">
        <span className="dot" aria-hidden="true" />
        {market || 'market status unknown'}
      </span>
      <span className="topbar-warnings" role="status">
        {warnings.map((w) => (
          <span key={w.key} className={`warning warning-${w.key}`} data-testid={`warning-${w.key}`}>
            ⚠ {w.text}
          </span>
        ))}
      </span>
      <span className="spacer" />
      <IstClock />
      <button type="button" className="btn btn-ghost" data-testid="settings-open" onClick={onOpenSettings}>
        Settings
      </button>
    </header>
  );
}
