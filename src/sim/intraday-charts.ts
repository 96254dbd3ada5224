/**
 * `POST /v2/charts/intraday` as the simulator serves it: the request Dhan documents, refused the
 * way Dhan refuses it, answered from the model's history of today (intraday-history.ts).
 *
 * Dhan's contract (https://dhanhq.co/docs/v2/historical-data/, "Intraday Historical Data"):
 * body `{securityId: "<id>", exchangeSegment, instrument, interval: "1"|"5"|"15"|"25"|"60",
 * oi?: boolean, expiryCode?: 0|1|2, fromDate, toDate}` with dates `YYYY-MM-DD` or
 * `YYYY-MM-DD HH:MM:SS` (IST); at most 90 days per request. The answer is parallel arrays `open,
 * high, low, close, volume, timestamp` (epoch seconds, the candle's start), plus `open_interest`
 * when `oi` is true. For the current day Dhan sends every candle up to the current time whatever
 * `toDate` says (Dhan's answer in DhanHQ-py issue #80); the simulator does the same.
 *
 * Policy:
 * - Bad input is 400 with Dhan's trading-style body `DH-905 Input_Exception` (the shape Dhan's
 *   charts answers carry, DhanHQ-py issues #92 and #103); the message names what was wrong.
 * - An instrument the simulator does not list, and a range with no data (it keeps no earlier days
 *   and no future), is 400 `DH-907 Data_Error` ("no data present").
 * - A range reaching into today before the venue opens ('clock' sessions) is 200 with empty arrays.
 */
import { INSTRUMENT_KINDS, SEGMENTS, tokenOf, type Segment } from '../shared/instruments';
import { IST_OFFSET_MS } from '../shared/market-calendar';
import { istDayStart } from './market-hours';
import type { BarColumns, IntradayHistory } from './intraday-history';
import type { SimInstrument, SimUniverse } from './sim-instruments';

/** Candle lengths Dhan serves, in minutes. */
export const CHART_INTERVALS: readonly number[] = [1, 5, 15, 25, 60];
/** Dhan's limit on one intraday request's range. */
export const MAX_CHART_DAYS = 90;

const DAY_MS = 86_400_000;
const SEGMENT_SET: ReadonlySet<string> = new Set(SEGMENTS);
const KIND_SET: ReadonlySet<string> = new Set(INSTRUMENT_KINDS);

/** A parsed request. */
export interface ChartsRequest {
  inst: SimInstrument;
  interval: number;
  oi: boolean;
  /** True UTC epoch ms of `fromDate` / `toDate` (read as IST wall clock). */
  fromMs: number;
  toMs: number;
}

/** An answer that is not 200. */
export interface ChartsRefusal {
  status: number;
  body: object;
}

export type ChartsOutcome = { ok: true; value: object } | ({ ok: false } & ChartsRefusal);

const inputError = (detail: string): ChartsRefusal => ({
  status: 400,
  body: { errorType: 'Input_Exception', errorCode: 'DH-905', errorMessage: `Missing required fields, bad values for parameters etc.: ${detail}` },
});
const noData = (detail: string): ChartsRefusal => ({
  status: 400,
  body: { errorType: 'Data_Error', errorCode: 'DH-907', errorMessage: `System is unable to fetch data due to incorrect parameters or no data present: ${detail}` },
});

/** `YYYY-MM-DD[ HH:MM:SS]` in IST to true UTC epoch ms; NaN when malformed or not a real date. */
export function parseIstDateTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return Number.NaN;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  if (h > 23 || mi > 59 || s > 59) return Number.NaN;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return Number.NaN;
  return wall - IST_OFFSET_MS;
}

/** Check a request body against Dhan's contract and the simulator's instruments. */
export function parseChartsRequest(body: unknown, universe: SimUniverse): { ok: true; value: ChartsRequest } | ({ ok: false } & ChartsRefusal) {
  const fail = (r: ChartsRefusal): { ok: false } & ChartsRefusal => ({ ok: false, ...r });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail(inputError('the body must be a JSON object'));
  const b = body as Record<string, unknown>;
  // Dhan documents securityId as a string; an integer is tolerated as on the other data APIs.
  const idText = typeof b.securityId === 'number' && Number.isInteger(b.securityId) ? String(b.securityId) : b.securityId;
  if (typeof idText !== 'string' || !/^\d{1,10}$/.test(idText) || Number(idText) > 2147483647) return fail(inputError('securityId (a string of digits) is required'));
  if (typeof b.exchangeSegment !== 'string' || !SEGMENT_SET.has(b.exchangeSegment)) return fail(inputError(`exchangeSegment ${JSON.stringify(b.exchangeSegment)} is not a segment`));
  if (typeof b.instrument !== 'string' || !KIND_SET.has(b.instrument)) return fail(inputError(`instrument ${JSON.stringify(b.instrument)} is not an instrument type`));
  const interval = typeof b.interval === 'string' && /^\d+$/.test(b.interval) ? Number(b.interval) : b.interval;
  if (typeof interval !== 'number' || !CHART_INTERVALS.includes(interval)) return fail(inputError(`interval ${JSON.stringify(b.interval)} is not one of ${CHART_INTERVALS.join(', ')}`));
  if (b.oi !== undefined && typeof b.oi !== 'boolean') return fail(inputError('oi must be a boolean'));
  if (b.expiryCode !== undefined && !(typeof b.expiryCode === 'number' && [0, 1, 2].includes(b.expiryCode))) return fail(inputError('expiryCode must be 0, 1 or 2'));
  const fromMs = typeof b.fromDate === 'string' ? parseIstDateTime(b.fromDate) : Number.NaN;
  const toMs = typeof b.toDate === 'string' ? parseIstDateTime(b.toDate) : Number.NaN;
  if (Number.isNaN(fromMs) || Number.isNaN(toMs)) return fail(inputError('fromDate and toDate must be "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS"'));
  if (fromMs >= toMs) return fail(inputError('fromDate must be before toDate'));
  if (toMs - fromMs > MAX_CHART_DAYS * DAY_MS) return fail(inputError(`at most ${MAX_CHART_DAYS} days per request`));
  const segment = b.exchangeSegment as Segment;
  const inst = universe.get(tokenOf({ segment, securityId: Number(idText) }));
  if (!inst) return fail(noData(`no instrument ${segment}:${idText}`));
  if (inst.kind !== b.instrument) return fail(inputError(`instrument ${b.instrument} does not match ${segment}:${idText} (${inst.kind})`));
  return { ok: true, value: { inst, interval, oi: b.oi === true, fromMs, toMs } };
}

/** Answer a parsed request at `now` from the history. */
export function answerCharts(req: ChartsRequest, history: IntradayHistory, now: number): ChartsOutcome {
  const today = istDayStart(now);
  if (req.toMs <= today || req.fromMs > now) return { ok: false, ...noData('the simulator has data for today up to now only') };
  const bars = history.bars(req.inst, req.interval, req.fromMs, now);
  return { ok: true, value: dhanColumns(bars, req.oi) };
}

/** Dhan's answer: parallel arrays, timestamps in epoch seconds, `open_interest` when asked for. */
function dhanColumns(bars: BarColumns, withOi: boolean): object {
  return {
    open: bars.open,
    high: bars.high,
    low: bars.low,
    close: bars.close,
    volume: bars.volume,
    timestamp: bars.timestamp.map((ms) => Math.floor(ms / 1000)),
    ...(withOi ? { open_interest: bars.openInterest } : {}),
  };
}
