import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMainLog, LOG_FILE, rotatedLogName } from './main-log';

// statSync is wrapped so a test can count the calls: the size check must not stat per line.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const statSync = vi.fn(actual.statSync) as typeof actual.statSync;
  return { ...actual, statSync, default: { ...actual, statSync } };
});

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strikedesk-mainlog-'));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A line whose log entry is exactly 100 bytes: 24 (timestamp) + 1 + 5 (level) + 1 + 68 + 1 (newline). */
function line(n: number): string {
  return `line-${String(n).padStart(2, '0')}`.padEnd(68, '.');
}

/** The line numbers in a log file, in order. */
function numbersIn(name: string): number[] {
  return fs
    .readFileSync(path.join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Number(/line-(\d+)/.exec(l)?.[1]));
}

describe('createMainLog: rotation by size', () => {
  it('rotates while running: the newest to .1, older ones shifted, only `keep` kept, no file past the limit', () => {
    const log = createMainLog(dir, { maxBytes: 250, keep: 3 });
    for (let n = 1; n <= 11; n++) log('info', line(n));

    // Two 100-byte entries fit in 250 bytes; the third rotates.
    expect(fs.readdirSync(dir).sort()).toEqual([rotatedLogName(1), rotatedLogName(2), rotatedLogName(3), LOG_FILE].sort());
    expect(numbersIn(LOG_FILE)).toEqual([11]);
    expect(numbersIn(rotatedLogName(1))).toEqual([9, 10]);
    expect(numbersIn(rotatedLogName(2))).toEqual([7, 8]);
    expect(numbersIn(rotatedLogName(3))).toEqual([5, 6]); // 1-4 rotated out
    for (const name of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, name)).length, name).toBeLessThanOrEqual(250);
  });

  it('counts from the size of the file the last run left, and rotates one already past the limit at the first write', () => {
    fs.writeFileSync(path.join(dir, LOG_FILE), 'x'.repeat(120) + '\n');
    const log = createMainLog(dir, { maxBytes: 250 });
    log('warn', line(1)); // 121 + 100 fits
    expect(fs.readdirSync(dir)).toEqual([LOG_FILE]);
    log('warn', line(2)); // 221 + 100 does not
    expect(numbersIn(LOG_FILE)).toEqual([2]);
    expect(fs.readFileSync(path.join(dir, rotatedLogName(1)), 'utf8')).toMatch(/^x{120}\n.*line-01/);

    // The next start finds a file past the limit (written here over the current one).
    fs.writeFileSync(path.join(dir, LOG_FILE), 'y'.repeat(400));
    const next = createMainLog(dir, { maxBytes: 250 });
    next('error', line(3));
    expect(numbersIn(LOG_FILE)).toEqual([3]);
    expect(fs.readFileSync(path.join(dir, rotatedLogName(1)), 'utf8')).toBe('y'.repeat(400));
    expect(fs.readFileSync(path.join(dir, rotatedLogName(2)), 'utf8')).toMatch(/^x{120}\n.*line-01/);
  });

  it('keeps a running byte count instead of a stat per line', () => {
    const stat = vi.mocked(fs.statSync);
    stat.mockClear();
    const log = createMainLog(dir, { maxBytes: 1_000 });
    for (let n = 1; n <= 50; n++) log('info', line(n));
    expect(stat).toHaveBeenCalledTimes(1); // at creation only
    expect(fs.readdirSync(dir).length).toBe(4); // it did rotate: 10 entries a file, 3 kept
  });

  it('counts bytes, not characters', () => {
    const log = createMainLog(dir, { maxBytes: 250 });
    log('info', line(1).slice(0, 34) + '₹'.repeat(34)); // 34 three-byte characters: a 168-byte entry
    log('info', line(2));
    expect(numbersIn(LOG_FILE)).toEqual([2]);
    expect(numbersIn(rotatedLogName(1))).toEqual([1]);
  });

  it('still writes the console when the folder cannot be created', () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const log = createMainLog(path.join(blocker, 'logs'), { maxBytes: 250 });
    log('error', 'engine did not start');
    expect(console.error).toHaveBeenCalledWith(expect.stringMatching(/error engine did not start$/));
  });
});
