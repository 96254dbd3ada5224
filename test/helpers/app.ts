/** An App on a temp data folder, pointed at a simulator started for the test. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppConfig, type AppStatus } from '../../src/core/app';
import type { SimulatorOptions } from '../../src/sim/server';
import { runningClock, startTestSim, testMaster, type TestSim } from './sim';

/** 10:00 IST on Wednesday 2026-11-25, an NSE trading day (the 24th is a holiday). */
export const TRADING_T0 = Date.parse('2026-11-25T04:30:00Z');

export interface AppOnSim {
  s: TestSim;
  app: App;
  dataDir: string;
  logs: string[];
  /** What `app.start()` answered. */
  started: AppStatus;
  /** What the simulator holds right now, as tokens. */
  exchangeTokens(): Set<string>;
  /** Stop the app and the simulator and remove the folder. */
  stop(): Promise<void>;
}

/**
 * Start a simulator (a running clock from TRADING_T0) and an App on it. `still` freezes the market
 * (no trades, so no re-centres between reads); `now` gives the App its own clock (one a test jumps);
 * `sim` overrides simulator options; `app` overrides config fields (given the data folder when a
 * field needs a path in it).
 */
export async function startAppOnSim(
  options: { still?: boolean; now?: () => number; sim?: SimulatorOptions; app?: Partial<AppConfig> | ((dataDir: string) => Partial<AppConfig>); prefix?: string } = {},
): Promise<AppOnSim> {
  const clock = runningClock(TRADING_T0);
  const s = await startTestSim({ clock, ...options.sim });
  if (options.still) s.sim.setRate(0);
  const dataDir = mkdtempSync(join(tmpdir(), options.prefix ?? 'strikedesk-app-'));
  const masterPath = join(dataDir, 'master.csv');
  writeFileSync(masterPath, testMaster());
  const logs: string[] = [];
  const app = new App({
    dataDir,
    masterPath,
    feedUrl: s.sim.feedUrl,
    apiUrl: s.sim.apiUrl,
    credentials: () => ({ clientId: s.sim.clientId, token: s.sim.token }),
    now: options.now ?? clock.now,
    log: (l) => logs.push(l),
    ...(typeof options.app === 'function' ? options.app(dataDir) : options.app),
  });
  const started = await app.start();
  return {
    s,
    app,
    dataDir,
    logs,
    started,
    exchangeTokens: () => new Set(s.sim.view().sockets.flatMap((k) => k.instruments.map((i) => `${i.segment}:${i.securityId}`))),
    async stop() {
      await app.stop();
      await s.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
