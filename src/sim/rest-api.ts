/**
 * Dhan's data REST API as the simulator serves it under `/v2` (DHAN-PROTOCOL.md §5): market
 * quotes (ltp / ohlc / quote), option chain, expiry list, profile and today's intraday charts
 * (intraday-charts.ts).
 *
 * Policy:
 * - Auth first (`access-token`, plus `client-id` on data APIs): 401 with Dhan's data-API body
 *   (807 for the configured expired token, else 808); `/profile` answers like a trading API (DH-901).
 * - Then the body: anything malformed is 400 with an 814 body (804 past 1,000 instruments; 811 /
 *   812 / 813 for option-chain expiry, date format and underlying). Bad requests do not use up
 *   the rate limit.
 * - Then the rate limit, on the injected clock: quote APIs once per second per client (shared by
 *   ltp/ohlc/quote); option chain once per 3 s per unique (underlying, expiry) request. 429 with 805.
 *   Intraday charts are a data API (5 requests/s, DHAN-PROTOCOL.md §5.5): one per 200 ms per
 *   client, else 429 with DH-904, the trading-style body the charts API answers in.
 * - Unknown ids are left out of quote answers, as Dhan does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { black76Greeks, impliedVol } from '../shared/black76';
import { SEGMENTS, tokenOf, type Segment } from '../shared/instruments';
import { IST_OFFSET_MS } from '../shared/market-calendar';
import { answerCharts, parseChartsRequest } from './intraday-charts';
import { IntradayHistory } from './intraday-history';
import type { SessionMode } from './market-hours';
import type { FairValue, QuoteState } from './market-types';
import type { ChainStrike, SimUniverse } from './sim-instruments';

/** What the REST API reads from the market. */
export interface RestMarket {
  /** Current state of an instrument the universe lists. */
  quote(token: string): Readonly<QuoteState> | undefined;
  fairValue(token: string): FairValue | undefined;
  /** The instrument's value at its previous close mark (the market model has it); charts history starts there. */
  prevCloseFair?(token: string): FairValue | undefined;
}

export interface RestApiOptions {
  universe: SimUniverse;
  market: RestMarket;
  clientId: string;
  token: string;
  /** A token that authenticates as "expired" (807). */
  expiredToken: string;
  now: () => number;
  maxQuoteInstruments?: number;
  /** The simulator's session, added to `/v2/profile` as `simulator` (Dhan's profile has no such field). */
  simulator?: () => object;
  quoteIntervalMs?: number;
  chainIntervalMs?: number;
  /** Minimum gap between one client's intraday-charts requests (default 200 ms: Dhan's 5/s). */
  chartsIntervalMs?: number;
  /** The market's session mode, for the charts' trading window (default 'always', the simulator's default). */
  session?: SessionMode;
  /** Seed of the charts history (default 1). */
  seed?: number;
}

export interface RestStats {
  requests: number;
  unauthorized: number;
  badRequests: number;
  rateLimited: number;
}

/** An error answer: HTTP status and body. */
class RestError extends Error {
  override name = 'RestError';
  constructor(
    readonly status: number,
    readonly body: object,
  ) {
    super(JSON.stringify(body));
  }
}

const dataError = (status: number, code: number, message: string): RestError =>
  new RestError(status, { data: { [String(code)]: message }, status: 'failed' });
const badRequest = (message = 'Invalid Request'): RestError => dataError(400, 814, message);

/** Largest JSON body read (a 1,000-instrument quote request is ~10 kB). */
const MAX_BODY_BYTES = 1024 * 1024;

/** Read a JSON request body; undefined when empty, throws RestError 400 when not JSON or too big. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw badRequest('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('request body is not JSON');
  }
}

/** Write a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const SEGMENT_SET: ReadonlySet<string> = new Set(SEGMENTS);
const pad = (n: number): string => String(n).padStart(2, '0');
const round = (x: number, places = 4): number => {
  const f = 10 ** places;
  return Math.round(x * f) / f;
};

/** `DD/MM/YYYY HH:MM:SS` of an IST-wall epoch-seconds LTT (Dhan's untraded value when 0). */
export function formatTradeTime(ltt: number): string {
  if (ltt <= 0) return '01/01/1980 00:00:00';
  const d = new Date(ltt * 1000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}


/** `/v2/...` handler of one simulator. */
export class RestApi {
  readonly stats: RestStats = { requests: 0, unauthorized: 0, badRequests: 0, rateLimited: 0 };
  private lastQuoteAt = new Map<string, number>();
  private lastChainAt = new Map<string, number>();
  private lastChartsAt = new Map<string, number>();
  private readonly history: IntradayHistory;
  private readonly maxQuote: number;
  private readonly quoteInterval: number;
  private readonly chainInterval: number;
  private readonly startedAt: number;

  constructor(private readonly o: RestApiOptions) {
    this.maxQuote = o.maxQuoteInstruments ?? 1000;
    this.quoteInterval = o.quoteIntervalMs ?? 1000;
    this.chainInterval = o.chainIntervalMs ?? 3000;
    this.history = new IntradayHistory({ market: o.market, seed: o.seed ?? 1, session: o.session ?? 'always' });
    this.startedAt = o.now();
  }

  /** Answer one request whose path starts with `/v2/`. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    this.stats.requests++;
    try {
      const route = path.replace(/\/+$/, '');
      if (route === '/v2/profile') {
        if (req.method !== 'GET') throw new RestError(405, { errorType: 'Input_Exception', errorCode: 'DH-905', errorMessage: 'use GET' });
        this.authorize(req, false);
        sendJson(res, 200, this.profile());
        return;
      }
      const handler = this.postRoute(route);
      if (!handler) throw new RestError(404, { errorType: 'Input_Exception', errorCode: 'DH-905', errorMessage: `no such API ${route}` });
      if (req.method !== 'POST') throw new RestError(405, { errorType: 'Input_Exception', errorCode: 'DH-905', errorMessage: 'use POST' });
      this.authorize(req, true);
      const body = await readJsonBody(req);
      sendJson(res, 200, handler(body));
    } catch (err) {
      if (!(err instanceof RestError)) throw err;
      if (err.status === 400) this.stats.badRequests++;
      else if (err.status === 401) this.stats.unauthorized++;
      else if (err.status === 429) this.stats.rateLimited++;
      sendJson(res, err.status, err.body);
    }
  }

  private postRoute(route: string): ((body: unknown) => object) | null {
    switch (route) {
      case '/v2/marketfeed/ltp':
        return (b) => this.marketFeed(b, 'ltp');
      case '/v2/marketfeed/ohlc':
        return (b) => this.marketFeed(b, 'ohlc');
      case '/v2/marketfeed/quote':
        return (b) => this.marketFeed(b, 'quote');
      case '/v2/optionchain':
        return (b) => this.optionChain(b);
      case '/v2/optionchain/expirylist':
        return (b) => this.expiryList(b);
      case '/v2/charts/intraday':
        return (b) => this.intradayCharts(b);
      default:
        return null;
    }
  }

  private authorize(req: IncomingMessage, dataApi: boolean): void {
    const token = req.headers['access-token'];
    const client = req.headers['client-id'];
    const clientOk = client === this.o.clientId || (!dataApi && client === undefined);
    if (token === this.o.token && clientOk) return;
    if (!dataApi) {
      throw new RestError(401, { errorType: 'Invalid_Authentication', errorCode: 'DH-901', errorMessage: 'Client ID or user generated access token is invalid or expired.' });
    }
    if (token === this.o.expiredToken && clientOk) throw dataError(401, 807, 'Access token is expired');
    throw dataError(401, 808, 'Authentication Failed - Client ID or Token invalid');
  }

  /** Refuse when `key` was served less than `intervalMs` ago; else record it. */
  private limit(map: Map<string, number>, key: string, intervalMs: number): void {
    const now = this.o.now();
    const last = map.get(key);
    if (last !== undefined && now - last < intervalMs) {
      throw new RestError(429, { data: { '805': 'Too many requests. Further requests may result in the user being blocked.' }, status: 'failed' });
    }
    map.set(key, now);
  }

  private marketFeed(body: unknown, kind: 'ltp' | 'ohlc' | 'quote'): object {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest();
    const wanted: [Segment, number[]][] = [];
    let count = 0;
    for (const [key, value] of Object.entries(body)) {
      if (key === 'dhanClientId') continue;
      if (!SEGMENT_SET.has(key) || !Array.isArray(value)) throw badRequest(`bad segment entry ${JSON.stringify(key)}`);
      const ids = value.map((v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN));
      if (ids.some((id) => !Number.isInteger(id) || id < 0 || id > 2147483647)) throw badRequest(`bad security id in ${key}`);
      count += ids.length;
      wanted.push([key as Segment, ids]);
    }
    if (count === 0) throw badRequest('no instruments requested');
    if (count > this.maxQuote) throw dataError(400, 804, `Requested number of instruments exceeds limit (${count} > ${this.maxQuote})`);
    this.limit(this.lastQuoteAt, this.o.clientId, this.quoteInterval);
    const data: Record<string, Record<string, object>> = {};
    for (const [segment, ids] of wanted) {
      const out: Record<string, object> = {};
      for (const securityId of ids) {
        const token = tokenOf({ segment, securityId });
        const q = this.o.universe.get(token) ? this.o.market.quote(token) : undefined;
        if (q) out[String(securityId)] = kind === 'ltp' ? { last_price: round(q.ltp) } : kind === 'ohlc' ? { last_price: round(q.ltp), ohlc: ohlcOf(q) } : quoteOf(q);
      }
      data[segment] = out;
    }
    return { data, status: 'success' };
  }

  /** The (underlying, expiry) of an option-chain request; `needExpiry` for the chain itself. */
  private chainRequest(body: unknown, needExpiry: boolean): { key: string; ref: NonNullable<ReturnType<SimUniverse['chain']>>; expiry: string | null } {
    if (typeof body !== 'object' || body === null) throw badRequest();
    const b = body as { UnderlyingScrip?: unknown; UnderlyingSeg?: unknown; Expiry?: unknown };
    const scrip = typeof b.UnderlyingScrip === 'string' && /^\d{1,10}$/.test(b.UnderlyingScrip) ? Number(b.UnderlyingScrip) : b.UnderlyingScrip;
    if (typeof scrip !== 'number' || !Number.isInteger(scrip) || typeof b.UnderlyingSeg !== 'string' || !SEGMENT_SET.has(b.UnderlyingSeg)) {
      throw badRequest('UnderlyingScrip (integer) and UnderlyingSeg (segment) are required');
    }
    let expiry: string | null = null;
    if (needExpiry) {
      if (typeof b.Expiry !== 'string') throw badRequest('Expiry is required');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(b.Expiry)) throw dataError(400, 812, 'Invalid date format');
      expiry = b.Expiry;
    }
    const ref = this.o.universe.chain(b.UnderlyingSeg as Segment, scrip);
    if (!ref) throw dataError(400, 813, 'Invalid SecurityId');
    if (expiry !== null && !ref.group.expiries.has(expiry)) throw dataError(400, 811, 'Invalid Expiry Date');
    return { key: `${b.UnderlyingSeg}:${scrip}:${expiry ?? ''}`, ref, expiry };
  }

  private optionChain(body: unknown): object {
    const { key, ref, expiry } = this.chainRequest(body, true);
    this.limit(this.lastChainAt, `${this.o.clientId}|${key}`, this.chainInterval);
    const underlying = this.o.market.quote(tokenOf(ref.underlying));
    const oc: Record<string, { ce?: object; pe?: object }> = {};
    for (const s of ref.group.expiries.get(expiry!)!) {
      const row: { ce?: object; pe?: object } = {};
      if (s.ce) row.ce = this.leg(s, s.ce);
      if (s.pe) row.pe = this.leg(s, s.pe);
      oc[s.strike.toFixed(6)] = row;
    }
    return { data: { last_price: round(underlying?.ltp ?? 0), oc }, status: 'success' };
  }

  private leg(s: ChainStrike, inst: NonNullable<ChainStrike['ce']>): object {
    const token = tokenOf(inst);
    const q = this.o.market.quote(token);
    const fv = this.o.market.fairValue(token);
    const isCall = inst.optionType === 'CE';
    let iv = 0;
    let greeks = { delta: 0, theta: 0, gamma: 0, vega: 0 };
    if (q && fv && fv.years > 0) {
      const implied = impliedVol(q.ltp, fv.forward, s.strike, fv.years, fv.rate, isCall);
      const vol = Number.isFinite(implied) && implied > 0 ? implied : fv.vol;
      const g = black76Greeks({ forward: fv.forward, strike: s.strike, years: fv.years, vol, rate: fv.rate, isCall });
      iv = vol * 100;
      greeks = { delta: round(g.delta, 5), theta: round(g.theta, 5), gamma: round(g.gamma, 6), vega: round(g.vega, 5) };
    }
    return {
      average_price: round(q?.atp ?? 0),
      greeks,
      implied_volatility: round(iv, 4),
      last_price: round(q?.ltp ?? 0),
      oi: q?.oi ?? 0,
      previous_close_price: round(q?.prevClose ?? 0),
      previous_oi: q?.prevOi ?? 0,
      // The model keeps no previous-day volume.
      previous_volume: 0,
      security_id: inst.securityId,
      top_ask_price: round(q?.askPrice[0] ?? 0),
      top_ask_quantity: q?.askQty[0] ?? 0,
      top_bid_price: round(q?.bidPrice[0] ?? 0),
      top_bid_quantity: q?.bidQty[0] ?? 0,
      volume: q?.volume ?? 0,
    };
  }

  private intradayCharts(body: unknown): object {
    const parsed = parseChartsRequest(body, this.o.universe);
    if (!parsed.ok) throw new RestError(parsed.status, parsed.body);
    const now = this.o.now();
    const last = this.lastChartsAt.get(this.o.clientId);
    if (last !== undefined && now - last < (this.o.chartsIntervalMs ?? 200)) {
      throw new RestError(429, { errorType: 'Rate_Limit', errorCode: 'DH-904', errorMessage: 'Too many requests on server from single user breaching rate limits.' });
    }
    this.lastChartsAt.set(this.o.clientId, now);
    const answer = answerCharts(parsed.value, this.history, now);
    if (!answer.ok) throw new RestError(answer.status, answer.body);
    return answer.value;
  }

  private expiryList(body: unknown): object {
    const { ref } = this.chainRequest(body, false);
    return { data: [...ref.group.expiries.keys()], status: 'success' };
  }

  private profile(): object {
    const validity = new Date(this.startedAt + 24 * 3_600_000 + IST_OFFSET_MS);
    const data = new Date(this.startedAt + 30 * 86_400_000 + IST_OFFSET_MS);
    return {
      dhanClientId: this.o.clientId,
      tokenValidity: `${pad(validity.getUTCDate())}/${pad(validity.getUTCMonth() + 1)}/${validity.getUTCFullYear()} ${pad(validity.getUTCHours())}:${pad(validity.getUTCMinutes())}`,
      activeSegment: 'Equity, Derivative, Currency, Commodity',
      ddpi: 'Active',
      mtf: 'Active',
      dataPlan: 'Active',
      dataValidity: `${data.toISOString().slice(0, 10)} ${data.toISOString().slice(11, 19)}.0`,
      ...(this.o.simulator ? { simulator: this.o.simulator() } : {}),
    };
  }
}

function ohlcOf(q: QuoteState): object {
  return { open: round(q.open), close: round(q.prevClose), high: round(q.high), low: round(q.low) };
}

function quoteOf(q: QuoteState): object {
  const side = (price: readonly number[], qty: readonly number[], orders: readonly number[]): object[] =>
    Array.from({ length: 5 }, (_, i) => ({ quantity: qty[i] ?? 0, orders: orders[i] ?? 0, price: round(price[i] ?? 0) }));
  const band = q.prevClose * 0.2;
  return {
    average_price: round(q.atp),
    buy_quantity: q.totalBuyQty,
    depth: { buy: side(q.bidPrice, q.bidQty, q.bidOrders), sell: side(q.askPrice, q.askQty, q.askOrders) },
    last_price: round(q.ltp),
    last_quantity: q.ltq,
    last_trade_time: formatTradeTime(q.ltt),
    lower_circuit_limit: round(Math.max(0, q.prevClose - band), 2),
    net_change: round(q.ltp - q.prevClose, 2),
    ohlc: ohlcOf(q),
    oi: q.oi,
    oi_day_high: q.oiDayHigh,
    oi_day_low: q.oiDayLow,
    sell_quantity: q.totalSellQty,
    upper_circuit_limit: round(q.prevClose + band, 2),
    volume: q.volume,
  };
}
