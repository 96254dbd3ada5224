/**
 * Today's earlier minutes from Dhan's intraday charts API, for back-filling a chain opened mid-day.
 *
 * Dhan's contract, from https://dhanhq.co/docs/v2/historical-data/ ("Intraday Historical Data"),
 * read with the official Python SDK (dhan-oss/DhanHQ-py `_historical_data.py`) and Dhan's answers
 * on its issue tracker:
 * - `POST /v2/charts/intraday`, body `{securityId: "<id as a string>", exchangeSegment,
 *   instrument (EQUITY, INDEX, OPTIDX, ...), interval: "1" | "5" | "15" | "25" | "60",
 *   oi: true (open interest, futures and options), expiryCode?: 0, fromDate, toDate}` with dates
 *   `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`) in IST.
 * - Answer: parallel arrays `open, high, low, close, volume, timestamp` and, with `oi`,
 *   `open_interest` (empty or zero for instruments without OI); `timestamp` is Unix epoch seconds
 *   (true UTC; EPOCH replaced Julian time in v2, DhanHQ-py 2.0.0 release notes) of the candle's start.
 * - Limits: at most 90 days per request; data for the last 5 years; data APIs are limited to 5
 *   requests a second and 100,000 a day (docs' rate-limit table, DHAN-PROTOCOL.md §5.5), which
 *   DhanRestClient.intradayCharts paces.
 * - For the current day Dhan sends every candle up to the current time whatever `toDate` says
 *   (Dhan on DhanHQ-py issue #80), so the answer is cut to the range asked for here.
 * - Errors come in the trading-API shape: 400 `DH-905 Input_Exception` for bad or missing fields
 *   and, in practice, for "no data present" (DhanHQ-py issues #92, #103); DH-907 is the annexure's
 *   data error. OpenAlgo found F&O requests without `expiryCode` answered with no data (openalgo
 *   PR #858), so derivatives send `expiryCode: 0`.
 *
 * Policy: the answer is checked before anything uses it: arrays of equal length, finite numbers,
 * whole-second timestamps strictly increasing, each candle's low <= open, close <= high. Anything
 * else is an AppError (BAD_REQUEST, naming what was wrong), never a partial or silently wrong
 * series. Back-filled bars are marked by whoever stores them; this module only fetches.
 */
import { AppError } from '../../shared/errors';
import { isFutureKind, isOptionKind, type InstrumentKind, type InstrumentRef } from '../../shared/instruments';
import { IST_OFFSET_MS } from '../../shared/market-calendar';

/** Candle lengths Dhan serves, in minutes. */
export type ChartInterval = 1 | 5 | 15 | 25 | 60;

/** Dhan's limit on one request's range. */
export const MAX_CHART_RANGE_MS = 90 * 86_400_000;

/** One candle: `t` its start (true UTC epoch ms); prices in rupees; volume and OI in units. */
export interface IntradayBar {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  oi: number;
}

/** What to fetch: one instrument's candles with start in [fromMs, toMs). */
export interface IntradayChartRequest {
  ref: InstrumentRef;
  /** The instrument's type, sent as Dhan's `instrument`. */
  kind: InstrumentKind;
  interval?: ChartInterval;
  fromMs: number;
  toMs: number;
}

/** The part of DhanRestClient this needs. */
export interface IntradayChartsTransport {
  intradayCharts(body: object): Promise<unknown>;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS` in IST of a true UTC epoch ms (Dhan reads request dates as IST). */
export function istDateTime(ms: number): string {
  const d = new Date(ms + IST_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Dhan's request body for `req` (throws AppError BAD_REQUEST for a range Dhan would refuse). */
export function intradayChartsBody(req: IntradayChartRequest): Record<string, unknown> {
  if (!(Number.isFinite(req.fromMs) && Number.isFinite(req.toMs) && req.fromMs < req.toMs)) {
    throw new AppError('BAD_REQUEST', `intraday charts: the range must run forward (from ${req.fromMs} to ${req.toMs})`);
  }
  if (req.toMs - req.fromMs > MAX_CHART_RANGE_MS) throw new AppError('BAD_REQUEST', 'intraday charts: Dhan serves at most 90 days per request');
  const derivative = isOptionKind(req.kind) || isFutureKind(req.kind);
  return {
    securityId: String(req.ref.securityId),
    exchangeSegment: req.ref.segment,
    instrument: req.kind,
    interval: String(req.interval ?? 1),
    oi: true,
    ...(derivative ? { expiryCode: 0 } : {}),
    fromDate: istDateTime(req.fromMs),
    toDate: istDateTime(req.toMs),
  };
}

const COLUMNS = ['open', 'high', 'low', 'close', 'volume', 'timestamp'] as const;

/**
 * Check Dhan's answer and turn it into bars, ascending by time. `what` names the request in
 * error messages. Throws AppError BAD_REQUEST when the answer is not what Dhan documents.
 */
export function parseIntradayCharts(json: unknown, what: string): IntradayBar[] {
  const bad = (why: string): AppError => new AppError('BAD_REQUEST', `Dhan intraday charts for ${what}: malformed answer: ${why}`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not a JSON object');
  const body = json as Record<string, unknown>;
  const cols: Record<string, readonly unknown[]> = {};
  for (const name of COLUMNS) {
    const col = body[name];
    if (!Array.isArray(col)) throw bad(`"${name}" is ${col === undefined ? 'missing' : 'not an array'}`);
    cols[name] = col;
  }
  const n = cols.timestamp!.length;
  for (const name of COLUMNS) if (cols[name]!.length !== n) throw bad(`"${name}" has ${cols[name]!.length} values, "timestamp" ${n}`);
  // Instruments without OI may answer an empty (or absent) open_interest.
  const oiCol = body.open_interest;
  if (oiCol !== undefined && !Array.isArray(oiCol)) throw bad('"open_interest" is not an array');
  const oi: readonly unknown[] = Array.isArray(oiCol) && oiCol.length > 0 ? oiCol : [];
  if (oi.length > 0 && oi.length !== n) throw bad(`"open_interest" has ${oi.length} values, "timestamp" ${n}`);
  const num = (name: string, col: readonly unknown[], i: number): number => {
    const v = col[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`"${name}"[${i}] is ${JSON.stringify(v)}, not a non-negative number`);
    return v;
  };
  const bars: IntradayBar[] = [];
  for (let i = 0; i < n; i++) {
    const sec = num('timestamp', cols.timestamp!, i);
    if (!Number.isInteger(sec)) throw bad(`"timestamp"[${i}] is ${sec}, not whole epoch seconds`);
    const bar: IntradayBar = {
      t: sec * 1000,
      open: num('open', cols.open!, i),
      high: num('high', cols.high!, i),
      low: num('low', cols.low!, i),
      close: num('close', cols.close!, i),
      volume: num('volume', cols.volume!, i),
      oi: oi.length > 0 ? num('open_interest', oi, i) : 0,
    };
    // Dhan's prices are float32s: allow their rounding when comparing.
    const slack = 1e-6 * bar.high;
    if (bar.low > Math.min(bar.open, bar.close) + slack || bar.high < Math.max(bar.open, bar.close) - slack) {
      throw bad(`candle ${i} has low ${bar.low} / high ${bar.high} outside open ${bar.open} / close ${bar.close}`);
    }
    const prev = bars.at(-1);
    if (prev && bar.t <= prev.t) throw bad(`"timestamp"[${i}] (${sec}) does not come after the one before`);
    bars.push(bar);
  }
  return bars;
}

/**
 * One instrument's candles with start in [fromMs, toMs): one request (paced by the transport),
 * the answer checked, cut to the range (Dhan sends today's candles up to now whatever the range).
 * Errors are AppErrors: the transport's (AUTH, RATE_LIMITED, NETWORK, BAD_REQUEST) or a malformed
 * answer (BAD_REQUEST).
 */
export async function fetchIntradayBars(rest: IntradayChartsTransport, req: IntradayChartRequest): Promise<IntradayBar[]> {
  const body = intradayChartsBody(req);
  const what = `${req.ref.segment}:${req.ref.securityId} ${body.fromDate} to ${body.toDate}`;
  const bars = parseIntradayCharts(await rest.intradayCharts(body), what);
  return bars.filter((b) => b.t >= req.fromMs && b.t < req.toMs);
}
