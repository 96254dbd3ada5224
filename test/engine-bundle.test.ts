/**
 * The engine as Electron runs it: the BUILT utility-process entry (out/main/engine-entry.js, what
 * electron-vite bundles and electron-builder packs) started on plain Node with a stand-in for
 * `process.parentPort`. Catches what tests of the sources cannot: a dependency the bundle cannot
 * require, a path that only works from src/. First start: the data folder does not exist yet.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/build';

const ROOT = resolve(__dirname, '..');
const HARNESS = `
const listeners = [];
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
process.parentPort = { postMessage: out, on: (_event, fn) => listeners.push(fn) };
const send = (data) => listeners.forEach((fn) => fn({ data }));
process.stdin.setEncoding('utf8');
let buf = '';
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) { send(JSON.parse(buf.slice(0, i))); buf = buf.slice(i + 1); }
});
require(process.argv[1]);
`;

const dir = mkdtempSync(join(tmpdir(), 'strikedesk-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the built engine entry', () => {
  it('boots on the simulator in a data folder it creates, answers a command, streams batches, and stops', async () => {
    ensureBuilt();
    const child = spawn(process.execPath, ['-e', HARNESS, join(ROOT, 'out', 'main', 'engine-entry.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const messages: { type: string; [k: string]: unknown }[] = [];
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let pending = '';
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (c: Buffer) => {
      pending += c.toString();
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        messages.push(JSON.parse(pending.slice(0, i)) as { type: string });
        pending = pending.slice(i + 1);
      }
      for (const w of waiters.splice(0)) w();
    });
    const send = (m: unknown): void => void child.stdin.write(JSON.stringify(m) + '\n');
    const until = (what: string, ok: () => boolean, ms = 45_000): Promise<void> =>
      new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no ${what} within ${ms} ms; stderr: ${stderr}; got: ${messages.map((m) => m.type).join(',')}`)), ms);
        const check = (): void => {
          if (ok()) {
            clearTimeout(timer);
            done();
          } else waiters.push(check);
        };
        check();
      });
    try {
      send({ type: 'start', config: { dataDir: join(dir, 'not-yet', 'userData'), credentials: null, apiPort: null } });
      await until('ready', () => messages.some((m) => m.type === 'ready' || m.type === 'fatal'));
      expect(messages.find((m) => m.type === 'fatal')).toBeUndefined();
      expect(messages.find((m) => m.type === 'ready')).toMatchObject({ mode: 'simulator' });
      send({ type: 'stream', message: { op: 'subscribe', view: 'chain', symbol: 'NIFTY' } });
      send({ type: 'call', id: 1, command: 'watchlist:add', request: { user_id: 'bundle', symbol: 'RELIANCE', instrument_type: 'STOCK_OPTION' } });
      send({ type: 'call', id: 2, command: 'instruments:search', request: { q: '' } });
      await until('both results', () => messages.filter((m) => m.type === 'result').length === 2);
      const result = (id: number) => messages.find((m) => m.type === 'result' && m.id === id) as unknown as { envelope: { ok: boolean; value?: { strikes_subscribed: number }; error?: { code: string } } };
      expect(result(1).envelope.ok).toBe(true);
      expect(result(1).envelope.value?.strikes_subscribed).toBe(50);
      expect(result(2).envelope).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      const batches = () => messages.filter((m) => m.type === 'stream' && (m.message as { type: string }).type === 'batch').length;
      await until('stream batches', () => batches() >= 3);
      send({ type: 'stop' });
      await until('stopped', () => messages.some((m) => m.type === 'stopped'));
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});
