import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testMaster } from '../../test/helpers/sim';

const ROOT = join(__dirname, '..', '..');
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('npm run sim', () => {
  it('prints URLs and credentials, serves them, and stops cleanly on SIGINT', async () => {
    dir = mkdtempSync(join(tmpdir(), 'strikedesk-sim-'));
    const master = join(dir, 'master.csv');
    writeFileSync(master, testMaster());
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/bin.ts', '--port', '0', '--master', master, '--token', 'T1', '--client-id', 'C1', '--seed', '3', '--session', 'clock'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner in 15 s: ${out} ${err}`)), 15_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (/\n  token +\S+\n/.test(out)) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', () => reject(new Error(`exited early: ${err}`)));
      });
      expect(out).toMatch(/feed\s+ws:\/\/127\.0\.0\.1:\d+\/\?version=2&token=T1&clientId=C1&authType=2/);
      expect(out).toMatch(/clientId C1/);
      expect(out).toMatch(/session +clock: simulated market/);
      const api = /REST\s+(http:\/\/127\.0\.0\.1:\d+\/v2)/.exec(out)![1]!;
      const profile = await fetch(`${api}/profile`, { headers: { 'access-token': 'T1', 'client-id': 'C1' } });
      expect(await profile.json()).toMatchObject({ dhanClientId: 'C1' });
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).toMatch(/simulator stopped/);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);

  it('refuses bad arguments with usage and exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/bin.ts', '--rate', 'fast'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/--rate must be a positive number/);
    expect(err).toMatch(/usage: npm run sim/);
    const session = spawn(process.execPath, ['--import', 'tsx', 'src/sim/bin.ts', '--session', 'sometimes'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let sessionErr = '';
    session.stderr.on('data', (c: Buffer) => (sessionErr += c.toString()));
    expect(await new Promise<number | null>((resolve) => session.once('exit', (c) => resolve(c)))).toBe(2);
    expect(sessionErr).toMatch(/--session must be clock or always, got "sometimes"/);
  }, 30_000);
});
