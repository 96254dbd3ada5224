/** The simulator in its own process, as `npm run sim` runs it, for benchmarks. */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface SimProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** `ws://127.0.0.1:<port>` */
  feedUrl: string;
  /** `http://127.0.0.1:<port>` (REST under /v2, control under /sim) */
  baseUrl: string;
  stop(): void;
}

/** Start `src/sim/bin.ts` with `args` and wait (up to 60 s) for it to print its feed URL. */
export async function startSimProcess(args: string[]): Promise<SimProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/bin.ts', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const feedUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${out}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /feed\s+(ws:\/\/[^/\s?]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited (${code}): ${out}`));
    });
  });
  return { child, feedUrl, baseUrl: feedUrl.replace(/^ws:/, 'http:'), stop: () => child.kill('SIGTERM') };
}
