import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkMasterFile, loadRegistry, SNAPSHOT_FILE } from './load-registry';
import { readSnapshot } from './snapshot';
import { REAL_EXCERPT } from '../../../test/helpers/fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strikedesk-reg-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loading with the warm-start snapshot', () => {
  it('parses the CSV once, then restarts from the snapshot with identical answers', () => {
    const master = join(dir, 'master.csv');
    copyFileSync(REAL_EXCERPT, master);
    const cache = join(dir, 'cache');
    const cold = loadRegistry({ masterPath: master, cacheDir: cache });
    expect(cold.source).toBe('csv');
    const warm = loadRegistry({ masterPath: master, cacheDir: cache });
    expect(warm.source).toBe('snapshot');
    expect(warm.sha1).toBe(cold.sha1);
    expect(warm.registry.report).toEqual(cold.registry.report);
    for (let r = 0; r < cold.registry.size; r++) expect(warm.registry.table.get(r)).toEqual(cold.registry.table.get(r));
    const ref = { segment: 'NSE_FNO' as const, securityId: 42512 };
    expect(warm.registry.get(ref)).toEqual(cold.registry.get(ref));
    const chain = { symbol: 'RELIANCE', ltp: 1423, asOf: '2026-02-10' };
    expect(warm.registry.optionChain(chain)).toEqual(cold.registry.optionChain(chain));
    expect(warm.search.search('nifty 25300 ce', { asOf: '2026-02-10' })).toEqual(cold.search.search('nifty 25300 ce', { asOf: '2026-02-10' }));
  });

  it('re-parses when the master changes, and never trusts a snapshot of another master', () => {
    const master = join(dir, 'master.csv');
    copyFileSync(REAL_EXCERPT, master);
    const cache = join(dir, 'cache');
    const first = loadRegistry({ masterPath: master, cacheDir: cache });
    const lines = readFileSync(REAL_EXCERPT, 'utf8').split('\n');
    writeFileSync(master, lines.slice(0, 100).join('\n'));
    utimesSync(master, new Date(), new Date(Date.now() + 5000));
    const second = loadRegistry({ masterPath: master, cacheDir: cache });
    expect(second.source).toBe('csv');
    expect(second.registry.size).toBe(99);
    expect(readSnapshot(join(cache, SNAPSHOT_FILE), first.sha1)).toBeNull();
  });

  it('ignores a damaged snapshot and parses the CSV', () => {
    const master = join(dir, 'master.csv');
    copyFileSync(REAL_EXCERPT, master);
    const cache = join(dir, 'cache');
    const cold = loadRegistry({ masterPath: master, cacheDir: cache });
    const snap = join(cache, SNAPSHOT_FILE);
    const bytes = readFileSync(snap);
    writeFileSync(snap, bytes.subarray(0, bytes.length >> 1));
    const again = loadRegistry({ masterPath: master, cacheDir: cache, sha1: cold.sha1 });
    expect(again.source).toBe('csv');
    expect(again.registry.size).toBe(299);
  });

  it('says clearly when the master file does not exist', () => {
    expect(() => loadRegistry({ masterPath: join(dir, 'missing.csv') })).toThrow(/scrip master not found/);
  });

  it('refuses by name a master with no instruments: CR-only line endings, a bare header, every row skipped', () => {
    const lines = readFileSync(REAL_EXCERPT, 'utf8').split('\n');
    const cases: Array<[string, string, RegExp]> = [
      ['cr-only.csv', lines.slice(0, 20).join('\r'), /no data rows after the header .*CR alone/],
      ['header-only.csv', `${lines[0]}\n`, /no data rows/],
      ['all-bad.csv', [lines[0], 'XYZ,D,1,OPTIDX,0,A,1.0,A,,,,5.0,,,,', 'XYZ,D,2,OPTIDX,0,B,1.0,B,,,,5.0,,,,'].join('\n'), /all 2 rows were skipped \(unknown exchange or segment: 2\)/],
    ];
    for (const [name, text, why] of cases) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const cache = join(dir, 'cache');
      for (const load of [() => loadRegistry({ masterPath: path, cacheDir: cache }), () => checkMasterFile({ masterPath: path, cacheDir: cache })]) {
        expect(load).toThrow(expect.objectContaining({ code: 'MASTER_INVALID', message: expect.stringContaining(path) }));
        expect(load).toThrow(why);
      }
    }
  });

  it('names the file when its header is not a master\'s (an HTML error page)', () => {
    const path = join(dir, 'error.csv');
    writeFileSync(path, '<html><body>503 Service Unavailable</body></html>\n');
    expect(() => loadRegistry({ masterPath: path })).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: scrip master header is not recognised`));
  });

  it('checks a good master and leaves the snapshot for a warm load', () => {
    const master = join(dir, 'master.csv');
    copyFileSync(REAL_EXCERPT, master);
    const cache = join(dir, 'cache');
    expect(checkMasterFile({ masterPath: master, cacheDir: cache }).instruments).toBe(299);
    expect(loadRegistry({ masterPath: master, cacheDir: cache }).source).toBe('snapshot');
  });
});
