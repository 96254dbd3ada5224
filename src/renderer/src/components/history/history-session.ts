/**
 * One chain's history charts: the event stream's history view for the day's minutes, and
 * `history:strikes` for the strikes at a minute. No React here: the panel hands in a sink that
 * draws straight into the charts.
 *
 * Update policy: the charts change when a minute closes (the stream's history batches, once a
 * minute) or when the trader picks another minute; never per tick. Each closed minute reads the
 * latest strikes once (the OI picture and the smile "now"). A picked minute reads its strikes once;
 * answers that arrive after a newer request of the same kind are dropped, so a slider dragged
 * across the day settles on the last minute asked for. The strikes shown each side of the ATM
 * (`setWindow`) re-cut the pictures already read: no request.
 */
import type { HistoryStrikesView } from '../../../../shared/contract';
import type { StreamClientMessage, StreamServerMessage } from '../../../../shared/events';
import type { Transport } from '../../api/transport';
import { atmAt, daySeries, HistoryDay, PICTURE_WINDOW, strikePicture, type DaySeries, type StrikePicture } from './history-model';

/** Where the session's results go (the charts). */
export interface HistorySink {
  /** The day's series changed (a minute closed, or the day was re-read). */
  day(series: DaySeries): void;
  /** The strikes now (latest minute) and at the picked minute (null: following the latest). */
  strikes(now: StrikePicture | null, picked: StrikePicture | null): void;
  /** A message for the trader, or null when there is none. */
  error(message: string | null): void;
}

export interface HistorySessionOptions {
  transport: Transport;
  symbol: string;
  expiry: string;
  sink: HistorySink;
}

let counter = 0;

/** One history view's lifetime: `start()` once, `stop()` once. */
export class HistorySession {
  readonly day = new HistoryDay();
  private readonly transport: Transport;
  private readonly symbol: string;
  private readonly expiry: string;
  private readonly key: string;
  private readonly sink: HistorySink;
  readonly streamId: string;
  private disposers: (() => void)[] = [];
  private stopped = false;
  /** The strikes read for now (the latest minute) and the picked minute; pictures are cut from them when drawn. */
  private nowView: HistoryStrikesView | null = null;
  private pickedView: HistoryStrikesView | null = null;
  private window = PICTURE_WINDOW;
  private pickedT: number | null = null;
  private nowSeq = 0;
  private pickSeq = 0;

  constructor(o: HistorySessionOptions) {
    this.transport = o.transport;
    this.symbol = o.symbol.trim().toUpperCase();
    this.expiry = o.expiry;
    this.key = `${this.symbol}|${this.expiry}`;
    this.sink = o.sink;
    this.streamId = `history:${this.key}#${++counter}`;
  }

  start(): void {
    this.disposers.push(this.transport.onStream((m) => this.onMessage(m)));
    this.transport.stream({ op: 'subscribe', view: 'history', symbol: this.symbol, expiry: this.expiry, id: this.streamId });
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    const message: StreamClientMessage = { op: 'unsubscribe', view: 'history', symbol: this.symbol, expiry: this.expiry };
    this.transport.stream(message);
  }

  /** Show the strikes at minute `t` (epoch ms), or follow the latest minute again (null). */
  pick(t: number | null): void {
    this.pickedT = t;
    const seq = ++this.pickSeq;
    if (t === null) {
      this.pickedView = null;
      this.draw();
      return;
    }
    void this.read(t).then((view) => {
      if (this.stopped || seq !== this.pickSeq || view === undefined) return;
      this.pickedView = view;
      this.draw();
    });
  }

  /** Show `strikes` strikes each side of the ATM (at least 1) in the OI picture and the smile. */
  setWindow(strikes: number): void {
    const w = Math.max(1, Math.floor(strikes));
    if (w === this.window) return;
    this.window = w;
    if (this.nowView || this.pickedView) this.draw();
  }

  /** The minute picked, or null when following the latest. */
  get pickedMinute(): number | null {
    return this.pickedT;
  }

  private onMessage(message: StreamServerMessage): void {
    if (this.stopped) return;
    if (message.type === 'error') {
      if (message.id === this.streamId) this.sink.error(message.error.message);
      return;
    }
    if (message.type !== 'batch') return;
    const part = message.history?.[this.key];
    if (!part || !this.day.apply(part)) return;
    this.sink.error(null);
    this.sink.day(daySeries(this.day.minutes));
    this.refreshNow();
  }

  private refreshNow(): void {
    const seq = ++this.nowSeq;
    void this.read(undefined).then((view) => {
      if (this.stopped || seq !== this.nowSeq || view === undefined) return;
      this.nowView = view;
      this.draw();
    });
  }

  /** The pictures of what was read, in the current window, to the charts. */
  private draw(): void {
    this.sink.strikes(this.picture(this.nowView), this.picture(this.pickedView));
  }

  private picture(view: HistoryStrikesView | null): StrikePicture | null {
    return view && strikePicture(view, atmAt(this.day.minutes, view.t), this.window);
  }

  /** The strikes at `t` (default the latest); undefined when the read failed (reported). */
  private async read(t: number | undefined): Promise<HistoryStrikesView | undefined> {
    const request: { symbol: string; expiry: string; t?: number } = { symbol: this.symbol, expiry: this.expiry };
    if (t !== undefined) request.t = t;
    const answer = await this.transport.call('history:strikes', request);
    if (this.stopped) return undefined;
    if (!answer.ok) {
      this.sink.error(answer.error.message);
      return undefined;
    }
    return answer.value;
  }
}
