import { useEffect, useState } from 'react';
import type { Transport } from './api/transport';
import { ChainArea } from './components/ChainArea';
import { ErrorBanner, Toasts } from './components/layout/ErrorBanner';
import { Splitter } from './components/layout/Splitter';
import { TopBar } from './components/layout/TopBar';
import { InstrumentSearch } from './components/search/InstrumentSearch';
import { SettingsDialog } from './components/settings/SettingsDialog';
import { StatusPanel } from './components/status/StatusPanel';
import { TierBList } from './components/watchlist/TierBList';
import { WatchlistPanel } from './components/watchlist/WatchlistPanel';
import { isTyping } from './components/keyboard';
import { AppProvider, createServices, useAppState, useServices } from './state/app-context';
import type { Panel } from './state/layout-storage';
import { startSync } from './state/sync';

export interface AppProps {
  transport: Transport;
  /** Where layout and selection are remembered (localStorage in the app; none in tests). */
  storage?: Storage;
}

/** The workstation: services over the transport, kept in sync while mounted, and the shell. */
export function App({ transport, storage }: AppProps) {
  const [services] = useState(() => createServices(transport, storage));
  useEffect(() => startSync(services.store, services.actions, transport, { storage }), [services, transport, storage]);
  return (
    <AppProvider services={services}>
      <Shell />
    </AppProvider>
  );
}

/** `[` folds the lists away or brings them back, `]` the status panel (not while typing in a field). */
const PANEL_KEYS: Record<string, Panel> = { '[': 'sidebar', ']': 'status' };

/**
 * Top bar, banner, and three resizable columns: lists | chain | health. Either side panel can be
 * folded away (its column goes to 0; it stays mounted, so nothing is refetched when it returns).
 */
function Shell() {
  const layout = useAppState((s) => s.layout);
  const { actions } = useServices();
  const [settingsOpen, setSettingsOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const panel = PANEL_KEYS[e.key];
      if (!panel || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      e.preventDefault();
      actions.togglePanel(panel);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [actions]);
  const { collapsed } = layout;
  const side = (panel: Panel): [string, string] => (collapsed[panel] ? ['0px', '0px'] : [`${layout[panel]}px`, '4px']);
  const [sidebarWidth, leftSplit] = side('sidebar');
  const [statusWidth, rightSplit] = side('status');
  return (
    <div className="app" style={{ gridTemplateColumns: `${sidebarWidth} ${leftSplit} minmax(0, 1fr) ${rightSplit} ${statusWidth}` }}>
      <TopBar onOpenSettings={() => setSettingsOpen(true)} />
      <div className="banner-slot">
        <ErrorBanner />
      </div>
      <aside className={`sidebar${collapsed.sidebar ? ' collapsed' : ''}`} aria-label="Instruments" aria-hidden={collapsed.sidebar || undefined} data-testid="sidebar">
        <InstrumentSearch />
        <WatchlistPanel />
        <TierBList />
      </aside>
      <Splitter label="Resize the instrument lists" value={layout.sidebar} sign={1} onResize={(px) => actions.resize('sidebar', px)} />
      <main className="centre">
        <ChainArea />
      </main>
      <Splitter label="Resize the status panel" value={layout.status} sign={-1} onResize={(px) => actions.resize('status', px)} />
      <aside className={`status-column${collapsed.status ? ' collapsed' : ''}`} aria-label="Feed status" aria-hidden={collapsed.status || undefined} data-testid="status-column">
        <StatusPanel />
      </aside>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
      <Toasts />
    </div>
  );
}
