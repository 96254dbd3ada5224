/**
 * One open chain view: first paint, stream subscription, and the path from stream batches to the
 * grid. No React here, on purpose.
 *
 * Batching policy: the server already coalesces ticks into one batch per ~100 ms. Each batch goes
 * model -> one ag-grid transaction (`applyTransactionAsync`, which ag-grid batches again to its
 * own frame) and one header write straight to the DOM. React state is touched only for things that
 * change rarely (the resolved expiry, an error), so a 202-leg index chain at 10 batches/s causes
 * no React renders at all: the cost per batch is the model diff (101 rows compared, ~55 us) plus
 * the cells ag-grid refreshes for the rows in `update`.
 *
 * First paint comes from `option-chain:get` so the grid is never blank while the stream's first
 * snapshot is on its way; whichever arrives later of the two never overwrites newer stream data.
 */
import { assertNever } from '../../../../shared/errors';
import type { StreamClientMessage, StreamServerMessage } from '../../../../shared/events';
import type { Transport } from '../../api/transport';
import { ChainModel, isEmptyChange, type ChainChange, type ChainHeader, type ChainRow, type ChainTransaction } from './chain-model';

/** Where rows go: the grid (implemented by OptionChainGrid's handle). */
export interface ChainGridSink {
  /** Replace every row (first paint or a new chain) and bring the ATM row into view. */
  rebuild(rows: ChainRow[], atm: number): void;
  /** Apply a batched transaction; when `atmChanged`, bring the new ATM row into view after it. */
  apply(transaction: ChainTransaction, atmChanged: boolean, atm: number): void;
  /** Drop every row. */
  clear(): void;
}

/** Where the session reports what the panel shows around the grid. */
export interface ChainSessionSink {
  /** Per batch (and on first paint): header numbers. Write them to the DOM; do not set state. */
  header(header: ChainHeader): void;
  /** The expiry in use once known (the requested one, or the nearest when none was asked for). */
  expiry(expiry: string): void;
  /** A message for the trader, or null when there is none. */
  error(message: string | null): void;
}

export interface ChainSessionOptions {
  transport: Transport;
  symbol: string;
  /** The expiry to show; when absent, the nearest one the engine picks. */
  expiry?: string | null;
  sink: ChainSessionSink;
}

let sessionCounter = 0;

/** One chain view's lifetime: `start()` once, `stop()` once; reusable grids attach and detach. */
export class ChainSession {
  readonly model = new ChainModel();
  private readonly transport: Transport;
  private readonly symbol: string;
  private readonly expiry: string | null;
  private readonly sink: ChainSessionSink;
  /** The correlation id of our subscribe: errors and acks carrying it are ours. */
  readonly streamId: string;
  private key: string | null;
  private grid: ChainGridSink | null = null;
  private disposers: (() => void)[] = [];
  private subscribed: StreamClientMessage | null = null;
  private stopped = false;
  private errorShown = false;

  constructor(options: ChainSessionOptions) {
    this.transport = options.transport;
    this.symbol = options.symbol.trim().toUpperCase();
    this.expiry = options.expiry || null;
    this.sink = options.sink;
    this.streamId = `chain:${this.symbol}|${this.expiry ?? 'nearest'}#${++sessionCounter}`;
    this.key = this.expiry ? `${this.symbol}|${this.expiry}` : null;
  }

  /** Load the first paint and subscribe the chain view. */
  start(): void {
    this.disposers.push(this.transport.onStream((m) => this.onMessage(m)));
    if (this.expiry) this.sink.expiry(this.expiry);
    const message: StreamClientMessage = { op: 'subscribe', view: 'chain', symbol: this.symbol, id: this.streamId };
    if (this.expiry) message.expiry = this.expiry;
    this.subscribed = message;
    this.transport.stream(message);
    void this.loadFirstPaint();
  }

  /** Unsubscribe and release every listener; late answers are ignored. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    if (this.subscribed) {
      const { id: _id, ...rest } = this.subscribed;
      this.transport.stream({ ...rest, op: 'unsubscribe' });
      this.subscribed = null;
    }
    this.grid = null;
  }

  /** Attach the grid (or detach with null); an attached grid gets the current rows at once. */
  attachGrid(grid: ChainGridSink | null): void {
    this.grid = grid;
    if (grid && !this.stopped) grid.rebuild(this.model.rows(), this.model.header().atm);
  }

  private async loadFirstPaint(): Promise<void> {
    const request = this.expiry ? { symbol: this.symbol, expiry: this.expiry } : { symbol: this.symbol };
    const answer = await this.transport.call('option-chain:get', request);
    if (this.stopped) return;
    if (!answer.ok) {
      // The stream may still deliver (the REST read can fail on its own); say so only while empty.
      if (this.model.rows().length === 0) this.report(answer.error.message);
      return;
    }
    const view = answer.value;
    if (!this.key) {
      this.key = `${view.symbol}|${view.expiry}`;
      this.sink.expiry(view.expiry);
    }
    const change = this.model.loadView(view);
    if (change) this.show(change);
  }

  private onMessage(message: StreamServerMessage): void {
    if (this.stopped) return;
    switch (message.type) {
      case 'batch': {
        if (!this.key) return;
        const chain = message.chains[this.key];
        if (chain) {
          this.show(this.model.applyStream(chain));
          this.report(null);
        }
        return;
      }
      case 'subscribed':
        if (message.id === this.streamId && message.key && message.key !== this.key) {
          const first = this.key === null;
          this.key = message.key;
          if (first) this.sink.expiry(message.key.slice(message.key.indexOf('|') + 1));
        }
        return;
      case 'unsubscribed':
        return;
      case 'error':
        if (message.id === this.streamId) this.report(message.error.message);
        return;
      default:
        assertNever(message, 'stream message');
    }
  }

  private show(change: ChainChange): void {
    const header = this.model.header();
    this.sink.header(header);
    const grid = this.grid;
    if (!grid) return;
    if (change.kind === 'rebuild') grid.rebuild(change.rows, header.atm);
    else if (!isEmptyChange(change) || change.atmChanged) grid.apply(change.transaction, change.atmChanged, header.atm);
  }

  /** Report an error, or clear one; a clear with nothing shown is not passed on (no React work). */
  private report(message: string | null): void {
    if (message === null && !this.errorShown) return;
    this.errorShown = message !== null;
    this.sink.error(message);
  }
}
