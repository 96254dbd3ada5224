/**
 * The chain's day as charts: OI (or OI change) by strike with the ATM and max pain marked, the
 * ATM straddle with its VWAP and the underlying, PCR, and the IV smile now and at a picked minute;
 * a minute slider shows the chain's OI picture at any minute of the day so far.
 *
 * Render policy: React renders when the chain changes, when a minute closes (the slider's range
 * grows, once a minute), and when the trader picks a minute, the OI mode or the strikes shown
 * (±10, ±20 or ±50 around the ATM, for the OI picture and the smile; kept for the next chain). Chart data goes from
 * the session straight into the charts (history-session.ts, uplot-charts.ts); never per tick.
 *
 * Keyboard: every chart is a tab stop; on a chart (or the slider) Left/Right step one minute,
 * Home goes to the day's first minute, End back to following the latest minute.
 */
import { useEffect, useRef, useState } from 'react';
import type { Transport } from '../../api/transport';
import { lateCharts, type CreateHistoryCharts, type HistoryCharts, type OiMode } from './history-charts';
import { PICTURE_WINDOW, smileOn } from './history-model';
import { HistorySession } from './history-session';
import './history.css';

export interface HistoryPanelProps {
  transport: Transport;
  symbol: string;
  expiry: string;
  /** The charts' implementation (tests pass a fake: jsdom has no canvas); default uPlot, loaded on first use. */
  createCharts?: CreateHistoryCharts;
}

const hhmm = (t: number): string =>
  new Date(t).toLocaleTimeString('en-IN', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hour12: false });

/** Strikes each side of the ATM the trader can pick for the OI picture and the smile. */
const WINDOWS = [10, 20, 50] as const;
const WINDOW_KEY = 'strikedesk.history.window';

function loadWindow(): number {
  try {
    const v = Number(globalThis.localStorage?.getItem(WINDOW_KEY));
    return (WINDOWS as readonly number[]).includes(v) ? v : PICTURE_WINDOW;
  } catch {
    return PICTURE_WINDOW;
  }
}

function saveWindow(v: number): void {
  try {
    globalThis.localStorage?.setItem(WINDOW_KEY, String(v));
  } catch {
    // storage unavailable: the choice lasts for this panel only
  }
}

/** The history charts of one chain. */
const loadUplotCharts = (): Promise<CreateHistoryCharts> => import('./uplot-charts').then((m) => m.createUplotCharts);

export function HistoryPanel({ transport, symbol, expiry, createCharts }: HistoryPanelProps) {
  const oiRef = useRef<HTMLDivElement>(null);
  const straddleRef = useRef<HTMLDivElement>(null);
  const pcrRef = useRef<HTMLDivElement>(null);
  const smileRef = useRef<HTMLDivElement>(null);
  const sessionRef = useRef<HistorySession | null>(null);
  const chartsRef = useRef<HistoryCharts | null>(null);
  const [minutes, setMinutes] = useState<number[]>([]);
  const [backfilled, setBackfilled] = useState(0);
  const [picked, setPicked] = useState<number | null>(null);
  const [mode, setMode] = useState<OiMode>('oi');
  const [strikeWindow, setStrikeWindow] = useState<number>(loadWindow);
  const windowRef = useRef(strikeWindow);
  windowRef.current = strikeWindow;
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const containers = { oi: oiRef.current!, straddle: straddleRef.current!, pcr: pcrRef.current!, smile: smileRef.current! };
    const charts = createCharts
      ? createCharts(containers)
      : lateCharts(loadUplotCharts, containers, (err) => setError(`The charts could not be loaded: ${err instanceof Error ? err.message : String(err)}`));
    chartsRef.current = charts;
    setMinutes([]);
    setPicked(null);
    const session = new HistorySession({
      transport,
      symbol,
      expiry,
      sink: {
        day(series) {
          charts.day(series);
          setMinutes(series.t.map((t) => t * 1000));
          setBackfilled(series.backfilled.filter(Boolean).length);
        },
        strikes(now, at) {
          charts.strikes(now, at, now && at ? smileOn(now, at) : null);
        },
        error: setError,
      },
    });
    sessionRef.current = session;
    session.setWindow(windowRef.current);
    session.start();
    return () => {
      session.stop();
      charts.destroy();
      sessionRef.current = null;
      chartsRef.current = null;
    };
  }, [transport, symbol, expiry, createCharts]);

  useEffect(() => {
    chartsRef.current?.oiMode(mode);
  }, [mode]);

  useEffect(() => {
    sessionRef.current?.setWindow(strikeWindow);
    saveWindow(strikeWindow);
  }, [strikeWindow]);

  const last = minutes.length - 1;
  const index = picked === null ? last : Math.max(0, minutes.indexOf(picked));
  const pickIndex = (i: number): void => {
    const at = i >= last ? null : minutes[Math.max(0, i)]!;
    setPicked(at);
    sessionRef.current?.pick(at);
  };
  const onKey = (ev: React.KeyboardEvent): void => {
    if (last < 0) return;
    const to = ev.key === 'ArrowLeft' ? index - 1 : ev.key === 'ArrowRight' ? index + 1 : ev.key === 'Home' ? 0 : ev.key === 'End' ? last : null;
    if (to === null) return;
    ev.preventDefault();
    pickIndex(Math.min(last, Math.max(0, to)));
  };
  const shown = last >= 0 ? hhmm(minutes[index]!) : '';
  const upper = symbol.trim().toUpperCase();

  return (
    <section className="history-panel" data-testid="history-panel" data-symbol={upper} data-expiry={expiry} data-minutes={minutes.length}>
      <div className="history-toolbar">
        <label className="history-slider">
          <span className="history-slider-label">Minute</span>
          <input
            type="range"
            data-testid="history-slider"
            min={0}
            max={Math.max(0, last)}
            step={1}
            value={Math.max(0, index)}
            disabled={last < 0}
            aria-valuetext={picked === null ? `${shown}, following the latest minute` : shown}
            onChange={(ev) => pickIndex(Number(ev.currentTarget.value))}
            onKeyDown={(ev) => {
              // Home/End/arrows are the range input's own keys; End also means "follow live".
              if (ev.key === 'End') {
                ev.preventDefault();
                pickIndex(last);
              }
            }}
          />
          <span className="history-minute" data-testid="history-minute">
            {last < 0 ? '—' : shown}
          </span>
        </label>
        <button type="button" className="history-live" data-testid="history-live" aria-pressed={picked === null} disabled={picked === null} onClick={() => pickIndex(last)}>
          {picked === null ? 'Following live' : 'Back to live'}
        </button>
        <div className="history-mode" role="radiogroup" aria-label="OI bars show">
          {(['oi', 'change'] as const).map((m) => (
            <button key={m} type="button" role="radio" aria-checked={mode === m} data-testid={`history-mode-${m}`} onClick={() => setMode(m)}>
              {m === 'oi' ? 'OI' : 'OI change'}
            </button>
          ))}
        </div>
        <div className="history-mode" role="radiogroup" aria-label="Strikes each side of the ATM">
          {WINDOWS.map((w) => (
            <button key={w} type="button" role="radio" aria-checked={strikeWindow === w} data-testid={`history-window-${w}`} title={`${w} strikes each side of the ATM in the OI picture and the smile`} onClick={() => setStrikeWindow(w)}>
              ±{w}
            </button>
          ))}
        </div>
        <span className="history-note muted">
          {minutes.length} min recorded{backfilled > 0 ? `, ${backfilled} back-filled from Dhan's intraday charts` : ''}
        </span>
      </div>
      {error && (
        <div className="chain-error" role="alert" data-testid="history-error">
          {error}
        </div>
      )}
      {last < 0 && !error && (
        <p className="history-empty muted" data-testid="history-empty">
          No minutes recorded for {upper} {expiry} yet today. The recorder writes one a minute while the market is open; a chain opened mid-session is
          back-filled from the morning.
        </p>
      )}
      <div className="history-grid" onKeyDown={onKey}>
        <figure className="history-card">
          <figcaption>
            {mode === 'oi' ? 'Open interest' : 'OI change'} by strike{picked !== null ? ` at ${shown}` : ''} <span className="muted">· CE green, PE red · ATM, max pain</span>
          </figcaption>
          <div className="history-chart" data-testid="history-chart" data-chart="oi" ref={oiRef} tabIndex={0} aria-label={`${upper} open interest by strike`} />
        </figure>
        <figure className="history-card">
          <figcaption>
            ATM straddle and its VWAP <span className="muted">· underlying on the right axis</span>
          </figcaption>
          <div className="history-chart" data-testid="history-chart" data-chart="straddle" ref={straddleRef} tabIndex={0} aria-label={`${upper} ATM straddle over the day`} />
        </figure>
        <figure className="history-card">
          <figcaption>
            Put-call ratio <span className="muted">· by OI and by volume</span>
          </figcaption>
          <div className="history-chart" data-testid="history-chart" data-chart="pcr" ref={pcrRef} tabIndex={0} aria-label={`${upper} put-call ratio over the day`} />
        </figure>
        <figure className="history-card">
          <figcaption>
            IV smile now{picked !== null ? ` and at ${shown}` : ''} <span className="muted">· OTM legs</span>
          </figcaption>
          <div className="history-chart" data-testid="history-chart" data-chart="smile" ref={smileRef} tabIndex={0} aria-label={`${upper} implied volatility smile`} />
        </figure>
      </div>
    </section>
  );
}
