import { PRODUCT_NAME } from '../../../../shared/product';
import { useAppState, useServices } from '../../state/app-context';
import { formatCount } from '../format';
import { capacityOf, capacityWarningText } from '../status/capacity';
import { IstClock } from './IstClock';

/** How the market status text reads: open (green), closed (grey) or about to open (amber). */
export function marketTone(text: string): 'open' | 'closed' | 'pre' {
  if (/\bis open\b/i.test(text)) return 'open';
  if (/closed/i.test(text)) return 'closed';
  return 'pre';
}

/**
 * The top bar: product, feed mode, market status, warnings, IST clock, the panel toggles and the
 * settings button. With the status panel folded away it carries the capacity (and its eviction
 * warning), so the budget is never out of sight.
 */
export function TopBar({ onOpenSettings }: { onOpenSettings: () => void }) {
  const { actions } = useServices();
  const collapsed = useAppState((s) => s.layout.collapsed);
  const status = useAppState((s) => s.status);
  const settingsMode = useAppState((s) => s.settings?.mode);
  const streamState = useAppState((s) => s.streamState);
  const mode = status?.mode ?? settingsMode;
  const market = status?.market ?? '';
  const warnings: { key: string; text: string }[] = [];
  if (status?.token_warning) warnings.push({ key: 'token', text: status.token_warning });
  if (status?.master_warning) warnings.push({ key: 'master', text: status.master_warning });
  if (status?.simulated_session) warnings.push({ key: 'sim-session', text: status.simulated_session });
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
          <span key={w.key} className={`warning warning-${w.key}`} data-testid={`warning-${w.key}`} title={w.text}>
            ⚠ {w.text}
          </span>
        ))}
      </span>
      <span className="spacer" />
      {collapsed.status && status && <CapacityChip status={status} />}
      <IstClock />
      <span className="panel-toggles" role="group" aria-label="Panels">
        <button type="button" className="btn btn-ghost btn-toggle" data-testid="toggle-sidebar" aria-pressed={!collapsed.sidebar} title="Show or hide the instrument lists ( [ )" onClick={() => actions.togglePanel('sidebar')}>
          Lists
        </button>
        <button type="button" className="btn btn-ghost btn-toggle" data-testid="toggle-status" aria-pressed={!collapsed.status} title="Show or hide the status panel ( ] )" onClick={() => actions.togglePanel('status')}>
          Status
        </button>
      </span>
      <button type="button" className="btn btn-ghost" data-testid="settings-open" onClick={onOpenSettings}>
        Settings
      </button>
    </header>
  );
}

/** Subscriptions of the 25,000, amber when the next chain may evict one (red when it would be refused). */
function CapacityChip({ status }: { status: Parameters<typeof capacityOf>[0] }) {
  const c = capacityOf(status);
  const warning = capacityWarningText(c);
  const title = warning ?? `Subscriptions: ${formatCount(c.tierB)} Tier B, ${formatCount(c.tierA)} Tier A, ${formatCount(c.free)} free`;
  return (
    <span className={`topbar-capacity${c.warning ? ` capacity-${c.warning}` : ''}`} data-testid="topbar-capacity" data-warning={c.warning ?? ''} title={title}>
      {warning ? '⚠ ' : ''}
      {formatCount(c.total)} / {formatCount(c.cap)}
    </span>
  );
}
