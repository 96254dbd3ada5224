/**
 * Frame timing in the browser benchmarks (ui, charts): requestAnimationFrame intervals, and each
 * interval in whole vsyncs of headless Chromium's 60 Hz frame clock (timer jitter makes one
 * frame read 16.6-16.8 ms; a late frame spans two).
 */
import type { Page } from 'playwright-core';

/** One vsync of headless Chromium's 60 Hz frame clock. */
export const VSYNC_MS = 1000 / 60;

/*
 * In-page code is passed to page.evaluate as source text: tsx (esbuild, keepNames) wraps named
 * functions in a `__name` helper that does not exist in the page.
 */

/** rAF intervals over `ms`. */
export function frameIntervals(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(`new Promise((done) => {
    const out = [];
    let last = -1;
    const end = performance.now() + ${ms};
    const frame = (t) => {
      if (last >= 0) out.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(frame);
      else done(out);
    };
    requestAnimationFrame(frame);
  })`);
}

/** Each interval as the whole number of vsyncs it spans, in ms (what the screen showed). */
export function inVsyncs(frames: readonly number[]): number[] {
  return frames.map((f) => Math.max(1, Math.round(f / VSYNC_MS)) * VSYNC_MS);
}
