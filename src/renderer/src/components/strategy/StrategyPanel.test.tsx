// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandRequest, SavedStrategyView, StrategyEvaluationView, StrategyLegView } from '../../../../shared/contract';
import { istEpochMs } from '../../../../shared/market-calendar';
import { createFakeTransport, FakeError, type FakeTransport } from '../../api/fake-transport';
import { strikeRange } from '../chain/chain-test-data';
import { NO_VALUE } from '../format';
import type { PayoffChart } from './payoff-chart';
import { createStrategyDrafts, type StrategyDrafts, type TemplateChain } from './strategy-draft';
import { StrategyPanel } from './StrategyPanel';

const SYMBOL = 'NIFTY';
const EXP = '2026-12-08';
/** 10:00 IST a week before the expiry: the date slider reaches 7 days out. */
const NOW = istEpochMs('2026-12-01', 10 * 60);
const CHAIN: TemplateChain = { expiry: EXP, atm: 25_500, strikes: strikeRange(25_200, 25_800, 50) };
const SPOT = 25_510.4;
const LOT = 75;

type EvalRequest = CommandRequest<'strategy:evaluate'>;
type RequestLeg = EvalRequest['legs'][number];

/**
 * The market the fake engine prices legs at (mid per unit) with their greeks per unit. An iron
 * condor around 25,500 at these mids takes in 120 + 112 - 82 - 78.5 = 71.5 a unit: ₹5,362.50 for a
 * lot of 75, the wings 100 points wide, so at most 28.5 x 75 = ₹2,137.50 is lost.
 */
const MARKET: Record<string, { mid: number; iv: number; delta: number; gamma: number; theta: number; vega: number }> = {
  'CE 25600': { mid: 120, iv: 0.138, delta: 0.32, gamma: 0.0011, theta: -9.5, vega: 11.2 },
  'CE 25700': { mid: 82, iv: 0.142, delta: 0.2, gamma: 0.0009, theta: -7.4, vega: 9.1 },
  'PE 25400': { mid: 112, iv: 0.151, delta: -0.3, gamma: 0.001, theta: -8.9, vega: 10.8 },
  'PE 25300': { mid: 78.5, iv: 0.158, delta: -0.19, gamma: 0.0008, theta: -6.8, vega: 8.6 },
};
const POP = 0.6184;

const quoteOf = (l: RequestLeg) => {
  const q = MARKET[`${l.option_type} ${l.strike}`];
  if (!q) throw new FakeError('NOT_FOUND', `${SYMBOL} ${l.expiry} ${l.strike} ${l.option_type} has no quote and no trade today`);
  return q;
};

/**
 * What the engine would answer for `req`: each leg at its given price, else the mid above; the
 * payoff at expiry on 24,500..26,500 every 10 points; the extremes (unlimited when the calls are
 * net short or long), the breakevens where the curve crosses zero, greeks summed over the legs.
 */
function evaluate(req: EvalRequest): StrategyEvaluationView {
  const legs = req.legs.map((l) => {
    const q = quoteOf(l);
    const units = (l.side === 'BUY' ? 1 : -1) * l.lots * LOT;
    const view: StrategyLegView & { iv: number | null } = {
      expiry: l.expiry,
      strike: l.strike ?? null,
      option_type: l.option_type,
      side: l.side,
      lots: l.lots,
      price: l.price ?? q.mid,
      lot_size: LOT,
      token: `NSE_FNO:${l.strike}${l.option_type}`,
      trading_symbol: `${SYMBOL}-Dec2026-${l.strike}-${l.option_type}`,
      iv: q.iv,
    };
    return { view, q, units };
  });
  const pnl = (x: number): number =>
    legs.reduce((sum, { view: v, units }) => sum + units * (Math.max(0, v.option_type === 'CE' ? x - v.strike! : v.strike! - x) - v.price), 0);
  const xs = strikeRange(24_500, 26_500, 10);
  const expiry = xs.map((x): [number, number] => [x, pnl(x)]);
  const ys = expiry.map((p) => p[1]);
  const callUnits = legs.reduce((n, l) => n + (l.view.option_type === 'CE' ? l.units : 0), 0);
  const breakevens: number[] = [];
  for (let i = 1; i < expiry.length; i++) {
    const [x0, y0] = expiry[i - 1]!;
    const [x1, y1] = expiry[i]!;
    if ((y0 < 0 && y1 >= 0) || (y0 > 0 && y1 <= 0)) breakevens.push(Math.round((x0 + ((x1 - x0) * -y0) / (y1 - y0)) * 100) / 100);
  }
  const sum = (g: 'delta' | 'gamma' | 'theta' | 'vega'): number => legs.reduce((s, l) => s + l.units * l.q[g], 0);
  const shift = req.iv_shift ?? 0;
  return {
    net_premium: -legs.reduce((s, l) => s + l.units * l.view.price, 0),
    max_profit: callUnits > 0 ? null : Math.max(...ys),
    max_loss: callUnits < 0 ? null : Math.min(...ys),
    breakevens,
    pop: POP,
    greeks: { delta: sum('delta'), gamma: sum('gamma'), theta: sum('theta'), vega: sum('vega') },
    payoff_expiry: expiry,
    // Not the engine's model: a curve that differs from expiry's and moves with the IV shift.
    payoff_at_date: expiry.map(([x, y]): [number, number] => [x, y * 0.6 + shift * sum('vega')]),
    legs: legs.map((l) => l.view),
    first_expiry: EXP,
    spot: SPOT,
    atm_iv: 0.145,
  };
}

/** Records what the panel asks the payoff chart to draw (jsdom has no canvas). */
function fakeChart() {
  const drawn = { calls: [] as { view: StrategyEvaluationView | null; whatIfSpot: number | null }[], el: null as HTMLElement | null, created: 0, destroyed: 0 };
  const create = (el: HTMLElement): PayoffChart => {
    drawn.el = el;
    drawn.created += 1;
    return {
      draw: (view, whatIfSpot) => drawn.calls.push({ view, whatIfSpot }),
      destroy: () => (drawn.destroyed += 1),
    };
  };
  return { drawn, create };
}

interface Harness {
  fake: FakeTransport;
  drafts: StrategyDrafts;
  chart: ReturnType<typeof fakeChart>;
  /** Every view the fake engine answered, in order. */
  answers: StrategyEvaluationView[];
  saved: SavedStrategyView[];
  unmount(): void;
}

function setup(chain: TemplateChain | null = CHAIN): Harness {
  const answers: StrategyEvaluationView[] = [];
  const saved: SavedStrategyView[] = [];
  const fake = createFakeTransport({
    'strategy:evaluate': (req) => {
      const v = evaluate(req);
      answers.push(v);
      return v;
    },
    'strategies:list': () => ({ strategies: saved.map((s) => ({ ...s })) }),
    'strategies:save': (req) => {
      const s: SavedStrategyView = { id: saved.length + 1, name: req.name ?? `${req.symbol} strategy`, symbol: req.symbol, legs: evaluate({ symbol: req.symbol, legs: req.legs }).legs.map(({ iv: _iv, ...l }) => l), created_at: NOW };
      saved.push(s);
      return s;
    },
  });
  const drafts = createStrategyDrafts();
  const chart = fakeChart();
  const r = render(<StrategyPanel transport={fake} symbol={SYMBOL} drafts={drafts} chain={() => chain} createChart={chart.create} now={() => NOW} />);
  return { fake, drafts, chart, answers, saved, unmount: r.unmount };
}

/** Past the evaluator's debounce, with every answer delivered and rendered. */
const settle = (ms = 200): Promise<void> =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });

const evaluations = (fake: FakeTransport): EvalRequest[] => fake.calls.filter((c) => c.command === 'strategy:evaluate').map((c) => c.request as EvalRequest);
const lastEvaluation = (fake: FakeTransport): EvalRequest => evaluations(fake).at(-1)!;
const summary = (id: string): string => screen.getByTestId(`summary-${id}`).textContent!;
const legRows = () => screen.queryAllByTestId('strategy-leg').map((r) => `${r.dataset.side} ${r.dataset.strike} ${r.dataset.type}`);

async function ironCondor(): Promise<void> {
  fireEvent.click(screen.getByTestId('template-iron-condor'));
  await settle();
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('StrategyPanel', () => {
  it('with no legs: the hint, no figures, nothing asked of the engine, and the analysis-only notice', async () => {
    const h = setup();
    await settle(5_000); // past the debounce and the live refresh
    expect(screen.getByTestId('strategy-empty').textContent).toMatch(/No legs yet.*click a bid to sell or an ask to buy/);
    expect(screen.queryByTestId('strategy-legs')).toBeNull();
    expect(evaluations(h.fake)).toEqual([]);
    for (const id of ['net-premium', 'max-profit', 'max-loss', 'breakevens', 'pop', 'delta', 'theta']) expect(summary(id), id).toBe(NO_VALUE);
    expect(screen.getByTestId('strategy-analysis-only').textContent).toMatch(/Analysis only.*no orders/);
    expect((screen.getByTestId('strategy-save') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('strategy-clear') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('strategy-date') as HTMLInputElement).disabled).toBe(true);
    // The chart is made once, on the panel's chart container, and given no curve to draw.
    expect(h.chart.drawn.created).toBe(1);
    expect(h.chart.drawn.el).toBe(screen.getByTestId('payoff-chart'));
    expect(h.chart.drawn.calls.filter((c) => c.view !== null)).toEqual([]);
  });

  it('an iron condor template fills four legs around the ATM and asks the engine to price them at the market', async () => {
    const h = setup();
    await ironCondor();
    expect(screen.queryByTestId('strategy-empty')).toBeNull();
    expect(legRows()).toEqual(['BUY 25300 PE', 'SELL 25400 PE', 'SELL 25600 CE', 'BUY 25700 CE']);
    expect(screen.getByTestId('strategy-panel').dataset.legs).toBe('4');
    expect(evaluations(h.fake)).toHaveLength(1);
    expect(lastEvaluation(h.fake)).toEqual({
      symbol: SYMBOL,
      legs: [
        { expiry: EXP, strike: 25_300, option_type: 'PE', side: 'BUY', lots: 1 },
        { expiry: EXP, strike: 25_400, option_type: 'PE', side: 'SELL', lots: 1 },
        { expiry: EXP, strike: 25_600, option_type: 'CE', side: 'SELL', lots: 1 },
        { expiry: EXP, strike: 25_700, option_type: 'CE', side: 'BUY', lots: 1 },
      ],
    });
    // The legs table shows what the engine resolved: the mid as the price hint, lot size, IV.
    const row = screen.getAllByTestId('strategy-leg')[2]!;
    expect(within(row).getByLabelText('Price of 25600 CE').getAttribute('placeholder')).toBe('mid 120.00');
    expect((within(row).getByLabelText('Price of 25600 CE') as HTMLInputElement).value).toBe('');
    expect(within(row).getByText('75')).toBeTruthy();
    expect(within(row).getByText('13.8%')).toBeTruthy();
    // The chart draws the answer.
    expect(h.chart.drawn.calls.at(-1)).toEqual({ view: h.answers.at(-1), whatIfSpot: null });
  });

  it('the summary shows the engine\'s figures: credit, max profit and loss, breakevens, POP, greeks', async () => {
    setup();
    await ironCondor();
    expect(summary('net-premium')).toBe('₹5,362.50 credit');
    expect(summary('max-profit')).toBe('₹5,362.50');
    expect(summary('max-loss')).toBe('-₹2,137.50');
    expect(summary('breakevens')).toBe('25328.50 · 25671.50');
    expect(summary('pop')).toBe('61.8%');
    // 75 x (-0.19 + 0.30 - 0.32 + 0.20), 75 x (0.0008 - 0.0010 - 0.0011 + 0.0009), ...
    expect(summary('delta')).toBe('-0.75');
    expect(summary('gamma')).toBe('-0.0300');
    expect(summary('theta')).toBe('315.00');
    expect(summary('vega')).toBe('-322.50');
    // P&L at the spot now: inside the short strikes, the whole credit at expiry.
    expect(screen.getByTestId('summary-whatif').textContent).toMatch(/₹5,362\.50 at expiry$/);
  });

  it('a debit strategy reads as a debit, and a naked short call\'s loss as unlimited', async () => {
    const h = setup();
    act(() => {
      h.drafts.replace(SYMBOL, [
        { expiry: EXP, strike: 25_600, option_type: 'CE', side: 'BUY', lots: 1, price: null },
        { expiry: EXP, strike: 25_700, option_type: 'CE', side: 'SELL', lots: 1, price: null },
      ]);
    });
    await settle();
    expect(summary('net-premium')).toBe('₹2,850.00 debit'); // (120 - 82) x 75
    expect(summary('max-loss')).toBe('-₹2,850.00');
    expect(summary('max-profit')).toBe('₹4,650.00'); // (100 - 38) x 75
    act(() => h.drafts.remove(SYMBOL, h.drafts.legs(SYMBOL)[0]!.key));
    await settle();
    expect(summary('net-premium')).toBe('₹6,150.00 credit');
    expect(summary('max-loss')).toBe('Unlimited');
    expect(summary('max-profit')).toBe('₹6,150.00');
  });

  it('editing a leg\'s lots and price asks again with those values, and the figures follow', async () => {
    const h = setup();
    await ironCondor();
    fireEvent.change(screen.getByLabelText('Lots of 25600 CE'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Price of 25600 CE'), { target: { value: '130' } });
    await settle();
    expect(lastEvaluation(h.fake).legs[2]).toEqual({ expiry: EXP, strike: 25_600, option_type: 'CE', side: 'SELL', lots: 2, price: 130 });
    // The other legs are as they were, still at the market.
    expect(lastEvaluation(h.fake).legs.map((l) => [l.lots, l.price])).toEqual([
      [1, undefined],
      [1, undefined],
      [2, 130],
      [1, undefined],
    ]);
    expect((screen.getByLabelText('Lots of 25600 CE') as HTMLInputElement).value).toBe('2');
    expect((screen.getByLabelText('Price of 25600 CE') as HTMLInputElement).value).toBe('130');
    // (-78.5 + 112 + 2 x 130 - 82) x 75; one call more sold than bought: the loss has no floor.
    expect(summary('net-premium')).toBe('₹15,862.50 credit');
    expect(summary('max-loss')).toBe('Unlimited');
    // Lots below 1 are refused: the leg keeps 2.
    fireEvent.change(screen.getByLabelText('Lots of 25600 CE'), { target: { value: '0' } });
    await settle();
    expect(lastEvaluation(h.fake).legs[2]!.lots).toBe(2);
    // Emptying the price gives the leg back to the market.
    fireEvent.change(screen.getByLabelText('Price of 25600 CE'), { target: { value: '' } });
    await settle();
    expect(lastEvaluation(h.fake).legs[2]).toEqual({ expiry: EXP, strike: 25_600, option_type: 'CE', side: 'SELL', lots: 2 });
  });

  it('switching a leg\'s side asks again with the other side', async () => {
    const h = setup();
    await ironCondor();
    fireEvent.click(screen.getByRole('button', { name: 'Buy 25300 PE: switch side' }));
    await settle();
    expect(legRows()[0]).toBe('SELL 25300 PE');
    expect(lastEvaluation(h.fake).legs[0]).toMatchObject({ strike: 25_300, option_type: 'PE', side: 'SELL' });
  });

  it('removing a leg removes its row and its leg from the next request; the last one gone, the figures clear', async () => {
    const h = setup();
    await ironCondor();
    fireEvent.click(screen.getByRole('button', { name: 'Remove 25700 CE' }));
    await settle();
    expect(legRows()).toEqual(['BUY 25300 PE', 'SELL 25400 PE', 'SELL 25600 CE']);
    expect(lastEvaluation(h.fake).legs.map((l) => `${l.side} ${l.strike} ${l.option_type}`)).toEqual(['BUY 25300 PE', 'SELL 25400 PE', 'SELL 25600 CE']);
    expect(summary('max-loss')).toBe('Unlimited'); // the short call lost its wing
    const asked = evaluations(h.fake).length;
    for (const name of ['Remove 25300 PE', 'Remove 25400 PE', 'Remove 25600 CE']) fireEvent.click(screen.getByRole('button', { name }));
    await settle();
    expect(screen.getByTestId('strategy-empty')).toBeTruthy();
    expect(evaluations(h.fake)).toHaveLength(asked); // an empty draft is not sent
    expect(summary('net-premium')).toBe(NO_VALUE);
    expect(h.chart.drawn.calls.at(-1)!.view).toBeNull();
  });

  it('the IV shift and date sliders set the request\'s iv_shift and at_date', async () => {
    const h = setup();
    await ironCondor();
    const iv = screen.getByTestId('strategy-iv-shift') as HTMLInputElement;
    const date = screen.getByTestId('strategy-date') as HTMLInputElement;
    expect(date.disabled).toBe(false);
    expect(date.max).toBe('7'); // today 2026-12-01 to the first expiry 2026-12-08
    fireEvent.change(iv, { target: { value: '2.5' } });
    await settle();
    expect(lastEvaluation(h.fake).iv_shift).toBe(2.5);
    expect(lastEvaluation(h.fake).at_date).toBeUndefined();
    expect(iv.parentElement!.textContent).toContain('+2.5 pts');
    fireEvent.change(date, { target: { value: '3' } });
    await settle();
    expect(lastEvaluation(h.fake)).toMatchObject({ iv_shift: 2.5, at_date: '2026-12-04' });
    expect(date.parentElement!.textContent).toContain('2026-12-04');
    expect(screen.getByTestId('summary-whatif').textContent).toContain('on 2026-12-04');
    fireEvent.change(iv, { target: { value: '-4' } });
    await settle();
    expect(lastEvaluation(h.fake)).toMatchObject({ iv_shift: -4, at_date: '2026-12-04' });
    // Back to today and no shift: neither is sent.
    fireEvent.change(iv, { target: { value: '0' } });
    fireEvent.change(date, { target: { value: '0' } });
    await settle();
    expect('iv_shift' in lastEvaluation(h.fake)).toBe(false);
    expect('at_date' in lastEvaluation(h.fake)).toBe(false);
    expect(date.parentElement!.textContent).toContain('today');
  });

  it('the spot slider reads the P&L off the curves at a what-if price and marks it on the chart', async () => {
    const h = setup();
    await ironCondor();
    const asked = evaluations(h.fake).length;
    fireEvent.change(screen.getByTestId('strategy-spot'), { target: { value: '25700' } });
    // At 25,700 the call spread is lost in full: (71.5 - 100) x 75 at expiry; at-date curve 0.6 of it.
    expect(screen.getByTestId('summary-whatif').textContent).toBe('-₹1,282.50 now · -₹2,137.50 at expiry');
    expect(screen.getByText('P&L at 25700')).toBeTruthy();
    expect(h.chart.drawn.calls.at(-1)).toEqual({ view: h.answers.at(-1), whatIfSpot: 25_700 });
    await settle();
    expect(evaluations(h.fake)).toHaveLength(asked); // the engine is not asked again for a what-if spot
  });

  it('shows the engine\'s refusal to the trader, and clears it once an evaluation succeeds', async () => {
    const h = setup();
    const refusal = 'leg 1: 25,450 CE is not a listed strike of NIFTY 2026-12-08';
    h.fake.handle({
      'strategy:evaluate': () => {
        throw new FakeError('BAD_REQUEST', refusal);
      },
    });
    await ironCondor();
    expect(screen.getByRole('alert').textContent).toBe(refusal);
    expect(summary('net-premium')).toBe(NO_VALUE);
    // A leg with no price the engine can find is refused with its reason too.
    h.fake.handle({ 'strategy:evaluate': evaluate });
    act(() => h.drafts.add(SYMBOL, { expiry: EXP, strike: 25_500, option_type: 'CE', side: 'BUY', lots: 1, price: null }));
    await settle();
    expect(screen.getByTestId('strategy-error').textContent).toBe('NIFTY 2026-12-08 25500 CE has no quote and no trade today');
    fireEvent.click(screen.getByRole('button', { name: 'Remove 25500 CE' }));
    await settle();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(summary('net-premium')).toBe('₹5,362.50 credit');
  });

  it('a template before the chain has loaded says so and leaves the draft alone', async () => {
    const h = setup(null);
    fireEvent.click(screen.getByTestId('template-iron-condor'));
    await settle();
    expect(screen.getByText(/The chain is still loading/)).toBeTruthy();
    expect(screen.getByTestId('strategy-empty')).toBeTruthy();
    expect(evaluations(h.fake)).toEqual([]);
  });

  it('re-evaluates every few seconds for live prices, and stops and lets the chart go on unmount', async () => {
    const h = setup();
    await ironCondor();
    const asked = evaluations(h.fake).length;
    await settle(3_000);
    expect(evaluations(h.fake)).toHaveLength(asked + 1);
    expect(lastEvaluation(h.fake)).toEqual(evaluations(h.fake)[asked - 1]);
    h.unmount();
    expect(h.chart.drawn.destroyed).toBe(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10_000);
    });
    expect(evaluations(h.fake)).toHaveLength(asked + 1);
  });

  it('Save posts the legs and the name, then lists the saved strategy', async () => {
    const h = setup();
    await ironCondor();
    fireEvent.change(screen.getByLabelText('Strategy name'), { target: { value: '  Weekly condor ' } });
    fireEvent.change(screen.getByLabelText('Price of 25400 PE'), { target: { value: '115' } });
    await settle();
    fireEvent.click(screen.getByTestId('strategy-save'));
    await settle();
    const saves = h.fake.calls.filter((c) => c.command === 'strategies:save');
    expect(saves).toHaveLength(1);
    expect(saves[0]!.request).toEqual({
      symbol: SYMBOL,
      name: 'Weekly condor',
      legs: [
        { expiry: EXP, strike: 25_300, option_type: 'PE', side: 'BUY', lots: 1 },
        { expiry: EXP, strike: 25_400, option_type: 'PE', side: 'SELL', lots: 1, price: 115 },
        { expiry: EXP, strike: 25_600, option_type: 'CE', side: 'SELL', lots: 1 },
        { expiry: EXP, strike: 25_700, option_type: 'CE', side: 'BUY', lots: 1 },
      ],
    });
    expect(screen.getByTestId('strategy-save-message').textContent).toBe('Saved "Weekly condor" at the entry prices shown.');
    expect((screen.getByLabelText('Strategy name') as HTMLInputElement).value).toBe('');
    const item = screen.getByTestId('saved-strategy');
    expect(item.textContent).toContain('Weekly condor');
    expect(item.textContent).toContain('4 legs · ₹5,587.50 credit'); // (115 + 120 - 82 - 78.5) x 75
    expect(h.fake.sent).toContainEqual({ op: 'subscribe', view: 'strategy', strategy_id: 1 });

    // Its live P&L arrives on the stream.
    expect(within(item).getByTestId('saved-strategy-pnl').textContent).toBe(NO_VALUE);
    act(() =>
      h.fake.push({
        type: 'batch',
        seq: 1,
        at: NOW,
        chains: {},
        strategy: { '1': { id: 1, pnl: -1_234.5, stale_legs: 0, net_premium: 5_587.5, greeks: null, legs: [], t: NOW } },
      }),
    );
    expect(within(item).getByTestId('saved-strategy-pnl').textContent).toBe('-₹1,234.50');
    expect(within(item).getByTestId('saved-strategy-pnl').dataset.stale).toBe('false');
    // Legs whose chain closed: the P&L says it is not live, and why.
    act(() =>
      h.fake.push({
        type: 'batch',
        seq: 2,
        at: NOW + 100,
        chains: {},
        strategy: { '1': { id: 1, pnl: -1_300, stale_legs: 2, net_premium: 5_587.5, greeks: null, legs: [], t: NOW + 100 } },
      }),
    );
    const stalePnl = within(item).getByTestId('saved-strategy-pnl');
    expect(stalePnl.textContent).toBe('-₹1,300.00 (stale)');
    expect(stalePnl.dataset.stale).toBe('true');
    expect(stalePnl.title).toMatch(/^Not live: 2 of 4 legs have old prices/);

    // Cleared, then loaded back: the same legs at the saved entry prices.
    fireEvent.click(screen.getByTestId('strategy-clear'));
    expect(screen.getByTestId('strategy-empty')).toBeTruthy();
    fireEvent.click(within(item).getByRole('button', { name: 'Load' }));
    await settle();
    expect(legRows()).toEqual(['BUY 25300 PE', 'SELL 25400 PE', 'SELL 25600 CE', 'BUY 25700 CE']);
    expect(lastEvaluation(h.fake).legs.map((l) => l.price)).toEqual([78.5, 115, 120, 82]);
  });

  it('a refused save shows the reason', async () => {
    const h = setup();
    h.fake.handle({
      'strategies:save': () => {
        throw new FakeError('CAPACITY', 'at most 200 saved strategies');
      },
    });
    await ironCondor();
    fireEvent.click(screen.getByTestId('strategy-save'));
    await settle();
    expect(screen.getByTestId('strategy-save-message').textContent).toBe('at most 200 saved strategies');
    expect(screen.queryByTestId('saved-strategy')).toBeNull();
  });
});
