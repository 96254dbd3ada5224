import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InstrumentRegistry } from './registry';
import { MasterParser, parseMasterStream } from './master-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, parseText, readExcerpt } from '../../../test/helpers/fixtures';

const HEADER =
  'SEM_EXM_EXCH_ID,SEM_SEGMENT,SEM_SMST_SECURITY_ID,SEM_INSTRUMENT_NAME,SEM_EXPIRY_CODE,SEM_TRADING_SYMBOL,SEM_LOT_UNITS,SEM_CUSTOM_SYMBOL,SEM_EXPIRY_DATE,SEM_STRIKE_PRICE,SEM_OPTION_TYPE,SEM_TICK_SIZE,SEM_EXPIRY_FLAG,SEM_EXCH_INSTRUMENT_TYPE,SEM_SERIES,SM_SYMBOL_NAME';
const RELIANCE = 'NSE,E,2885,EQUITY,0,RELIANCE,1.0,Reliance Industries,,,,10.0000,NA,ES,EQ,RELIANCE INDUSTRIES LTD';
const NIFTY_CE = 'NSE,D,42512,OPTIDX,0,NIFTY-Feb2026-25300-CE,65.0,NIFTY 10 FEB 25300 CALL,2026-02-10 14:30:00,25300.00000,CE,5.0000,W,OP,,';
const NIFTY_PE = 'NSE,D,42513,OPTIDX,0,NIFTY-Feb2026-25300-PE,65.0,NIFTY 10 FEB 25300 PUT,2026-02-10 14:30:00,25300.00000,PE,5.0000,W,OP,,';

describe('scrip master parser: bad input', () => {
  it('refuses an empty file with a clear error', () => {
    expect(() => parseText('')).toThrow(/empty/);
    expect(() => parseText('\n\n')).toThrow(/empty/);
  });

  it('refuses a header that is neither compact nor detailed', () => {
    expect(() => parseText('a,b,c\n1,2,3')).toThrow(expect.objectContaining({ code: 'MASTER_INVALID', message: expect.stringMatching(/not recognised/) }));
  });

  it('names the missing columns of a damaged header', () => {
    const header = HEADER.replace('SEM_STRIKE_PRICE,', '').replace('SEM_TICK_SIZE,', '');
    expect(() => parseText(`${header}\n`)).toThrow(/missing required columns: SEM_STRIKE_PRICE, SEM_TICK_SIZE/);
  });

  it('skips a non-numeric strike and counts it with its line number, keeping the good rows', () => {
    const bad = NIFTY_PE.replace('25300.00000', 'abc');
    const { report, table } = parseText([HEADER, RELIANCE, bad, NIFTY_CE].join('\n'));
    expect(report).toMatchObject({ rowsRead: 3, instruments: 2, skipped: 1, skippedReasons: { 'bad strike price': 1 } });
    expect(report.skippedSamples).toEqual([{ line: 3, reason: 'bad strike price' }]);
    expect(table.cols.tradingSymbol.toArray()).toEqual(['RELIANCE', 'NIFTY-Feb2026-25300-CE']);
  });

  it('skips a truncated last line and keeps everything before it', () => {
    const text = [HEADER, RELIANCE, NIFTY_CE, NIFTY_PE.slice(0, 40)].join('\n');
    const { report } = parseText(text);
    expect(report).toMatchObject({ rowsRead: 3, instruments: 2, skipped: 1 });
    expect(report.skippedReasons).toEqual({ 'too few fields (truncated row)': 1 });
    expect(report.skippedSamples[0]!.line).toBe(4);
  });

  it('skips duplicate rows and a reused id within one segment, keeping the first', () => {
    const reuse = NIFTY_PE.replace('42513', '42512');
    const { report, table } = parseText([HEADER, NIFTY_CE, NIFTY_CE, reuse].join('\n'));
    expect(report.instruments).toBe(1);
    expect(report.skippedReasons).toEqual({ 'duplicate row': 1, 'security id repeated within segment': 1 });
    expect(table.cols.optionType[0]).toBe(1);
  });

  it('counts every kind of malformed row by reason', () => {
    const rows = [
      NIFTY_CE.replace('NSE,D', 'XYZ,D'),
      NIFTY_CE.replace('42512', '-5'),
      NIFTY_CE.replace('OPTIDX', 'SWAPS'),
      NIFTY_CE.replace('65.0', 'lots'),
      NIFTY_CE.replace('2026-02-10 14:30:00', '2026-02-31 14:30:00'),
      NIFTY_CE.replace(',CE,', ',XX,'),
      NIFTY_CE.replace('5.0000', ''),
      `${NIFTY_CE},extra`,
    ];
    const { report } = parseText([HEADER, ...rows].join('\n'));
    expect(report.instruments).toBe(0);
    expect(report.skippedReasons).toEqual({
      'unknown exchange or segment': 1,
      'bad security id': 1,
      'unknown instrument type': 1,
      'bad lot size': 1,
      'bad expiry date': 1,
      'bad option type': 1,
      'bad tick size': 1,
      'too many fields': 1,
    });
  });

  it('accepts CRLF line endings, a BOM and blank lines', () => {
    const { report } = parseText(`\uFEFF${HEADER}\r\n${RELIANCE}\r\n\r\n${NIFTY_CE}\r\n`);
    expect(report).toMatchObject({ rowsRead: 2, instruments: 2, skipped: 0 });
  });

  it('parses quoted fields (the detailed file quotes names with commas) through csv-parse', () => {
    const quoted = RELIANCE.replace('RELIANCE INDUSTRIES LTD', '"RELIANCE INDUSTRIES, LTD"');
    const { table, report } = parseText([HEADER, quoted].join('\n'));
    expect(report.skipped).toBe(0);
    expect(table.cols.name.get(0)).toBe('RELIANCE INDUSTRIES, LTD');
    const broken = parseText([HEADER, RELIANCE.replace('Reliance Industries', '"Reliance')].join('\n'));
    expect(broken.report.skippedReasons).toEqual({ 'unbalanced quotes': 1 });
  });
});

describe('scrip master parser: text fields', () => {
  it('keeps non-ASCII names as text and trims spaces, a no-break space included', () => {
    const row = RELIANCE.replace('Reliance Industries', '\u00a0Société Générale ').replace('RELIANCE INDUSTRIES LTD', ' Ünïcode 💹 Ltd\t');
    const { table, report } = parseText([HEADER, row, NIFTY_CE].join('\n'));
    expect(report.skipped).toBe(0);
    expect(table.get(0)).toMatchObject({ displayName: 'Société Générale', name: 'Ünïcode 💹 Ltd', tradingSymbol: 'RELIANCE' });
    expect(table.get(1)).toMatchObject({ tradingSymbol: 'NIFTY-Feb2026-25300-CE', displayName: 'NIFTY 10 FEB 25300 CALL' });
  });

  it('refuses a symbol that is only spaces, and tells a repeat from a reused id by the trimmed symbol', () => {
    const blank = NIFTY_PE.replace('NIFTY-Feb2026-25300-PE', ' \u00a0 ');
    const repeat = NIFTY_CE.replace('NIFTY-Feb2026-25300-CE', ' NIFTY-Feb2026-25300-CE ');
    const { report } = parseText([HEADER, NIFTY_CE, blank, repeat].join('\n'));
    expect(report.skippedReasons).toEqual({ 'missing trading symbol': 1, 'duplicate row': 1 });
  });
});

describe('scrip master parser: lot sizes', () => {
  // Compact-format rows: a BSE bond whose lot is written 1.0E7, other exponent spellings, and
  // the lot sizes that must be refused (0, negative, fractional, past 2^53, overflowing).
  const cases = readFileSync(join(FIXTURES, 'scrip-master.lot-size-cases.csv'), 'utf8');

  it('accepts a lot size in exponent notation (BSE bond, 1.0E7 = 10,000,000)', () => {
    const reg = new InstrumentRegistry(parseText(cases), { now: () => Date.parse('2026-02-10T05:00:00Z') });
    expect(reg.get({ segment: 'BSE_EQ', securityId: 974301 })).toMatchObject({ tradingSymbol: '785RECL27', lotSize: 10_000_000 });
    expect(reg.get({ segment: 'BSE_EQ', securityId: 974302 })).toMatchObject({ lotSize: 1_000_000 });
    expect(reg.get({ segment: 'NSE_FNO', securityId: 52175 })).toMatchObject({ lotSize: 500, strike: 1400 });
  });

  it('skips a zero, negative, fractional, too-large or overflowing lot with a counted reason', () => {
    const { report } = parseText(cases);
    expect(report).toMatchObject({ rowsRead: 11, instruments: 3, skipped: 8 });
    expect(report.skippedReasons).toEqual({
      'lot size not a positive whole number': 4, // 0.0, -1.0, 1.5, 1.5E0
      'lot size out of range': 2, // 1.0E400 (Infinity), 1.0E16 (past 2^53)
      'bad lot size': 1, // 1.0E (no exponent digits)
      'bad strike price': 1, // strike 1.0E999 overflows
    });
    expect(report.skippedSamples.slice(0, 5)).toEqual([
      { line: 5, reason: 'lot size not a positive whole number' },
      { line: 6, reason: 'lot size not a positive whole number' },
      { line: 7, reason: 'lot size not a positive whole number' },
      { line: 8, reason: 'lot size not a positive whole number' },
      { line: 9, reason: 'lot size out of range' },
    ]);
  });

  it('refuses an inline 1.5 lot and accepts an inline 1.0E7 one', () => {
    const { report, table } = parseText([HEADER, RELIANCE.replace(',1.0,', ',1.5,'), RELIANCE.replace(',1.0,', ',1.0E7,')].join('\n'));
    expect(report.skippedReasons).toEqual({ 'lot size not a positive whole number': 1 });
    expect(Array.from(table.cols.lotSize)).toEqual([10_000_000]);
  });
});

describe('scrip master parser: formats and streaming', () => {
  it('gives the same result streamed in awkward chunks as parsed whole', async () => {
    const text = readExcerpt();
    const bytes = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 997) chunks.push(bytes.subarray(i, i + 997));
    const streamed = await parseMasterStream(Readable.from(chunks));
    const whole = parseText(text);
    expect(streamed.report).toEqual(whole.report);
    expect(streamed.table.cols.tradingSymbol.toArray()).toEqual(whole.table.cols.tradingSymbol.toArray());
    expect(Array.from(streamed.table.cols.strike)).toEqual(Array.from(whole.table.cols.strike));
  });

  it('refuses to take more data after end', () => {
    const p = new MasterParser();
    p.push(Buffer.from(`${HEADER}\n${RELIANCE}`));
    p.end();
    expect(() => p.push(Buffer.from('x'))).toThrow(/after end/);
  });

  it('reads the detailed format by header name, whatever the column order', () => {
    const header =
      'EXCH_ID,SEGMENT,SECURITY_ID,ISIN,INSTRUMENT,UNDERLYING_SECURITY_ID,UNDERLYING_SYMBOL,SYMBOL_NAME,DISPLAY_NAME,INSTRUMENT_TYPE,SERIES,LOT_SIZE,SM_EXPIRY_DATE,STRIKE_PRICE,OPTION_TYPE,TICK_SIZE,EXPIRY_FLAG,MTF_LEVERAGE,';
    const rows = [
      'NSE,E,2885,INE002A01018,EQUITY,,RELIANCE,RELIANCE INDUSTRIES LTD,Reliance Industries,ES,EQ,1.0,,,,10.0000,NA,5.0,',
      'NSE,I,13,NA,INDEX,13,NIFTY,Nifty 50,Nifty 50,INDEX,X,1.0,0001-01-01,,XX,0.0500,,,',
      'NSE,D,42512,NA,OPTIDX,26000,NIFTY,NIFTY-Feb2026-25300-CE,NIFTY 10 FEB 25300 CALL,OP,NA,65.0,2026-02-10,25300.00000,CE,5.0000,W,,',
    ];
    const reg = new InstrumentRegistry(parseText([header, ...rows].join('\n')));
    expect(reg.report).toMatchObject({ format: 'detailed', skipped: 0, instruments: 3 });
    expect(reg.get({ segment: 'NSE_EQ', securityId: 2885 })).toMatchObject({ tradingSymbol: 'RELIANCE', name: 'RELIANCE INDUSTRIES LTD' });
    const ce = reg.get({ segment: 'NSE_FNO', securityId: 42512 })!;
    expect(ce).toMatchObject({ tradingSymbol: 'NIFTY-Feb2026-25300-CE', underlying: 'NIFTY', expiry: '2026-02-10', strike: 25300, tickSize: 0.05 });
    expect(reg.underlyingOf(ce)).toMatchObject({ segment: 'IDX_I', securityId: 13 });
  });
});

describe('scrip master parser: over-long lines', () => {
  /** `text` cut into chunks of `size` bytes, as a download delivers it. */
  function chunked(text: Buffer, size: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.subarray(i, i + size));
    return out;
  }
  const HUGE = 'NSE,D,1,OPTIDX,0,' + 'X'.repeat(4 << 20); // a 4 MB line (the old parser re-joined it on every chunk)

  it('refuses a 4 MB line with a reason, streamed in small chunks, and parses the rows after it', async () => {
    const text = Buffer.from([HEADER, RELIANCE, HUGE, NIFTY_CE, NIFTY_PE].join('\n'));
    const { report, table } = await parseMasterStream(Readable.from(chunked(text, 16 << 10)));
    expect(report).toMatchObject({ rowsRead: 4, instruments: 3, skipped: 1, skippedReasons: { 'line longer than 64 KB': 1 } });
    expect(report.skippedSamples).toEqual([{ line: 3, reason: 'line longer than 64 KB' }]);
    expect(table.cols.tradingSymbol.toArray()).toEqual(['RELIANCE', 'NIFTY-Feb2026-25300-CE', 'NIFTY-Feb2026-25300-PE']);
  });

  it('refuses the same line held in one buffer, and as the unterminated last line', async () => {
    expect(parseText([HEADER, HUGE, NIFTY_CE].join('\n')).report).toMatchObject({ instruments: 1, skippedReasons: { 'line longer than 64 KB': 1 } });
    const last = await parseMasterStream(Readable.from(chunked(Buffer.from([HEADER, NIFTY_CE, HUGE].join('\n')), 64 << 10)));
    expect(last.report).toMatchObject({ rowsRead: 2, instruments: 1, skippedSamples: [{ line: 3, reason: 'line longer than 64 KB' }] });
  });

  it('refuses a file whose first line is over-long: it is not a master', async () => {
    const html = Buffer.from(`<html>${'<p>error</p>'.repeat(10_000)}</html>\n${NIFTY_CE}`);
    await expect(parseMasterStream(Readable.from(chunked(html, 8 << 10)))).rejects.toMatchObject({ code: 'MASTER_INVALID', message: expect.stringMatching(/header \(line 1\) is longer than 64 KB/) });
  });

  it('still joins an ordinary row split across many tiny chunks', async () => {
    const text = Buffer.from([HEADER, RELIANCE, NIFTY_CE].join('\r\n'));
    const { report } = await parseMasterStream(Readable.from(chunked(text, 3)));
    expect(report).toMatchObject({ rowsRead: 2, instruments: 2, skipped: 0 });
  });
});
