/**
 * What a chain panel's body shows: the live grid, the day's history as charts, or the strategy
 * builder. A tab strip (Left/Right/Home/End move and keep the focus), the strategy tab counting
 * the legs being built.
 */
import { movedIndex } from '../keyboard';

export type PanelView = 'chain' | 'charts' | 'strategy';
export const PANEL_VIEWS: readonly PanelView[] = ['chain', 'charts', 'strategy'];
const VIEW_LABEL: Record<PanelView, string> = { chain: 'Chain', charts: 'Charts', strategy: 'Strategy' };
const VIEW_TITLE: Record<PanelView, string> = {
  chain: 'The live option chain (click a bid to sell or an ask to buy for the strategy builder; S or B on a leg)',
  charts: 'The day so far: OI by strike, straddle and VWAP, PCR, IV smile',
  strategy: 'Strategy builder: payoff, greeks and what-if (analysis only, no orders)',
};

export interface PanelViewTabsProps {
  view: PanelView;
  onChange(view: PanelView): void;
  /** Legs in this symbol's strategy (a badge on the strategy tab when > 0). */
  strategyLegs: number;
}

export function PanelViewTabs({ view, onChange, strategyLegs }: PanelViewTabsProps) {
  return (
    <nav
      className="chain-views"
      role="tablist"
      aria-label="Chain, charts or strategy"
      onKeyDown={(ev) => {
        const to = movedIndex(ev.key, PANEL_VIEWS.indexOf(view), PANEL_VIEWS.length, { prev: 'ArrowLeft', next: 'ArrowRight' });
        if (to === null) return;
        ev.preventDefault();
        onChange(PANEL_VIEWS[to]!);
        ev.currentTarget.querySelector<HTMLElement>(`[data-view="${PANEL_VIEWS[to]!}"]`)?.focus();
      }}
    >
      {PANEL_VIEWS.map((v) => (
        <button
          key={v}
          type="button"
          role="tab"
          className="chain-view-tab"
          data-testid={`view-tab-${v}`}
          data-view={v}
          aria-selected={view === v}
          tabIndex={view === v ? 0 : -1}
          title={VIEW_TITLE[v]}
          onClick={() => onChange(v)}
        >
          {VIEW_LABEL[v]}
          {v === 'strategy' && strategyLegs > 0 ? <span className="chain-view-count" data-testid="strategy-leg-count">{strategyLegs}</span> : null}
        </button>
      ))}
    </nav>
  );
}
