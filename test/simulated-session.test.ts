/**
 * The embedded default trades around the clock; outside the exchange's hours the status says so
 * plainly (the top bar shows it), and in hours it says nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootEngine, type Engine } from '../src/host/engine-boot';
import { withValidation } from '../src/shared/validate';

let engine: Engine | undefined;
let dir: string | undefined;
afterEach(async () => {
  await engine?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  engine = undefined;
  dir = undefined;
});

async function statusAt(iso: string) {
  dir = mkdtempSync(join(tmpdir(), 'strikedesk-simsession-'));
  const t0 = Date.parse(iso);
  const start = performance.now();
  engine = await bootEngine({ dataDir: dir, credentials: null, log: () => undefined, now: () => t0 + (performance.now() - start) });
  return withValidation(engine.api)['subscriptions:status']({});
}

describe('a simulated session outside market hours', () => {
  it('is named in the status on a Sunday night', async () => {
    const s = await statusAt('2026-12-06T16:30:00Z'); // Sunday 22:00 IST
    expect(s.mode).toBe('simulator');
    expect(s.simulated_session).toMatch(/simulated session outside market hours/);
  }, 60_000);

  it("is not mentioned during a trading day's hours", async () => {
    const s = await statusAt('2026-11-25T05:30:00Z'); // Wednesday 11:00 IST
    expect(s.simulated_session).toBeUndefined();
  }, 60_000);
});
