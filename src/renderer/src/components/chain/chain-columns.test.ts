import type { ColDef, ColGroupDef, ValueFormatterParams } from 'ag-grid-community';
import { describe, expect, it } from 'vitest';
import type { IvReason } from '../../../../shared/analytics';
import { DEFAULT_LAYOUT } from '../../state/layout-storage';
import { CELL_TEXT, chainColumns, columnId, DEFAULT_HIDDEN, METRICS, type Metric } from './chain-columns';
import type { ChainRow } from './chain-model';

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
const IV_REASONS: IvReason[] = ['no-price', 'no-forward', 'expired', 'below-intrinsic', 'no-time-value', 'above-max', 'bad-input'];

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
