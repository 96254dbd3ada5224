import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';

describe('backoff with full jitter', () => {
  it('grows exponentially to the cap, and jitter spans zero to the ceiling', () => {
    const p = { initialMs: 500, maxMs: 30_000, factor: 2 };
    expect([0, 1, 2, 3, 6, 7, 50].map((a) => backoffDelay(p, a, 0.999999))).toEqual([499, 999, 1999, 3999, 29_999, 29_999, 29_999]);
    expect(backoffDelay(p, 5, 0)).toBe(0);
    expect(backoffDelay(DEFAULT_BACKOFF, 1, 0.5)).toBe(500);
  });
});
