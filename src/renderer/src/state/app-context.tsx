/**
 * How components reach the shell's services: one React context holding the store, the actions and
 * the transport (for read-only look-ups such as search). Tests build the same services over a fake
 * transport with `createServices`.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { Transport } from '../api/transport';
import { createStrategyDrafts, type StrategyDrafts } from '../components/strategy/strategy-draft';
import { createActions, type AppActions } from './actions';
import { createAppStore, type AppState, type AppStore } from './app-store';
import { loadLayout } from './layout-storage';

export interface AppServices {
  store: AppStore;
  actions: AppActions;
  transport: Transport;
  /** The strategies being built, one per symbol, kept while the trader moves between chains. */
  strategies: StrategyDrafts;
}

/** A store (seeded from the persisted layout, if `storage` is given) and its actions over `transport`. */
export function createServices(transport: Transport, storage?: Pick<Storage, 'getItem'>): AppServices {
  const persisted = loadLayout(storage);
  const store = createAppStore(persisted.layout, persisted.selected);
  return { store, actions: createActions(store, transport), transport, strategies: createStrategyDrafts() };
}

const ServicesContext = createContext<AppServices | null>(null);

/** Provide the services to the tree below. */
export function AppProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

/** The services; throws outside an AppProvider (a wiring bug, not a runtime condition). */
export function useServices(): AppServices {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <AppProvider>');
  return services;
}

/** Select from the store; the component re-renders when the selected value changes (Object.is). */
export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useServices().store, selector);
}
