/**
 * `npm run serve` as a trader runs it: a child process with no credentials starts the embedded
 * simulator, prints the ready line with the API token, answers the REST API with Tier B
 * subscribed, and exits 0 on SIGTERM. Also the per-install token file and `cli api-token`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main';
import { loadOrCreateApiToken } from '../src/server/api-token';
import { exitCode, READY_LINE, waitForLine } from './helpers/serve-process';
import { ENGINE_NODE_FLAGS } from '../src/shared/product';
import { serveArgs } from './helpers/build';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strikedesk-serve-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the engine process', () => {
  it('npm run serve starts it with the desktop engine process\'s V8 flags, on the built engine', () => {
    const args = serveArgs();
    expect(args.slice(0, -1)).toEqual([...ENGINE_NODE_FLAGS]);
    expect(args.at(-1)).toMatch(/out[\\/]main[\\/]serve\.js$/);
  });
});

describe('npm run serve', () => {
  it('starts on the embedded simulator, serves the API with its token, and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const env = { ...process.env };
    delete env.STRIKEDESK_DHAN_CLIENT_ID;
    delete env.STRIKEDESK_DHAN_TOKEN;
    const child = spawn(process.execPath, [...serveArgs(), '--port', '0', '--data-dir', dataDir], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const output = { text: '' };
    child.stdout!.on('data', (c: Buffer) => (output.text += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output.text += c.toString()));

    const m = await waitForLine(child, READY_LINE, 45_000, output);
    const [, base, , code] = m;
    expect(output.text).toMatch(/mode: simulator/);
    expect(output.text).toMatch(/Tier B: [\d,]+ instruments planned/);
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    // The bearer token is never printed: the browser gets a one-time login link.
    expect(output.text).not.toContain(token);
    const login = await fetch(`${base}/login?code=${code}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    expect((await fetch(`${base}/login?code=${code}`, { redirect: 'manual' })).status).toBe(401);

    const res = await fetch(`${base}/api/v2/subscriptions/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const status = (await res.json()) as { tier_b_count: number; total_subscriptions: number };
    expect(status.tier_b_count).toBeGreaterThan(0);
    expect((await fetch(`${base}/api/v2/subscriptions/status`)).status).toBe(401);

    child.kill('SIGTERM');
    expect(await exitCode(child, 15_000)).toBe(0);
    expect(output.text).toMatch(/strikedesk stopped/);
  }, 90_000);

  it('live mode with no master to be had says what is missing and never prints the Dhan token', async () => {
    // The master URL points at a closed loopback port: the download fails at once, no earlier copy exists.
    const child = spawn(process.execPath, [...serveArgs(), '--port', '0', '--data-dir', tempDir(), '--client-id', '1100', '--token', 'dhan-secret-token-123', '--master-url', 'http://127.0.0.1:1/api-scrip-master.csv'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let text = '';
    child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
    expect(await exitCode(child, 20_000)).toBe(2);
    expect(text).toMatch(/could not be downloaded.*no earlier copy.*--master FILE/);
    expect(text).not.toContain('dhan-secret-token-123');
    // --token still works (live mode was taken), with a warning that ps shows it.
    expect(text).toMatch(/warning: --token shows the Dhan access token in the process list/);
  }, 30_000);

  it('reads the Dhan token from --token-file or standard input (not the process list), without the warning', async () => {
    const dir = tempDir();
    const file = join(dir, 'dhan-token');
    writeFileSync(file, 'dhan-secret-from-file-456\n', { mode: 0o600 });
    const env = { ...process.env };
    delete env.STRIKEDESK_DHAN_CLIENT_ID;
    delete env.STRIKEDESK_DHAN_TOKEN;
    const run = async (source: string[], stdin?: string): Promise<string> => {
      const args = [...serveArgs(), '--port', '0', '--data-dir', tempDir(), '--client-id', '1100', ...source, '--master-url', 'http://127.0.0.1:1/api-scrip-master.csv'];
      const child = spawn(process.execPath, args, { cwd: process.cwd(), env, stdio: ['pipe', 'pipe', 'pipe'] });
      cleanups.push(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      let text = '';
      child.stdout!.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
      child.stdin!.end(stdin ?? '');
      expect(await exitCode(child, 20_000)).toBe(2);
      return text;
    };
    for (const text of [await run(['--token-file', file]), await run(['--token-file', '-'], 'dhan-secret-from-stdin-789\n')]) {
      // Live mode was taken (the master download is what failed), so the token was read.
      expect(text).toMatch(/could not be downloaded/);
      expect(text).not.toMatch(/secret-from|warning: --token/);
    }
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(await run(['--token-file', empty])).toMatch(/--token-file .*empty/);
    // A client id without any token is a usage error, as before.
    expect(await run([])).toMatch(/give both the Dhan client id and the access token/);
    // Fast history minutes are the simulator's alone: with Dhan the minutes would be labelled ahead of time.
    expect(await run(['--token-file', file, '--history-minute-ms', '1000'])).toMatch(/--history-minute-ms is for the embedded simulator only/);
  }, 60_000);

  it('refuses a history minute it cannot keep', async () => {
    for (const bad of ['50', '1.5', 'soon', '120000']) {
      const child = spawn(process.execPath, [...serveArgs(), '--port', '0', '--data-dir', tempDir(), '--history-minute-ms', bad], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stderr!.on('data', (c: Buffer) => (text += c.toString()));
      expect(await exitCode(child, 20_000)).toBe(2);
      expect(text).toContain(`--history-minute-ms must be an integer 200-60000, got "${bad}"`);
    }
  }, 60_000);
});

describe('the API token', () => {
  it('is created once as 64 hex characters with mode 0600, then reused', () => {
    const dir = join(tempDir(), 'nested');
    const token = loadOrCreateApiToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'api-token')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateApiToken(dir)).toBe(token);
  });

  it('replaces an empty token file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'api-token'), '\n');
    expect(loadOrCreateApiToken(dir)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('npm run cli -- api-token prints it', async () => {
    const dir = tempDir();
    let out = '';
    const code = await runCli(['api-token', '--data-dir', dir], { out: (t) => (out += t), err: () => undefined });
    expect(code).toBe(0);
    expect(out.trim()).toBe(loadOrCreateApiToken(dir));
  });
});
