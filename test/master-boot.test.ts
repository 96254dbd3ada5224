import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootEngine } from '../src/host/engine-boot';
import { REAL_EXCERPT } from './helpers/fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'strikedesk-master-boot-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The excerpt with CR-only line endings: it reads as one header line, 0 rows, 0 skipped. */
function crOnlyMaster(): string {
  const path = join(dir, 'cr-only.csv');
  writeFileSync(path, readFileSync(REAL_EXCERPT, 'utf8').split('\n').slice(0, 50).join('\r'));
  return path;
}

describe('a master with no instruments is refused by name at start-up', () => {
  it('in simulator mode, before the simulator starts', async () => {
    const master = crOnlyMaster();
    const lines: string[] = [];
    await expect(bootEngine({ dataDir: join(dir, 'data'), credentials: null, master, log: (l) => lines.push(l) })).rejects.toMatchObject({
      code: 'MASTER_INVALID',
      message: expect.stringMatching(new RegExp(`scrip master ${master.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has no instruments: no data rows after the header`)),
    });
    expect(lines.some((l) => l.startsWith('mode:'))).toBe(false);
  });

  it('in live mode with a fixed master, before anything connects', async () => {
    const master = crOnlyMaster();
    const lines: string[] = [];
    await expect(
      bootEngine({ dataDir: join(dir, 'data'), credentials: { clientId: 'c1', token: 't1' }, master, feedUrl: 'ws://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9', log: (l) => lines.push(l) }),
    ).rejects.toMatchObject({ code: 'MASTER_INVALID', message: expect.stringContaining(`${master} has no instruments`) });
    expect(lines.some((l) => l.startsWith('mode:'))).toBe(false);
  });
});
