/**
 * The strategy builder for one symbol: legs from the chain (a clicked bid sells, an ask buys; S/B
 * on a leg's cell) or from a template, a legs table to edit, the payoff chart, what-if sliders
 * (spot, IV shift, date) and the summary the engine computes. Analysis only: nothing is ordered.
 *
 * Render policy: React renders when the draft or a slider changes and when an evaluation answers
 * (after an edit, and every few seconds for live prices); the chart is drawn from the answer
 * directly. Nothing here runs per tick.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { StrategyEvaluationView } from '../../../../shared/contract';
import { addDays, daysBetween, istDate } from '../../../../shared/market-calendar';
import type { Transport } from '../../api/transport';
import { NO_VALUE } from '../format';
import type { PayoffChart } from './payoff-chart';
import { valueAt } from './payoff-model';
import { TEMPLATE_LABELS, templateLegs as templateOf, TEMPLATES, type DraftLeg, type StrategyDrafts, type TemplateChain } from './strategy-draft';
import { StrategyEvaluator, type WhatIf } from './strategy-evaluator';
import { formatGreek, formatLimit, formatPop, formatPremium, formatRupees } from './strategy-format';
import { SavedStrategies } from './SavedStrategies';
import './strategy.css';

export interface StrategyPanelProps {
  transport: Transport;
  symbol: string;
  drafts: StrategyDrafts;
  /** The chain shown (expiry, ATM, strikes) for templates; null while it loads. */
  chain(): TemplateChain | null;
  /** The payoff chart's implementation (tests pass a fake: jsdom has no canvas); default uPlot, loaded on first use. */
  createChart?: (el: HTMLElement) => PayoffChart;
  /** Clock (tests inject one). */
  now?: () => number;
}

const EMPTY_LEGS: DraftLeg[] = [];
const loadChart = (): Promise<(el: HTMLElement) => PayoffChart> => import('./payoff-chart').then((m) => m.createPayoffChart);

export function StrategyPanel({ transport, symbol, drafts, chain, createChart, now = Date.now }: StrategyPanelProps) {
  const legs = useStore(drafts.store, (s) => s.bySymbol[symbol] ?? EMPTY_LEGS);
  const [view, setView] = useState<StrategyEvaluationView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ivShift, setIvShift] = useState(0);
  const [days, setDays] = useState(0);
  const [whatIfSpot, setWhatIfSpot] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const chartEl = useRef<HTMLDivElement>(null);
  const chartRef = useRef<PayoffChart | null>(null);
  const evaluatorRef = useRef<StrategyEvaluator | null>(null);
  const today = istDate(now());

  const whatIf: WhatIf = useMemo(() => ({ ivShift, atDate: days > 0 ? addDays(today, days) : null }), [ivShift, days, today]);

  useEffect(() => {
    const evaluator = new StrategyEvaluator({ transport, symbol, sink: { result: setView, error: setError } });
    evaluatorRef.current = evaluator;
    setView(null);
    setWhatIfSpot(null);
    return () => {
      evaluator.stop();
      evaluatorRef.current = null;
    };
  }, [transport, symbol]);

  useEffect(() => {
    evaluatorRef.current?.set(legs, whatIf);
  }, [legs, whatIf, symbol]);

  // The chart: created once (lazily), drawn from each answer and the what-if spot.
  useEffect(() => {
    let chart: PayoffChart | null = null;
    let gone = false;
    const el = chartEl.current!;
    const made = createChart ? Promise.resolve(createChart) : loadChart();
    made.then(
      (create) => {
        if (gone) return;
        chart = create(el);
        chartRef.current = chart;
      },
      (err: unknown) => setError(`The payoff chart could not be loaded: ${err instanceof Error ? err.message : String(err)}`),
    );
    return () => {
      gone = true;
      chart?.destroy();
      chartRef.current = null;
    };
  }, [createChart]);
  useEffect(() => {
    chartRef.current?.draw(view, whatIfSpot);
  });

  const firstExpiry = view?.first_expiry ?? null;
  const maxDays = firstExpiry ? Math.max(0, daysBetween(today, firstExpiry)) : 0;
  const spot = view?.spot ?? null;
  const xs = view?.payoff_expiry ?? [];
  const lo = xs.length ? xs[0]![0] : 0;
  const hi = xs.length ? xs[xs.length - 1]![0] : 0;
  const at = whatIfSpot ?? spot;
  const pnlExpiry = view && at !== null ? valueAt(view.payoff_expiry, at) : null;
  const pnlDate = view && at !== null ? valueAt(view.payoff_at_date, at) : null;
  const resolved = view?.legs ?? [];

  const applyTemplate = (name: (typeof TEMPLATES)[number]): void => {
    const c = chain();
    if (!c) return setNotice('The chain is still loading: templates are built around its ATM.');
    setNotice(null);
    drafts.replace(symbol, templateOf(name, c));
  };

  return (
    <section className="strategy-panel" data-testid="strategy-panel" data-symbol={symbol} data-legs={legs.length}>
      <div className="strategy-toolbar">
        <span className="strategy-title">{symbol} strategy</span>
        <span className="strategy-analysis" data-testid="strategy-analysis-only">
          Analysis only: strikedesk places no orders.
        </span>
        <span className="strategy-templates" role="group" aria-label="Templates">
          {TEMPLATES.map((t) => (
            <button key={t} type="button" data-testid={`template-${t}`} onClick={() => applyTemplate(t)}>
              {TEMPLATE_LABELS[t]}
            </button>
          ))}
        </span>
        <button type="button" data-testid="strategy-clear" disabled={legs.length === 0} onClick={() => drafts.clear(symbol)}>
          Clear
        </button>
      </div>
      {notice && <div className="strategy-notice muted">{notice}</div>}
      {error && (
        <div className="chain-error" role="alert" data-testid="strategy-error">
          {error}
        </div>
      )}
      {legs.length === 0 ? (
        <p className="strategy-empty muted" data-testid="strategy-empty">
          No legs yet. In the chain, click a bid to sell or an ask to buy (or press S or B on a leg&apos;s cell), or pick a template above.
        </p>
      ) : (
        <table className="strategy-legs" data-testid="strategy-legs">
          <thead>
            <tr>
              <th>Side</th>
              <th>Leg</th>
              <th>Expiry</th>
              <th>Lots</th>
              <th title="Entry price per unit; empty = the live mid, else the LTP">Price</th>
              <th>Lot size</th>
              <th>IV</th>
              <th aria-label="Remove" />
            </tr>
          </thead>
          <tbody>
            {legs.map((l, i) => {
              const r = resolved[i];
              const name = l.option_type === 'FUT' ? 'FUT' : `${l.strike} ${l.option_type}`;
              return (
                <tr key={l.key} data-testid="strategy-leg" data-side={l.side} data-strike={l.strike ?? ''} data-type={l.option_type}>
                  <td>
                    <button
                      type="button"
                      className={`strategy-side strategy-side-${l.side.toLowerCase()}`}
                      title="Switch between buy and sell"
                      aria-label={`${l.side === 'BUY' ? 'Buy' : 'Sell'} ${name}: switch side`}
                      onClick={() => drafts.update(symbol, l.key, { side: l.side === 'BUY' ? 'SELL' : 'BUY' })}
                    >
                      {l.side === 'BUY' ? 'B' : 'S'}
                    </button>
                  </td>
                  <td>{name}</td>
                  <td>{l.expiry}</td>
                  <td>
                    <input
                      type="number"
                      min={1}
                      step={1}
                      className="strategy-lots"
                      aria-label={`Lots of ${name}`}
                      value={l.lots}
                      onChange={(ev) => {
                        const n = Math.floor(Number(ev.currentTarget.value));
                        if (Number.isFinite(n) && n >= 1) drafts.update(symbol, l.key, { lots: n });
                      }}
                    />
                  </td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      step={0.05}
                      className="strategy-price"
                      aria-label={`Price of ${name}`}
                      placeholder={r ? `mid ${r.price.toFixed(2)}` : 'mid'}
                      value={l.price ?? ''}
                      onChange={(ev) => {
                        const text = ev.currentTarget.value;
                        const p = Number(text);
                        drafts.update(symbol, l.key, { price: text === '' ? null : Number.isFinite(p) && p > 0 ? p : l.price });
                      }}
                    />
                  </td>
                  <td>{r ? r.lot_size : NO_VALUE}</td>
                  <td>{r && r.iv !== null ? `${(r.iv * 100).toFixed(1)}%` : NO_VALUE}</td>
                  <td>
                    <button type="button" className="strategy-remove" aria-label={`Remove ${name}`} onClick={() => drafts.remove(symbol, l.key)}>
                      ×
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <div className="strategy-main">
        <figure className="strategy-chart-card">
          <figcaption>
            Payoff <span className="muted">· at expiry (solid, profit green, loss red) and at the chosen date (dashed)</span>
          </figcaption>
          <div className="strategy-chart" data-testid="payoff-chart" ref={chartEl} tabIndex={0} aria-label={`${symbol} strategy payoff`} />
        </figure>
        <dl className="strategy-summary" data-testid="strategy-summary">
          <Figure id="net-premium" label="Net premium" value={view?.net_premium} text={formatPremium(view?.net_premium)} />
          <Figure id="max-profit" label="Max profit" value={view?.max_profit} text={view ? formatLimit(view.max_profit) : NO_VALUE} />
          <Figure id="max-loss" label="Max loss" value={view?.max_loss} text={view ? formatLimit(view.max_loss) : NO_VALUE} />
          <Figure id="breakevens" label="Breakevens" value={view?.breakevens.join(',')} text={view ? view.breakevens.map((b) => b.toFixed(2)).join(' · ') || 'none' : NO_VALUE} />
          <Figure id="pop" label="Prob. of profit" value={view?.pop} text={formatPop(view?.pop)} title="At the first expiry: the underlying lognormal around the forward with the ATM IV" />
          <Figure id="delta" label="Delta (₹/pt)" value={view?.greeks.delta} text={formatGreek(view?.greeks.delta, 2)} />
          <Figure id="gamma" label="Gamma" value={view?.greeks.gamma} text={formatGreek(view?.greeks.gamma, 4)} />
          <Figure id="theta" label="Theta (₹/day)" value={view?.greeks.theta} text={formatGreek(view?.greeks.theta, 2)} />
          <Figure id="vega" label="Vega (₹/vol pt)" value={view?.greeks.vega} text={formatGreek(view?.greeks.vega, 2)} />
          <Figure id="whatif" label={`P&L at ${at !== null ? at.toFixed(0) : NO_VALUE}`} value={pnlDate ?? undefined} text={`${formatRupees(pnlDate)} ${days > 0 ? `on ${whatIf.atDate}` : 'now'} · ${formatRupees(pnlExpiry)} at expiry`} />
        </dl>
      </div>
      <div className="strategy-sliders">
        <label>
          <span>Spot</span>
          <input
            type="range"
            data-testid="strategy-spot"
            min={lo}
            max={hi}
            step={Math.max(0.05, (hi - lo) / 400)}
            value={at ?? 0}
            disabled={!view}
            aria-valuetext={at !== null ? at.toFixed(2) : NO_VALUE}
            onChange={(ev) => setWhatIfSpot(Number(ev.currentTarget.value))}
          />
          <span className="strategy-slider-value">{at !== null ? at.toFixed(0) : NO_VALUE}</span>
        </label>
        <label>
          <span>IV shift</span>
          <input type="range" data-testid="strategy-iv-shift" min={-10} max={10} step={0.5} value={ivShift} onChange={(ev) => setIvShift(Number(ev.currentTarget.value))} aria-valuetext={`${ivShift} vol points`} />
          <span className="strategy-slider-value">{ivShift > 0 ? `+${ivShift}` : ivShift} pts</span>
        </label>
        <label>
          <span>Date</span>
          <input type="range" data-testid="strategy-date" min={0} max={maxDays} step={1} value={Math.min(days, maxDays)} disabled={maxDays === 0} onChange={(ev) => setDays(Number(ev.currentTarget.value))} aria-valuetext={days > 0 ? whatIf.atDate! : 'today'} />
          <span className="strategy-slider-value">{days > 0 ? whatIf.atDate : 'today'}</span>
        </label>
      </div>
      <SavedStrategies transport={transport} symbol={symbol} legs={legs} onLoad={(loaded) => drafts.replace(symbol, loaded)} />
    </section>
  );
}

function Figure({ id, label, value, text, title }: { id: string; label: string; value: number | string | null | undefined; text: string; title?: string }) {
  return (
    <div className="strategy-figure" title={title}>
      <dt>{label}</dt>
      <dd data-testid={`summary-${id}`} data-value={value === undefined ? '' : String(value)}>
        {text}
      </dd>
    </div>
  );
}
