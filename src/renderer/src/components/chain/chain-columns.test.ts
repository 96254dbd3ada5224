import type { ColDef, ColGroupDef, ValueFormatterParams } from 'ag-grid-community';
import { describe, expect, it } from 'vitest';
import type { IvReason } from '../../../../shared/analytics';
import { DEFAULT_LAYOUT } from '../../state/layout-storage';
import { CELL_TEXT, chainColumns, chainRowClassRules, columnId, DEFAULT_HIDDEN, METRICS, type Metric } from './chain-columns';
import type { ChainLeg, ChainRow } from './chain-model';
import { leg as tradedLeg, untradedLeg } from './chain-test-data';

/** The widest values a leg shows in practice, per metric (index chains in crores, deep ITM premiums, 1-day thetas). */
const EXTREMES: Record<Metric, (number | null)[]> = {
  oi: [1_01_88_888, 9_99_99_999, 12_34_56_78_900, 0],
  oi_change: [-12_34_567, 99_99_999, -1_23_45_678, 4_875],
  volume: [5_43_21_000, 99_99_999, 12_34_56_78_900],
  ltp: [12_857.45, 2_857.45, 0.05, 1_23_456.78],
  change: [-1_234.5, 12_345.67, -311.55],
  bid: [12_857.45, 2_857.45],
  ask: [12_857.45, 2_857.45],
  iv: [2.5, 0.1432, null],
  delta: [-0.5, 1],
  gamma: [0.0012, 0.0000825],
  theta: [-123.45, -12.34],
  vega: [123.45, 12.34],
};
const IV_REASONS: IvReason[] = ['no-price', 'no-forward', 'expired', 'below-intrinsic', 'no-time-value', 'above-max', 'bad-input', 'no-trade-today'];

function leafColumns(): ColDef<ChainRow>[] {
  const out: ColDef<ChainRow>[] = [];
  for (const c of chainColumns(new Set())) {
    if ('children' in c) out.push(...((c as ColGroupDef<ChainRow>).children as ColDef<ChainRow>[]));
    else out.push(c);
  }
  return out;
}

function format(col: ColDef<ChainRow>, value: number | null, ivReason: IvReason | null = null): string {
  const leg = { iv: value, iv_reason: ivReason };
  const params = { value, data: { ce: leg, pe: leg } } as unknown as ValueFormatterParams<ChainRow, number | null>;
  const f = col.valueFormatter as (p: ValueFormatterParams<ChainRow, number | null>) => string;
  return f(params);
}

describe('chain columns at their minimum width', () => {
  it('show every realistic value whole: no number is cut by the cell edge', () => {
    const cols = new Map(leafColumns().map((c) => [c.colId, c]));
    for (const side of ['ce', 'pe'] as const) {
      for (const metric of METRICS) {
        const col = cols.get(columnId(side, metric))!;
        const texts = EXTREMES[metric].map((v) => format(col, v));
        if (metric === 'iv') texts.push(...IV_REASONS.map((r) => format(col, null, r)));
        for (const text of texts) {
          const px = text.length * CELL_TEXT.charPx + CELL_TEXT.insetPx;
          expect(px, `${side} ${metric}: "${text}" needs ${px.toFixed(1)} px of ${col.minWidth}`).toBeLessThanOrEqual(col.minWidth!);
        }
      }
    }
  });

  it('fit a 1600 px window with the default panels: calls, strike and puts with IV, greeks hidden', () => {
    const hidden = new Set<Metric>(DEFAULT_HIDDEN);
    const visible = leafColumns().filter((c) => !hidden.has(c.colId!.replace(/^(ce|pe)_/, '') as Metric));
    expect(visible).toHaveLength(17);
    const total = visible.reduce((sum, c) => sum + c.minWidth!, 0);
    // Less the side panels, two 4 px splitters, the grid's 1 px borders and the 8 px scrollbar (measured in Chromium).
    expect(total).toBeLessThanOrEqual(1600 - DEFAULT_LAYOUT.sidebar - DEFAULT_LAYOUT.status - 8 - 2 - 8);
  });
});

describe('honest cells', () => {
  const cols = new Map(leafColumns().map((c) => [c.colId, c]));
  const row = (ce: ChainLeg, over: Partial<ChainRow> = {}): ChainRow =>
    ({ strike: 25_500, ceToken: 'a', peToken: 'b', ce, pe: tradedLeg(25_500), atm: false, nearest: false, ceItm: false, peItm: false, ...over }) as ChainRow;
  /** What the grid shows in a cell: its text, its classes (from the rules) and its title. */
  function shown(colId: string, data: ChainRow): { text: string; classes: string[]; title: string | undefined } {
    const col = cols.get(colId)!;
    const getter = col.valueGetter as ((p: { data: ChainRow }) => number | null) | undefined;
    const value = getter ? getter({ data }) : (data[col.field as keyof ChainRow] as number);
    const params = { value, data } as unknown as ValueFormatterParams<ChainRow, number | null>;
    const text = (col.valueFormatter as (p: ValueFormatterParams<ChainRow, number | null>) => string)(params);
    const rules = (col.cellClassRules ?? {}) as Record<string, (p: unknown) => boolean>;
    const classes = Object.entries(rules).filter(([, rule]) => rule(params)).map(([name]) => name);
    const title = (col.tooltipValueGetter as ((p: unknown) => string | undefined) | undefined)?.(params);
    return { text, classes, title };
  }

  it('an untraded leg shows its previous close in the LTP cell, marked, with an empty change', () => {
    const data = row(untradedLeg(25_500, 1_234.5));
    expect(shown('ce_ltp', data)).toEqual({ text: '1,234.50', classes: ['chain-untraded'], title: 'No trade today: previous close (last trade 30 Nov 16:25:00 IST)' });
    expect(shown('ce_change', data).text).toBe('');
    expect(shown('ce_iv', data)).toMatchObject({ text: 'no trd', classes: ['chain-no-iv'] });
    // Never traded at all: the title says so.
    expect(shown('ce_ltp', row(untradedLeg(25_500, 3, { last_trade_time: null }))).title).toBe('No trade today: previous close (no trade known)');
    // No previous close either: nothing to show.
    expect(shown('ce_ltp', row(untradedLeg(25_500, 3, { prev_close: null }))).text).toBe('—');
  });

  it('numbers are right-aligned: the side classes keep the rightAligned type\'s class', () => {
    for (const [id, col] of cols) if (id !== 'strike') expect(String(col.cellClass)).toMatch(/(^| )ag-right-aligned-cell( |$)/);
  });

  it('a traded leg shows its LTP and change, unmarked', () => {
    const data = row(tradedLeg(25_500, { ltp: 321.45, change: -12.5 }));
    expect(shown('ce_ltp', data)).toEqual({ text: '321.45', classes: [], title: undefined });
    expect(shown('ce_change', data)).toMatchObject({ text: '-12.50', classes: ['chain-down'] });
  });

  it('the strike nearest the underlying is tagged on its strike cell and row', () => {
    const near = row(tradedLeg(25_500), { nearest: true });
    expect(shown('strike', near)).toMatchObject({ text: '25500', classes: ['chain-nearest'] });
    expect(shown('strike', near).title).toMatch(/nearest the underlying/i);
    expect(shown('strike', row(tradedLeg(25_500))).classes).toEqual([]);
    expect(chainRowClassRules['nearest-row']({ data: near })).toBe(true);
    expect(chainRowClassRules['nearest-row']({ data: row(tradedLeg(25_500), { atm: true }) })).toBe(false);
  });
});
