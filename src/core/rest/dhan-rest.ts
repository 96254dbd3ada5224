/**
 * Dhan's REST data APIs: market quotes (ltp / ohlc / quote), option chain, expiry list, profile,
 * intraday charts (the request only: intraday-charts.ts builds the body and checks the answer).
 *
 * Policy: Dhan allows one quote request per second (up to 1,000 instruments each) and one option
 * chain request per 3 seconds, and five data-API (charts) requests per second. Calls go through
 * per-endpoint pacers, so callers never see a 429 from going too fast; quote callers share
 * requests in a queue with two lanes (quote-queue.ts): what a trader waits for goes ahead of bulk
 * paint, and each caller gets back what it asked for.
 * Errors come back as AppErrors whose code says what to do: AUTH (fix credentials), RATE_LIMITED,
 * NETWORK, BAD_REQUEST.
 */
import { AppError, type ErrorCode } from '../../shared/errors';
import { SEGMENTS, type InstrumentRef, type InstrumentToken, type Segment } from '../../shared/instruments';
import type { FeedCredentials } from '../feed/feed-connection';
import { QuoteQueue, type QuotePriority, type QuoteQueueStats } from './quote-queue';

export type { QuotePriority } from './quote-queue';

export type QuoteKind = 'ltp' | 'ohlc' | 'quote';

/** One instrument's snapshot as Dhan returns it (fields depend on the kind). */
export interface RestQuote {
  last_price: number;
  ohlc?: { open: number; close: number; high: number; low: number };
  average_price?: number;
  volume?: number;
  oi?: number;
  oi_day_high?: number;
  oi_day_low?: number;
  last_quantity?: number;
  last_trade_time?: string;
  buy_quantity?: number;
  sell_quantity?: number;
  net_change?: number;
  depth?: { buy: { quantity: number; orders: number; price: number }[]; sell: { quantity: number; orders: number; price: number }[] };
}

export interface OptionChainLeg {
  last_price: number;
  oi: number;
  volume: number;
  implied_volatility: number;
  previous_close_price: number;
  previous_oi: number;
  security_id: number;
  top_bid_price: number;
  top_ask_price: number;
  greeks?: { delta: number; theta: number; gamma: number; vega: number };
}

export interface RestOptionChain {
  last_price: number;
  oc: Record<string, { ce?: OptionChainLeg; pe?: OptionChainLeg }>;
}

export interface DhanRestOptions {
  /** e.g. `https://api.dhan.co/v2` or the simulator's `http://127.0.0.1:port/v2`. */
  baseUrl: string;
  credentials: () => FeedCredentials | null;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Pacing (ms between requests). */
  quoteIntervalMs?: number;
  optionChainIntervalMs?: number;
  /** Between intraday-charts requests (Dhan's data APIs: 5/s). */
  dataIntervalMs?: number;
  timeoutMs?: number;
}

const MAX_QUOTE_INSTRUMENTS = 1000;
/**
 * A read refused as too fast (another process may have used the account's second, or the network
 * bunched two requests up: Dhan counts at its end) is sent again through its pacer, this often.
 * Reads are idempotent.
 */
const TOO_FAST_RETRIES = 2;
const isTooFast = (err: unknown): boolean => err instanceof AppError && err.code === 'RATE_LIMITED';
const SEGMENT_SET: ReadonlySet<string> = new Set(SEGMENTS);

/** Serialises calls with at least `intervalMs` between their starts. */
class Pacer {
  private last = -Infinity;
  private tail: Promise<unknown> = Promise.resolve();
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(async () => {
      const wait = this.last + this.intervalMs - this.now();
      if (wait > 0) await this.sleep(wait);
      this.last = this.now();
      return fn();
    });
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export class DhanRestClient {
  private readonly o: DhanRestOptions;
  private readonly fetchFn: typeof fetch;
  private readonly quoteQueue: QuoteQueue<QuoteKind, RestQuote>;
  private readonly chainPacer: Pacer;
  private readonly dataPacer: Pacer;

  constructor(options: DhanRestOptions) {
    this.o = options;
    this.fetchFn = options.fetch ?? fetch;
    const now = options.now ?? Date.now;
    const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
    // A margin over Dhan's 1/s and 1/3 s: the limit is measured at Dhan's end, after network jitter.
    this.quoteQueue = new QuoteQueue({
      fetch: (kind, tokens) => this.fetchQuotes(kind, tokens),
      intervalMs: options.quoteIntervalMs ?? 1100,
      maxPerRequest: MAX_QUOTE_INSTRUMENTS,
      now,
      sleep,
      retryable: isTooFast,
      retries: TOO_FAST_RETRIES,
    });
    this.chainPacer = new Pacer(options.optionChainIntervalMs ?? 3100, now, sleep);
    // 250 ms: Dhan's 5/s with the same margin for network jitter.
    this.dataPacer = new Pacer(options.dataIntervalMs ?? 250, now, sleep);
  }

  /**
   * Snapshots for many instruments: batched at 1,000 per request, paced at 1 request/s, shared
   * with other callers of the same kind, and queued by priority (see quote-queue.ts): `now` (the
   * default) goes ahead of every `background` request still waiting. Instruments Dhan does not
   * know are simply absent from the result.
   */
  quotes(refs: readonly InstrumentRef[], kind: QuoteKind = 'quote', options: { priority?: QuotePriority } = {}): Promise<Map<InstrumentToken, RestQuote>> {
    return this.quoteQueue.request(kind, refs.map((r) => `${r.segment}:${r.securityId}`), options.priority ?? 'now');
  }

  /** Requests sent and instruments asked so far, and jobs waiting. */
  quoteStats(): QuoteQueueStats {
    return this.quoteQueue.stats();
  }

  /** One request (paced, and retried when refused as too fast, by the queue). */
  private async fetchQuotes(kind: QuoteKind, tokens: InstrumentToken[]): Promise<Map<InstrumentToken, RestQuote>> {
    const body: Record<string, number[]> = {};
    for (const t of tokens) {
      const [seg, id] = t.split(':') as [Segment, string];
      (body[seg] ??= []).push(Number(id));
    }
    const res = await this.post<{ data: Record<string, Record<string, RestQuote>> }>(`/marketfeed/${kind}`, body);
    const out = new Map<InstrumentToken, RestQuote>();
    for (const [seg, byId] of Object.entries(res.data ?? {})) {
      if (!SEGMENT_SET.has(seg)) continue;
      for (const [id, q] of Object.entries(byId)) out.set(`${seg}:${id}`, q);
    }
    return out;
  }

  /** The option chain of an underlying for one expiry (paced at one request per 3 s). */
  optionChain(underlying: InstrumentRef, expiry: string): Promise<RestOptionChain> {
    return this.chainPacer.run(async () => {
      const res = await this.post<{ data: RestOptionChain }>('/optionchain', { UnderlyingScrip: underlying.securityId, UnderlyingSeg: underlying.segment, Expiry: expiry });
      return res.data;
    });
  }

  /** Expiries Dhan lists for an underlying. */
  async expiryList(underlying: InstrumentRef): Promise<string[]> {
    const res = await this.chainPacer.run(() => this.post<{ data: string[] }>('/optionchain/expirylist', { UnderlyingScrip: underlying.securityId, UnderlyingSeg: underlying.segment }));
    return res.data;
  }

  /**
   * One `POST /charts/intraday` (paced at the data-API rate), answered as Dhan sent it: build the
   * body and check the answer with intraday-charts.ts. Refused as too fast (the limit is counted
   * at Dhan's end, after network jitter), it is sent again through the pacer, twice at most.
   */
  async intradayCharts(body: object): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.dataPacer.run(() => this.post<unknown>('/charts/intraday', body));
      } catch (err) {
        if (attempt >= TOO_FAST_RETRIES || !isTooFast(err)) throw err;
      }
    }
  }

  /** The account profile (token validity, data plan). */
  profile(): Promise<Record<string, unknown>> {
    return this.request<Record<string, unknown>>('GET', '/profile');
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const creds = this.o.credentials();
    if (!creds) throw new AppError('AUTH', 'no Dhan credentials: set the client id and access token');
    let res: Response;
    try {
      res = await this.fetchFn(`${this.o.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { 'access-token': creds.token, 'client-id': creds.clientId, 'Content-Type': 'application/json', Accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new AppError('NETWORK', `Dhan ${path} unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // fall through: reported below
    }
    if (!res.ok || (json as { status?: string } | null)?.status === 'failed') throw restError(path, res.status, json, text);
    if (json === null) throw new AppError('NETWORK', `Dhan ${path} answered with no JSON`);
    return json as T;
  }
}

/** Map Dhan's error bodies (`{data:{"806":"..."}}` or `{errorCode:"DH-901",...}`) to product errors. */
function restError(path: string, status: number, json: unknown, text: string): AppError {
  const data = (json as { data?: unknown } | null)?.data;
  let dhanCode = '';
  let message = '';
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const [k, v] = Object.entries(data as Record<string, unknown>)[0] ?? [];
    if (k && /^\d{3}$/.test(k)) {
      dhanCode = k;
      message = String(v);
    }
  }
  const dh = json as { errorCode?: string; errorMessage?: string } | null;
  if (!dhanCode && dh?.errorCode) {
    dhanCode = dh.errorCode;
    message = dh.errorMessage ?? '';
  }
  let code: ErrorCode = 'NETWORK';
  if (status === 401 || status === 403 || ['806', '807', '808', '809', '810', 'DH-901', 'DH-902'].includes(dhanCode)) code = 'AUTH';
  else if (status === 429 || dhanCode === '805' || dhanCode === 'DH-904') code = 'RATE_LIMITED';
  else if (status >= 400 && status < 500) code = 'BAD_REQUEST';
  const what = message || text.slice(0, 200) || `HTTP ${status}`;
  return new AppError(code, `Dhan ${path} failed (HTTP ${status}${dhanCode ? `, ${dhanCode}` : ''}): ${what}`);
}
