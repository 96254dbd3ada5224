/**
 * `npm run serve` as a child process, the way a trader starts it: no Dhan credentials, so the
 * embedded simulator is the exchange. Used by the serve test, the browser end-to-end tests and the
 * UI benchmark. Everything it starts is stopped by `stop()` (SIGTERM, then SIGKILL after a grace).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serveArgs } from './build';

const ROOT = resolve(__dirname, '..', '..');
/** The ready line: the base, the port and the one-time login code (the bearer token is never printed in a URL). */
export const READY_LINE = /strikedesk ready: (http:\/\/127\.0\.0\.1:(\d+))\/login\?code=([A-Za-z0-9_-]{43})\n/;

/** Resolve with the first stdout match of `re`; reject on exit or after `ms`. */
export function waitForLine(child: ChildProcess, re: RegExp, ms: number, output: { text: string }): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${re} within ${ms} ms; output:\n${output.text}`)), ms);
    const onData = (): void => {
      const m = output.text.match(re);
      if (m) done(null, m);
    };
    const onExit = (code: number | null): void => done(new Error(`serve exited (${code}) before ${re}; output:\n${output.text}`));
    const done = (err: Error | null, m?: RegExpMatchArray): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    onData();
  });
}

/** The child's exit code; rejects if it has not exited within `ms`. */
export function exitCode(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`serve did not exit within ${ms} ms`)), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

export interface ServeProcess {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output: { text: string };
  /** `http://127.0.0.1:<port>` */
  base: string;
  dataDir: string;
  /** The bearer token, read from `<dataDir>/api-token` (scripts' credential). */
  token: string;
  /** The page a trader opens: the one-time login link `<base>/login?code=<code>` (valid once). */
  url: string;
  /** Call a REST API v2 endpoint with the bearer token; the parsed JSON body and the status. */
  rest<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** SIGTERM, wait for the exit (SIGKILL after `ms`), remove the data folder; the exit code. */
  stop(ms?: number): Promise<number | null>;
}

/** Start the engine as `npm run serve` does (`out/main/serve.js --port 0`) in a fresh data folder (or `dataDir`) and wait for its ready line. */
export async function startServe(options: { dataDir?: string; args?: string[]; readyMs?: number } = {}): Promise<ServeProcess> {
  const owned = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'strikedesk-serve-'));
  const env = { ...process.env };
  delete env.STRIKEDESK_DHAN_CLIENT_ID;
  delete env.STRIKEDESK_DHAN_TOKEN;
  const child = spawn(process.execPath, [...serveArgs(), '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout!.on('data', (c: Buffer) => (output.text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output.text += c.toString()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  let m: RegExpMatchArray;
  try {
    m = await waitForLine(child, READY_LINE, options.readyMs ?? 60_000, output);
  } catch (err) {
    kill();
    if (owned) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const [, base, , code] = m as unknown as [string, string, string, string];
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  return {
    child,
    output,
    base,
    token,
    dataDir,
    url: `${base}/login?code=${code}`,
    async rest<T>(method: 'GET' | 'POST', path: string, body?: unknown) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async stop(ms = 15_000) {
      let code: number | null = child.exitCode;
      if (code === null && child.signalCode === null) {
        child.kill('SIGTERM');
        try {
          code = await exitCode(child, ms);
        } catch {
          kill();
          code = null;
        }
      }
      if (owned) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
