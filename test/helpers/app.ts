/** An App on a temp data folder, pointed at a simulator started for the test. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppConfig } from '../../src/core/app';
import { runningClock, startTestSim, testMaster, type TestSim } from './sim';

/** 10:00 IST on Wednesday 2026-11-25, an NSE trading day (the 24th is a holiday). */
export const TRADING_T0 = Date.parse('2026-11-25T04:30:00Z');

export interface AppOnSim {
  s: TestSim;
  app: App;
  dataDir: string;
  logs: string[];
  /** What the simulator holds right now, as tokens. */
  exchangeTokens(): Set<string>;
  /** Stop the app and the simulator and remove the folder. */
  stop(): Promise<void>;
}

/**
 * Start a simulator (a running clock from TRADING_T0) and an App on it. `still` freezes the market
 * (no trades, so no re-centres between reads); `app` overrides config fields.
 */
export async function startAppOnSim(options: { still?: boolean; app?: Partial<AppConfig>; prefix?: string } = {}): Promise<AppOnSim> {
  const clock = runningClock(TRADING_T0);
  const s = await startTestSim({ clock });
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
    now: clock.now,
    log: (l) => logs.push(l),
    ...options.app,
  });
  await app.start();
  return {
    s,
    app,
    dataDir,
    logs,
    exchangeTokens: () => new Set(s.sim.view().sockets.flatMap((k) => k.instruments.map((i) => `${i.segment}:${i.securityId}`))),
    async stop() {
      await app.stop();
      await s.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
