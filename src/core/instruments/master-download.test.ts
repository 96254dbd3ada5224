import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureDailyMaster, masterPathFor, readLastGood, retryDailyMaster, RETRY_DELAYS_MS, sanityProblem, type MasterDownloadResult, type RetryTimers } from './master-download';
import { REAL_EXCERPT } from '../../../test/helpers/fixtures';

const BODY = readFileSync(REAL_EXCERPT);
const LINES = BODY.toString('utf8').split('\n');
/** What the fake CDN can serve with a 200: a good CSV and three bad ones. */
const BODIES = {
  ok: BODY,
  html: Buffer.from('<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>cloudfront</body></html>\n'),
  // Cut at a row boundary with an honest length: only the sanity band can tell.
  cut: Buffer.from(LINES.slice(0, 100).join('\n')),
  noMcx: Buffer.from(LINES.filter((l) => !l.startsWith('MCX,')).join('\n')),
};
let server: Server;
let url: string;
let mode: keyof typeof BODIES | 'fail' | 'truncate' = 'ok';
let requests = 0;
let dir: string;
/** The excerpt holds 255 F&O rows, below the real-file minimum: lower it for these tests. */
const sanity = { minFnoWithoutPrevious: 50 };

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
      const body = BODIES[mode];
      res.writeHead(200, { 'content-length': String(body.length) }).end(body);
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
const masters = () => readdirSync(join(dir, 'masters')).sort();

describe('daily master download', () => {
  it('downloads once per IST day with progress, records it as the last good copy, then reuses it', async () => {
    const progress: number[] = [];
    const first = await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25'), onProgress: (n) => progress.push(n) });
    expect(first).toEqual({ path: masterPathFor(dir, '2026-11-25'), date: '2026-11-25', status: 'downloaded' });
    expect(readFileSync(first.path).equals(BODY)).toBe(true);
    expect(progress.at(-1)).toBe(BODY.length);
    expect(readLastGood(dir)).toMatchObject({ date: '2026-11-25', path: first.path, instruments: 299, segments: { NSE_FNO: 148, MCX_COMM: 76, IDX_I: 12 } });
    const again = await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') });
    expect(again.status).toBe('cached');
    expect(requests).toBe(1);
  });

  it('falls back to the last good copy with a dated warning when the download fails or is cut short', async () => {
    await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-24') });
    mode = 'fail';
    const stale = await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') });
    expect(stale).toMatchObject({ status: 'stale', date: '2026-11-24', warning: expect.stringMatching(/^instrument master is from 2026-11-24: today's download failed \(HTTP 503\)/) });
    mode = 'truncate';
    const cut = await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-26') });
    expect(cut).toMatchObject({ status: 'stale', date: '2026-11-24' });
    // No half-written file is left to be mistaken for a good one.
    expect(masters()).toEqual(['api-scrip-master-2026-11-24.csv', 'last-good.json']);
  });

  it('says clearly when there is no copy at all', async () => {
    mode = 'fail';
    await expect(ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') })).rejects.toMatchObject({ code: 'MASTER_INVALID', message: expect.stringMatching(/no earlier copy passed the checks/) });
  });
});

describe('daily master download: sanity checks before a file takes today\'s name', () => {
  it.each([
    ['an HTML error page', 'html', /header is not recognised/],
    ['a truncated CSV', 'cut', /too few instruments in .*MCX_COMM missing \(had 76\)/],
    ['a CSV with one segment missing', 'noMcx', /too few instruments in MCX_COMM missing \(had 76\)$/],
  ] as const)('refuses %s: the last good copy stays in use with a dated warning', async (_name, bad, reason) => {
    await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-24') });
    mode = bad;
    const r = await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') });
    expect(r).toMatchObject({ status: 'stale', date: '2026-11-24', path: masterPathFor(dir, '2026-11-24') });
    expect(r.warning).toMatch(/^instrument master is from 2026-11-24: today's download was refused: /);
    expect(r.warning).toMatch(reason);
    // Never renamed to today's name, no temporary left, the record still names the good copy.
    expect(masters()).toEqual(['api-scrip-master-2026-11-24.csv', 'last-good.json']);
    expect(readLastGood(dir)?.date).toBe('2026-11-24');
    // The next start does not take it as downloaded: it asks again.
    await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') });
    expect(requests).toBe(3);
  });

  it('with no previous copy, refuses an error page by name and a file with too few F&O instruments', async () => {
    mode = 'html';
    await expect(ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') })).rejects.toMatchObject({ code: 'MASTER_INVALID', message: expect.stringMatching(/was refused: scrip master header is not recognised.*no earlier copy passed the checks/) });
    mode = 'ok';
    await expect(ensureDailyMaster({ dataDir: dir, url, now: day('2026-11-25') })).rejects.toThrow(/refused: only 255 F&O instruments \(at least 10000 expected\)/);
    expect(existsSync(masterPathFor(dir, '2026-11-25'))).toBe(false);
  });

  it('does not trust a bad file already named as today\'s (written by an older version)', async () => {
    await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-24') });
    const today = masterPathFor(dir, '2026-11-25');
    writeFileSync(today, BODIES.html);
    mode = 'fail';
    const r = await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') });
    expect(r).toMatchObject({ status: 'stale', date: '2026-11-24' });
    expect(existsSync(today)).toBe(false);
    expect(readFileSync(`${today}.refused`).equals(BODIES.html)).toBe(true);
    mode = 'ok';
    expect(await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') })).toMatchObject({ status: 'downloaded', date: '2026-11-25' });
  });

  it('with no record (an older version\'s folder), vets the dated files: a good older one is the fallback, a good today\'s is kept', async () => {
    mkdirSync(join(dir, 'masters'));
    writeFileSync(masterPathFor(dir, '2026-11-23'), BODY);
    writeFileSync(masterPathFor(dir, '2026-11-24'), BODIES.html); // an old version's bad "download"
    mode = 'html';
    const r = await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') });
    expect(r).toMatchObject({ status: 'stale', date: '2026-11-23', warning: expect.stringMatching(/^instrument master is from 2026-11-23: /) });
    expect(readLastGood(dir)?.date).toBe('2026-11-23');
    writeFileSync(masterPathFor(dir, '2026-11-25'), BODY);
    expect(await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25') })).toMatchObject({ status: 'cached', date: '2026-11-25' });
    expect(requests).toBe(1);
  });

  it('judges counts by segment and total against the last good copy', () => {
    const prev = { NSE_FNO: 1000, MCX_COMM: 100, IDX_I: 10 };
    expect(sanityProblem({ NSE_FNO: 1000, MCX_COMM: 50, IDX_I: 10 }, prev)).toBeNull();
    expect(sanityProblem({ NSE_FNO: 1000, MCX_COMM: 49, IDX_I: 10 }, prev)).toBe('too few instruments in MCX_COMM 49 of 100');
    expect(sanityProblem({ NSE_FNO: 1000, MCX_COMM: 100, IDX_I: 10, NSE_EQ: 1300 }, prev)).toMatch(/2410 instruments against 1110 .*outside 50%-200%/);
    expect(sanityProblem({}, prev)).toBe('it holds no instruments');
    expect(sanityProblem({ NSE_FNO: 9_999 }, null)).toMatch(/only 9999 F&O/);
    expect(sanityProblem({ NSE_FNO: 9_000, BSE_FNO: 1_000 }, null)).toBeNull();
  });
});

describe('retrying later in the day', () => {
  /** Timers fired by hand: nothing runs beyond the test's control. */
  function handTimers() {
    const pending: Array<{ fn: () => void; ms: number }> = [];
    const timers: RetryTimers = {
      setTimeout: (fn, ms) => {
        const t = { fn, ms };
        pending.push(t);
        return t;
      },
      clearTimeout: (h) => {
        const i = pending.indexOf(h as (typeof pending)[number]);
        if (i >= 0) pending.splice(i, 1);
      },
    };
    return { pending, timers, fire: () => pending.shift()!.fn() };
  }

  it('backs off 5, 10, 20, 40, 40 min while refused, then picks up the good file once', async () => {
    await ensureDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-24') });
    mode = 'html';
    const clock = handTimers();
    const stale: Array<[string, number]> = [];
    const good: MasterDownloadResult[] = [];
    const retry = retryDailyMaster({ dataDir: dir, url, sanity, now: day('2026-11-25'), timers: clock.timers, onGood: (r) => void good.push(r), onStillStale: (w, next) => stale.push([w, next]) });
    const delays = [clock.pending[0]!.ms];
    for (let i = 1; i <= 4; i++) {
      clock.fire();
      await vi.waitFor(() => expect(stale).toHaveLength(i));
      delays.push(clock.pending[0]!.ms);
    }
    expect(delays).toEqual([5, 10, 20, 40, 40].map((m) => m * 60_000));
    expect(stale[0]![0]).toMatch(/from 2026-11-24: today's download was refused: .*not recognised/);
    mode = 'ok';
    clock.fire();
    await vi.waitFor(() => expect(good).toHaveLength(1));
    expect(good[0]).toMatchObject({ status: 'downloaded', date: '2026-11-25' });
    expect(clock.pending).toHaveLength(0);
    expect(requests).toBe(6);
    retry.dispose();
  });

  it('stops on dispose, with nothing left pending', () => {
    const clock = handTimers();
    const retry = retryDailyMaster({ dataDir: dir, url, sanity, timers: clock.timers, onGood: () => undefined });
    expect(clock.pending).toHaveLength(1);
    expect(clock.pending[0]!.ms).toBe(RETRY_DELAYS_MS[0]);
    retry.dispose();
    expect(clock.pending).toHaveLength(0);
    expect(requests).toBe(0);
  });
});
