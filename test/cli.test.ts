import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main';
import { REAL_EXCERPT } from './helpers/fixtures';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

describe('strikedesk CLI on the real excerpt', () => {
  it('master inspect --json reports rows, segments, kinds and load time', async () => {
    const { code, out } = await cli('master', 'inspect', REAL_EXCERPT, '--json');
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ rowsRead: 299, instruments: 299, skipped: 0, skippedReasons: {} });
    expect(r.bySegment).toMatchObject({ NSE_FNO: 148, IDX_I: 12, MCX_COMM: 76, NSE_EQ: 15 });
    expect(r.byKind).toMatchObject({ OPTIDX: 100, INDEX: 12, FUTCOM: 30 });
    expect(typeof r.loadMs).toBe('number');
  });

  it('chain --json gives step, ATM and CE/PE ids', async () => {
    const { code, out } = await cli('chain', 'RELIANCE', '--ltp', '1423', '--as-of', '2026-02-10', '--master', REAL_EXCERPT, '--json');
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ symbol: 'RELIANCE', expiry: '2026-02-24', ltp: 1423, step: 10, atm: 1420 });
    expect(r.strikes.find((s: { strike: number }) => s.strike === 1420)).toEqual({
      strike: 1420,
      ce: { segment: 'NSE_FNO', securityId: 131525 },
      pe: { segment: 'NSE_FNO', securityId: 131526 },
    });
  });

  it('chain prints a readable table without --json', async () => {
    const { code, out } = await cli('chain', 'NIFTY', '--ltp', '25420', '--as-of', '2026-02-10', '--master', REAL_EXCERPT);
    expect(code).toBe(0);
    expect(out).toMatch(/NIFTY 2026-02-10 \(NSE_FNO, lot 65\): LTP 25420, step 50, ATM 25400/);
    expect(out).toMatch(/42518\s+25400 ATM\s+42519/);
  });

  it('search --json returns the documented fields', async () => {
    const { code, out } = await cli('search', 'nifty', '25300', 'ce', '--as-of', '2026-02-10', '--master', REAL_EXCERPT, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)[0]).toEqual({
      symbol: 'NIFTY',
      tradingSymbol: 'NIFTY-Feb2026-25300-CE',
      segment: 'NSE_FNO',
      securityId: 42512,
      kind: 'OPTIDX',
      expiry: '2026-02-10',
      strike: 25300,
      optionType: 'CE',
    });
  });

  it('explains mistakes: usage errors exit 2, bad input exits 1 with the reason', async () => {
    expect(await cli('frobnicate')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command/) });
    expect(await cli('chain', 'NIFTY', '--master', REAL_EXCERPT)).toMatchObject({ code: 2, err: expect.stringMatching(/--ltp/) });
    expect(await cli('search', 'x', '--bogus')).toMatchObject({ code: 2 });
    expect(await cli('master', 'inspect', '/nonexistent/master.csv')).toMatchObject({ code: 1, err: expect.stringMatching(/not found/) });
    expect(await cli('chain', 'NOPE', '--ltp', '10', '--master', REAL_EXCERPT)).toMatchObject({ code: 1, err: expect.stringMatching(/unknown symbol "NOPE" \[UNKNOWN_SYMBOL\]/) });
    expect(await cli('chain', 'NIFTY', '--ltp', 'abc', '--as-of', '2026-02-10', '--master', REAL_EXCERPT)).toMatchObject({ code: 1, err: expect.stringMatching(/LTP/) });
  });
});
