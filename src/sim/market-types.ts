/**
 * Shapes the simulated market exchanges with the simulator's server: the instruments it prices, the
 * per-instrument quote state the server encodes into Dhan packets (DHAN-PROTOCOL.md §2) and REST
 * snapshots (§5.1), and the model's fair values for option-chain analytics.
 */
import type { InstrumentKind, Segment } from '../shared/instruments';
import type { SessionMode } from './market-hours';

/** One instrument as the simulator lists it in its scrip master. */
export interface SimInstrument {
  segment: Segment;
  securityId: number;
  kind: InstrumentKind;
  /** The underlying's symbol: the symbol itself for equities and indices, the root for derivatives. */
  symbol: string;
  tradingSymbol: string;
  /** `YYYY-MM-DD`, null for equities and indices. */
  expiry: string | null;
  strike: number | null;
  optionType: 'CE' | 'PE' | null;
  lotSize: number;
  /** Rupees. */
  tickSize: number;
}

/** Number of depth levels per side in a Full packet / REST quote. */
export const DEPTH_LEVELS = 5;

/**
 * One instrument's market state, field for field what Dhan's quote/full/OI/prev-close packets and
 * the REST quote carry. Prices in rupees (the server encodes them as float32), quantities in units.
 */
export interface QuoteState {
  /** Last traded price; the previous close until the first trade. */
  ltp: number;
  /** Last traded quantity in units, a multiple of the lot size (0 before the first trade, and for indices). */
  ltq: number;
  /** Last trade time as Dhan sends it: IST wall clock as epoch seconds (UTC seconds + 19800); 0 before the first trade. */
  ltt: number;
  /** Last trade instant, true UTC epoch ms (0 before the first trade). */
  lastTradeMs: number;
  /** Average traded price of the day (0 before the first trade). */
  atp: number;
  /** Day volume in units (never decreases within a day; saturates at 2^32 - 1). */
  volume: number;
  totalBuyQty: number;
  totalSellQty: number;
  /** Day open/high/low; 0 until the first trade of the day. */
  open: number;
  high: number;
  low: number;
  /** Day close: 0 during the session, as Dhan sends it. */
  close: number;
  /** Open interest in units (derivatives; 0 otherwise). */
  oi: number;
  oiDayHigh: number;
  oiDayLow: number;
  prevClose: number;
  prevOi: number;
  /** Level i = best + i ticks away; empty levels are zero-filled (price, quantity and orders 0). */
  bidPrice: readonly number[];
  bidQty: readonly number[];
  bidOrders: readonly number[];
  askPrice: readonly number[];
  askQty: readonly number[];
  askOrders: readonly number[];
  /** Trades since the instrument's state was created. */
  tradeCount: number;
}

/** The model's view of an instrument right now (unrounded), for analytics and tests. */
export interface FairValue {
  /** Theoretical price before tick rounding. */
  price: number;
  /** The underlying driver's price (index, stock, commodity or currency spot). */
  spot: number;
  /** Forward the instrument is priced off (the futures price for futures; spot for spot instruments). */
  forward: number;
  /** Options: the smile volatility at this strike; others: the underlying's annual volatility. */
  vol: number;
  /** Years to expiry (0 for spot instruments and expired contracts). */
  years: number;
  /** Discount rate used by Black-76. */
  rate: number;
}

/** Constructor options of the market model. */
export interface MarketModelOptions {
  instruments: readonly SimInstrument[];
  /** PRNG seed (default 1). */
  seed?: number;
  /** Model clock start, true UTC epoch ms. */
  startMs: number;
  /** Starting prices by underlying symbol (index symbol such as `NIFTY NEXT 50`, stock, commodity, currency pair). */
  basePrices?: Readonly<Record<string, number>>;
  /** Discount rate for options and index/stock futures carry (default 0.065). */
  rate?: number;
  /** Ticks missed by more than this (a stalled caller) are skipped, not replayed (default 1000 ms). */
  maxCatchUpMs?: number;
  /**
   * 'clock': instruments trade only while their exchange is open by the calendar (market-hours);
   * 'always' (default): at any hour, a simulated session.
   */
  session?: SessionMode;
}

/** One future's model price either side of a `move`. */
export interface MovedFuture {
  segment: Segment;
  securityId: number;
  expiry: string;
  before: number;
  after: number;
}

/** What `MarketModel.move` did (prices unrounded, at the model clock). */
export interface MoveResult {
  /** The symbol as asked. */
  symbol: string;
  /** The underlyings moved, as `<class>:<name>` (one in practice: see MarketCatalog.underlyingsNamed). */
  underlyings: string[];
  /**
   * The underlying's price just before and just after the jump: the spot or index level for
   * stocks, indices and currencies; for MCX commodities the model's notional spot their futures
   * carry from (the futures themselves are in `futures`).
   */
  before: number;
  after: number;
  /** Every future of the moved underlyings (all expiries, NSE/BSE/MCX alike). */
  futures: MovedFuture[];
}
