/**
 * The browser tests' shared harness: `npm run serve` (the built engine on its simulator, port 0)
 * and Debian's Chromium with one page that records page errors and console errors. Call
 * `useE2ePage()` at the top of a test file; it registers the beforeAll/afterAll pair, and the
 * engine must exit 0 when stopped.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { ensureBuilt } from './build';
import { launchChromium, type RunningChromium } from './chromium';
import { startServe, type ServeProcess } from './serve-process';

/** Where the browser tests save their screenshots. */
export const E2E_ARTIFACTS = resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');

export interface E2ePage {
  readonly serve: ServeProcess;
  readonly page: Page;
  /** Uncaught page errors and console errors, in order. */
  readonly pageErrors: string[];
  /** Re-reads `read()` every 100 ms until `ok` holds; fails after `ms` naming `what` and the last value. */
  pollUntil<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms?: number): Promise<T>;
  /** Opens the engine's one-time login link and waits for the redirect to `/`. */
  login(): Promise<void>;
  /** Opens `symbol` from the Tier B list by keyboard (focus, Enter): its chain panel and the expiry it shows. */
  openTierBChain(symbol: string): Promise<{ panel: Locator; expiry: string }>;
}

export function useE2ePage(options: { serveArgs?: string[]; pollMs?: number } = {}): E2ePage {
  let serve: ServeProcess | undefined;
  let browser: RunningChromium | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(E2E_ARTIFACTS, { recursive: true });
    [serve, browser] = await Promise.all([startServe(options.serveArgs ? { args: options.serveArgs } : {}), launchChromium()]);
    page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    expect(await serve?.stop()).toBe(0);
  }, 30_000);

  const ready = <T>(v: T | undefined, name: string): T => {
    if (v === undefined) throw new Error(`the e2e ${name} is not up (beforeAll failed or has not run)`);
    return v;
  };
  return {
    get serve() {
      return ready(serve, 'engine');
    },
    get page() {
      return ready(page, 'page');
    },
    pageErrors,
    async login(): Promise<void> {
      const p = ready(page, 'page');
      const s = ready(serve, 'engine');
      await p.goto(s.url);
      await this.pollUntil('the login redirect to /', async () => p.url(), (u) => u === `${s.base}/`);
    },
    async openTierBChain(symbol: string): Promise<{ panel: Locator; expiry: string }> {
      const p = ready(page, 'page');
      const entry = p.locator(`[data-testid="tierb-chain"][data-symbol="${symbol}"]`);
      await entry.waitFor({ timeout: 30_000 });
      await entry.focus();
      await p.keyboard.press('Enter');
      const panel = p.locator(`[data-testid="chain-panel"][data-symbol="${symbol}"]`);
      await panel.waitFor({ timeout: 20_000 });
      const expiry = await this.pollUntil(`the ${symbol} chain's expiry`, () => panel.getAttribute('data-expiry'), (e) => Boolean(e));
      return { panel, expiry: expiry! };
    },
    async pollUntil<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, ms = options.pollMs ?? 20_000): Promise<T> {
      const p = ready(page, 'page');
      const deadline = Date.now() + ms;
      let last: T = await read();
      while (!ok(last)) {
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
        await p.waitForTimeout(100);
        last = await read();
      }
      return last;
    },
  };
}
