/**
 * Simulator output benchmark: the simulator runs in its own process (as `npm run sim` does) and
 * streams to one client here, subscribed to 1,000 NSE options split 60% ticker, 30% quote, 10%
 * full. For several requested aggregate rates it reports the packets/s the client received and
 * the simulator's CPU use (one core = 100%).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FeedDecoder } from '../src/core/feed/feed-codec';
import { encodeSubscriptionMessages } from '../src/core/feed/feed-requests';
import type { InstrumentRef } from '../src/shared/instruments';
import { istDate } from '../src/shared/market-calendar';
import { parseMasterBuffer } from '../src/core/instruments/master-parser';
import { writeMaster } from '../src/sim/master-generator';
import { round, type Benchmark, type Figure } from './harness';
import { startSimProcess } from './sim-process';

const RATES = [50_000, 100_000, 200_000];
const WINDOW_MS = 5_000;

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
}

export const simBenchmark: Benchmark = {
  name: 'sim',
  description: 'simulator output rate to one client in another process (60/30/10 ticker/quote/full)',
  async run(): Promise<Figure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'strikedesk-bench-sim-'));
    const master = join(dir, 'master.csv');
    writeMaster(master, { asOf: istDate(Date.now()), rows: 60_000 });
    const table = parseMasterBuffer(readFileSync(master)).table;
    const options: InstrumentRef[] = [];
    for (let r = 0; r < table.count && options.length < 1000; r++) {
      if (table.kindOf(r) === 'OPTSTK' && table.segmentOf(r) === 'NSE_FNO') options.push({ segment: 'NSE_FNO', securityId: table.cols.securityId[r]! });
    }
    const sim = await startSimProcess(['--master', master, '--rate', String(RATES[0])]);
    const child = sim.child;
    try {
      const url = `${sim.feedUrl}/?version=2&token=sim-access-token&clientId=1000000001&authType=2`;
      const control = sim.baseUrl;
      const ws = new WebSocket(url);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const decoder = new FeedDecoder();
      let packets = 0;
      ws.on('message', (data, binary) => {
        if (binary) packets += decoder.decode(data as Buffer, () => undefined);
      });
      const send = (mode: 'ticker' | 'quote' | 'full', refs: InstrumentRef[]) => {
        for (const m of encodeSubscriptionMessages(mode, refs)) ws.send(m);
      };
      send('ticker', options.slice(0, 600));
      send('quote', options.slice(600, 900));
      send('full', options.slice(900, 1000));
      const figures: Figure[] = [];
      for (const rate of RATES) {
        const set = await fetch(`${control}/sim/rate`, { method: 'POST', body: JSON.stringify({ rate }) });
        if (!set.ok) throw new Error(`POST /sim/rate: ${set.status} ${await set.text()}`);
        await new Promise((r) => setTimeout(r, 1000)); // settle
        const p0 = packets;
        const c0 = cpuTicks(child.pid!);
        const t0 = performance.now();
        await new Promise((r) => setTimeout(r, WINDOW_MS));
        const secs = (performance.now() - t0) / 1000;
        const cpu = ((cpuTicks(child.pid!) - c0) / 100 / secs) * 100;
        figures.push({ name: `sim.received_at_${rate / 1000}k_per_s`, value: round((packets - p0) / secs, -2), unit: `packets/s (sim CPU ${Math.round(cpu)}%)` });
      }
      ws.terminate();
      if (decoder.stats.truncated + decoder.stats.malformed > 0) throw new Error('the simulator sent bad frames');
      return figures;
    } finally {
      sim.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
