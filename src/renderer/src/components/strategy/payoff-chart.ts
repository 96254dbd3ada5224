/**
 * The payoff chart, with uPlot like the history charts (uplot-charts.ts has the measurements
 * behind the choice): P&L at expiry (solid, profit shaded green and loss red) and at the chosen
 * date with the IV shift (dashed) against the underlying's price, the spot now, the what-if spot
 * and the breakevens marked. Loaded on first use, like the history charts.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StrategyEvaluationView } from '../../../../shared/contract';
import { payoffColumns } from './payoff-model';

export interface PayoffChart {
  draw(view: StrategyEvaluationView | null, whatIfSpot: number | null): void;
  destroy(): void;
}

const C = { axis: '#7d8896', grid: '#1e2631', expiry: '#c9d1d9', atDate: '#f2b33d', profit: '#2ec27e', loss: '#f0524f', spot: '#4c9aff', whatIf: '#c678dd', breakeven: '#7d8896' };
const FONT = '11px Inter, "Segoe UI", system-ui, sans-serif';

const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
  stroke: C.axis,
  font: FONT,
  grid: { stroke: C.grid, width: 1 },
  ticks: { stroke: C.grid, width: 1 },
  size: (_u, values) => 18 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
  ...extra,
});

/** A dashed vertical marker with its label on `side` of the line, on text row `row`. */
function vline(u: uPlot, x: number | null, colour: string, label: string, dash: number[], row: number, side: 'left' | 'right' = 'right'): void {
  if (x === null || !Number.isFinite(x)) return;
  const px = u.valToPos(x, 'x', true);
  if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) return;
  const r = uPlot.pxRatio;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = r;
  ctx.setLineDash(dash.map((d) => d * r));
  ctx.beginPath();
  ctx.moveTo(px, u.bbox.top);
  ctx.lineTo(px, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = `${11 * r}px Inter, sans-serif`;
  ctx.textAlign = side === 'right' ? 'left' : 'right';
  if (label) ctx.fillText(label, px + (side === 'right' ? 4 : -4) * r, u.bbox.top + (12 + 14 * row) * r);
  ctx.restore();
}

/** Rupees on the axis: 12.5K, 1.2L. */
function rupees(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e5) return `${(v / 1e5).toFixed(1)}L`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}K`;
  return v.toFixed(0);
}

export function createPayoffChart(el: HTMLElement): PayoffChart {
  let view: StrategyEvaluationView | null = null;
  let whatIf: number | null = null;
  const size = (): { width: number; height: number } => ({ width: Math.max(240, el.clientWidth), height: Math.max(160, el.clientHeight - 34) });
  const plot = new uPlot(
    {
      ...size(),
      scales: { x: { time: false } },
      series: [
        { label: 'Spot' },
        { label: 'At expiry', stroke: C.expiry, width: 1.5, points: { show: false } },
        { label: 'At date', stroke: C.atDate, width: 1.25, dash: [6, 4], points: { show: false } },
        { label: 'Profit', stroke: 'transparent', fill: `${C.profit}40`, fillTo: 0, points: { show: false } },
        { label: 'Loss', stroke: 'transparent', fill: `${C.loss}40`, fillTo: 0, points: { show: false } },
      ],
      axes: [axis({ size: 32 }), axis({ values: (_u, vs) => vs.map(rupees) })],
      legend: { show: true },
      hooks: {
        draw: [
          (u) => {
            // The zero line, then the markers.
            const y0 = u.valToPos(0, 'y', true);
            if (y0 >= u.bbox.top && y0 <= u.bbox.top + u.bbox.height) {
              u.ctx.save();
              u.ctx.strokeStyle = C.axis;
              u.ctx.lineWidth = uPlot.pxRatio;
              u.ctx.beginPath();
              u.ctx.moveTo(u.bbox.left, y0);
              u.ctx.lineTo(u.bbox.left + u.bbox.width, y0);
              u.ctx.stroke();
              u.ctx.restore();
            }
            if (!view) return;
            // Below-spot breakevens label to their left, the rest to their right: a pair never overlaps.
            const spot = view.spot;
            view.breakevens.forEach((b, i) => vline(u, b, C.breakeven, `BE ${b.toFixed(0)}`, [2, 3], 2 + (i >> 1), b < spot ? 'left' : 'right'));
            vline(u, view.spot, C.spot, 'Spot', [6, 4], 0);
            if (whatIf !== null && Math.abs(whatIf - view.spot) > 1e-9) vline(u, whatIf, C.whatIf, 'What if', [4, 2], 1);
          },
        ],
      },
    },
    [[], [], [], [], []],
    el,
  );
  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => plot.setSize(size())) : null;
  observer?.observe(el);
  return {
    draw(next, spot) {
      view = next;
      whatIf = spot;
      if (!next) {
        plot.setData([[], [], [], [], []]);
        el.dataset.points = '0';
        return;
      }
      const c = payoffColumns(next.payoff_expiry, next.payoff_at_date);
      plot.setData([c.x, c.expiry, c.atDate, c.profit, c.loss] as unknown as uPlot.AlignedData);
      el.dataset.points = String(c.x.length);
    },
    destroy() {
      observer?.disconnect();
      plot.destroy();
    },
  };
}
