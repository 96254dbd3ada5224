/**
 * Strikes as records (by strike as text, the API's and the back-fill's shape) to and from the
 * columns the codec packs.
 */
import type { BackfillMinute, HistoryStrikes, StrikeLeg } from './history-types';
import { strikeColumns, type StrikeColumns } from './strike-codec';

const num = (col: Float64Array, i: number): number | null => (Number.isNaN(col[i]!) ? null : col[i]!);

/** Columns as records, a leg's unknown numbers as null. */
export function strikesOf(c: StrikeColumns): HistoryStrikes['strikes'] {
  const out: HistoryStrikes['strikes'] = {};
  for (let i = 0; i < c.count; i += 1) {
    out[String(c.strikes[i])] = {
      CE: { ltp: num(c.ceLtp, i), oi: num(c.ceOi, i), oiChange: num(c.ceOiChange, i), volume: num(c.ceVolume, i), iv: num(c.ceIv, i) },
      PE: { ltp: num(c.peLtp, i), oi: num(c.peOi, i), oiChange: num(c.peOiChange, i), volume: num(c.peVolume, i), iv: num(c.peIv, i) },
    };
  }
  return out;
}

/** Back-filled strikes (by strike as text) as columns, in ascending strike order. */
export function columnsOf(strikes: NonNullable<BackfillMinute['strikes']>): StrikeColumns {
  const entries = Object.entries(strikes)
    .map(([k, legs]) => [Number(k), legs] as const)
    .filter(([k]) => Number.isFinite(k))
    .sort((a, b) => a[0] - b[0]);
  const c = strikeColumns(entries.length);
  c.count = entries.length;
  const put = (col: Float64Array, i: number, v: number | null | undefined): void => {
    col[i] = v === null || v === undefined || !Number.isFinite(v) ? Number.NaN : v;
  };
  entries.forEach(([k, legs], i) => {
    c.strikes[i] = k;
    const ce: Partial<StrikeLeg> = legs.CE ?? {};
    const pe: Partial<StrikeLeg> = legs.PE ?? {};
    put(c.ceLtp, i, ce.ltp); put(c.ceOi, i, ce.oi); put(c.ceOiChange, i, ce.oiChange); put(c.ceVolume, i, ce.volume); put(c.ceIv, i, ce.iv);
    put(c.peLtp, i, pe.ltp); put(c.peOi, i, pe.oi); put(c.peOiChange, i, pe.oiChange); put(c.peVolume, i, pe.volume); put(c.peIv, i, pe.iv);
  });
  return c;
}
