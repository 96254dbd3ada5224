/**
 * Back-fill: a chain opened mid-session gets today's earlier minutes from Dhan's intraday charts
 * (rest/intraday-charts.ts; the simulator serves the same endpoint), written marked `backfilled`.
 *
 * Policy:
 * - What: per minute the underlying's close, the ATM then (the chain's strike nearest that close),
 *   and the ATM straddle (the CE and PE closes at it), with those two legs' LTP, OI and volume so
 *   far. PCR, OI totals, IV and the forward would need every leg of every minute (a request each):
 *   they stay null, and the minute says `backfilled`.
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
import type { BackfillMinute, History } from './index';

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
    const legBars = new Map<number, { ce: Map<number, IntradayBar>; pe: Map<number, IntradayBar>; ceVol: Map<number, number>; peVol: Map<number, number> }>();
    for (const strike of new Set(wanted.map((b) => atmOf(b.close)))) {
      const row = chain.strikes.find((s) => s.strike === strike);
      if (!row || this.stopped) continue;
      const [ce, pe] = [row.ce, row.pe].map((leg) => (leg ? this.o.registry.get(leg) : undefined));
      const [ceBars, peBars] = await Promise.all([ce, pe].map((i) => (i ? fetchIntradayBars(this.o.rest, { ref: i, kind: i.kind, fromMs, toMs }) : Promise.resolve([]))));
      legBars.set(strike, { ce: byStart(ceBars!), pe: byStart(peBars!), ceVol: cumulative(ceBars!), peVol: cumulative(peBars!) });
    }
    if (this.stopped) return 0;

    const minutes: BackfillMinute[] = wanted.map((b) => {
      const atm = atmOf(b.close);
      const legs = legBars.get(atm);
      const ce = legs?.ce.get(b.t);
      const pe = legs?.pe.get(b.t);
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
          [String(atm)]: {
            ...(ce ? { CE: { ltp: ce.close, oi: ce.oi, volume: legs!.ceVol.get(b.t) ?? null } } : {}),
            ...(pe ? { PE: { ltp: pe.close, oi: pe.oi, volume: legs!.peVol.get(b.t) ?? null } } : {}),
          },
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

/** The day's volume up to and including each candle (the recorder keeps a leg's day volume). */
function cumulative(bars: readonly IntradayBar[]): Map<number, number> {
  const out = new Map<number, number>();
  let sum = 0;
  for (const b of bars) out.set(b.t, (sum += b.volume));
  return out;
}
