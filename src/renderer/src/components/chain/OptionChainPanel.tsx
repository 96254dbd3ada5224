/**
 * One option chain on screen: header (underlying, ATM and the strike nearest the underlying,
 * step, time to expiry, stream state, untraded and stale legs), expiry tabs (ExpiryTabs.tsx), and
 * a body of three views (PanelViewTabs.tsx): the grid, the day's charts, the strategy builder.
 * The grid stays mounted while another view shows, so its session keeps streaming.
 *
 * Render policy: React renders this panel when the chain's identity (symbol, expiry) changes, when
 * the expiry list or stream state arrives, when an error appears, when the trader hides columns,
 * and once every 30 s for the time-to-expiry clock. Per-batch numbers (underlying LTP, ATM, step,
 * stale legs, and the chain analytics: forward, PCR, max pain, straddle, implied move) are written
 * straight into their spans; rows go straight into the grid (see
 * chain-session.ts). Nothing here runs per tick.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StreamState, Transport } from '../../api/transport';
import { loadHiddenMetrics, saveHiddenMetrics, type Metric } from './chain-columns';
import type { ChainAnalyticsFields, ForwardSource } from '../../../../shared/analytics';
import type { Segment } from '../../../../shared/instruments';
import { formatFixed, formatPrice, NO_VALUE, timeToExpiry } from './chain-format';
import type { ChainHeader } from './chain-model';
import { ChainSession, type ChainGridSink } from './chain-session';
import { ColumnMenu } from './ColumnMenu';
import { ExpiryTabs } from './ExpiryTabs';
import { PanelViewTabs, type PanelView } from './PanelViewTabs';
import { OptionChainGrid } from './OptionChainGrid';
import type { LegPick } from './leg-pick';
import { HistoryPanel } from '../history/HistoryPanel';
import type { CreateHistoryCharts } from '../history/history-charts';
import { StrategyPanel } from '../strategy/StrategyPanel';
import { createStrategyDrafts, MAX_DRAFT_LEGS, type StrategyDrafts } from '../strategy/strategy-draft';
import type { PayoffChart } from '../strategy/payoff-chart';
import { useStore } from 'zustand';
import './option-chain.css';

export interface OptionChainPanelProps {
  transport: Transport;
  symbol: string;
  /** The expiry shown (YYYY-MM-DD); when absent, the nearest one, reported by the tabs. */
  expiry?: string | null;
  /** The trader picked another expiry tab; the owner passes it back as `expiry`. */
  onExpiryChange(expiry: string): void;
  /** Clock for the time to expiry (tests inject one). */
  now?: () => number;
  /** Test-only: render every grid row (jsdom has no layout to virtualise against). */
  suppressRowVirtualisation?: boolean;
  /** Test-only: the history charts' implementation (jsdom has no canvas). */
  createCharts?: CreateHistoryCharts;
  /** The strategies being built (the shell's, kept across chains); the panel makes its own when absent. */
  drafts?: StrategyDrafts;
  /** Test-only: the payoff chart's implementation. */
  createPayoffChart?: (el: HTMLElement) => PayoffChart;
}

const CLOCK_MS = 30_000;

const STREAM_TEXT: Record<StreamState, string> = {
  open: 'live',
  connecting: 'connecting: values may be stale',
  closed: 'stream disconnected: values are stale',
};

function setText(el: HTMLElement | null, text: string): void {
  if (el && el.textContent !== text) el.textContent = text;
}

function setTitle(el: HTMLElement | null, title: string): void {
  if (el && el.title !== title) el.title = title;
}

const FORWARD_SOURCE_TITLE: Record<ForwardSource, string> = {
  parity: 'Forward from put-call parity at the ATM pair',
  future: "Forward from the underlying's future",
  spot: 'Forward from spot carried at the risk-free rate',
  none: 'No forward yet',
};

/** Refs of the analytics spans in the header. */
interface AnalyticsSpans {
  forward: HTMLSpanElement | null;
  forwardSource: HTMLSpanElement | null;
  pcr: HTMLSpanElement | null;
  maxPain: HTMLSpanElement | null;
  straddle: HTMLSpanElement | null;
  move: HTMLSpanElement | null;
}

/** The analytics part of the header, as DOM writes (per batch; no React). */
function writeAnalytics(el: AnalyticsSpans, a: ChainAnalyticsFields | null): void {
  const hasForward = a !== null && a.forward !== null && a.forward_source !== 'none';
  setText(el.forward, formatPrice(hasForward ? a.forward : null));
  setText(el.forwardSource, hasForward ? a.forward_source : '');
  setTitle(el.forward, FORWARD_SOURCE_TITLE[a?.forward_source ?? 'none']);
  setText(el.pcr, formatFixed(a?.pcr, 2));
  setText(el.maxPain, a?.max_pain !== null && a?.max_pain !== undefined ? String(a.max_pain) : NO_VALUE);
  setText(el.straddle, formatPrice(a?.atm_straddle));
  setTitle(el.straddle, a?.atm_strike !== null && a?.atm_strike !== undefined ? `Call + put at ${a.atm_strike}` : '');
  const move = a?.implied_move;
  const fraction = a?.implied_move_fraction;
  const pct = fraction !== null && fraction !== undefined ? ` (${formatFixed(fraction * 100, 2)}%)` : '';
  setText(el.move, move !== null && move !== undefined && Number.isFinite(move) ? `±${formatPrice(move)}${pct}` : NO_VALUE);
}

/** The option chain panel: header, expiry tabs and the streaming grid of one symbol and expiry. */
export function OptionChainPanel({ transport, symbol, expiry, onExpiryChange, now = Date.now, suppressRowVirtualisation, createCharts, drafts: shellDrafts, createPayoffChart }: OptionChainPanelProps) {
  const [view, setView] = useState<PanelView>('chain');
  const [ownDrafts] = useState(() => shellDrafts ?? createStrategyDrafts());
  const drafts = shellDrafts ?? ownDrafts;
  const upperSymbol = symbol.trim().toUpperCase();
  const draftLegs = useStore(drafts.store, (st) => st.bySymbol[upperSymbol]?.length ?? 0);
  const [expiries, setExpiries] = useState<string[]>([]);
  const [activeExpiry, setActiveExpiry] = useState<string | null>(expiry || null);
  const [error, setError] = useState<string | null>(null);
  const [streamState, setStreamState] = useState<StreamState>('connecting');
  const [hidden, setHidden] = useState<Set<Metric>>(() => loadHiddenMetrics());
  const [clock, setClock] = useState(() => now());
  // The options' segment decides when the expiry day ends (MCX trades into the night); known from
  // the first paint, so this state changes once per chain, not per batch.
  const [segment, setSegment] = useState<Segment | null>(null);
  const segmentRef = useRef<Segment | null>(null);

  const ltpRef = useRef<HTMLSpanElement>(null);
  const atmRef = useRef<HTMLSpanElement>(null);
  const stepRef = useRef<HTMLSpanElement>(null);
  const staleRef = useRef<HTMLSpanElement>(null);
  const untradedRef = useRef<HTMLSpanElement>(null);
  const nearestRef = useRef<HTMLSpanElement>(null);
  const forwardRef = useRef<HTMLSpanElement>(null);
  const forwardSourceRef = useRef<HTMLSpanElement>(null);
  const pcrRef = useRef<HTMLSpanElement>(null);
  const maxPainRef = useRef<HTMLSpanElement>(null);
  const straddleRef = useRef<HTMLSpanElement>(null);
  const moveRef = useRef<HTMLSpanElement>(null);
  const lastLtp = useRef<number | null>(null);
  const gridRef = useRef<ChainGridSink | null>(null);
  const sessionRef = useRef<ChainSession | null>(null);

  /** Per batch: DOM writes only (and the segment, once it is known). */
  const writeHeader = useCallback((h: ChainHeader | null) => {
    // Compared first: even an unchanged setState is queued on the hook until the next render.
    const seg = sessionRef.current?.model.segment ?? null;
    if (seg !== segmentRef.current) setSegment((segmentRef.current = seg));
    const ltp = h && h.underlyingLtp > 0 ? h.underlyingLtp : null;
    setText(ltpRef.current, formatPrice(ltp));
    if (ltpRef.current) {
      const prev = lastLtp.current;
      const dir = ltp === null || prev === null || ltp === prev ? null : ltp > prev ? 'up' : 'down';
      if (dir) ltpRef.current.dataset.dir = dir;
      else if (ltp === null) delete ltpRef.current.dataset.dir;
    }
    lastLtp.current = ltp;
    setText(atmRef.current, h && h.atm > 0 ? String(h.atm) : NO_VALUE);
    // The strike nearest the underlying, where it is not the ATM (the window centre moves only after a full step).
    const nearest = h && h.nearest !== null && h.atm > 0 && h.nearest !== h.atm ? h.nearest : null;
    setText(nearestRef.current, nearest !== null ? `≈${nearest}` : '');
    if (nearestRef.current) nearestRef.current.hidden = nearest === null;
    setText(stepRef.current, h && h.step > 0 ? String(h.step) : NO_VALUE);
    const stale = h?.staleLegs ?? 0;
    setText(staleRef.current, stale > 0 ? `${stale} stale` : '');
    if (staleRef.current) staleRef.current.hidden = stale === 0;
    const untraded = h?.untradedLegs ?? 0;
    setText(untradedRef.current, untraded > 0 ? `${untraded} untraded` : '');
    if (untradedRef.current) untradedRef.current.hidden = untraded === 0;
    writeAnalytics(
      {
        forward: forwardRef.current,
        forwardSource: forwardSourceRef.current,
        pcr: pcrRef.current,
        maxPain: maxPainRef.current,
        straddle: straddleRef.current,
        move: moveRef.current,
      },
      h?.analytics ?? null,
    );
  }, []);

  useEffect(() => transport.onStreamState(setStreamState), [transport]);

  useEffect(() => {
    let live = true;
    setExpiries([]);
    void transport.call('instruments:expiries', { symbol }).then((answer) => {
      if (live && answer.ok) setExpiries(answer.value.expiries);
    });
    return () => {
      live = false;
    };
  }, [transport, symbol]);

  useEffect(() => {
    const timer = setInterval(() => setClock(now()), CLOCK_MS);
    return () => clearInterval(timer);
  }, [now]);

  useEffect(() => {
    setError(null);
    setActiveExpiry(expiry || null);
    lastLtp.current = null;
    writeHeader(null);
    const session = new ChainSession({
      transport,
      symbol,
      expiry,
      sink: { header: writeHeader, expiry: setActiveExpiry, error: setError },
    });
    sessionRef.current = session;
    // Attaching replaces the previous chain's rows with this one's (none yet: the grid clears).
    session.attachGrid(gridRef.current);
    session.start();
    return () => {
      session.stop();
      if (sessionRef.current === session) sessionRef.current = null;
    };
  }, [transport, symbol, expiry, writeHeader]);

  const onGridReady = useCallback((grid: ChainGridSink | null) => {
    gridRef.current = grid;
    sessionRef.current?.attachGrid(grid);
  }, []);

  const onHiddenChange = useCallback((next: Set<Metric>) => {
    setHidden(next);
    saveHiddenMetrics(next);
  }, []);

  /** A leg picked in the grid joins this symbol's strategy on the expiry shown. */
  const onLegPick = useCallback(
    (p: LegPick) => {
      const e = activeExpiry;
      if (!e) return;
      const added = drafts.add(upperSymbol, { expiry: e, strike: p.strike, option_type: p.option_type, side: p.side, lots: 1, price: p.price });
      if (!added) setError(`A strategy has at most ${MAX_DRAFT_LEGS} legs.`);
    },
    [drafts, upperSymbol, activeExpiry],
  );
  const templateChain = useCallback(() => {
    const m = sessionRef.current?.model;
    const h = m?.header();
    const e = activeExpiry;
    if (!m || !h || !e || h.atm <= 0) return null;
    return { expiry: e, atm: h.atm, strikes: m.rows().map((r) => r.strike) };
  }, [activeExpiry]);

  const upper = upperSymbol;
  const tabs = expiries.length > 0 ? expiries : activeExpiry ? [activeExpiry] : [];
  const year = new Date(clock).getUTCFullYear();

  return (
    <section className={`chain-panel chain-stream-${streamState}`} data-testid="chain-panel" data-symbol={upper} data-expiry={activeExpiry ?? ''}>
      <header className="chain-header">
        <span className="chain-symbol">{upper}</span>
        <span className="chain-stat">
          <span className="chain-stat-label">LTP</span>
          <span className="chain-header-ltp" data-testid="chain-header-ltp" ref={ltpRef} />
        </span>
        <span className="chain-stat">
          <span className="chain-stat-label">Fwd</span>
          <span data-testid="chain-header-forward" ref={forwardRef} />
          <span className="chain-forward-source" data-testid="chain-header-forward-source" ref={forwardSourceRef} />
        </span>
        <span className="chain-stat">
          <span className="chain-stat-label">ATM</span>
          <span data-testid="chain-header-atm" ref={atmRef} />
          <span
            className="chain-header-nearest"
            data-testid="chain-header-nearest"
            ref={nearestRef}
            title="The strike nearest the underlying's LTP; the ATM is the window's centre and moves only after a full strike step"
            hidden
          />
        </span>
        <span className="chain-stat">
          <span className="chain-stat-label">Step</span>
          <span data-testid="chain-header-step" ref={stepRef} />
        </span>
        <span className="chain-stat">
          <span className="chain-stat-label">Expiry in</span>
          <span data-testid="chain-header-tte">{activeExpiry ? timeToExpiry(activeExpiry, clock, segment ?? undefined) : NO_VALUE}</span>
        </span>
        {/* The chain analytics wrap to a second line together when the panel is narrow. */}
        <span className="chain-analytics">
          <span className="chain-stat" title="Put-call ratio by open interest">
            <span className="chain-stat-label">PCR</span>
            <span data-testid="chain-header-pcr" ref={pcrRef} />
          </span>
          <span className="chain-stat" title="Max pain: the strike where option writers pay out least at expiry">
            <span className="chain-stat-label">Max pain</span>
            <span data-testid="chain-header-maxpain" ref={maxPainRef} />
          </span>
          <span className="chain-stat">
            <span className="chain-stat-label">Straddle</span>
            <span data-testid="chain-header-straddle" ref={straddleRef} />
          </span>
          <span className="chain-stat" title="Move to expiry implied by the ATM straddle, in points and % of the forward">
            <span className="chain-stat-label">Move</span>
            <span data-testid="chain-header-move" ref={moveRef} />
          </span>
        </span>
        <span className="chain-untraded-count" data-testid="chain-untraded-count" ref={untradedRef} title="Legs with no trade today: their LTP cell shows the previous close (pc)" hidden />
        <span className="chain-stale-count" data-testid="chain-stale-count" ref={staleRef} hidden />
        <span className={`chain-stream chain-stream-badge-${streamState}`} data-testid="chain-stream-state" data-state={streamState} title={STREAM_TEXT[streamState]}>
          {STREAM_TEXT[streamState]}
        </span>
        <ColumnMenu hidden={hidden} onChange={onHiddenChange} />
      </header>
      <ExpiryTabs expiries={tabs} active={activeExpiry} year={year} onChange={onExpiryChange} />
      {error && (
        <div className="chain-error" role="alert" data-testid="chain-error">
          {error}
        </div>
      )}
      <PanelViewTabs view={view} onChange={setView} strategyLegs={draftLegs} />
      {/* The grid stays mounted (its session keeps streaming) while the charts are shown. */}
      <div className="chain-body" hidden={view !== 'chain'}>
        <OptionChainGrid onReady={onGridReady} hiddenMetrics={hidden} suppressRowVirtualisation={suppressRowVirtualisation} onLegPick={onLegPick} />
      </div>
      {view === 'charts' && activeExpiry && <HistoryPanel transport={transport} symbol={upper} expiry={activeExpiry} {...(createCharts ? { createCharts } : {})} />}
      {view === 'strategy' && <StrategyPanel transport={transport} symbol={upper} drafts={drafts} chain={templateChain} {...(createPayoffChart ? { createChart: createPayoffChart } : {})} />}
    </section>
  );
}
