/**
 * Debian's Chromium driven by playwright-core (never `playwright install`: it downloads a browser).
 * The flags keep Chromium from reaching for hosts these machines cannot reach. `.ci/run` installs
 * the `chromium` package; STRIKEDESK_CHROMIUM overrides the path. Playwright's headless default
 * `--hide-scrollbars` is dropped: the app styles 8 px scrollbars that Electron draws, and with them
 * hidden ag-grid switches to overlay scrollbars that cover the chain's last column, so screenshots
 * and the UI benchmark would show a layout a trader never sees.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.STRIKEDESK_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface RunningChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh profile. Fails with a clear message when it is not installed. */
export async function launchChromium(viewport = { width: 1600, height: 1000 }): Promise<RunningChromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y --no-install-recommends chromium (see .ci/run), or set STRIKEDESK_CHROMIUM`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'strikedesk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: ARGS, ignoreDefaultArgs: ['--hide-scrollbars'], viewport });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser };
