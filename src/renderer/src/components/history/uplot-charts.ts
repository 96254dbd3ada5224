/**
 * The history charts drawn with uPlot: four canvases (OI by strike, straddle with its VWAP and the
 * underlying, PCR, IV smile), fed by the history session, never by React renders.
 *
 * Why uPlot: measured in this repo's Debian Chromium with the same two charts (OI bars for 101
 * strikes, CE and PE; a 375-minute day of three lines on two axes), redrawn 200 times:
 *
 * | library (version)          | bundle min / gzip | main thread per redraw | JS heap |
 * |----------------------------|-------------------|------------------------|---------|
 * | uPlot 1.6.32               | 54 KB / 24 KB     | 4.5 ms                 | 3.8 MB  |
 * | lightweight-charts 5.3.0   | 169 KB / 55 KB    | 8.6 ms                 | 14 MB   |
 * | ECharts 6.1 (tree-shaken)  | 585 KB / 201 KB   | 13.6 ms                | 31 MB   |
 *
 * uPlot is the smallest and fastest, and its x axis is any number: the strike charts and the
 * strategy builder's payoff chart (x = underlying price) use the same API as the time series.
 * lightweight-charts 5 can put prices on its horizontal axis too (createOptionsChart), at twice
 * the main-thread time, 3.5x the heap and 3x the bundle. Times are shown in IST whatever the
 * machine's time zone.
 *
 * Each container gets `data-points` (points in its first series) after a redraw, so tests and
 * screen readers can tell an empty chart from a drawn one, and `data-draws` / `data-draw-ms` (draws
 * so far and their total main-thread ms, drawClear to draw) for the charts benchmark.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Column, DaySeries, StrikePicture } from './history-model';
import type { HistoryCharts, HistoryChartContainers, OiMode } from './history-charts';

const COLOURS = {
  axis: '#7d8896',
  grid: '#1e2631',
  // The chain grid's colours: calls green, puts red.
  ce: '#3fbf7f',
  pe: '#f0616d',
  straddle: '#c678dd',
  vwap: '#f2b33d',
  underlying: '#7d8896',
  pcr: '#4c9aff',
  pcrVolume: '#2ec27e',
  atm: '#4c9aff',
  maxPain: '#f2b33d',
  earlier: '#7d8896',
};
const FONT = '11px Inter, "Segoe UI", system-ui, sans-serif';

const istDate = (ts: number): Date => uPlot.tzDate(new Date(ts * 1e3), 'Asia/Kolkata');

const minuteLabel = (t: number | null): string =>
  t === null ? '' : new Date(t).toLocaleTimeString('en-IN', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hour12: false });

/** Ticks of the time axis: whole minutes, 5, 15, 30 minutes, hours. */
const MINUTE_INCRS = [60, 120, 300, 600, 900, 1800, 3600];

/** The time axis: IST hours and minutes (a chart holds one session). */
function timeAxis(): uPlot.Axis {
  return axis({ size: 32, incrs: MINUTE_INCRS, values: (_u, ticks) => ticks.map((t) => minuteLabel(t * 1000)) });
}

/** A value axis wide enough for its longest label (~7 px a character at 11 px), never clipped. */
const fitLabels: uPlot.Axis.Size = (_u, values) => 18 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length));

function axis(extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return { stroke: COLOURS.axis, font: FONT, grid: { stroke: COLOURS.grid, width: 1 }, ticks: { stroke: COLOURS.grid, width: 1 }, size: fitLabels, ...extra };
}

/** A vertical marker with a label at the top of the plot (`row` 1 puts the label a line lower). */
function vline(u: uPlot, x: number | null, colour: string, label: string, row = 0): void {
  if (x === null) return;
  const px = u.valToPos(x, 'x', true);
  if (!Number.isFinite(px) || px < u.bbox.left || px > u.bbox.left + u.bbox.width) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 1.5 * uPlot.pxRatio;
  ctx.setLineDash([6 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
  ctx.beginPath();
  ctx.moveTo(px, u.bbox.top);
  ctx.lineTo(px, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.font = `${11 * uPlot.pxRatio}px Inter, sans-serif`;
  ctx.fillText(label, px + 4 * uPlot.pxRatio, u.bbox.top + (12 + 14 * row) * uPlot.pxRatio);
  ctx.restore();
}

/** A horizontal reference line (PCR = 1). */
function hline(u: uPlot, y: number, colour: string): void {
  const py = u.valToPos(y, 'y', true);
  if (!Number.isFinite(py) || py < u.bbox.top || py > u.bbox.top + u.bbox.height) return;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = uPlot.pxRatio;
  ctx.setLineDash([2 * uPlot.pxRatio, 4 * uPlot.pxRatio]);
  ctx.beginPath();
  ctx.moveTo(u.bbox.left, py);
  ctx.lineTo(u.bbox.left + u.bbox.width, py);
  ctx.stroke();
  ctx.restore();
}


/** One uPlot that follows its container's size. */
class SizedChart {
  readonly plot: uPlot;
  private readonly observer: ResizeObserver | null;

  constructor(
    private readonly el: HTMLElement,
    options: Omit<uPlot.Options, 'width' | 'height'>,
    data: uPlot.AlignedData,
  ) {
    const { width, height } = this.size();
    // Draw time, kept on the container (`data-draws`, `data-draw-ms` in total): read by the charts
    // benchmark, never accumulating anything but two numbers.
    let drawStart = 0;
    const hooks: uPlot.Hooks.Arrays = {
      ...options.hooks,
      drawClear: [...(options.hooks?.drawClear ?? []), () => void (drawStart = performance.now())],
      draw: [
        ...(options.hooks?.draw ?? []),
        () => {
          el.dataset.draws = String(Number(el.dataset.draws ?? 0) + 1);
          el.dataset.drawMs = (Number(el.dataset.drawMs ?? 0) + performance.now() - drawStart).toFixed(3);
        },
      ],
    };
    this.plot = new uPlot({ ...options, hooks, width, height }, data, el);
    this.observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.plot.setSize(this.size())) : null;
    this.observer?.observe(el);
  }

  private size(): { width: number; height: number } {
    // The legend sits under the plot inside the container.
    return { width: Math.max(200, this.el.clientWidth), height: Math.max(120, this.el.clientHeight - 34) };
  }

  set(data: uPlot.AlignedData): void {
    this.plot.setData(data);
    this.el.dataset.points = String(data[0]?.length ?? 0);
  }

  destroy(): void {
    this.observer?.disconnect();
    this.plot.destroy();
  }
}

const empty = (n: number): uPlot.AlignedData => Array.from({ length: n }, () => []) as unknown as uPlot.AlignedData;
const cols = (...c: (number[] | Column)[]): uPlot.AlignedData => c as unknown as uPlot.AlignedData;

/** The four history charts, drawn with uPlot into the given containers. */
export function createUplotCharts(el: HistoryChartContainers): HistoryCharts {
  let picture: StrikePicture | null = null;
  let oiMode: OiMode = 'oi';

  const oi = new SizedChart(
    el.oi,
    {
      scales: { x: { time: false } },
      series: [
        { label: 'Strike' },
        { label: 'CE', stroke: COLOURS.ce, fill: `${COLOURS.ce}b0`, paths: uPlot.paths.bars!({ size: [0.42, 24], align: -1 }), fillTo: 0, points: { show: false } },
        { label: 'PE', stroke: COLOURS.pe, fill: `${COLOURS.pe}b0`, paths: uPlot.paths.bars!({ size: [0.42, 24], align: 1 }), fillTo: 0, points: { show: false } },
      ],
      axes: [axis({ size: 40 }), axis({ values: (_u, v) => v.map(compact) })],
      hooks: {
        draw: [
          (u) => {
            const atm = picture?.atm ?? null;
            const pain = picture?.maxPain ?? null;
            vline(u, atm, COLOURS.atm, 'ATM');
            // On or near the ATM, max pain's label goes a line lower instead of over the ATM's.
            const near = atm !== null && pain !== null && Math.abs(u.valToPos(atm, 'x') - u.valToPos(pain, 'x')) < 70;
            vline(u, pain, COLOURS.maxPain, 'Max pain', near ? 1 : 0);
          },
        ],
      },
    },
    empty(3),
  );
  const straddle = new SizedChart(
    el.straddle,
    {
      tzDate: istDate,
      scales: { u: {} },
      series: [
        { label: 'Time' },
        { label: 'Straddle', stroke: COLOURS.straddle, width: 1.5 },
        { label: 'VWAP', stroke: COLOURS.vwap, width: 1, dash: [5, 4] },
        { label: 'Underlying', stroke: COLOURS.underlying, width: 1, scale: 'u' },
      ],
      axes: [timeAxis(), axis(), axis({ scale: 'u', side: 1, grid: { show: false } })],
    },
    empty(4),
  );
  const pcr = new SizedChart(
    el.pcr,
    {
      tzDate: istDate,
      series: [
        { label: 'Time' },
        { label: 'PCR (OI)', stroke: COLOURS.pcr, width: 1.5 },
        { label: 'PCR (volume)', stroke: COLOURS.pcrVolume, width: 1, dash: [5, 4] },
      ],
      axes: [timeAxis(), axis({ values: (_u, v) => v.map((x) => x.toFixed(2)) })],
      hooks: { draw: [(u) => hline(u, 1, COLOURS.axis)] },
    },
    empty(3),
  );
  const smile = new SizedChart(
    el.smile,
    {
      scales: { x: { time: false } },
      series: [
        { label: 'Strike' },
        { label: 'IV now %', stroke: COLOURS.pcr, width: 1.5, spanGaps: true, points: { size: 4 } },
        { label: 'IV earlier %', stroke: COLOURS.earlier, width: 1, dash: [5, 4], spanGaps: true, points: { size: 3 } },
      ],
      axes: [axis({ size: 40 }), axis({ values: (_u, v) => v.map((x) => x.toFixed(1)) })],
      hooks: { draw: [(u) => vline(u, picture?.atm ?? null, COLOURS.atm, 'ATM')] },
    },
    empty(3),
  );

  const drawOi = (): void => {
    const p = picture;
    if (!p) return oi.set(empty(3));
    oi.set(oiMode === 'oi' ? cols(p.strikes, p.ceOi, p.peOi) : cols(p.strikes, p.ceOiChange, p.peOiChange));
  };

  return {
    day(s: DaySeries) {
      straddle.set(cols(s.t, s.straddle, s.vwap, s.underlying));
      pcr.set(cols(s.t, s.pcr, s.pcrVolume));
    },
    strikes(now, picked, earlierSmile) {
      picture = picked ?? now;
      drawOi();
      if (!now) return smile.set(empty(3));
      smile.set(cols(now.strikes, now.smile, earlierSmile ?? now.strikes.map(() => null)));
      el.smile.dataset.earlier = picked ? minuteLabel(picked.t) : '';
    },
    oiMode(mode) {
      oiMode = mode;
      drawOi();
    },
    destroy() {
      for (const c of [oi, straddle, pcr, smile]) c.destroy();
    },
  };
}

/** 1234567 -> "12.3L", 12345678 -> "1.23Cr" (Indian units, as traders read OI). */
export function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e7) return `${(v / 1e7).toFixed(a >= 1e8 ? 1 : 2)}Cr`;
  if (a >= 1e5) return `${(v / 1e5).toFixed(a >= 1e6 ? 1 : 2)}L`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}K`;
  return String(v);
}
