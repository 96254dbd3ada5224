import { describe, expect, it } from 'vitest';
import { deriveStrikeStep, isUsableLtp, nearestStrikeIndex, roundToStep, strikeWindow } from './strike-math';

describe('strike arithmetic', () => {
  it('ATM = round(LTP / step) * step: 2641.5 with step 5 is 2640', () => {
    expect(roundToStep(2641.5, 5)).toBe(2640);
    expect(roundToStep(2642.5, 5)).toBe(2645);
    expect(roundToStep(25_824, 50)).toBe(25_800);
    expect(roundToStep(402.6, 2.5)).toBe(402.5);
  });

  it('takes the modal gap near the reference, not the wide gaps far from it', () => {
    const ladder = [1000, 1100, 1200, 1300, 1350, 1400, 1450, 1500, 1550, 1600, 1700, 1800];
    expect(deriveStrikeStep(ladder, 1450, 3)).toBe(50);
    expect(deriveStrikeStep(ladder, 1050, 3)).toBe(100);
  });

  it('resolves a tie to the smaller gap and handles fractional steps without float noise', () => {
    expect(deriveStrikeStep([10, 20, 30, 35, 40], 30, 5)).toBe(5);
    expect(deriveStrikeStep([100, 101.5, 103, 104.5, 106], 103)).toBe(1.5);
    expect(deriveStrikeStep([78, 78.25, 78.5, 78.75], 78.4)).toBe(0.25);
    expect(deriveStrikeStep([100], 100)).toBe(0);
  });

  it('snaps to the nearest listed strike, ties to the lower one', () => {
    const ladder = [100, 110, 120, 140];
    expect(nearestStrikeIndex(ladder, 130)).toBe(2);
    expect(nearestStrikeIndex(ladder, 131)).toBe(3);
    expect(nearestStrikeIndex(ladder, 5)).toBe(0);
    expect(nearestStrikeIndex(ladder, 1e9)).toBe(3);
    expect(nearestStrikeIndex([], 10)).toBe(-1);
  });

  it('centres the window on ATM and gives fewer strikes at the edges of the ladder', () => {
    expect(strikeWindow(300, 150, 101)).toEqual([100, 200]);
    expect(strikeWindow(300, 150, 25)).toEqual([138, 162]);
    expect(strikeWindow(300, 10, 101)).toEqual([0, 60]);
    expect(strikeWindow(300, 290, 101)).toEqual([240, 299]);
    expect(strikeWindow(0, 0, 25)).toEqual([0, -1]);
  });

  it('refuses zero, negative and non-finite prices', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(isUsableLtp(bad)).toBe(false);
    expect(isUsableLtp(0.05)).toBe(true);
  });
});
