/**
 * The queue in front of Dhan's market-quote endpoints: one request a second (a margin over Dhan's
 * 1/s), up to 1,000 instruments each, and the trader's wait first.
 *
 * Policy:
 * - Two lanes. `now` is what someone is looking at (a chain just added, a re-centre's new strikes,
 *   a price an add needs); `background` is bulk paint (Tier B at start-up, a restore). Each
 *   request is filled from the `now` lane first, newest job first (the chain a trader added last
 *   is the one on screen; a burst of adds by a script paints from its end), then from
 *   `background` oldest first, so an add waits for at most the request already on the wire,
 *   never behind a start-up paint or an earlier burst.
 * - A request is filled, not sent per caller: jobs of the same kind share requests up to 1,000
 *   distinct instruments, and a big job is split across as many as it needs (ceil(N/1,000)).
 *   An instrument asked by several jobs is asked once; every job waiting for it gets the answer.
 * - The batch is chosen when the request is about to go (after the pacing wait), so a job that
 *   arrives during the wait still makes it into the next request.
 * - A request refused as too fast (another process may have used the account's second, or the
 *   network bunched two requests up) is sent again, the same batch, a full interval after the
 *   refused attempt, at most `retries` times: every attempt counts for the pacing, so a refusal
 *   never makes the next request come sooner.
 * - A failed request fails the jobs it carried (each caller decides what to say); the rest of the
 *   queue goes on. Instruments Dhan does not know are absent from a job's answer, not an error.
 */
import type { InstrumentToken } from '../../shared/instruments';

export type QuotePriority = 'now' | 'background';

/** What one paced request does: fetch `tokens` of one kind, keyed by token. */
export type QuoteFetch<K extends string, Q> = (kind: K, tokens: InstrumentToken[]) => Promise<Map<InstrumentToken, Q>>;

export interface QuoteQueueOptions<K extends string, Q> {
  fetch: QuoteFetch<K, Q>;
  /** Minimum ms between request starts. */
  intervalMs: number;
  /** Most instruments in one request. */
  maxPerRequest: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Whether a failed request may be sent again (Dhan's "too many requests"); default never. */
  retryable?: (err: unknown) => boolean;
  /** Attempts after the first for a retryable failure (default 2). */
  retries?: number;
}

interface Job<K extends string, Q> {
  kind: K;
  priority: QuotePriority;
  /** As asked: the answer keeps this order. */
  asked: readonly InstrumentToken[];
  remaining: Set<InstrumentToken>;
  got: Map<InstrumentToken, Q>;
  resolve: (got: Map<InstrumentToken, Q>) => void;
  reject: (err: unknown) => void;
}

/** Counters for the status and the tests. */
export interface QuoteQueueStats {
  requests: number;
  /** Instruments asked for, over all requests. */
  instruments: number;
  /** Jobs waiting now. */
  waiting: number;
}

export class QuoteQueue<K extends string, Q> {
  private readonly o: QuoteQueueOptions<K, Q>;
  private readonly jobs: Job<K, Q>[] = [];
  private last = -Infinity;
  private running = false;
  private requests = 0;
  private instruments = 0;

  constructor(options: QuoteQueueOptions<K, Q>) {
    this.o = options;
  }

  /** Queue a snapshot of `tokens`; resolves with what Dhan answered for them (unknown ones absent). */
  request(kind: K, tokens: readonly InstrumentToken[], priority: QuotePriority = 'now'): Promise<Map<InstrumentToken, Q>> {
    const remaining = new Set(tokens);
    if (remaining.size === 0) return Promise.resolve(new Map());
    return new Promise((resolve, reject) => {
      this.jobs.push({ kind, priority, asked: tokens, remaining, got: new Map(), resolve, reject });
      if (!this.running) {
        this.running = true;
        // A microtask first: callers in the same turn share the first request.
        void Promise.resolve().then(() => this.pump());
      }
    });
  }

  stats(): QuoteQueueStats {
    return { requests: this.requests, instruments: this.instruments, waiting: this.jobs.length };
  }

  private async pump(): Promise<void> {
    try {
      while (this.jobs.length > 0) {
        await this.paceWait();
        const batch = this.nextBatch();
        if (!batch) continue;
        await this.send(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async paceWait(): Promise<void> {
    const wait = this.last + this.o.intervalMs - this.o.now();
    if (wait > 0) await this.o.sleep(wait);
  }

  /** One batch: sent, and sent again after a retryable refusal (each attempt paced). */
  private async send(batch: { kind: K; tokens: InstrumentToken[]; carried: Set<Job<K, Q>> }): Promise<void> {
    const retries = this.o.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await this.paceWait();
      this.last = this.o.now();
      this.requests++;
      this.instruments += batch.tokens.length;
      try {
        const answer = await this.o.fetch(batch.kind, batch.tokens);
        this.settle(batch.kind, batch.tokens, answer);
        return;
      } catch (err) {
        if (attempt < retries && this.o.retryable?.(err)) continue;
        this.fail(batch.carried, err);
        return;
      }
    }
  }

  /** The next request: the newest `now` job's kind (else the oldest job's), filled lane by lane. */
  private nextBatch(): { kind: K; tokens: InstrumentToken[]; carried: Set<Job<K, Q>> } | null {
    const now = this.jobs.filter((j) => j.priority === 'now').reverse();
    const background = this.jobs.filter((j) => j.priority === 'background');
    const lead = now[0] ?? background[0];
    if (!lead) return null;
    const tokens = new Set<InstrumentToken>();
    const carried = new Set<Job<K, Q>>();
    for (const lane of [now, background]) {
      for (const job of lane) {
        if (job.kind !== lead.kind) continue;
        for (const t of job.remaining) {
          if (tokens.size >= this.o.maxPerRequest) break;
          tokens.add(t);
          carried.add(job);
        }
        if (tokens.size >= this.o.maxPerRequest) return { kind: lead.kind, tokens: [...tokens], carried };
      }
    }
    return { kind: lead.kind, tokens: [...tokens], carried };
  }

  /** Give every waiting job of this kind what the request answered; finished jobs resolve. */
  private settle(kind: K, tokens: InstrumentToken[], answer: Map<InstrumentToken, Q>): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) {
      const job = this.jobs[i]!;
      if (job.kind !== kind) continue;
      for (const t of tokens) {
        if (!job.remaining.delete(t)) continue;
        const q = answer.get(t);
        if (q !== undefined) job.got.set(t, q);
      }
      if (job.remaining.size === 0) {
        this.jobs.splice(i, 1);
        const ordered = new Map<InstrumentToken, Q>();
        for (const t of job.asked) {
          const q = job.got.get(t);
          if (q !== undefined) ordered.set(t, q);
        }
        job.resolve(ordered);
      }
    }
  }

  private fail(carried: Set<Job<K, Q>>, err: unknown): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) {
      const job = this.jobs[i]!;
      if (!carried.has(job)) continue;
      this.jobs.splice(i, 1);
      job.reject(err);
    }
  }
}
