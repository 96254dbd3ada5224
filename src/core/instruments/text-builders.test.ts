import { describe, expect, it } from 'vitest';
import { ByteInterner, TextColumnBuilder } from './text-builders';

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('TextColumnBuilder', () => {
  it('gives back every value, ASCII in one latin1 decode', () => {
    const b = new TextColumnBuilder(2, 1); // tiny, so bytes and offsets both grow
    const values = ['NIFTY-Feb2026-25300-CE', '', 'RELIANCE', 'x'.repeat(300)];
    for (const v of values) b.push(utf8(`,${v},`), 1, v.length + 1, false);
    expect(b.finish().toArray()).toEqual(values);
  });

  it('counts offsets in UTF-16 units when a value is not ASCII (accents, emoji)', () => {
    const b = new TextColumnBuilder();
    const values = ['Société Générale', 'ASCII', '💹 Trade', '', 'Ωmega'];
    for (const v of values) {
      const bytes = utf8(v);
      b.push(bytes, 0, bytes.length, bytes.some((c) => c >= 128));
    }
    const col = b.finish();
    expect(col.toArray()).toEqual(values);
    expect(col.equals(2, '💹 Trade')).toBe(true);
  });

  it('compares a stored value with bytes without decoding', () => {
    const b = new TextColumnBuilder();
    b.push(utf8('TCS'), 0, 3, false);
    expect(b.equals(0, utf8('xTCSx'), 1, 4)).toBe(true);
    expect(b.equals(0, utf8('TCSL'), 0, 4)).toBe(false);
  });
});

describe('ByteInterner', () => {
  it('numbers distinct byte strings in order of first appearance, past many rehashes', () => {
    const i = new ByteInterner();
    const words = Array.from({ length: 20_000 }, (_, k) => `SYM${k}`);
    const first = words.map((w) => i.intern(utf8(w), 0, w.length));
    expect(first).toEqual(words.map((_, k) => k));
    expect(words.map((w) => i.intern(utf8(`-${w}-`), 1, w.length + 1))).toEqual(first);
    expect(i.internString('SYM42')).toBe(42);
    expect(i.internString('Société')).toBe(20_000);
    expect(i.strings[20_000]).toBe('Société');
    expect(i.is(7, utf8('SYM7'), 0, 4)).toBe(true);
  });
});
