/**
 * The strategies being built, one draft per symbol, kept while the trader moves between chains and
 * views (a vanilla zustand store in the shell's services). A draft is the legs as the trader set
 * them: a price only where one was picked (a clicked bid or ask) or typed; otherwise the engine
 * prices the leg at the live mid, else its LTP, each time it evaluates.
 *
 * Templates build the common strategies around the chain's ATM on the expiry shown, with strikes
 * a number of steps away snapped to strikes the chain lists. Analysis only: nothing is ordered.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';

export type LegSide = 'BUY' | 'SELL';
export type LegType = 'CE' | 'PE' | 'FUT';

/** One leg as the trader set it. */
export interface DraftLeg {
  /** A local key (rows in the legs table). */
  key: number;
  expiry: string;
  /** Null for a future. */
  strike: number | null;
  option_type: LegType;
  side: LegSide;
  lots: number;
  /** Entry price per unit; null = the live mid, else the LTP, when evaluated. */
  price: number | null;
}

export type NewLeg = Omit<DraftLeg, 'key'>;

/** The most legs a strategy takes (the engine refuses more). */
export const MAX_DRAFT_LEGS = 20;

export interface DraftState {
  bySymbol: Record<string, DraftLeg[]>;
}

export interface StrategyDrafts {
  readonly store: StoreApi<DraftState>;
  legs(symbol: string): DraftLeg[];
  /** Adds a leg; the same contract and side already there gets one more lot instead. Returns false at the leg limit. */
  add(symbol: string, leg: NewLeg): boolean;
  update(symbol: string, key: number, patch: Partial<NewLeg>): void;
  remove(symbol: string, key: number): void;
  /** Replaces the draft (a template). */
  replace(symbol: string, legs: NewLeg[]): void;
  clear(symbol: string): void;
}

const EMPTY: DraftLeg[] = [];

export function createStrategyDrafts(): StrategyDrafts {
  const store = createStore<DraftState>(() => ({ bySymbol: {} }));
  let nextKey = 1;
  const put = (symbol: string, legs: DraftLeg[]): void => store.setState((s) => ({ bySymbol: { ...s.bySymbol, [symbol]: legs } }));
  const legs = (symbol: string): DraftLeg[] => store.getState().bySymbol[symbol] ?? EMPTY;
  return {
    store,
    legs,
    add(symbol, leg) {
      const current = legs(symbol);
      const same = current.find((l) => l.expiry === leg.expiry && l.strike === leg.strike && l.option_type === leg.option_type && l.side === leg.side);
      if (same) {
        put(symbol, current.map((l) => (l === same ? { ...l, lots: l.lots + leg.lots, price: leg.price ?? l.price } : l)));
        return true;
      }
      if (current.length >= MAX_DRAFT_LEGS) return false;
      put(symbol, [...current, { ...leg, key: nextKey++ }]);
      return true;
    },
    update(symbol, key, patch) {
      put(symbol, legs(symbol).map((l) => (l.key === key ? { ...l, ...patch } : l)));
    },
    remove(symbol, key) {
      put(symbol, legs(symbol).filter((l) => l.key !== key));
    },
    replace(symbol, next) {
      put(symbol, next.slice(0, MAX_DRAFT_LEGS).map((l) => ({ ...l, key: nextKey++ })));
    },
    clear(symbol) {
      put(symbol, []);
    },
  };
}

export const TEMPLATES = ['long-straddle', 'short-straddle', 'short-strangle', 'bull-call-spread', 'bear-put-spread', 'iron-condor', 'butterfly'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export const TEMPLATE_LABELS: Record<TemplateName, string> = {
  'long-straddle': 'Long straddle',
  'short-straddle': 'Short straddle',
  'short-strangle': 'Short strangle',
  'bull-call-spread': 'Bull call spread',
  'bear-put-spread': 'Bear put spread',
  'iron-condor': 'Iron condor',
  butterfly: 'Butterfly',
};

/** The chain a template is built on. */
export interface TemplateChain {
  expiry: string;
  atm: number;
  /** The strikes the chain lists, ascending. */
  strikes: readonly number[];
}

/** The listed strike nearest `atm + steps` strikes away (clamped to the ends of the list). */
function strikeAway(c: TemplateChain, steps: number): number {
  let i = 0;
  for (let j = 1; j < c.strikes.length; j += 1) if (Math.abs(c.strikes[j]! - c.atm) < Math.abs(c.strikes[i]! - c.atm)) i = j;
  return c.strikes[Math.min(c.strikes.length - 1, Math.max(0, i + steps))]!;
}

/** A template's legs on `chain`: 1 lot a leg (the butterfly's body 2), prices left to the market. */
export function templateLegs(name: TemplateName, chain: TemplateChain): NewLeg[] {
  if (chain.strikes.length === 0) return [];
  const leg = (option_type: 'CE' | 'PE', side: LegSide, steps: number, lots = 1): NewLeg => ({ expiry: chain.expiry, strike: strikeAway(chain, steps), option_type, side, lots, price: null });
  switch (name) {
    case 'long-straddle':
      return [leg('CE', 'BUY', 0), leg('PE', 'BUY', 0)];
    case 'short-straddle':
      return [leg('CE', 'SELL', 0), leg('PE', 'SELL', 0)];
    case 'short-strangle':
      return [leg('CE', 'SELL', 2), leg('PE', 'SELL', -2)];
    case 'bull-call-spread':
      return [leg('CE', 'BUY', 0), leg('CE', 'SELL', 2)];
    case 'bear-put-spread':
      return [leg('PE', 'BUY', 0), leg('PE', 'SELL', -2)];
    case 'iron-condor':
      return [leg('PE', 'BUY', -4), leg('PE', 'SELL', -2), leg('CE', 'SELL', 2), leg('CE', 'BUY', 4)];
    case 'butterfly':
      return [leg('CE', 'BUY', -2), leg('CE', 'SELL', 0, 2), leg('CE', 'BUY', 2)];
  }
}
