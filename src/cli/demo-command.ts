/**
 * `npm run demo`: what the engine does today, on the embedded default. Generates the simulated
 * master for today (kept in the temp folder, so a second run is a warm start), loads the
 * registry, and shows a NIFTY chain, a stock chain and a few searches.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { istDate } from '../shared/market-calendar';
import { loadRegistry } from '../core/instruments/load-registry';
import { writeMaster } from '../sim/master-generator';
import { FNO_STOCKS, INDICES } from '../sim/universe';
import { table, type CliIo } from './io';

export function demoCommand(io: CliIo, dir = join(tmpdir(), 'strikedesk-demo')): void {
  const today = istDate(Date.now());
  const master = join(dir, `api-scrip-master-sim-${today}.csv`);
  if (!existsSync(master)) {
    mkdirSync(dir, { recursive: true });
    const t0 = performance.now();
    const { rows } = writeMaster(master, { asOf: today });
    io.out(`generated the simulated scrip master for ${today}: ${rows} rows in ${Math.round(performance.now() - t0)} ms -> ${master}`);
  }
  const loaded = loadRegistry({ masterPath: master, cacheDir: join(dir, 'cache') });
  const { registry, search } = loaded;
  io.out(`loaded ${registry.size} instruments from the ${loaded.source === 'csv' ? 'CSV (cold start)' : 'snapshot (warm start)'} in ${Math.round(loaded.loadMs)} ms\n`);

  const niftyLtp = INDICES.find((i) => i.symbol === 'NIFTY')!.price + 17.35;
  const nifty = registry.optionChain({ symbol: 'NIFTY', ltp: niftyLtp });
  io.out(`NIFTY ${nifty.expiry}: LTP ${niftyLtp}, step ${nifty.step}, ATM ${nifty.atm}, ${nifty.strikes.length} strikes (CE+PE = ${nifty.strikes.length * 2} instruments); the 5 around ATM:`);
  const mid = nifty.strikes.findIndex((s) => s.strike === nifty.atm);
  io.out(table([['CE', 'strike', 'PE'], ...nifty.strikes.slice(mid - 2, mid + 3).map((s) => [s.ce?.tradingSymbol ?? '-', s.strike, s.pe?.tradingSymbol ?? '-'])]));

  const rel = FNO_STOCKS.find((s) => s.symbol === 'RELIANCE')!;
  const chain = registry.optionChain({ symbol: 'RELIANCE', ltp: rel.price + 4.1 });
  io.out(`\nRELIANCE ${chain.expiry}: step ${chain.step}, ATM ${chain.atm}, ${chain.strikes.length} strikes from ${chain.strikes[0]!.strike} to ${chain.strikes.at(-1)!.strike}, lot ${chain.lotSize}`);

  for (const q of ['reliance', 'nifty fut', 'crude', 'tata consultancy', 'banknifty']) {
    const hits = search.search(q, { limit: 3 });
    io.out(`search "${q}": ${hits.map((h) => `${h.tradingSymbol} (${h.segment} ${h.securityId})`).join(', ') || 'nothing'}`);
  }
  io.out('\nMore: npm run cli -- --help');
}
