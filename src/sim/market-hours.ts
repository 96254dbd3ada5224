/**
 * When the simulated exchange trades, and when its days close.
 *
 * Policy:
 * - Two session modes. 'always' (the default, and the simulator's behaviour before market hours
 *   existed): every instrument trades at any hour of any day, so developers and CI get a live
 *   market at night; each IST day closes at midnight. 'clock': an instrument trades only while
 *   its venue is open by the exchange calendar (src/shared/market-calendar): NSE and BSE cash,
 *   F&O and indices 09:15-15:30 IST on the exchange's trading days, currency derivatives
 *   09:00-17:00, MCX and NSE commodities 09:00-23:30/23:55 (evening only on NSE holidays); a day
 *   closes at its venue's session close, and days without a session have no close.
 * - The underlying's walk runs in calendar time in both modes; 'clock' only stops the trading, so
 *   the night shows up as the next open's gap, as it does on an exchange.
 * - A close mark is the instant a day's closing prices are taken: every leg's previous close is
 *   valued at the latest mark at or before the start of its IST day, with the underlying's price
 *   then, so all previous closes of a chain lie on one surface.
 * - Lookups are cached per venue for the window they are valid in, so asking on every trade costs
 *   a comparison or two; the calendar is consulted about once per venue per day.
 */
import type { Exchange, Segment } from '../shared/instruments';
import { addDays, istDate, istEpochMs, IST_OFFSET_MS, sessionHours, type SessionHours, type SessionMarket } from '../shared/market-calendar';
import type { AssetClass } from './market-underlyings';

/** 'clock': trade only in market hours; 'always': trade at any hour (a simulated session). */
export type SessionMode = 'clock' | 'always';

export const SESSION_MODES: readonly SessionMode[] = ['clock', 'always'];

const DAY_MS = 86_400_000;
/** Closures never run this long; bounds every calendar search. */
const MAX_CLOSED_DAYS = 30;

/** Where an instrument trades, as a small integer stored in its record (L_VENUE). */
export const VENUE_NSE = 0;
export const VENUE_BSE = 1;
export const VENUE_NSE_CURRENCY = 2;
export const VENUE_BSE_CURRENCY = 3;
export const VENUE_COMMODITY = 4;
const VENUES: readonly { exchange: Exchange; market: SessionMarket; name: string }[] = [
  { exchange: 'NSE', market: 'equity', name: 'NSE' },
  { exchange: 'BSE', market: 'equity', name: 'BSE' },
  { exchange: 'NSE', market: 'currency', name: 'NSE currency' },
  { exchange: 'BSE', market: 'currency', name: 'BSE currency' },
  { exchange: 'MCX', market: 'commodity', name: 'MCX' },
];

/** The venue of a segment (indices trade NSE hours). */
export function venueOf(segment: Segment): number {
  switch (segment) {
    case 'IDX_I':
    case 'NSE_EQ':
    case 'NSE_FNO':
      return VENUE_NSE;
    case 'BSE_EQ':
    case 'BSE_FNO':
      return VENUE_BSE;
    case 'NSE_CURRENCY':
      return VENUE_NSE_CURRENCY;
    case 'BSE_CURRENCY':
      return VENUE_BSE_CURRENCY;
    case 'MCX_COMM':
    case 'NSE_COMM':
      return VENUE_COMMODITY;
    default: {
      const never: never = segment;
      throw new TypeError(`unknown segment ${String(never)}`);
    }
  }
}

/** The venue whose close marks an underlying's day (its home market). */
export function homeVenue(assetClass: AssetClass): number {
  switch (assetClass) {
    case 'index':
    case 'equity':
      return VENUE_NSE;
    case 'commodity':
      return VENUE_COMMODITY;
    case 'currency':
      return VENUE_NSE_CURRENCY;
  }
}

function hoursOf(venue: number, date: string): SessionHours | null {
  const v = VENUES[venue];
  return sessionHours(v.exchange, v.market, date);
}

/** The IST midnight at or before `ms` (the start of its IST day). */
export function istDayStart(ms: number): number {
  return Math.floor((ms + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
}

/** The first IST midnight strictly after `ms`. */
function nextMidnight(ms: number): number {
  return istDayStart(ms) + DAY_MS;
}

/** The session at or after `ms` on a venue: [open, close) epoch ms (open <= ms when in session). */
function sessionFrom(venue: number, ms: number): { open: number; close: number } {
  let date = istDate(ms);
  for (let i = 0; i <= MAX_CLOSED_DAYS; i += 1, date = addDays(date, 1)) {
    const hours = hoursOf(venue, date);
    if (!hours) continue;
    const close = istEpochMs(date, hours.close);
    if (close > ms) return { open: istEpochMs(date, hours.open), close };
  }
  throw new RangeError(`no session within ${MAX_CLOSED_DAYS} days of ${istDate(ms)}`);
}

/** The latest session close at or before `ms` on a venue. */
function closeAtOrBefore(venue: number, ms: number): number {
  let date = istDate(ms);
  for (let i = 0; i <= MAX_CLOSED_DAYS; i += 1, date = addDays(date, -1)) {
    const hours = hoursOf(venue, date);
    if (!hours) continue;
    const close = istEpochMs(date, hours.close);
    if (close <= ms) return close;
  }
  throw new RangeError(`no session within ${MAX_CLOSED_DAYS} days before ${istDate(ms)}`);
}

/** Is a venue open at an instant, and when does it open next (cached per venue). */
export class SessionGate {
  /** Per venue: for t in [from, close), the venue is open iff t >= open. */
  private readonly from = new Float64Array(VENUES.length).fill(Infinity);
  private readonly open = new Float64Array(VENUES.length);
  private readonly close = new Float64Array(VENUES.length);

  constructor(readonly mode: SessionMode) {}

  /** True when instruments of `venue` trade at `ms`. */
  isOpen(venue: number, ms: number): boolean {
    if (this.mode === 'always') return true;
    this.window(venue, ms);
    return ms >= this.open[venue];
  }

  /** The first instant at or after `ms` at which `venue` trades (`ms` itself when open). */
  nextOpen(venue: number, ms: number): number {
    if (this.mode === 'always') return ms;
    this.window(venue, ms);
    return Math.max(ms, this.open[venue]);
  }

  /** The first instant after `ms` at which `venue` stops trading (Infinity in 'always' mode). */
  nextClose(venue: number, ms: number): number {
    if (this.mode === 'always') return Infinity;
    this.window(venue, ms);
    return this.close[venue];
  }

  /**
   * The instant of the latest close mark at or before `ms` for an underlying at home on `venue`:
   * midnight in 'always' mode, the venue's session close on its trading days in 'clock' mode.
   */
  markAtOrBefore(venue: number, ms: number): number {
    return this.mode === 'always' ? istDayStart(ms) : closeAtOrBefore(venue, ms);
  }

  /** The first close mark strictly after `ms` (see `markAtOrBefore`). */
  markAfter(venue: number, ms: number): number {
    if (this.mode === 'always') return nextMidnight(ms);
    return sessionFrom(venue, ms).close;
  }

  private window(venue: number, ms: number): void {
    if (ms >= this.from[venue] && ms < this.close[venue]) return;
    const s = sessionFrom(venue, ms);
    // From the session's own midnight (no venue trades across midnight) or `ms` if earlier: no
    // other session lies in between.
    this.from[venue] = Math.min(ms, istDayStart(s.open));
    this.open[venue] = s.open;
    this.close[venue] = s.close;
  }
}

/** Whether each venue trades at an instant, for status reports. */
export interface VenueStatus {
  venue: string;
  open: boolean;
  /** The current session when open, else the next one: epoch ms of its open and close. */
  opensAt: number;
  closesAt: number;
}

/** Every venue's state at `ms` by the exchange calendar (whatever the session mode). */
export function venueStatus(ms: number): VenueStatus[] {
  return VENUES.map((v, venue) => {
    const s = sessionFrom(venue, ms);
    return { venue: v.name, open: ms >= s.open, opensAt: s.open, closesAt: s.close };
  });
}
