/**
 * The API's view of one instrument's record: a live, read-only `QuoteState` whose reads go
 * straight to the record, so it always shows the latest trade. The depth arrays are expanded from
 * the record's book inputs the first time they are read after the book changed, and reused.
 */
import {
  Q_ATP, Q_BOOK_VERSION, Q_BUY_QTY, Q_HIGH, Q_LAST_MS, Q_LOW, Q_LTP, Q_LTQ, Q_LTT, Q_OI, Q_OI_HIGH, Q_OI_LOW, Q_OPEN,
  Q_PREV_CLOSE, Q_PREV_OI, Q_SELL_QTY, Q_TRADES, Q_VOLUME,
} from './market-layout';
import { fillBook, type DepthRuns } from './market-quotes';
import type { QuoteState } from './market-types';

/** Five doubles (not small integers), so the arrays keep one elements kind as prices arrive. */
const five = (): number[] => [0.5, 0.5, 0.5, 0.5, 0.5];

/** A live view of slot record `b` in chunk `f`. */
export class QuoteView implements QuoteState {
  private depth: DepthRuns | null = null;
  private depthVersion = -1;

  constructor(private readonly f: Float64Array, private readonly b: number) {}

  get ltp(): number { return this.f[this.b + Q_LTP]; }
  get ltq(): number { return this.f[this.b + Q_LTQ]; }
  get ltt(): number { return this.f[this.b + Q_LTT]; }
  get lastTradeMs(): number { return this.f[this.b + Q_LAST_MS]; }
  get atp(): number { return this.f[this.b + Q_ATP]; }
  get volume(): number { return this.f[this.b + Q_VOLUME]; }
  get totalBuyQty(): number { return this.f[this.b + Q_BUY_QTY]; }
  get totalSellQty(): number { return this.f[this.b + Q_SELL_QTY]; }
  get open(): number { return this.f[this.b + Q_OPEN]; }
  get high(): number { return this.f[this.b + Q_HIGH]; }
  get low(): number { return this.f[this.b + Q_LOW]; }
  /** Dhan sends the day close only after the session; the simulated session never closes. */
  get close(): number { return 0; }
  get oi(): number { return this.f[this.b + Q_OI]; }
  get oiDayHigh(): number { return this.f[this.b + Q_OI_HIGH]; }
  get oiDayLow(): number { return this.f[this.b + Q_OI_LOW]; }
  get prevClose(): number { return this.f[this.b + Q_PREV_CLOSE]; }
  get prevOi(): number { return this.f[this.b + Q_PREV_OI]; }
  get tradeCount(): number { return this.f[this.b + Q_TRADES]; }
  get bidPrice(): readonly number[] { return this.levels()[0]; }
  get bidQty(): readonly number[] { return this.levels()[1]; }
  get bidOrders(): readonly number[] { return this.levels()[2]; }
  get askPrice(): readonly number[] { return this.levels()[3]; }
  get askQty(): readonly number[] { return this.levels()[4]; }
  get askOrders(): readonly number[] { return this.levels()[5]; }

  /** A plain copy (a view has no own enumerable fields, so JSON and spreads need this). */
  toJSON(): QuoteState {
    const [bidPrice, bidQty, bidOrders, askPrice, askQty, askOrders] = this.levels().map((run) => [...run]);
    return {
      ltp: this.ltp, ltq: this.ltq, ltt: this.ltt, lastTradeMs: this.lastTradeMs, atp: this.atp, volume: this.volume,
      totalBuyQty: this.totalBuyQty, totalSellQty: this.totalSellQty, open: this.open, high: this.high, low: this.low,
      close: this.close, oi: this.oi, oiDayHigh: this.oiDayHigh, oiDayLow: this.oiDayLow, prevClose: this.prevClose,
      prevOi: this.prevOi, tradeCount: this.tradeCount, bidPrice, bidQty, bidOrders, askPrice, askQty, askOrders,
    };
  }

  private levels(): DepthRuns {
    const version = this.f[this.b + Q_BOOK_VERSION];
    let depth = this.depth;
    if (depth === null) {
      depth = [five(), five(), five(), five(), five(), five()];
      this.depth = depth;
    }
    if (this.depthVersion !== version) {
      fillBook(this.f, this.b, depth);
      this.depthVersion = version;
    }
    return depth;
  }
}
