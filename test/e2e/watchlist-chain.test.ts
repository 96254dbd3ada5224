/**
 * End to end, as a trader uses it: `npm run serve` on the embedded simulator, the built UI in
 * Debian's Chromium (browser mode: REST + WebSocket). Search RELIANCE with the keyboard, add it,
 * see its 25-strike chain with the ATM row highlighted and prices changing, the capacity meter
 * grow by the chain, remove it, the meter shrink back; an index chain fits a 1600 px window whole,
 * and a 1366 px one with the status panel folded away; a leg that has not traded today shows its
 * previous close marked (class `chain-untraded`, "pc"), never as an LTP, and the expiry tabs say
 * when more are hidden.
 * Screenshots go to test-artifacts/e2e/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Responses } from '../../src/shared/contract';
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

/** The meter's numbers, as the page shows them. */
async function meter(): Promise<{ tierA: number; tierB: number; total: number; cap: number }> {
  const m = page.getByTestId('capacity-meter');
  const read = async (attr: string): Promise<number> => Number(await m.getAttribute(attr));
  return { tierA: await read('data-tier-a'), tierB: await read('data-tier-b'), total: await read('data-total'), cap: await read('data-cap') };
}

/** Strikes of the rows the chain grid shows (ag-grid repeats a row per pinned section: unique ids). */
function gridStrikes(): Promise<number[]> {
  return page.evaluate(() => {
    const ids = new Set<string>();
    for (const el of document.querySelectorAll('[data-testid="chain-grid"] .ag-row[row-id]')) ids.add(el.getAttribute('row-id')!);
    return [...ids].map(Number).sort((a, b) => a - b);
  });
}

/** The text of every cell in the chain grid: what a trader reads. */
function gridText(): Promise<string> {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid="chain-grid"] .ag-row .ag-cell')].map((c) => c.textContent).join('|'));
}

/** LTP cells in the chain grid still showing no price. */
function unpricedLegs(): Promise<number> {
  return page.evaluate(() => {
    const cells = document.querySelectorAll('[data-testid="chain-grid"] .ag-row [col-id="ce_ltp"], [data-testid="chain-grid"] .ag-row [col-id="pe_ltp"]');
    return cells.length === 0 ? -1 : [...cells].filter((c) => !/\d/.test(c.textContent ?? '')).length;
  });
}


describe('browser mode against npm run serve', () => {
  it('adds RELIANCE from the keyboard, streams its chain, and the capacity meter follows', async () => {
    // The one-time login link sets the session cookie and redirects to `/`: no code or token stays in the address bar.
    await page.goto(serve.url);
    await pollUntil('the login redirect to /', async () => page.url(), (u) => u === `${serve.base}/`);
    await expect.poll(() => page.getByTestId('mode-badge').textContent(), { timeout: 20_000 }).toMatch(/simulator/i);
    const start = await pollUntil('the capacity meter', meter, (m) => m.cap === 25_000 && m.tierB > 0);

    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('search-input');
    await page.keyboard.type('RELIANCE');
    await page.getByTestId('search-result').and(page.locator('[data-symbol="RELIANCE"][aria-selected="true"]')).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, '1-search.png') });
    await page.keyboard.press('Enter');

    const entry = page.locator('[data-testid="watchlist-entry"][data-symbol="RELIANCE"]');
    await entry.waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="chain-panel"][data-symbol="RELIANCE"]').waitFor({ timeout: 20_000 });
    // The entry fits the side panel: nothing there scrolls sideways.
    const sideways = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.sidebar, .sidebar *')].filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible').map((el) => el.className));
    expect(sideways).toEqual([]);

    // 25 strikes, ascending, evenly stepped, the ATM row highlighted and inside the window.
    const strikes = await pollUntil('25 strike rows', gridStrikes, (s) => s.length === 25);
    const step = Number(await page.getByTestId('chain-header-step').textContent());
    expect(step).toBeGreaterThan(0);
    for (let i = 1; i < strikes.length; i++) expect(strikes[i]! - strikes[i - 1]!).toBe(step);
    const atm = Number((await page.getByTestId('chain-header-atm').textContent())?.replace(/[^\d.]/g, ''));
    expect(strikes).toContain(atm);
    const atmRows = await page.evaluate(() => [...new Set([...document.querySelectorAll('[data-testid="chain-grid"] .ag-row.atm-row')].map((r) => r.getAttribute('row-id')))]);
    expect(atmRows).toEqual([String(atm)]);
    expect(await page.locator('[data-testid="chain-grid"] .ag-row.atm-row').first().isVisible()).toBe(true);

    // Every leg gets a price soon, ticked or not: the first paint of a new chain comes from a REST
    // snapshot (Dhan sends a tick only on change), never a blank.
    await pollUntil('every leg to show an LTP', unpricedLegs, (n) => n === 0, 15_000);

    // Prices change while we watch (the simulator ticks; batches arrive every 100 ms).
    const before = await gridText();
    expect(before).toMatch(/\d/);
    await pollUntil('a price in the chain to change', gridText, (t) => t !== before);
    await page.screenshot({ path: join(ARTIFACTS, '2-reliance-chain.png') });

    // The meter grew by exactly the chain's 50 options: the chain holds the stock too (51), but
    // RELIANCE was live already, in Tier B (every F&O underlying is).
    const chains = await serve.rest<Responses['chains:list']>('GET', '/api/v2/chains');
    const reliance = chains.body.chains.find((c) => c.symbol === 'RELIANCE');
    expect(reliance?.instruments).toBe(51);
    const grown = await pollUntil('the meter to grow', meter, (m) => m.tierA === start.tierA + 50);
    expect(grown.total).toBe(start.total + 50);
    expect(grown.tierB).toBe(start.tierB);

    // Remove it: the entry goes and the meter shrinks back.
    await entry.getByTestId('watchlist-remove').click();
    await entry.waitFor({ state: 'detached', timeout: 10_000 });
    const shrunk = await pollUntil('the meter to shrink', meter, (m) => m.tierA === start.tierA);
    expect(shrunk.total).toBe(start.total);
    await page.screenshot({ path: join(ARTIFACTS, '3-removed.png') });

    const active = await serve.rest<Responses['subscriptions:active']>('GET', '/api/v2/subscriptions/active?tier=TIER_A');
    expect(active.body.subscriptions.filter((s) => s.symbol === 'RELIANCE')).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('shows an index chain whole at 1600 px: every column in view, no number cut', async () => {
    await page.locator('[data-testid="tierb-chain"][data-symbol="NIFTY"]').first().click();
    await pollUntil('NIFTY strikes in the grid', gridStrikes, (s) => s.length > 0 && s[0]! > 10_000);
    await pollUntil('NIFTY legs priced', unpricedLegs, (n) => n === 0, 15_000);
    const fit = await page.evaluate(() => {
      const grid = document.querySelector('[data-testid="chain-grid"]')!;
      const viewport = grid.querySelector('.ag-grid-viewport') as HTMLElement;
      const cut = [...grid.querySelectorAll<HTMLElement>('.ag-row .ag-cell, .ag-row .ag-cell *')]
        .filter((el) => el.scrollWidth > el.clientWidth)
        .map((el) => el.closest('.ag-cell')!.getAttribute('col-id') + ': ' + el.textContent);
      return { cut: cut.slice(0, 5), sideways: viewport.scrollWidth - viewport.clientWidth };
    });
    expect(fit).toEqual({ cut: [], sideways: 0 });
    await page.screenshot({ path: join(ARTIFACTS, '4-nifty-1600.png') });

    // The keyboard switches expiries: Right on the active tab opens the next one.
    const panel = page.locator('[data-testid="chain-panel"][data-symbol="NIFTY"]');
    const first = await panel.getAttribute('data-expiry');
    const tabs = await page.locator('[data-testid="expiry-tab"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-expiry')));
    expect(tabs[0]).toBe(first);
    await page.locator('[data-testid="expiry-tab"][aria-selected="true"]').focus();
    await page.keyboard.press('ArrowRight');
    await pollUntil('the next NIFTY expiry', () => panel.getAttribute('data-expiry'), (e) => e === tabs[1]);
    await pollUntil('its legs priced', unpricedLegs, (n) => n === 0, 15_000);
  }, 60_000);

  it('on a 1366 px laptop screen, folding the status panel away (]) gives the chain its room', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    const sideways = () => page.evaluate(() => {
      const v = document.querySelector('[data-testid="chain-grid"] .ag-grid-viewport') as HTMLElement;
      return v.scrollWidth - v.clientWidth;
    });
    await pollUntil('the chain to overflow at 1366 px', sideways, (px) => px > 0);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur()); // ] from the page, not a field
    await page.keyboard.press(']');
    await pollUntil('the chain to fit', sideways, (px) => px === 0);
    expect(await page.getByTestId('topbar-capacity').textContent()).toMatch(/^[\d,]+ \/ 25,000$/);
    await page.screenshot({ path: join(ARTIFACTS, '5-laptop-1366-status-folded.png') });
    await page.keyboard.press(']');
    await page.setViewportSize({ width: 1600, height: 1000 });
    await pollUntil('the status panel back', () => page.getByTestId('status-column').getAttribute('class'), (c) => !c?.includes('collapsed'));
  }, 60_000);

  it('shows an untraded leg\'s previous close marked and dimmed, never as an LTP; the expiry strip says it scrolls', async () => {
    await pollUntil('NIFTY legs priced', unpricedLegs, (n) => n === 0, 15_000);
    /** The first untraded LTP cell on screen (strike, side, text, title, the change cell's text), scrolling the grid to its ends if none is in view. */
    const findUntraded = () =>
      page.evaluate(() => {
        const grid = document.querySelector('[data-testid="chain-grid"]')!;
        const cellOf = (row: Element, id: string) => row.querySelector(`.ag-cell[col-id="${id}"]`);
        for (const cell of grid.querySelectorAll('.ag-row .ag-cell.chain-untraded')) {
          const row = cell.closest('.ag-row')!;
          const side = cell.getAttribute('col-id')!.slice(0, 2);
          const style = getComputedStyle(cell);
          return {
            strike: Number(row.getAttribute('row-id')),
            side,
            text: cell.textContent ?? '',
            title: cell.getAttribute('title'),
            change: cellOf(row, `${side}_change`)?.textContent ?? null,
            italic: style.fontStyle,
            colour: style.color,
            tag: getComputedStyle(cell, '::before').content,
          };
        }
        const viewport = grid.querySelector<HTMLElement>('.ag-body-viewport')!;
        viewport.scrollTop = viewport.scrollTop === 0 ? viewport.scrollHeight : 0;
        return null;
      });
    const found = await pollUntil('an untraded leg on screen', findUntraded, (f) => f !== null, 20_000);
    expect(found!.text).toMatch(/^[\d,]+\.\d{2}$/); // the previous close, a price
    expect(found!.title).toMatch(/^No trade today: previous close/);
    expect(found!.change).toBe('');
    expect(found!.italic).toBe('italic');
    expect(found!.tag).toBe('"pc"');
    // The engine agrees: no LTP, no change, the previous close kept (unless it traded just now).
    const expiry = await page.locator('[data-testid="chain-panel"]').getAttribute('data-expiry');
    const chain = await serve.rest<Responses['option-chain:get']>('GET', `/api/v2/option-chain/NIFTY?expiry=${expiry}`);
    const leg = chain.body.strikes_ce_pe[String(found!.strike)]?.[found!.side === 'ce' ? 'CE' : 'PE'];
    expect(leg).toBeDefined();
    if (!leg!.traded_today) {
      expect(leg).toMatchObject({ ltp: null, change: null, stale: false });
      expect(leg!.prev_close).toBeGreaterThan(0);
    }
    // Show the marked cell in the middle of the screen for the screenshot.
    await page.evaluate((strike) => document.querySelector(`[data-testid="chain-grid"] .ag-row[row-id="${strike}"]`)?.scrollIntoView({ block: 'center' }), found!.strike);
    await page.screenshot({ path: join(ARTIFACTS, '6-untraded-legs.png') });
    const row = await page.locator(`[data-testid="chain-grid"] .ag-row[row-id="${found!.strike}"]`).first().boundingBox();
    if (row) await page.screenshot({ path: join(ARTIFACTS, '6b-untraded-legs-zoom.png'), clip: { x: row.x, y: Math.max(0, row.y - 110), width: row.width, height: 242 } });

    // The expiry strip: when its tabs do not fit, the edge with more shows its arrow.
    const strip = await page.evaluate(() => {
      const bar = document.querySelector<HTMLElement>('[data-testid="expiry-tabs"]')!;
      const nav = bar.querySelector<HTMLElement>('[role="tablist"]')!;
      const arrow = bar.querySelector<HTMLElement>('.chain-expiries-more-right')!;
      return {
        overflows: nav.scrollWidth > nav.clientWidth + 1,
        atEnd: nav.scrollLeft + nav.clientWidth >= nav.scrollWidth - 1,
        moreRight: bar.dataset.moreRight,
        arrowShown: getComputedStyle(arrow).display !== 'none',
        tabs: nav.querySelectorAll('[role="tab"]').length,
      };
    });
    expect(strip.tabs).toBeGreaterThan(1);
    expect(strip.moreRight).toBe(String(strip.overflows && !strip.atEnd));
    expect(strip.arrowShown).toBe(strip.overflows && !strip.atEnd);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('says so for an unknown symbol and adds nothing', async () => {
    const start = await meter();
    await page.keyboard.press('/');
    await page.keyboard.type('ZZQQXX');
    await page.getByText('No instrument matches “ZZQQXX”').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(await page.getByTestId('search-result').count()).toBe(0);
    expect(await page.locator('[data-testid="watchlist-entry"]').count()).toBe(0);
    expect((await meter()).total).toBe(start.total);
  }, 30_000);
});
