/**
 * Keeps a draft strategy evaluated: `strategy:evaluate` after each change the trader makes (legs,
 * IV shift, date), debounced, and again every few seconds while the panel is open, because legs
 * without a fixed price are valued at the live market. No React here.
 *
 * Policy: one request in flight at a time. A change made while one is in flight is evaluated as
 * soon as it answers; only the answer to the newest request is shown (a slow answer for older legs
 * never overwrites newer figures). An empty draft clears the figures without asking the engine.
 */
import type { CommandRequest, StrategyEvaluationView } from '../../../../shared/contract';
import type { Transport } from '../../api/transport';
import type { DraftLeg } from './strategy-draft';

/** The what-if inputs the engine takes. */
export interface WhatIf {
  /** Volatility points added to every leg's IV (2 = +2%). */
  ivShift: number;
  /** The date of the "at date" curve, YYYY-MM-DD; null = now. */
  atDate: string | null;
}

export interface StrategyEvaluatorSink {
  /** New figures, or null for an empty draft. */
  result(view: StrategyEvaluationView | null): void;
  /** The engine's refusal (a bad leg, an unknown strike) or null once an evaluation succeeds. */
  error(message: string | null): void;
}

export interface StrategyEvaluatorOptions {
  transport: Transport;
  symbol: string;
  sink: StrategyEvaluatorSink;
  debounceMs?: number;
  refreshMs?: number;
}

/** The request for `legs` and `whatIf`. */
export function evaluateRequest(symbol: string, legs: readonly DraftLeg[], whatIf: WhatIf): CommandRequest<'strategy:evaluate'> {
  const request: CommandRequest<'strategy:evaluate'> = {
    symbol,
    legs: legs.map((l) => ({
      expiry: l.expiry,
      ...(l.option_type !== 'FUT' && l.strike !== null ? { strike: l.strike } : {}),
      option_type: l.option_type,
      side: l.side,
      lots: l.lots,
      ...(l.price !== null ? { price: l.price } : {}),
    })),
  };
  if (whatIf.ivShift !== 0) request.iv_shift = whatIf.ivShift;
  if (whatIf.atDate) request.at_date = whatIf.atDate;
  return request;
}

export class StrategyEvaluator {
  private readonly transport: Transport;
  private readonly symbol: string;
  private readonly sink: StrategyEvaluatorSink;
  private readonly debounceMs: number;
  private legs: readonly DraftLeg[] = [];
  private whatIf: WhatIf = { ivShift: 0, atDate: null };
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private readonly refresh: ReturnType<typeof setInterval>;
  private inFlight = false;
  private again = false;
  private seq = 0;
  private stopped = false;

  constructor(o: StrategyEvaluatorOptions) {
    this.transport = o.transport;
    this.symbol = o.symbol;
    this.sink = o.sink;
    this.debounceMs = o.debounceMs ?? 120;
    this.refresh = setInterval(() => {
      if (this.legs.length > 0) this.run();
    }, o.refreshMs ?? 3_000);
  }

  /** The draft or the what-if changed: evaluate shortly. */
  set(legs: readonly DraftLeg[], whatIf: WhatIf): void {
    this.legs = legs;
    this.whatIf = whatIf;
    if (this.debounce) clearTimeout(this.debounce);
    if (legs.length === 0) {
      this.seq += 1; // any answer in flight is for legs that are gone
      this.sink.error(null);
      this.sink.result(null);
      return;
    }
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.run();
    }, this.debounceMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.debounce) clearTimeout(this.debounce);
    clearInterval(this.refresh);
  }

  private run(): void {
    if (this.stopped || this.legs.length === 0) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    const seq = ++this.seq;
    void this.transport.call('strategy:evaluate', evaluateRequest(this.symbol, this.legs, this.whatIf)).then((answer) => {
      this.inFlight = false;
      if (this.stopped) return;
      if (seq === this.seq) {
        if (answer.ok) {
          this.sink.error(null);
          this.sink.result(answer.value);
        } else {
          this.sink.error(answer.error.message);
        }
      }
      if (this.again) {
        this.again = false;
        this.run();
      }
    });
  }
}
