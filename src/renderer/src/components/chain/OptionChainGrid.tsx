/**
 * The chain grid: ag-grid (community) fed by transactions, not by React props.
 *
 * The grid is ag-grid's own DOM grid (createGrid) hosted in a React element, not AgGridReact:
 * AgGridReact renders every cell as a React component and re-sends each refreshed cell's value as
 * a state update. A cell whose value did not change bails out without rendering, and React keeps
 * such updates queued on the hook until the cell renders again; on a streaming chain (rows
 * refreshed ten times a second, many cells unchanged) that queue grew the heap by ~1.8 MB/min.
 * The DOM grid writes cells directly: no React work per tick at all.
 *
 * Rows never pass through React state. The owner gets a handle (ChainGridSink) once the grid is
 * ready and pushes rebuilds and transactions into it; `applyTransactionAsync` lets ag-grid fold
 * whatever arrives within its 50 ms window into one row-model pass and one paint. This component
 * re-renders only when the hidden columns change.
 *
 * Perf note: an index chain is 101 strikes (202 legs) at up to 10 batches/s. A batch touches the
 * rows whose legs changed (typically 10-40), each an immutable row object, so ag-grid refreshes
 * only those rows' cells and flashes only LTP and OI; rows off screen are virtualised and cost
 * nothing. The model's diff costs about 55 us per batch (101 strikes, 20 legs changed; measured in
 * Node), and the session test drives 100 such batches asserting one transaction each and no
 * React-state callback. The once-a-second analytics refresh re-sends all 202 legs; its diff
 * costs about 33x a 20-leg batch (0.33 ms against 10 us on one machine; 0.09 ms before legs
 * carried analytics), and only rows whose shown IV or greeks moved are updated. In headless Chromium on the simulator the open NIFTY chain added about
 * 6 points of main-thread time over the app without a chain, mostly style recalculation from the
 * flashes. No React render happens per tick or per batch.
 */
import { AllCommunityModule, createGrid, ModuleRegistry, type GetRowIdParams, type GridApi } from 'ag-grid-community';
import { useEffect, useRef } from 'react';
import { chainColumns, chainRowClassRules, chainTheme, columnId, METRICS, type Metric } from './chain-columns';
import type { ChainRow } from './chain-model';
import type { ChainGridSink } from './chain-session';
import { legPickOnClick, legPickOnKey, type LegPick } from './leg-pick';

ModuleRegistry.registerModules([AllCommunityModule]);

export interface OptionChainGridProps {
  /** Receives the grid's handle when the grid is ready, and null when it goes away. */
  onReady(handle: ChainGridSink | null): void;
  /** Metrics hidden on both sides. */
  hiddenMetrics: ReadonlySet<Metric>;
  /**
   * Test-only: render every row. jsdom has no layout, so a virtualised grid would render
   * none or a handful; production keeps virtualisation.
   */
  suppressRowVirtualisation?: boolean;
  /** A leg picked for the strategy builder (a bid or ask clicked, B or S on a leg's cell). */
  onLegPick?(pick: LegPick): void;
}

const getRowId = (p: GetRowIdParams<ChainRow>): string => String(p.data.strike);

const defaultColDef = {
  resizable: true,
  sortable: false,
  suppressMovable: true,
  suppressHeaderMenuButton: true,
};

const nextFrame: (fn: () => void) => number =
  typeof requestAnimationFrame === 'function' ? (fn) => requestAnimationFrame(fn) : (fn) => setTimeout(fn, 16) as unknown as number;
const cancelFrame: (id: number) => void = typeof cancelAnimationFrame === 'function' ? (id) => cancelAnimationFrame(id) : (id) => clearTimeout(id);

/** Frames to keep trying to centre the ATM row before giving up (about 0.5 s). */
const ATM_TRIES = 30;

/**
 * Keeps the ATM row in the middle of the viewport after a rebuild or a re-centre. The grid sizes
 * its row container after the rows are set (and the panel may still be laying out), so a scroll
 * issued at once can be clamped to the old (empty) height; the keeper scrolls, checks the row is
 * really in view, and tries again on the next frames until it is.
 */
function atmKeeper(api: GridApi<ChainRow>): { show(atm: number): void; cancel(): void } {
  let target: number | null = null;
  let tries = 0;
  let frame: number | null = null;
  const attempt = (): void => {
    frame = null;
    if (target === null || api.isDestroyed()) return;
    const node = api.getRowNode(String(target));
    if (node && node.rowTop != null && node.rowHeight != null) {
      api.ensureNodeVisible(node, 'middle');
      const { top, bottom } = api.getVerticalPixelRange();
      if (bottom > top && node.rowTop >= top && node.rowTop + node.rowHeight <= bottom) {
        target = null;
        return;
      }
    }
    if (++tries >= ATM_TRIES) target = null;
    else frame = nextFrame(attempt);
  };
  return {
    show(atm) {
      target = atm;
      tries = 0;
      if (frame !== null) cancelFrame(frame);
      attempt();
    },
    cancel() {
      target = null;
      if (frame !== null) cancelFrame(frame);
      frame = null;
    },
  };
}

/** Show every metric's columns except the hidden ones. */
function applyVisibility(api: GridApi<ChainRow>, hidden: ReadonlySet<Metric>): void {
  const ids = (visible: boolean): string[] => METRICS.filter((m) => hidden.has(m) !== visible).flatMap((m) => [columnId('ce', m), columnId('pe', m)]);
  api.setColumnsVisible(ids(true), true);
  api.setColumnsVisible(ids(false), false);
}

/** The sink the session writes to, over one grid api; `dispose` stops pending scrolls. */
function gridSink(api: GridApi<ChainRow>): ChainGridSink & { dispose(): void } {
  const keeper = atmKeeper(api);
  return {
    rebuild(rows, atm) {
      if (api.isDestroyed()) return;
      // Pending async transactions belong to the rows being replaced.
      api.flushAsyncTransactions();
      api.setGridOption('rowData', rows);
      keeper.show(atm);
    },
    apply(transaction, atmChanged, atm) {
      if (api.isDestroyed()) return;
      const empty = transaction.add.length + transaction.remove.length + transaction.update.length === 0;
      if (empty) {
        if (atmChanged) keeper.show(atm);
        return;
      }
      api.applyTransactionAsync(transaction, atmChanged ? () => keeper.show(atm) : undefined);
    },
    clear() {
      keeper.cancel();
      if (api.isDestroyed()) return;
      api.flushAsyncTransactions();
      api.setGridOption('rowData', []);
    },
    dispose() {
      keeper.cancel();
    },
  };
}

/** The option chain grid: calls | strike | puts, ATM highlighted and kept in view. */
export function OptionChainGrid({ onReady, hiddenMetrics, suppressRowVirtualisation = false, onLegPick }: OptionChainGridProps) {
  const onLegPickRef = useRef(onLegPick);
  onLegPickRef.current = onLegPick;
  const host = useRef<HTMLDivElement | null>(null);
  const apiRef = useRef<GridApi<ChainRow> | null>(null);
  const onReadyRef = useRef(onReady);
  onReadyRef.current = onReady;
  const latestHidden = useRef(hiddenMetrics);
  latestHidden.current = hiddenMetrics;

  // The grid is created once per mount and torn down with it. Column definitions are built then;
  // later visibility changes go through the api so the grid keeps its rows, widths and scroll.
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const api = createGrid<ChainRow>(el, {
      theme: chainTheme,
      columnDefs: chainColumns(latestHidden.current),
      defaultColDef,
      getRowId,
      rowClassRules: chainRowClassRules,
      suppressRowVirtualisation,
      suppressColumnVirtualisation: true,
      rowBuffer: 15,
      animateRows: false,
      suppressScrollOnNewData: true,
      enableBrowserTooltips: true,
      // A flash holds 300 ms and goes without a fade: a fading background animates every frame
      // for each changed cell, which doubled the renderer's main-thread time while streaming
      // (27% of a core with the blink, 41% with a 450 ms fade, 20% without flashes; ui bench).
      cellFlashDuration: 300,
      cellFadeDuration: 0,
      overlayNoRowsTemplate: '<span class="chain-overlay">Loading chain…</span>',
      onCellClicked: (e) => {
        const picked = legPickOnClick(e.column.getColId(), e.data);
        if (picked) onLegPickRef.current?.(picked);
      },
      onCellKeyDown: (e) => {
        const key = (e.event as KeyboardEvent | null | undefined)?.key;
        if (!key || !('column' in e)) return;
        const picked = legPickOnKey(key, e.column.getColId(), e.data);
        if (picked) onLegPickRef.current?.(picked);
      },
    });
    apiRef.current = api;
    applyVisibility(api, latestHidden.current);
    const sink = gridSink(api);
    onReadyRef.current(sink);
    return () => {
      sink.dispose();
      onReadyRef.current(null);
      apiRef.current = null;
      api.destroy();
    };
  }, [suppressRowVirtualisation]);

  useEffect(() => {
    const api = apiRef.current;
    if (api && !api.isDestroyed()) applyVisibility(api, hiddenMetrics);
  }, [hiddenMetrics]);

  return (
    <div data-testid="chain-grid" className="chain-grid">
      <div ref={host} className="chain-grid-host" />
    </div>
  );
}
