/**
 * End to end: build an iron condor from the NIFTY chain, by mouse and keyboard, in Debian's
 * Chromium against `npm run serve` on the embedded simulator. Sell the call two strikes above the
 * ATM by clicking its bid, buy the one four above by clicking its ask; sell and buy the puts below
 * with S and B on their cells. The Strategy view's summary must match what the REST API answers for
 * the same legs at the same prices; the payoff chart must have drawn; saving it lists it with a
 * live P&L from the event stream. Screenshots go to test-artifacts/e2e/ (strategy-*.png).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StrategyEvaluationView } from '../../src/shared/contract';
import type { ServeProcess } from '../helpers/serve-process';
import { E2E_ARTIFACTS, useE2ePage } from '../helpers/e2e-page';

const ARTIFACTS = E2E_ARTIFACTS;
const e2e = useE2ePage();
const { pageErrors, pollUntil } = e2e;
let serve: ServeProcess;
let page: Page;
beforeAll(() => {
  ({ serve, page } = e2e);
});


/** A cell of the chain grid: the row of `strike`, column `col` (e.g. ce_bid). */
const cell = (strike: number, col: string) => page.locator(`[data-testid="chain-grid"] .ag-row[row-id="${strike}"] [col-id="${col}"]`).first();
const summary = (id: string) => page.getByTestId(`summary-${id}`);

/** The draft's legs as the legs table shows them: side, strike, type, lots, price. */
function tableLegs(): Promise<{ side: string; strike: number; option_type: string; lots: number; price: number | null }[]> {
  return page.evaluate(`[...document.querySelectorAll('[data-testid="strategy-leg"]')].map((tr) => {
    const price = tr.querySelector('input.strategy-price').value;
    return { side: tr.dataset.side, strike: Number(tr.dataset.strike), option_type: tr.dataset.type, lots: Number(tr.querySelector('input.strategy-lots').value), price: price === '' ? null : Number(price) };
  })`);
}

describe('strategy builder in browser mode', () => {
  it('builds an iron condor from the NIFTY chain by mouse and keyboard; the summary is the API’s answer', async () => {
    await e2e.login();
    const { expiry } = await e2e.openTierBChain('NIFTY');
    const atm = await pollUntil('the ATM', async () => Number((await page.getByTestId('chain-header-atm').textContent())?.replace(/[^\d.]/g, '')), (n) => n > 0);
    const step = Number(await page.getByTestId('chain-header-step').textContent());
    // Quotes on both sides of the four legs before picking them.
    const legsQuoted = async (): Promise<boolean> => {
      for (const [k, c] of [[atm + 2 * step, 'ce_bid'], [atm + 4 * step, 'ce_ask'], [atm - 2 * step, 'pe_bid'], [atm - 4 * step, 'pe_ask']] as const) {
        if (!/\d/.test((await cell(k, c).textContent()) ?? '')) return false;
      }
      return true;
    };
    await pollUntil('bid and ask of the four legs', legsQuoted, (ok) => ok);

    // Mouse: sell the call two strikes up at its bid, buy the call four up at its ask.
    await cell(atm + 2 * step, 'ce_bid').click();
    await cell(atm + 4 * step, 'ce_ask').click();
    // Keyboard: focus the put two strikes down, S sells it; two rows up (lower strikes), B buys.
    await cell(atm - 2 * step, 'pe_ltp').click();
    await page.keyboard.press('s');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('b');
    expect(await page.getByTestId('strategy-leg-count').textContent()).toBe('4');

    // To the Strategy view by keyboard.
    await page.getByTestId('view-tab-chain').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('strategy-panel').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('strategy-analysis-only').textContent()).toMatch(/no orders/);
    const legs = await tableLegs();
    expect(legs.map((l) => `${l.side} ${l.strike} ${l.option_type}`).sort()).toEqual(
      [`SELL ${atm + 2 * step} CE`, `BUY ${atm + 4 * step} CE`, `SELL ${atm - 2 * step} PE`, `BUY ${atm - 4 * step} PE`].sort(),
    );
    // Each leg took the quote it was picked at.
    expect(legs.every((l) => l.price !== null && l.price > 0 && l.lots === 1)).toBe(true);

    // The summary, once evaluated, against the API's answer for the same legs at the same prices.
    await pollUntil('the summary', () => summary('net-premium').getAttribute('data-value'), (v) => Boolean(v));
    const api = await serve.rest<StrategyEvaluationView>('POST', '/api/v2/strategy/evaluate', {
      symbol: 'NIFTY',
      legs: legs.map((l) => ({ expiry, strike: l.strike, option_type: l.option_type, side: l.side, lots: l.lots, price: l.price })),
    });
    expect(api.status).toBe(200);
    const shown = async (id: string): Promise<string | null> => summary(id).getAttribute('data-value');
    expect(Number(await shown('net-premium'))).toBe(api.body.net_premium);
    expect(api.body.net_premium).toBeGreaterThan(0); // an iron condor is a credit
    expect(Number(await shown('max-profit'))).toBe(api.body.max_profit);
    expect(Number(await shown('max-loss'))).toBe(api.body.max_loss);
    expect(api.body.max_loss).toBeLessThan(0);
    expect(await shown('breakevens')).toBe(api.body.breakevens.join(','));
    expect(api.body.breakevens).toHaveLength(2);
    // POP and greeks move with the live market between the two reads: close, not equal.
    expect(Math.abs(Number(await shown('pop')) - (api.body.pop ?? 0))).toBeLessThan(0.1);
    expect(await summary('max-profit').textContent()).toMatch(/₹/);

    // The payoff chart drew its curve (the expiry curve's colour on its canvas).
    const drawn = await pollUntil(
      'the payoff curve',
      () =>
        page.evaluate(`(() => {
          const c = document.querySelector('[data-testid="payoff-chart"] canvas');
          if (!c) return 0;
          const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 128 && px[i] > 180 && px[i + 1] > 180 && px[i + 2] > 190) n++;
          return n;
        })()`) as Promise<number>,
      (n) => n > 100,
    );
    expect(drawn).toBeGreaterThan(100);
    expect(Number(await page.getByTestId('payoff-chart').getAttribute('data-points'))).toBeGreaterThan(50);
    await page.screenshot({ path: join(ARTIFACTS, 'strategy-1-iron-condor.png') });

    // What-if: +5 vol points moves the at-date figures, not the expiry ones.
    const before = await shown('whatif');
    await page.getByTestId('strategy-iv-shift').focus();
    for (let i = 0; i < 10; i++) await page.keyboard.press('ArrowRight');
    await pollUntil('the what-if P&L to move', () => shown('whatif'), (v) => v !== before);
    expect(Number(await shown('max-loss'))).toBe(api.body.max_loss);

    // Save it: listed with a live P&L from the stream.
    await page.getByLabel('Strategy name').fill('e2e condor');
    await page.getByTestId('strategy-save').click();
    const saved = page.locator('[data-testid="saved-strategy"]').filter({ hasText: 'e2e condor' });
    await saved.waitFor({ timeout: 10_000 });
    await pollUntil('its live P&L', () => saved.getByTestId('saved-strategy-pnl').textContent(), (t) => /₹/.test(t ?? ''));
    await page.screenshot({ path: join(ARTIFACTS, 'strategy-2-saved.png') });
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
