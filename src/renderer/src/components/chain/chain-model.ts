/**
 * The rows of one option chain, kept outside React so the stream can feed the grid directly.
 *
 * Policy: the stream sends a whole chain (a snapshot) after a subscribe and after a re-centre, and
 * otherwise only the legs that changed. The model turns each into the smallest grid change:
 * the first rows become a full rebuild; everything after becomes an ag-grid transaction whose
 * `update` holds only the rows that really changed (a new object per changed row, the same object
 * for every other row), so the grid re-renders and flashes only those cells. A re-centre snapshot
 * adds the strikes entering the window and removes those leaving it instead of replacing all rows,
 * which keeps the grid's scroll position and DOM. Flags the grid styles by (ATM, nearest strike,
 * in-the-money) live on the rows, so a row whose flags flip is simply one more update.
 *
 * Honest data: a leg that has not traded today arrives with `ltp: null`, `traded_today: false`
 * and its previous close in `prev_close`; the grid shows that close, marked, never as an LTP. The
 * chain's `nearest_strike` (nearest the underlying) is flagged on its row only where it is not
 * the ATM row (the window's centre, which moves only after a full strike step).
 *
 * Analytics (IV, greeks) ride on the legs. The engine re-sends every leg about once a second so
 * they follow the forward and the clock, and nearly every value then differs in some far decimal.
 * They are therefore compared at the precision the grid shows them (chain-format.ts): a leg whose
 * IV went from 14.301% to 14.304% keeps its row object and costs the grid nothing, and the cell
 * always shows the latest value rounded. Quote fields are compared exactly.
 */
import type { ChainAnalyticsFields, LegAnalyticsFields } from '../../../../shared/analytics';
import type { ChainView, LegQuote } from '../../../../shared/contract';
import type { StreamChain } from '../../../../shared/events';
import { isSegment, type Segment } from '../../../../shared/instruments';
import { formatFixed, formatGamma, formatIv } from './chain-format';

/** A leg as a row holds it: the latest quote and its analytics (no token or symbol). */
export type ChainLeg = LegQuote & LegAnalyticsFields;

/** One strike of the chain: both legs' latest values and the flags the grid styles by. */
export interface ChainRow {
  readonly strike: number;
  readonly ceToken: string | null;
  readonly peToken: string | null;
  readonly ce: ChainLeg | null;
  readonly pe: ChainLeg | null;
  /** This strike is the chain's ATM strike. */
  readonly atm: boolean;
  /** This strike is the one nearest the underlying's LTP, and it is not the ATM strike. */
  readonly nearest: boolean;
  /** The call is in the money: strike below the underlying. */
  readonly ceItm: boolean;
  /** The put is in the money: strike above the underlying. */
  readonly peItm: boolean;
}

/** An ag-grid row transaction (rows are matched by `getRowId` = strike). */
export interface ChainTransaction {
  add: ChainRow[];
  remove: ChainRow[];
  update: ChainRow[];
}

/** What the grid must do after the model took in a message. */
export type ChainChange =
  | { kind: 'rebuild'; rows: ChainRow[]; atmChanged: boolean }
  | { kind: 'transaction'; transaction: ChainTransaction; atmChanged: boolean };

/** The slow-moving numbers above the grid. */
export interface ChainHeader {
  underlyingLtp: number;
  atm: number;
  /** The strike nearest the underlying's LTP; null when unknown. */
  nearest: number | null;
  step: number;
  /** Legs whose latest value is marked stale. */
  staleLegs: number;
  /** Legs with no trade today (showing their previous close). */
  untradedLegs: number;
  /** Legs in the window. */
  legs: number;
  /** The chain's analytics (PCR, max pain, forward, straddle) as of the last message; null before any. */
  analytics: ChainAnalyticsFields | null;
}

interface LegRef {
  strike: number;
  side: 'ce' | 'pe';
}

interface StrikeInput {
  strike: number;
  ceToken: string | null;
  peToken: string | null;
  ce: ChainLeg | null;
  pe: ChainLeg | null;
}

const EXACT_FIELDS = [
  'ltp', 'prev_close', 'change', 'oi', 'oi_change', 'volume', 'bid', 'ask', 'traded_today', 'last_trade_time', 'stale', 'iv_reason', 'greeks_from',
] as const;

type Shown = (value: number) => string;
const formatTwo: Shown = (v) => formatFixed(v, 2);
/**
 * The analytics numbers with the formatter their cells use (chain-columns.ts), so "same" here is
 * "same text on screen". Formatting 5 numbers of each of 202 re-sent legs makes a full refresh
 * (once a second) cost about 0.33 ms instead of 0.09 ms; rounding arithmetic would halve that but
 * needs care at rounding halves to agree with the cells, which is not worth it at once a second.
 */
const SHOWN_FIELDS: readonly (readonly ['iv' | 'delta' | 'gamma' | 'theta' | 'vega', Shown])[] = [
  ['iv', formatIv],
  ['delta', formatTwo],
  ['gamma', formatGamma],
  ['theta', formatTwo],
  ['vega', formatTwo],
];

function sameShown(a: number | null, b: number | null, shown: Shown): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return shown(a) === shown(b);
}

/** True when two legs show the same values (so the row need not change). */
export function sameLeg(a: ChainLeg | null, b: ChainLeg | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  for (const f of EXACT_FIELDS) if (a[f] !== b[f]) return false;
  for (const [f, shown] of SHOWN_FIELDS) if (!sameShown(a[f], b[f], shown)) return false;
  return true;
}

/** Only the quote and analytics fields (a LegView carries token and symbol too; the row keeps values only). */
function legOf(leg: ChainLeg): ChainLeg {
  return {
    ltp: leg.ltp,
    prev_close: leg.prev_close,
    change: leg.change,
    oi: leg.oi,
    oi_change: leg.oi_change,
    volume: leg.volume,
    bid: leg.bid,
    ask: leg.ask,
    traded_today: leg.traded_today,
    last_trade_time: leg.last_trade_time,
    stale: leg.stale,
    iv: leg.iv,
    iv_reason: leg.iv_reason,
    delta: leg.delta,
    gamma: leg.gamma,
    theta: leg.theta,
    vega: leg.vega,
    greeks_from: leg.greeks_from,
  };
}

/**
 * One chain's rows keyed by strike, plus its ATM, strike step and underlying LTP. Not reactive: the
 * owner feeds it messages and hands the returned change to the grid.
 */
export class ChainModel {
  private byStrike = new Map<number, ChainRow>();
  private order: number[] = [];
  private tokens = new Map<string, LegRef>();
  private atmStrike = 0;
  private nearestStrike: number | null = null;
  private step = 0;
  private ltp = 0;
  private analytics: ChainAnalyticsFields | null = null;
  private streamed = false;
  private optionSegment: Segment | null = null;

  /** The rows, ascending by strike. */
  rows(): ChainRow[] {
    return this.order.map((s) => this.byStrike.get(s)!);
  }

  /** The row of a strike, if it is in the window. */
  row(strike: number): ChainRow | undefined {
    return this.byStrike.get(strike);
  }

  /** True once a stream snapshot arrived (a later REST first paint would be older: it is ignored). */
  get hasStreamData(): boolean {
    return this.streamed;
  }

  /** The options' segment (NSE_FNO, MCX_COMM, ...), known from the first paint; null before it. */
  get segment(): Segment | null {
    return this.optionSegment;
  }

  /** The header numbers as of the last message. */
  header(): ChainHeader {
    let staleLegs = 0;
    let untradedLegs = 0;
    let legs = 0;
    for (const row of this.byStrike.values()) {
      for (const q of [row.ce, row.pe]) {
        if (!q) continue;
        legs += 1;
        if (q.stale) staleLegs += 1;
        if (q.traded_today === false) untradedLegs += 1;
      }
    }
    return {
      underlyingLtp: this.ltp, atm: this.atmStrike, nearest: this.nearestStrike, step: this.step, staleLegs, untradedLegs, legs, analytics: this.analytics,
    };
  }

  /**
   * The first paint from `option-chain:get`. Returns null (and changes nothing) when the stream
   * already delivered the chain, since the stream's values are newer.
   */
  loadView(view: ChainView): ChainChange | null {
    if (isSegment(view.segment)) this.optionSegment = view.segment;
    if (this.streamed) return null;
    const inputs: StrikeInput[] = [];
    for (const strike of view.strikes) {
      const legs = view.strikes_ce_pe[String(strike)] ?? {};
      inputs.push({
        strike,
        ceToken: legs.CE?.token ?? null,
        peToken: legs.PE?.token ?? null,
        ce: legs.CE ? legOf(legs.CE) : null,
        pe: legs.PE ? legOf(legs.PE) : null,
      });
    }
    this.analytics = view.analytics;
    return this.replaceWindow(inputs, view.atm_strike, view.nearest_strike, view.strike_step, view.underlying_ltp);
  }

  /** A stream batch's part for this chain: a snapshot (whole window) or a delta (changed legs). */
  applyStream(chain: StreamChain): ChainChange {
    this.analytics = chain.analytics;
    if (chain.snapshot && chain.strikes) {
      this.streamed = true;
      const inputs = chain.strikes.map((s): StrikeInput => {
        const ceLeg = s.CE ? chain.legs[s.CE] : undefined;
        const peLeg = s.PE ? chain.legs[s.PE] : undefined;
        return {
          strike: s.strike,
          ceToken: s.CE,
          peToken: s.PE,
          ce: ceLeg ? legOf(ceLeg) : this.keptLeg(s.strike, 'ce', s.CE),
          pe: peLeg ? legOf(peLeg) : this.keptLeg(s.strike, 'pe', s.PE),
        };
      });
      return this.replaceWindow(inputs, chain.atm_strike, chain.nearest_strike, chain.strike_step, chain.underlying_ltp);
    }
    return this.applyDelta(chain);
  }

  /** A leg without a value in a snapshot keeps the one it had, if its token is unchanged. */
  private keptLeg(strike: number, side: 'ce' | 'pe', token: string | null): ChainLeg | null {
    const old = this.byStrike.get(strike);
    if (!old || token === null) return null;
    const oldToken = side === 'ce' ? old.ceToken : old.peToken;
    return oldToken === token ? old[side] : null;
  }

  private setHeader(atm: number, nearest: number | null | undefined, step: number, ltp: number): boolean {
    const atmChanged = atm !== this.atmStrike;
    this.atmStrike = atm;
    this.nearestStrike = nearest ?? null;
    this.step = step;
    this.ltp = ltp;
    return atmChanged;
  }

  private makeRow(input: StrikeInput): ChainRow {
    const ltp = this.ltp;
    return {
      strike: input.strike,
      ceToken: input.ceToken,
      peToken: input.peToken,
      ce: input.ce,
      pe: input.pe,
      atm: input.strike === this.atmStrike,
      nearest: input.strike === this.nearestStrike && input.strike !== this.atmStrike,
      ceItm: ltp > 0 && input.strike < ltp,
      peItm: ltp > 0 && input.strike > ltp,
    };
  }

  private replaceWindow(inputs: StrikeInput[], atm: number, nearest: number | null | undefined, step: number, ltp: number): ChainChange {
    const wasEmpty = this.byStrike.size === 0;
    const atmChanged = this.setHeader(atm, nearest, step, ltp);
    const sorted = [...inputs].sort((a, b) => a.strike - b.strike);
    const next = new Map<number, ChainRow>();
    const tx: ChainTransaction = { add: [], remove: [], update: [] };
    this.tokens.clear();
    for (const input of sorted) {
      if (next.has(input.strike)) continue;
      const candidate = this.makeRow(input);
      const old = this.byStrike.get(input.strike);
      let row = candidate;
      if (!old) tx.add.push(candidate);
      else if (sameRow(old, candidate)) row = old;
      else tx.update.push(candidate);
      next.set(input.strike, row);
      if (input.ceToken) this.tokens.set(input.ceToken, { strike: input.strike, side: 'ce' });
      if (input.peToken) this.tokens.set(input.peToken, { strike: input.strike, side: 'pe' });
    }
    for (const [strike, old] of this.byStrike) if (!next.has(strike)) tx.remove.push(old);
    this.byStrike = next;
    this.order = [...next.keys()];
    if (wasEmpty) return { kind: 'rebuild', rows: this.rows(), atmChanged };
    return { kind: 'transaction', transaction: tx, atmChanged };
  }

  private applyDelta(chain: StreamChain): ChainChange {
    const atmChanged = this.setHeader(chain.atm_strike, chain.nearest_strike, chain.strike_step, chain.underlying_ltp);
    const touched = new Map<number, { ce?: ChainLeg; pe?: ChainLeg }>();
    for (const [token, leg] of Object.entries(chain.legs)) {
      const ref = this.tokens.get(token);
      if (!ref) continue; // a leg of a window we no longer show (or not yet): nothing to update
      const pending = touched.get(ref.strike) ?? {};
      pending[ref.side] = legOf(leg);
      touched.set(ref.strike, pending);
    }
    const update: ChainRow[] = [];
    // Every row is checked (not only touched ones): a move of the underlying, the ATM or the nearest strike flips flags.
    for (const strike of this.order) {
      const old = this.byStrike.get(strike)!;
      const legs = touched.get(strike);
      const candidate = this.makeRow({
        strike,
        ceToken: old.ceToken,
        peToken: old.peToken,
        ce: legs?.ce ?? old.ce,
        pe: legs?.pe ?? old.pe,
      });
      if (sameRow(old, candidate)) continue;
      this.byStrike.set(strike, candidate);
      update.push(candidate);
    }
    return { kind: 'transaction', transaction: { add: [], remove: [], update }, atmChanged };
  }
}

function sameRow(a: ChainRow, b: ChainRow): boolean {
  return (
    a.ceToken === b.ceToken &&
    a.peToken === b.peToken &&
    a.atm === b.atm &&
    a.nearest === b.nearest &&
    a.ceItm === b.ceItm &&
    a.peItm === b.peItm &&
    sameLeg(a.ce, b.ce) &&
    sameLeg(a.pe, b.pe)
  );
}

/** True when a change has nothing for the grid to do. */
export function isEmptyChange(change: ChainChange): boolean {
  if (change.kind === 'rebuild') return false;
  const t = change.transaction;
  return t.add.length === 0 && t.remove.length === 0 && t.update.length === 0;
}
