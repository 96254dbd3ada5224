/**
 * Derivative rows of the generated master, rendered the way each venue prints them
 * (DHAN-PROTOCOL.md §4.2-4.3): NSE F&O, BSE F&O, MCX, NSE commodity and NSE/BSE currency rows differ
 * in expiry time, series, SM_SYMBOL_NAME, futures strike/option-type filler and whether the
 * trading symbol carries the expiry day. A block knows its row count before rendering, so the
 * generator can size the master without building strings.
 */
import type { ExpiryFlag } from '../shared/instruments';
import type { Expiry } from './expiry-schedule';
import type { IdAllocator } from './id-allocator';
import { expiryText, lotText, strikeDisplayText, strikeSymbolText, strikeText, tickText } from './master-format';

export type SegmentKey = 'NSE_EQ' | 'BSE_EQ' | 'NSE_FNO' | 'BSE_FNO' | 'MCX_COMM' | 'NSE_COMM' | 'NSE_CURRENCY' | 'BSE_CURRENCY';
export type SegmentIds = Readonly<Record<SegmentKey, IdAllocator>>;

/** A run of rows with a known count. */
export interface Block {
  rows: number;
  render(out: string[], ids: SegmentIds): void;
}

export interface Venue {
  exchange: 'NSE' | 'BSE' | 'MCX';
  segment: 'D' | 'C' | 'M';
  ids: SegmentKey;
  /** Fixed time part of SEM_EXPIRY_DATE. */
  expiryTime: string;
  series: string;
  dayInOptionSymbol: boolean;
  dayInFutureSymbol: boolean;
  futureStrike: string;
  futureOptionType: string;
  /** Text between the month and `FUT` in futures display names (BSE F&O uses two spaces). */
  futureDisplayGap: string;
}

const venue = (v: Venue): Venue => v;

export const VENUES = {
  NSE_FNO: venue({
    exchange: 'NSE', segment: 'D', ids: 'NSE_FNO', expiryTime: '14:30:00', series: '', dayInOptionSymbol: false,
    dayInFutureSymbol: false, futureStrike: '-0.01000', futureOptionType: 'XX', futureDisplayGap: ' ',
  }),
  BSE_FNO: venue({
    exchange: 'BSE', segment: 'D', ids: 'BSE_FNO', expiryTime: '15:30:00', series: '', dayInOptionSymbol: false,
    dayInFutureSymbol: false, futureStrike: '0.00000', futureOptionType: '', futureDisplayGap: '  ',
  }),
  MCX: venue({
    exchange: 'MCX', segment: 'M', ids: 'MCX_COMM', expiryTime: '00:00:00', series: '2', dayInOptionSymbol: true,
    dayInFutureSymbol: true, futureStrike: '0.00000', futureOptionType: 'XX', futureDisplayGap: ' ',
  }),
  NSE_COMM: venue({
    exchange: 'NSE', segment: 'M', ids: 'NSE_COMM', expiryTime: '20:00:00', series: '1', dayInOptionSymbol: true,
    dayInFutureSymbol: true, futureStrike: '0.00000', futureOptionType: 'XX', futureDisplayGap: ' ',
  }),
  NSE_CURRENCY: venue({
    exchange: 'NSE', segment: 'C', ids: 'NSE_CURRENCY', expiryTime: '14:30:00', series: '', dayInOptionSymbol: false,
    dayInFutureSymbol: false, futureStrike: '-0.01000', futureOptionType: 'XX', futureDisplayGap: ' ',
  }),
  // BSE currency options' symbol format is not in the real excerpt; they follow BSE currency futures (with the day).
  BSE_CURRENCY: venue({
    exchange: 'BSE', segment: 'C', ids: 'BSE_CURRENCY', expiryTime: '14:30:00', series: '', dayInOptionSymbol: true,
    dayInFutureSymbol: true, futureStrike: '-0.01000', futureOptionType: 'XX', futureDisplayGap: ' ',
  }),
} as const;

/** What every row of one underlying's contracts shares. */
export interface ContractFamily {
  venue: Venue;
  /** SEM_INSTRUMENT_NAME */
  instrument: string;
  /** SEM_EXCH_INSTRUMENT_TYPE */
  exchangeInstrument: string;
  /** Root of trading symbols (`NIFTY`, `NATGASMINI`). */
  root: string;
  /** Root of display names (`NATURALGASM` for NATGASMINI). */
  displayRoot: string;
  lot: number;
  tickPaise: number;
  /** SM_SYMBOL_NAME */
  symbolName: string;
}

export interface OptionExpiry {
  date: string;
  flag: ExpiryFlag;
  /** Ascending strikes in paise; each gets a CE and a PE row. */
  strikes: readonly number[];
}

/** CE and PE rows for every strike of every expiry. */
export function optionBlock(family: ContractFamily, expiries: readonly OptionExpiry[]): Block {
  const rows = expiries.reduce((sum, e) => sum + 2 * e.strikes.length, 0);
  return {
    rows,
    render(out, ids) {
      const { venue: v, instrument, exchangeInstrument, root, displayRoot, symbolName } = family;
      const allocator = ids[v.ids];
      const head = `${v.exchange},${v.segment},`;
      const lot = lotText(family.lot);
      const tick = tickText(family.tickPaise);
      for (const e of expiries) {
        const text = expiryText(e.date);
        const symbolPrefix = `,${instrument},0,${root}-${v.dayInOptionSymbol ? text.dayMonYear : text.monYear}-`;
        const displayPrefix = `,${lot},${displayRoot} ${text.dayMon} `;
        const expiry = `,${e.date} ${v.expiryTime},`;
        const tail = `,${tick},${e.flag},${exchangeInstrument},${v.series},${symbolName}`;
        for (const k of e.strikes) {
          const symbol = strikeSymbolText(k);
          const display = strikeDisplayText(k);
          const strike = strikeText(k);
          out.push(`${head}${allocator.take()}${symbolPrefix}${symbol}-CE${displayPrefix}${display} CALL${expiry}${strike},CE${tail}`);
          out.push(`${head}${allocator.take()}${symbolPrefix}${symbol}-PE${displayPrefix}${display} PUT${expiry}${strike},PE${tail}`);
        }
      }
    },
  };
}

/** One futures row per expiry. Weekly futures (NSE currency) show the day in their display name. */
export function futureBlock(family: ContractFamily, expiries: readonly Expiry[]): Block {
  return {
    rows: expiries.length,
    render(out, ids) {
      const { venue: v, instrument, exchangeInstrument, root, displayRoot, symbolName } = family;
      const lot = lotText(family.lot);
      const tick = tickText(family.tickPaise);
      for (const e of expiries) {
        const text = expiryText(e.date);
        const symbol = `${root}-${v.dayInFutureSymbol ? text.dayMonYear : text.monYear}-FUT`;
        const display = `${displayRoot} ${e.flag === 'W' ? text.dayMon : text.mon}${v.futureDisplayGap}FUT`;
        out.push(
          `${v.exchange},${v.segment},${ids[v.ids].take()},${instrument},0,${symbol},${lot},${display},${e.date} ${v.expiryTime},` +
          `${v.futureStrike},${v.futureOptionType},${tick},${e.flag},${exchangeInstrument},${v.series},${symbolName}`,
        );
      }
    },
  };
}
