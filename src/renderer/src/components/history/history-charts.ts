/**
 * What the history panel draws into: four chart containers and the calls that update them. The
 * uPlot implementation is uplot-charts.ts; component tests pass a fake (jsdom has no canvas).
 */
import type { Column, DaySeries, StrikePicture } from './history-model';

/** OI bars show open interest, or its change since the previous close. */
export type OiMode = 'oi' | 'change';

export interface HistoryChartContainers {
  oi: HTMLElement;
  straddle: HTMLElement;
  pcr: HTMLElement;
  smile: HTMLElement;
}

export interface HistoryCharts {
  /** The day's time series changed (a minute closed). */
  day(series: DaySeries): void;
  /**
   * The strikes now and at the picked minute (null: following the latest); the OI picture shows
   * the picked minute, the smile shows now and, when a minute is picked, `earlierSmile` beside it.
   */
  strikes(now: StrikePicture | null, picked: StrikePicture | null, earlierSmile: Column | null): void;
  oiMode(mode: OiMode): void;
  destroy(): void;
}

export type CreateHistoryCharts = (containers: HistoryChartContainers) => HistoryCharts;

/**
 * Charts whose implementation loads later (a dynamic import: the charting library is fetched only
 * when a trader first opens the charts, and jsdom never loads it). Until it arrives, the latest
 * day, strikes and OI mode are kept and drawn as soon as it does.
 */
export function lateCharts(load: () => Promise<CreateHistoryCharts>, containers: HistoryChartContainers, onError: (err: unknown) => void): HistoryCharts {
  let real: HistoryCharts | null = null;
  let destroyed = false;
  let day: DaySeries | null = null;
  let strikes: Parameters<HistoryCharts['strikes']> | null = null;
  let mode: OiMode | null = null;
  load().then((create) => {
    if (destroyed) return;
    real = create(containers);
    if (mode) real.oiMode(mode);
    if (day) real.day(day);
    if (strikes) real.strikes(...strikes);
  }, onError);
  return {
    day(s) {
      day = s;
      real?.day(s);
    },
    strikes(now, picked, earlier) {
      strikes = [now, picked, earlier];
      real?.strikes(now, picked, earlier);
    },
    oiMode(m) {
      mode = m;
      real?.oiMode(m);
    },
    destroy() {
      destroyed = true;
      real?.destroy();
    },
  };
}
