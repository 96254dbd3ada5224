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
import { AppProvider, createServices, useAppState, useServices } from './state/app-context';
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

/** Top bar, banner, and three resizable columns: lists | chain | health. */
function Shell() {
  const layout = useAppState((s) => s.layout);
  const { actions } = useServices();
  const [settingsOpen, setSettingsOpen] = useState(false);
  return (
    <div className="app" style={{ gridTemplateColumns: `${layout.sidebar}px 4px minmax(0, 1fr) 4px ${layout.status}px` }}>
      <TopBar onOpenSettings={() => setSettingsOpen(true)} />
      <div className="banner-slot">
        <ErrorBanner />
      </div>
      <aside className="sidebar" aria-label="Instruments">
        <InstrumentSearch />
        <WatchlistPanel />
        <TierBList />
      </aside>
      <Splitter label="Resize the instrument lists" value={layout.sidebar} sign={1} onResize={(px) => actions.resize('sidebar', px)} />
      <main className="centre">
        <ChainArea />
      </main>
      <Splitter label="Resize the status panel" value={layout.status} sign={-1} onResize={(px) => actions.resize('status', px)} />
      <aside className="status-column" aria-label="Feed status">
        <StatusPanel />
      </aside>
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
      <Toasts />
    </div>
  );
}
