/**
 * Layout persistence in localStorage: the selected chain and the panel sizes survive a reload.
 * Whatever is stored is validated on the way in (an old or hand-edited value falls back to the
 * defaults), and storage failures (private mode, quota) are ignored: layout is a convenience.
 */
import type { ChainRef } from './app-store';

export const LAYOUT_STORAGE_KEY = 'strikedesk.layout.v1';

/** The side panels: the lists on the left, the status on the right. */
export type Panel = 'sidebar' | 'status';
export const PANELS: readonly Panel[] = ['sidebar', 'status'];

/** Panel sizes in CSS pixels, and which panels are folded away (a laptop screen gives the chain the room). */
export interface Layout {
  /** Width of the left sidebar (search, watchlist, Tier B). */
  sidebar: number;
  /** Width of the right status panel. */
  status: number;
  collapsed: Readonly<Record<Panel, boolean>>;
}

export const DEFAULT_LAYOUT: Layout = { sidebar: 220, status: 300, collapsed: { sidebar: false, status: false } };
export const LAYOUT_LIMITS = { sidebar: { min: 180, max: 520 }, status: { min: 240, max: 640 } } as const;

/** What is persisted. */
export interface PersistedLayout {
  layout: Layout;
  selected: ChainRef | null;
}

/** Clamp a panel size to its limits. */
export function clampPanel(panel: Panel, px: number): number {
  const { min, max } = LAYOUT_LIMITS[panel];
  return Math.round(Math.min(max, Math.max(min, px)));
}

function isChainRef(v: unknown): v is ChainRef {
  return typeof v === 'object' && v !== null && 'symbol' in v && typeof v.symbol === 'string' && v.symbol.length > 0 && 'expiry' in v && typeof v.expiry === 'string';
}

/** Read the persisted layout (defaults when absent or invalid). */
export function loadLayout(storage: Pick<Storage, 'getItem'> | undefined): PersistedLayout {
  const fallback: PersistedLayout = { layout: { ...DEFAULT_LAYOUT }, selected: null };
  let raw: string | null = null;
  try {
    raw = storage?.getItem(LAYOUT_STORAGE_KEY) ?? null;
  } catch {
    return fallback;
  }
  if (!raw) return fallback;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return fallback;
  }
  if (typeof v !== 'object' || v === null) return fallback;
  const o = v as { layout?: { sidebar?: unknown; status?: unknown; collapsed?: Partial<Record<Panel, unknown>> }; selected?: unknown };
  const size = (panel: Panel): number => {
    const px = o.layout?.[panel];
    return typeof px === 'number' && Number.isFinite(px) ? clampPanel(panel, px) : DEFAULT_LAYOUT[panel];
  };
  const collapsed = (panel: Panel): boolean => o.layout?.collapsed?.[panel] === true;
  return {
    layout: { sidebar: size('sidebar'), status: size('status'), collapsed: { sidebar: collapsed('sidebar'), status: collapsed('status') } },
    selected: isChainRef(o.selected) ? { symbol: o.selected.symbol, expiry: o.selected.expiry } : null,
  };
}

/** Write the layout (errors ignored). */
export function saveLayout(storage: Pick<Storage, 'setItem'> | undefined, value: PersistedLayout): void {
  try {
    storage?.setItem(LAYOUT_STORAGE_KEY, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the layout is simply not remembered.
  }
}
