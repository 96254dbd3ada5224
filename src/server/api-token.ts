/**
 * The per-install bearer token of the loopback API: 32 random bytes as hex in
 * `<dataDir>/api-token`, readable by the owner only (0600). It is created once and kept, so
 * scripts configured with it keep working across restarts; delete the file to rotate it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const API_TOKEN_FILE = 'api-token';

/** The default data folder, `~/.strikedesk`. */
export function defaultDataDir(): string {
  return join(homedir(), '.strikedesk');
}

function readToken(path: string): string | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text.length >= 32 ? text : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Read `<dataDir>/api-token`, or create it (0600) with a fresh random token. */
export function loadOrCreateApiToken(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, API_TOKEN_FILE);
  const existing = readToken(path);
  if (existing) {
    // Tighten a file someone loosened; Windows has no POSIX modes to check.
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString('hex');
  try {
    // 'wx': never overwrite a token another process wrote in the meantime.
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: fileExists(path) ? 'w' : 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = readToken(path);
    if (raced) return raced;
    throw err;
  }
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  return token;
}

/** Called once no usable token was read: an existing file (empty, truncated) is replaced. */
function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
