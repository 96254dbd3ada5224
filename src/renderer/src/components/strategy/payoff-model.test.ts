import { describe, expect, it } from 'vitest';
import { payoffColumns, valueAt } from './payoff-model';

describe('payoff columns', () => {
  it('reads a curve between its points and not outside it', () => {
    const curve: [number, number][] = [[100, -50], [110, 50], [120, 50]];
    expect(valueAt(curve, 105)).toBe(0);
    expect(valueAt(curve, 110)).toBe(50);
    expect(valueAt(curve, 99)).toBeNull();
    expect(valueAt([], 1)).toBeNull();
  });

  it('puts both curves on the union of their x values and splits the expiry curve into profit and loss', () => {
    const c = payoffColumns([[100, -50], [120, 50]], [[100, -40], [110, 0], [120, 40]]);
    expect(c.x).toEqual([100, 110, 120]);
    expect(c.expiry).toEqual([-50, 0, 50]);
    expect(c.atDate).toEqual([-40, 0, 40]);
    expect(c.profit).toEqual([0, 0, 50]);
    expect(c.loss).toEqual([-50, 0, 0]);
  });
});
