import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDailyMaster, masterPathFor } from './master-download';
import { REAL_EXCERPT } from '../../../test/helpers/fixtures';

const BODY = readFileSync(REAL_EXCERPT);
let server: Server;
let url: string;
let mode: 'ok' | 'fail' | 'truncate' = 'ok';
let requests = 0;
let dir: string;

beforeEach(async () => {
  mode = 'ok';
  requests = 0;
  dir = mkdtempSync(join(tmpdir(), 'strikedesk-dl-'));
  server = createServer((_req, res) => {
    requests++;
    if (mode === 'fail') {
      res.writeHead(503).end('down');
    } else if (mode === 'truncate') {
      res.writeHead(200, { 'content-length': String(BODY.length) });
      res.write(BODY.subarray(0, 1000));
      res.socket?.destroy();
    } else {
      res.writeHead(200, { 'content-length': String(BODY.length) }).end(BODY);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api-scrip-master.csv`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const day = (iso: string) => () => Date.parse(`${iso}T06:00:00Z`);

describe('daily master download', () => {
  it('downloads once per IST day with progress, then reuses today\'s copy', async () => {
    const progress: number[] = [];
    const first = await ensureDailyMaster({ dataDir: dir, url, now: day('2026-11-25'), onProgress: (n) => progress.push(n) });
    expect(first).toEqual({ path: masterPathFor(dir, '2026-11-25'), date: '2026-11-25', status: 'downloaded' });
    expect(readFileSync(first.path).equals(BODY)).toBe(true);
    expect(progress.at(-1)).toBe(BODY.length);
    const again = await ensureDailyMaster({ dataDir: dir, url, now: day('2026-11-25') });
    expect(again.status).toBe('cached');
    expect(requests).toBe(1);
  });

  it('falls back to the last good copy with a warning when the download fails or is cut short', async () => {
    await ensureDailyMaster({ dataDir: dir, url, now: day('2026-11-24') });
    mode = 'fail';
    const stale = await ensureDailyMaster({ dataDir: dir, url, now: day('2026-11-25') });
    expect(stale).toMatchObject({ status: 'stale', date: '2026-11-24', warning: expect.stringMatching(/master is from 2026-11-24.*HTTP 503/) });
    mode = 'truncate';
    const cut = await ensureDailyMaster({ dataDir: dir, url, now: day('2026-11-26') });
    expect(cut).toMatchObject({ status: 'stale', date: '2026-11-24' });
    // No half-written file is left to be mistaken for a good one.
    expect(readdirSync(join(dir, 'masters'))).toEqual(['api-scrip-master-2026-11-24.csv']);
  });

  it('says clearly when there is no copy at all', async () => {
    mode = 'fail';
    await expect(ensureDailyMaster({ dataDir: dir, url, now: day('2026-11-25') })).rejects.toMatchObject({ code: 'MASTER_INVALID', message: expect.stringMatching(/no earlier copy/) });
  });
});
