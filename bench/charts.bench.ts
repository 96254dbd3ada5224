/**
 * The history charts and the strategy builder under load, in Debian's Chromium: `npm run serve` on
 * the simulator with a history minute of 1 s (`--history-minute-ms 1000`: a minute closes 60x as
 * often as in a real session, the charts' worst case), Tier B streaming, the NIFTY chain open.
 *
 * The same window (FRAME_MS) is measured three times: the Chain tab (the baseline: the grid
 * streaming), the Charts tab (four uPlot canvases redrawn as each minute closes; the grid keeps
 * its transactions behind), and the Strategy tab with an iron condor (the payoff chart, valued
 * again every 3 s). Per tab: rAF intervals in whole vsyncs (p95/p99, as the ui benchmark) and the
 * renderer's main-thread busy share (CDP TaskDuration). For the Charts tab also the minutes seen
 * (added to the straddle chart) and the uPlot draw time per minute over the four charts (each
 * container counts its draws and their ms, drawClear to draw). The Chain tab's figures sit beside
 * the ui benchmark's: here Tier A is empty, there 20 stock chains stream too.
 */
import type { CDPSession, Page } from 'playwright-core';
import { ensureBuilt } from '../test/helpers/build';
import { launchChromium } from '../test/helpers/chromium';
import { startServe } from '../test/helpers/serve-process';
import { frameIntervals, inVsyncs } from './browser-frames';
import { percentile, round, type Benchmark, type Figure } from './harness';

const FRAME_MS = 15_000;

interface Window {
  frames: number[];
  /** Main-thread busy share of the window, %. */
  busyPct: number;
}

async function measure(page: Page, cdp: CDPSession): Promise<Window> {
  const taskSeconds = async (): Promise<number> =>
    ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
  const busy0 = await taskSeconds();
  const frames = await frameIntervals(page, FRAME_MS);
  return { frames, busyPct: (((await taskSeconds()) - busy0) / (FRAME_MS / 1000)) * 100 };
}

/** Draws and their total ms over the four history charts (uplot-charts.ts keeps them on each container). */
async function drawTotals(page: Page): Promise<{ draws: number; ms: number }> {
  return page.evaluate(`(() => {
    let draws = 0;
    let ms = 0;
    for (const el of document.querySelectorAll('[data-testid="history-chart"]')) {
      draws += Number(el.dataset.draws || 0);
      ms += Number(el.dataset.drawMs || 0);
    }
    return { draws, ms };
  })()`);
}

/** A tab's figures; the baseline (the chain tab) carries no target: the ui benchmark owns it. */
function figures(tab: string, w: Window, targeted = true): Figure[] {
  const shown = inVsyncs(w.frames);
  const target = (t: number) => (targeted ? { target: t } : {});
  return [
    { name: `charts.${tab}_frame_p95_ms`, value: round(percentile(shown, 95)), unit: 'ms (frame, in vsyncs)', ...target(16.7) },
    { name: `charts.${tab}_frame_p99_ms`, value: round(percentile(shown, 99)), unit: 'ms (frame, in vsyncs)', ...target(33.4) },
    { name: `charts.${tab}_frames_over_vsync_pct`, value: round((w.frames.filter((f) => f > 17.5).length / w.frames.length) * 100), unit: '% of frames > 17.5 ms' },
    { name: `charts.${tab}_main_thread_busy_pct`, value: round(w.busyPct, 1), unit: `% of ${FRAME_MS / 1000} s` },
  ];
}

export const chartsBenchmark: Benchmark = {
  name: 'charts',
  description: 'history charts and strategy payoff in Chromium: frame time and main-thread cost with a minute closing every second, against the chain tab',
  async run(): Promise<Figure[]> {
    ensureBuilt();
    const serve = await startServe({ args: ['--history-minute-ms', '1000'] });
    const browser = await launchChromium({ width: 1600, height: 1000 });
    try {
      const page = await browser.context.newPage();
      await page.goto(serve.url);
      const nifty = page.locator('[data-testid="tierb-chain"][data-symbol="NIFTY"]').first();
      await nifty.waitFor({ timeout: 30_000 });
      await nifty.click();
      const panel = page.locator('[data-testid="chain-panel"][data-symbol="NIFTY"]');
      await panel.locator('.ag-row').first().waitFor({ timeout: 30_000 });
      await page.waitForTimeout(2000);
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Performance.enable');

      const chain = await measure(page, cdp);

      await page.getByTestId('view-tab-charts').click();
      const points = async (): Promise<number> => Number((await page.locator('[data-testid="history-chart"][data-chart="straddle"]').getAttribute('data-points')) ?? 0);
      const deadline = Date.now() + 30_000;
      while ((await points()) < 2) {
        if (Date.now() > deadline) throw new Error('the straddle chart never drew two minutes');
        await page.waitForTimeout(200);
      }
      await page.waitForTimeout(1000);
      const before = await points();
      const drawn0 = await drawTotals(page);
      const charts = await measure(page, cdp);
      const drawn1 = await drawTotals(page);
      const redraws = (await points()) - before;
      const draws = drawn1.draws - drawn0.draws;

      await page.getByTestId('view-tab-strategy').click();
      await page.getByTestId('template-iron-condor').click();
      const payoff = page.getByTestId('payoff-chart');
      const until = Date.now() + 30_000;
      while (Number((await payoff.getAttribute('data-points')) ?? 0) < 50) {
        if (Date.now() > until) throw new Error('the payoff chart never drew');
        await page.waitForTimeout(200);
      }
      const strategy = await measure(page, cdp);

      console.log(`  minutes closed in the window: ${redraws} (a minute a second); frames chain/charts/strategy: ${chain.frames.length}/${charts.frames.length}/${strategy.frames.length}`);
      return [
        ...figures('chain', chain, false),
        ...figures('charts', charts),
        { name: 'charts.minutes_redrawn', value: redraws, unit: `minutes added in ${FRAME_MS / 1000} s (1 s minutes)` },
        { name: 'charts.draws', value: draws, unit: 'canvas draws in the window (4 charts)' },
        { name: 'charts.draw_ms_per_minute', value: round(redraws > 0 ? (drawn1.ms - drawn0.ms) / redraws : Number.NaN, 2), unit: 'ms of uPlot drawing per closed minute (4 charts)', target: 16.7 },
        ...figures('strategy', strategy),
      ];
    } finally {
      await browser.close();
      await serve.stop();
    }
  },
};
