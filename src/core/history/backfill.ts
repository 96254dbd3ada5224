/**
 * Back-fill: a chain opened mid-session gets today's earlier minutes from Dhan's intraday charts
 * (rest/intraday-charts.ts; the simulator serves the same endpoint), written marked `backfilled`.
 *
 * Policy:
 * - What: per minute the underlying's close, the ATM then (the chain's strike nearest that close),
 *   and the ATM straddle (the CE and PE closes at it), with those two legs' LTP, OI and volume so
 *   far. PCR, OI totals, IV and the forward would need every leg of every minute (a request each):
 *   they stay null, and the minute says `backfilled`.
 * - Volume so far is the sum of the leg's candles up to the minute's, so it is known in a minute
 *   without a candle too (nothing traded: Dhan sends no candle), where LTP and OI are not. A minute
 *   also holds the next minute's ATM legs when the ATM moves: the next minute's straddle volume
 *   is the difference at its own ATM (straddle-volumes.ts), which needs both minutes' counts there.
 * - Cost: one request for the underlying, then two for each distinct ATM strike of the day (a few),
 *   paced by the REST client at Dhan's 5 a second; one chain at a time, in the order they opened.
 * - When: once per chain and IST day, for a chain whose session is on (`shouldFill`), and only
 *   when its earliest recorded minute of the day is later than the first candle: a chain recorded
 *   since the open needs nothing. A minute already recorded live is never overwritten (the store
 *   refuses), so back-fill and recorder can run side by side.
 * - Time: a candle starting at s is written at s + 1 minute, the recorder's convention (its minute
 *   t is the state at that boundary); only minutes the recorder would have recorded (the chain's
 *   session, `shouldFill`).
 * - No candles yet (just after the open, or an instrument that has not traded today) is not a
 *   failure: the chain is tried again a minute later (`retryMs`). Failures are reported and not
 *   retried the same day (Dhan answers "no data present" as a 400 too).
 */
import { nearestStrike, type OptionChain } from '../../shared/chain';
import { istDate, istEpochMs } from '../../shared/market-calendar';
import type { InstrumentRegistry } from '../instruments/registry';
import { fetchIntradayBars, type IntradayBar, type IntradayChartsTransport } from '../rest/intraday-charts';
import { MINUTE_MS } from './history-store';
import type { BackfillMinute, History, StrikeLeg } from './index';

export interface BackfillerOptions {
  history: Pick<History, 'minutes' | 'writeBackfilled'>;
  registry: Pick<InstrumentRegistry, 'get' | 'chainUnderlying'>;
  rest: IntradayChartsTransport;
  now: () => number;
  /** Whether the chain's session is on at `t` (the recorder's rule). */
  shouldFill: (chain: OptionChain, t: number) => boolean;
  onError?: (message: string) => void;
  /** When a chain had no candles yet, try it again after this long (default a minute). */
  retryMs?: number;
}

export class Backfiller {
  private readonly o: BackfillerOptions;
  /** `SYMBOL|expiry|date` already handled (filled, nothing to fill, or failed) today. */
  private readonly handled = new Set<string>();
  private readonly queue: OptionChain[] = [];
  /** The queue being worked through, while it is. */
  private draining: Promise<void> | null = null;
  private stopped = false;
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: BackfillerOptions) {
    this.o = options;
  }

  /** Queue every chain of `chains` not handled today whose session is on (cheap: call on every change). */
  consider(chains: Iterable<OptionChain>): void {
    if (this.stopped) return;
    const now = this.o.now();
    const day = istDate(now);
    for (const chain of chains) {
      const key = `${chain.symbol}|${chain.expiry}|${day}`;
      if (this.handled.has(key) || !this.o.shouldFill(chain, now)) continue;
      this.handled.add(key);
      this.queue.push(chain);
    }
    if (this.draining || !this.queue.length) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // Queued between the last shift and now: work on.
      this.consider([]);
    });
  }

  /** Stop taking work; a fill in flight finishes its write. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const r of this.retries) clearTimeout(r);
    this.retries.clear();
  }

  /** Resolves when the queue is empty. */
  async idle(): Promise<void> {
    await this.draining;
  }

  private async drain(): Promise<void> {
    for (let chain = this.queue.shift(); chain && !this.stopped; chain = this.queue.shift()) {
      try {
        if ((await this.fillOnce(chain)) === null) this.retryLater(chain);
      } catch (err) {
        this.o.onError?.(`back-fill of ${chain.symbol} ${chain.expiry} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Fill one chain's earlier minutes of today; returns how many were written. */
  async fill(chain: OptionChain): Promise<number> {
    return (await this.fillOnce(chain)) ?? 0;
  }

  /** No candles yet: let the chain be considered again after `retryMs`. */
  private retryLater(chain: OptionChain): void {
    if (this.stopped) return;
    this.handled.delete(`${chain.symbol}|${chain.expiry}|${istDate(this.o.now())}`);
    const r = setTimeout(() => {
      this.retries.delete(r);
      this.consider([chain]);
    }, this.o.retryMs ?? 60_000);
    r.unref();
    this.retries.add(r);
  }

  /** The minutes written, or null when there were no candles yet. */
  private async fillOnce(chain: OptionChain): Promise<number | null> {
    const now = this.o.now();
    const fromMs = istEpochMs(istDate(now), 0);
    const toMs = now - (now % MINUTE_MS);
    const under = chain.underlying ? this.o.registry.get(chain.underlying) : undefined;
    if (!under || toMs <= fromMs) return 0;
    const bars = await fetchIntradayBars(this.o.rest, { ref: under, kind: under.kind, fromMs, toMs });
    if (bars.length === 0) return null;
    const recorded = this.o.history.minutes(chain.symbol, chain.expiry, { from: fromMs, to: toMs })?.minutes ?? [];
    const firstLive = recorded.find((m) => !m.backfilled)?.t ?? Number.POSITIVE_INFINITY;
    // Minutes the recorder would have recorded (the chain's session), not yet recorded live.
    const wanted = bars.filter((b) => b.t + MINUTE_MS < firstLive && b.t + MINUTE_MS <= toMs && this.o.shouldFill(chain, b.t + MINUTE_MS));
    if (wanted.length === 0 || this.stopped) return 0;

    // The ATM of each minute, and the two legs' candles at each strike that was the ATM.
    const atmOf = (price: number) => nearestStrike(chain, price) ?? chain.strikes[0]!.strike;
    const legBars = new Map<number, { ce: Map<number, IntradayBar>; pe: Map<number, IntradayBar>; ceVol: DayVolume | null; peVol: DayVolume | null }>();
    for (const strike of new Set(wanted.map((b) => atmOf(b.close)))) {
      const row = chain.strikes.find((s) => s.strike === strike);
      if (!row || this.stopped) continue;
      const [ce, pe] = [row.ce, row.pe].map((leg) => (leg ? this.o.registry.get(leg) : undefined));
      const [ceBars, peBars] = await Promise.all([ce, pe].map((i) => (i ? fetchIntradayBars(this.o.rest, { ref: i, kind: i.kind, fromMs, toMs }) : Promise.resolve([]))));
      legBars.set(strike, { ce: byStart(ceBars!), pe: byStart(peBars!), ceVol: ce ? new DayVolume(ceBars!) : null, peVol: pe ? new DayVolume(peBars!) : null });
    }
    if (this.stopped) return 0;

    /** One strike's legs at the candle starting at `start`: what is known of them. */
    const legsAt = (strike: number, start: number): NonNullable<BackfillMinute['strikes']>[string] => {
      const legs = legBars.get(strike);
      const leg = (bar: IntradayBar | undefined, volume: DayVolume | null | undefined): Partial<StrikeLeg> | undefined => {
        const soFar = volume?.at(start) ?? null;
        if (bar) return { ltp: bar.close, oi: bar.oi, volume: soFar };
        return soFar === null ? undefined : { volume: soFar };
      };
      const ce = leg(legs?.ce.get(start), legs?.ceVol);
      const pe = leg(legs?.pe.get(start), legs?.peVol);
      return { ...(ce ? { CE: ce } : {}), ...(pe ? { PE: pe } : {}) };
    };
    const minutes: BackfillMinute[] = wanted.map((b, i) => {
      const atm = atmOf(b.close);
      const legs = legBars.get(atm);
      const ce = legs?.ce.get(b.t);
      const pe = legs?.pe.get(b.t);
      const after = wanted[i + 1];
      const nextAtm = after && after.t === b.t + MINUTE_MS ? atmOf(after.close) : atm;
      return {
        t: b.t + MINUTE_MS,
        underlying: b.close,
        atmStrike: atm,
        straddle: ce && pe ? round2(ce.close + pe.close) : null,
        pcr: null,
        pcrVolume: null,
        atmIv: null,
        ceOi: null,
        peOi: null,
        forward: null,
        strikes: {
          [String(atm)]: legsAt(atm, b.t),
          ...(nextAtm !== atm ? { [String(nextAtm)]: legsAt(nextAtm, b.t) } : {}),
        },
      };
    });
    return this.o.history.writeBackfilled(chain.symbol, chain.expiry, minutes);
  }
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function byStart(bars: readonly IntradayBar[]): Map<number, IntradayBar> {
  return new Map(bars.map((b) => [b.t, b]));
}

/** A leg's day volume (what the recorder keeps) from its candles: their sum up to a minute. */
class DayVolume {
  private readonly starts: number[] = [];
  private readonly sums: number[] = [];

  /** `bars`: the day's candles so far, in time order. */
  constructor(bars: readonly IntradayBar[]) {
    let sum = 0;
    for (const b of bars) {
      this.starts.push(b.t);
      this.sums.push((sum += b.volume));
    }
  }

  /** The volume of the candles starting at or before `start` (0 before the first trade). */
  at(start: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! <= start) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : this.sums[lo - 1]!;
  }
}
