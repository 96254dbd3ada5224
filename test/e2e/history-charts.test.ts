/**
 * End to end: the NIFTY chain's day as charts. `npm run serve -- --history-minute-ms 1000` on the
 * embedded simulator (a history minute lasts a real second, so the test sees minutes without
 * waiting real ones), the built UI in Debian's Chromium. Open NIFTY from Tier B with the keyboard,
 * switch to Charts, wait for a few recorded minutes, and check that each chart drew its series
 * (pixels of the series' own colours on its canvas, not only axes), that the minute slider shows
 * an earlier minute's OI picture and smile, and that OI change redraws the bars.
 * Screenshots go to test-artifacts/e2e/ (history-*.png).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HistoryMinutesView } from '../../src/shared/contract';
import type { ServeProcess } from '../helpers/serve-process';
import { E2E_ARTIFACTS, useE2ePage } from '../helpers/e2e-page';

const ARTIFACTS = E2E_ARTIFACTS;
const e2e = useE2ePage({ serveArgs: ['--history-minute-ms', '1000'], pollMs: 30_000 });
const { pageErrors, pollUntil } = e2e;
let serve: ServeProcess;
let page: Page;
beforeAll(() => {
  ({ serve, page } = e2e);
});


/** The series colours each chart draws with (uplot-charts.ts). */
const SERIES_COLOURS: Record<string, string[]> = {
  oi: ['#3fbf7f', '#f0616d'],
  straddle: ['#c678dd'],
  pcr: ['#4c9aff'],
  smile: ['#4c9aff'],
};

/**
 * Pixels of each given colour on a chart's canvas (within a small tolerance for anti-aliasing).
 * In-page code goes as source text (tsx's `__name` helper does not exist in the page).
 */
function colourPixels(chart: string, colours: string[]): Promise<number[]> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid="history-chart"][data-chart="${chart}"] canvas');
    if (!canvas) return ${JSON.stringify(colours.map(() => -1))};
    const ctx = canvas.getContext('2d');
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const want = ${JSON.stringify(colours)}.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
    const counts = want.map(() => 0);
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3] < 128) continue;
      want.forEach((c, j) => {
        if (Math.abs(px[i] - c[0]) < 24 && Math.abs(px[i + 1] - c[1]) < 24 && Math.abs(px[i + 2] - c[2]) < 24) counts[j] += 1;
      });
    }
    return counts;
  })()`);
}

const attr = (sel: string, name: string): Promise<string | null> => page.locator(sel).first().getAttribute(name);

describe('history charts in browser mode', () => {
  it('draws NIFTY’s day as charts after a few simulated minutes, and shows an earlier minute on the slider', async () => {
    await e2e.login();
    // NIFTY from the Tier B list, by keyboard.
    const { expiry } = await e2e.openTierBChain('NIFTY');

    // Chain -> Charts with the keyboard: focus the view tabs, ArrowRight.
    await page.getByTestId('view-tab-chain').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByTestId('view-tab-charts').getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('history-panel').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="history-chart"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chart')))).toEqual(['oi', 'straddle', 'pcr', 'smile']);

    // A few minutes recorded (a minute is a second here), shown as the slider's range.
    await pollUntil('4 recorded minutes', () => attr('[data-testid="history-panel"]', 'data-minutes'), (n) => Number(n) >= 4, 40_000);
    const api = await serve.rest<HistoryMinutesView>('GET', `/api/v2/history/NIFTY?expiry=${expiry}`);
    expect(api.status).toBe(200);
    expect(api.body.minutes.length).toBeGreaterThanOrEqual(4);

    // Every chart drew its series: its own colours on its canvas, and as many points as the data.
    for (const [chart, colours] of Object.entries(SERIES_COLOURS)) {
      const counts = await pollUntil(`the ${chart} chart's series`, () => colourPixels(chart, colours), (c) => c.every((n) => n > 40));
      expect(counts.every((n) => n > 40), `${chart}: ${counts.join(',')}`).toBe(true);
    }
    const straddlePoints = Number(await attr('[data-chart="straddle"]', 'data-points'));
    expect(straddlePoints).toBeGreaterThanOrEqual(4);
    const oiStrikes = Number(await attr('[data-chart="oi"]', 'data-points'));
    expect(oiStrikes).toBeGreaterThanOrEqual(21); // the ATM +- 20 strikes of a 101-strike window
    await page.screenshot({ path: join(ARTIFACTS, 'history-1-nifty-charts.png') });

    // The slider, by keyboard: two minutes back shows that minute's OI picture and its smile beside now.
    const latest = await page.getByTestId('history-minute').textContent();
    await page.getByTestId('history-slider').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await pollUntil('the earlier smile', () => attr('[data-chart="smile"]', 'data-earlier'), (e) => Boolean(e));
    const picked = await page.getByTestId('history-minute').textContent();
    expect(picked).not.toBe(latest);
    expect(await attr('[data-chart="smile"]', 'data-earlier')).toBe(picked);
    expect(await page.getByTestId('history-live').isEnabled()).toBe(true);
    expect(await page.locator('[data-chart="smile"]').locator('..').textContent()).toContain(`at ${picked}`);
    await page.screenshot({ path: join(ARTIFACTS, 'history-2-earlier-minute.png') });

    // OI change redraws the bars; "Back to live" follows the latest minute again.
    await page.getByTestId('history-mode-change').click();
    expect(await page.getByTestId('history-mode-change').getAttribute('aria-checked')).toBe('true');
    await page.getByTestId('history-live').click();
    await pollUntil('following live', () => page.getByTestId('history-live').isDisabled(), (d) => d);
    expect(await attr('[data-chart="smile"]', 'data-earlier')).toBe('');
    // The strikes shown: +-10 around the ATM narrows the bars and the smile to 21 strikes, +-50 widens them.
    await page.getByTestId('history-window-50').click();
    await pollUntil('the +-50 window', () => attr('[data-chart="oi"]', 'data-points'), (n) => Number(n) > oiStrikes);
    await page.getByTestId('history-window-10').click();
    await pollUntil('the +-10 window', () => attr('[data-chart="oi"]', 'data-points'), (n) => n === '21');
    expect(await attr('[data-chart="smile"]', 'data-points')).toBe('21');
    await page.screenshot({ path: join(ARTIFACTS, 'history-3-oi-change.png') });

    // Back to the chain: the grid is still there and streaming.
    await page.getByTestId('view-tab-chain').click();
    expect(await page.locator('[data-testid="chain-grid"] .ag-row').count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
