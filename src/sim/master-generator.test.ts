import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dayOfWeek, isTradingDay, previousTradingDay, WEEKDAY } from '../shared/market-calendar';
import { DEFAULT_MASTER_ROWS, generateMaster, type MasterOptions } from './master-generator';
import { FNO_STOCKS, INDEX_DERIVATIVES, INDICES, indexBySymbol } from './universe';

const FIXTURE = readFileSync(new URL('../../test/fixtures/api-scrip-master.excerpt-300.csv', import.meta.url), 'utf8');
const AS_OF = '2026-02-10';

const cache = new Map<string, string>();
function master(options: MasterOptions): string {
  const key = JSON.stringify(options);
  let text = cache.get(key);
  if (text === undefined) {
    text = generateMaster(options);
    cache.set(key, text);
  }
  return text;
}

type Row = string[];
function dataRows(text: string): Row[] {
  return text.split('\n').slice(1).map((line) => line.split(','));
}

const SEGMENT: Readonly<Record<string, string>> = {
  'NSE,E': 'NSE_EQ', 'BSE,E': 'BSE_EQ', 'NSE,I': 'IDX_I', 'BSE,I': 'IDX_I', 'NSE,D': 'NSE_FNO', 'BSE,D': 'BSE_FNO',
  'NSE,C': 'NSE_CURRENCY', 'BSE,C': 'BSE_CURRENCY', 'MCX,M': 'MCX_COMM', 'NSE,M': 'NSE_COMM',
};
const segmentOf = (r: Row): string => SEGMENT[`${r[0]},${r[1]}`] ?? `unknown ${r[0]},${r[1]}`;
const kindOf = (r: Row): string => `${r[0]},${r[1]},${r[3]}`;
const expiryDate = (r: Row): string => (r[8] ?? '').slice(0, 10);
const strike = (r: Row): number => Number(r[9]);
/** Underlying of a derivative's trading symbol (`BAJAJ-AUTO-Feb2026-FUT` -> `BAJAJ-AUTO`). */
const EXPIRY_IN_SYMBOL = /-(\d{2})?[A-Z][a-z]{2}\d{4}-.*$/;
const rootOf = (symbol: string): string => symbol.replace(EXPIRY_IN_SYMBOL, '');

/** Nearest-expiry strikes of an underlying's options, ascending, after checking each has a CE and a PE. */
function nearestChain(rows: readonly Row[], exchange: string, root: string): { expiry: string; strikes: number[] } {
  const options = rows.filter((r) => r[0] === exchange && r[1] === 'D' && rootOf(r[5] ?? '') === root && (r[10] === 'CE' || r[10] === 'PE'));
  const expiry = options.map(expiryDate).sort()[0] ?? '';
  const nearest = options.filter((r) => expiryDate(r) === expiry);
  const ce = nearest.filter((r) => r[10] === 'CE').map(strike).sort((a, b) => a - b);
  const pe = nearest.filter((r) => r[10] === 'PE').map(strike).sort((a, b) => a - b);
  expect(pe).toEqual(ce);
  return { expiry, strikes: ce };
}

/** Number of consecutive strikes `step` apart found around `centre` (the ladder's near band). */
function nearBand(strikes: readonly number[], centre: number, step: number): number {
  const have = new Set(strikes);
  const atm = Math.round(centre / step) * step;
  let n = have.has(atm) ? 1 : 0;
  for (let k = atm - step; have.has(k); k -= step) n += 1;
  for (let k = atm + step; have.has(k); k += step) n += 1;
  return n;
}

/** Format signature of a row: what must look exactly like the real file for its kind. */
function signature(r: Row): string {
  const shape = (s: string): string => s.replace(/\d+(\.\d+)?/g, '9');
  // Numeric columns keep their decimal places: `25300.00000` -> `N.ddddd`.
  const number = (s: string): string => s.replace(/\d+/, 'N').replace(/\d/g, 'd');
  const symbolTail = /-(\d{2})?[A-Z][a-z]{2}\d{4}-.*$/.exec(r[5] ?? '')?.[0] ?? '';
  const displayTail = (r[7] ?? '').replace(/^\S+/, '');
  const derivative = r[1] !== 'E' && r[1] !== 'I';
  return [
    r[4], number(r[6] ?? ''), (r[8] ?? '').replace(/^\d{4}-\d{2}-\d{2}/, 'D'), r[9] === '-0.01000' ? 'neg' : number(r[9] ?? ''),
    r[10] === 'CE' || r[10] === 'PE' ? 'CE|PE' : r[10], number(r[11] ?? ''), derivative ? r[13] : 'type', derivative ? r[14] : 'series',
    r[15] === '' ? 'blank' : 'named',
    derivative ? shape(symbolTail.replace(/[A-Z][a-z]{2}/g, 'Mmm').replace(/-(CE|PE)$/, '-XE')) : '',
    derivative ? shape(displayTail.replace(/\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\b/g, 'MMM').replace(/ (CALL|PUT)$/, ' X')) : '',
  ].join('|');
}

describe('generateMaster determinism', () => {
  it('gives byte-identical output for the same options and different output for another seed', () => {
    const a = generateMaster({ asOf: AS_OF, rows: 20_000, seed: 7 });
    expect(generateMaster({ asOf: AS_OF, rows: 20_000, seed: 7 })).toBe(a);
    expect(generateMaster({ asOf: AS_OF, rows: 20_000, seed: 8 })).not.toBe(a);
  });
});

describe('generateMaster shape', () => {
  const text = master({ asOf: AS_OF, rows: 20_000 });

  it('has the real header, LF endings, no BOM, no quotes and no trailing newline', () => {
    expect(text.split('\n')[0]).toBe(FIXTURE.split('\n')[0]);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    expect(text.endsWith('\n')).toBe(false);
    expect(text).not.toMatch(/["\r]/);
    for (const r of dataRows(text)) expect(r.length).toBe(16);
  });

  it.each([20_000, 60_000])('comes within 10%% of %i requested rows', (rows) => {
    const n = dataRows(master({ asOf: AS_OF, rows })).length;
    expect(Math.abs(n - rows) / rows).toBeLessThanOrEqual(0.1);
  });

  it('has every kind of row at 20k rows, formatted like the real excerpt', () => {
    const rows = dataRows(text);
    const real = new Map<string, Set<string>>();
    for (const r of dataRows(FIXTURE.trimEnd())) real.set(kindOf(r), (real.get(kindOf(r)) ?? new Set()).add(signature(r)));
    const kinds = new Set(rows.map(kindOf));
    expect([...kinds].sort()).toEqual([
      'BSE,C,FUTCUR', 'BSE,C,OPTCUR', 'BSE,D,FUTIDX', 'BSE,D,FUTSTK', 'BSE,D,OPTIDX', 'BSE,D,OPTSTK', 'BSE,E,EQUITY', 'BSE,I,INDEX',
      'MCX,M,FUTCOM', 'MCX,M,FUTIDX', 'MCX,M,OPTFUT', 'MCX,M,OPTIDX', 'NSE,C,FUTCUR', 'NSE,C,OPTCUR', 'NSE,D,FUTIDX', 'NSE,D,FUTSTK',
      'NSE,D,OPTIDX', 'NSE,D,OPTSTK', 'NSE,E,EQUITY', 'NSE,I,INDEX', 'NSE,M,OPTFUT',
    ]);
    const mismatched = rows.filter((r) => {
      const allowed = real.get(kindOf(r));
      return r[1] !== 'E' && allowed !== undefined && !allowed.has(signature(r));
    });
    expect(mismatched.slice(0, 3).map((r) => r.join(','))).toEqual([]);
    for (const r of rows.filter((x) => x[1] === 'E')) {
      expect(r.slice(8, 11)).toEqual(['', '', '']);
      expect(r[6]).toMatch(/^\d+\.0$/);
      expect(r[11]).toMatch(/^\d+\.\d{4}$/);
      expect(r[12]).toBe('NA');
    }
    expect(rows.every((r) => ['M', 'W', 'Q', 'H', 'NA', ''].includes(r[12] ?? '?'))).toBe(true);
  });

  it('comes within 10% of the default size', () => {
    const n = dataRows(master({ asOf: AS_OF })).length;
    expect(Math.abs(n - DEFAULT_MASTER_ROWS) / DEFAULT_MASTER_ROWS).toBeLessThanOrEqual(0.1);
  });
});

describe('generateMaster facts', () => {
  const text = master({ asOf: AS_OF, rows: 20_000 });
  const rows = dataRows(text);
  const lines = new Set(text.split('\n'));

  it('lists the real index and stock rows', () => {
    expect(lines).toContain('NSE,I,13,INDEX,0,NIFTY,1.0,Nifty 50,0001-01-01,,XX,0.0500,,INDEX,X,NIFTY');
    expect(lines).toContain('NSE,I,25,INDEX,0,BANKNIFTY,1.0,Nifty Bank,0001-01-01,,XX,0.0500,,INDEX,X,BANKNIFTY');
    expect(lines).toContain('NSE,I,27,INDEX,0,FINNIFTY,1.0,Finnifty,0001-01-01,,XX,0.0500,,INDEX,X,FINNIFTY');
    expect(lines).toContain('NSE,I,442,INDEX,0,MIDCPNIFTY,1.0,Nifty Midcap Select,0001-01-01,,XX,0.0500,,INDEX,X,MIDCPNIFTY');
    expect(lines).toContain('BSE,I,51,INDEX,0,SENSEX,1.0,Sensex,0001-01-01,,XX,0.0100,,INDEX,X,SENSEX');
    expect(lines).toContain('BSE,I,69,INDEX,0,BANKEX,1.0,BSE BANKEX,0001-01-01,,XX,0.0100,,INDEX,X,BANKEX');
    expect(lines).toContain('NSE,E,2885,EQUITY,0,RELIANCE,1.0,Reliance Industries,,,,10.0000,NA,ES,EQ,RELIANCE INDUSTRIES LTD');
    expect(rows.some((r) => r[0] === 'NSE' && r[1] === 'E' && r[5] === '011NSETEST')).toBe(true);
  });

  it('lists every named index and F&O stock even in a small master', () => {
    const indexIds = new Set(rows.filter((r) => r[1] === 'I').map((r) => `${r[5]}:${r[2]}`));
    for (const i of INDICES) expect(indexIds).toContain(`${i.symbol}:${i.securityId}`);
    const futures = new Set(rows.filter((r) => r[0] === 'NSE' && r[3] === 'FUTSTK').map((r) => rootOf(r[5] ?? '')));
    const equities = new Set(rows.filter((r) => r[0] === 'NSE' && r[1] === 'E').map((r) => `${r[5]}:${r[2]}`));
    for (const s of FNO_STOCKS) {
      expect(futures).toContain(s.symbol);
      expect(equities).toContain(`${s.symbol}:${s.nseId}`);
    }
  });

  it('gives NIFTY options lot 65 and tick 5.0000 (₹0.05)', () => {
    const nifty = rows.filter((r) => r[0] === 'NSE' && r[3] === 'OPTIDX' && r[5]?.startsWith('NIFTY-'));
    expect(nifty.length).toBeGreaterThan(0);
    for (const r of nifty) expect([r[6], r[11]]).toEqual(['65.0', '5.0000']);
  });

  it('expires NSE derivatives on Tuesdays, moved to the previous trading day when Tuesday is a holiday', () => {
    const dates = new Set(rows.filter((r) => r[0] === 'NSE' && r[1] === 'D').map(expiryDate));
    for (const date of dates) {
      if (dayOfWeek(date) === WEEKDAY.TUESDAY) continue;
      const tuesday = [1, 2, 3, 4, 5, 6].map((n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10))
        .find((d) => dayOfWeek(d) === WEEKDAY.TUESDAY) ?? '';
      expect(isTradingDay('NSE', tuesday), `${date} is not a Tuesday`).toBe(false);
      expect(previousTradingDay('NSE', tuesday)).toBe(date);
    }
    // Holi (Tue 3 Mar 2026) moves the weekly to Monday 2 Mar; Mahavir Jayanti (Tue 31 Mar) the monthly to 30 Mar.
    expect(dates).toContain('2026-03-02');
    expect(dates).toContain('2026-03-30');
    expect(dates).not.toContain('2026-03-03');
    expect(dates).not.toContain('2026-03-31');
  });

  it('expires SENSEX weeklies on Thursdays and moves the March monthly to Wednesday 25th (Ram Navami)', () => {
    const sensex = rows.filter((r) => r[0] === 'BSE' && r[3] === 'OPTIDX' && r[5]?.startsWith('SENSEX-'));
    const weekly = new Set(sensex.filter((r) => r[12] === 'W').map(expiryDate));
    expect(weekly.size).toBe(4);
    for (const date of weekly) expect(dayOfWeek(date)).toBe(WEEKDAY.THURSDAY);
    expect(new Set(sensex.map(expiryDate))).toContain('2026-03-25');
  });

  it('has only live contracts except the deliberately expired currency rows', () => {
    const expired = rows.filter((r) => r[1] !== 'E' && r[1] !== 'I' && expiryDate(r) < AS_OF);
    expect(expired.length).toBeGreaterThan(100);
    expect(new Set(expired.map((r) => r[1]))).toEqual(new Set(['C']));
  });

  it('keeps (segment, id) unique but reuses ids across segments', () => {
    const seen = new Set<string>();
    const segmentsById = new Map<string, Set<string>>();
    for (const r of rows) {
      const key = `${segmentOf(r)}:${r[2]}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      segmentsById.set(r[2] ?? '', (segmentsById.get(r[2] ?? '') ?? new Set()).add(segmentOf(r)));
    }
    expect([...segmentsById.values()].some((s) => s.size > 1)).toBe(true);
  });

  it.each([
    ['NSE', 'NIFTY', 50], ['NSE', 'BANKNIFTY', 100], ['NSE', 'FINNIFTY', 50], ['NSE', 'MIDCPNIFTY', 25],
    ['BSE', 'SENSEX', 100], ['BSE', 'BANKEX', 100],
  ])('lists at least 101 strikes %s %s apart by %i in the nearest expiry', (exchange, root, step) => {
    const spec = INDEX_DERIVATIVES.find((d) => d.root === root);
    const { strikes } = nearestChain(rows, exchange, root);
    expect(nearBand(strikes, indexBySymbol(spec?.index ?? root).price, step)).toBeGreaterThanOrEqual(101);
  });

  it('spaces NIFTY strikes 50 apart within ±2,500 of the money and 100 apart beyond', () => {
    const { strikes } = nearestChain(dataRows(master({ asOf: AS_OF })), 'NSE', 'NIFTY');
    expect(strikes.length).toBeGreaterThan(150);
    for (let i = 1; i < strikes.length; i += 1) {
      const gap = (strikes[i] ?? 0) - (strikes[i - 1] ?? 0);
      const middle = (strikes[i] ?? 0) - gap / 2;
      expect(gap, `gap below ${strikes[i]}`).toBe(Math.abs(middle - 25_800) < 2_500 ? 50 : 100);
    }
  });

  it('gives stock chains at least 25 near strikes (RELIANCE 10 apart, TCS 20, IDEA 1)', () => {
    for (const [symbol, step] of [['RELIANCE', 10], ['TCS', 20], ['IDEA', 1]] as const) {
      const stock = FNO_STOCKS.find((s) => s.symbol === symbol);
      const { strikes } = nearestChain(rows, 'NSE', symbol);
      expect(nearBand(strikes, stock?.price ?? 0, step)).toBeGreaterThanOrEqual(25);
    }
  });
});
