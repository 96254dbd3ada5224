/**
 * The payoff chart's data: the engine's two curves on one x axis (uPlot needs aligned columns),
 * the shading of profit and loss at expiry, and P&L read off a curve at any underlying price.
 */

/** Linear interpolation of `curve` ([x, y] ascending in x) at `x`; null outside it or when empty. */
export function valueAt(curve: readonly (readonly [number, number])[], x: number): number | null {
  const n = curve.length;
  if (n === 0 || x < curve[0]![0] || x > curve[n - 1]![0]) return null;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (curve[mid]![0] <= x) lo = mid;
    else hi = mid;
  }
  const [x0, y0] = curve[lo]!;
  const [x1, y1] = curve[hi]!;
  return x1 === x0 ? y0 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** Both curves on the union of their x values, with expiry's profit and loss parts for shading. */
export interface PayoffColumns {
  x: number[];
  expiry: (number | null)[];
  atDate: (number | null)[];
  profit: (number | null)[];
  loss: (number | null)[];
}

export function payoffColumns(expiry: readonly (readonly [number, number])[], atDate: readonly (readonly [number, number])[]): PayoffColumns {
  const xs = [...new Set([...expiry.map((p) => p[0]), ...atDate.map((p) => p[0])])].sort((a, b) => a - b);
  const out: PayoffColumns = { x: xs, expiry: [], atDate: [], profit: [], loss: [] };
  for (const x of xs) {
    const e = valueAt(expiry, x);
    out.expiry.push(e);
    out.atDate.push(valueAt(atDate, x));
    out.profit.push(e === null ? null : Math.max(0, e));
    out.loss.push(e === null ? null : Math.min(0, e));
  }
  return out;
}
