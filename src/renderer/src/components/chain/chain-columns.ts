/**
 * The chain grid's columns, theme and the trader's column choices.
 *
 * Calls on the left, the strike in the middle, puts mirrored on the right: per side the greeks on
 * the outer edge, then OI, volume, IV next to the LTP it comes from, and the prices by the strike.
 * Gamma, theta and vega are hidden until the trader turns them on (most read IV and delta only).
 * Every cell is formatted by a plain valueFormatter and styled by CSS classes (no React cell
 * renderers): 25 columns x 101 rows re-rendered through React on each batch would cost more than
 * the whole rest of the update.
 * Row-level state (ATM, nearest strike, in-the-money, stale per side) is a row class, and the CSS
 * picks the side's cells, so a flag change touches one row element, not fifteen cells.
 *
 * Honest data: an untraded leg (no trade today) has no LTP; its LTP cell shows the previous close
 * instead, dimmed and italic with a small "pc" tag (class `chain-untraded`, title "No trade today:
 * previous close"), and its change cell is empty. A stale leg (a traded value past its freshness
 * limit, see src/core/api/views.ts) is dimmed and struck through on its whole side. The strike
 * nearest the underlying, where it is not the ATM row, gets a "≈" tag and an outline on its
 * strike cell (`chain-nearest`); the ATM row keeps its band.
 */
import { colorSchemeDark, themeQuartz, type CellClassRules, type ColDef, type ColGroupDef, type ValueFormatterParams } from 'ag-grid-community';
import type { ChainLeg, ChainRow } from './chain-model';
import { formatFit, formatFixed, formatGamma, formatIvCell, IV_REASON_TEXT, signOf, untradedTitle } from './chain-format';

/** The per-leg values a trader can show or hide (one choice covers both sides): quotes, then analytics. */
export const METRICS = ['oi', 'oi_change', 'volume', 'ltp', 'change', 'bid', 'ask', 'iv', 'delta', 'gamma', 'theta', 'vega'] as const;
export type Metric = (typeof METRICS)[number];

/** The first analytics metric (the column menu starts a section there). */
export const FIRST_ANALYTICS_METRIC: Metric = 'iv';

/** Hidden until the trader turns them on. */
// Delta and the other greeks are one click away (Columns): with them on, both sides need ~1,480 px.
export const DEFAULT_HIDDEN: readonly Metric[] = ['delta', 'gamma', 'theta', 'vega'];

/** Column header text per metric. */
export const METRIC_LABELS: Record<Metric, string> = {
  oi: 'OI',
  oi_change: 'Chg OI',
  volume: 'Volume',
  ltp: 'LTP',
  change: 'Chg',
  bid: 'Bid',
  ask: 'Ask',
  iv: 'IV',
  delta: 'Delta',
  gamma: 'Gamma',
  theta: 'Theta',
  vega: 'Vega',
};

/** Header titles for the analytics columns: their units. */
const METRIC_TITLES: Partial<Record<Metric, string>> = {
  iv: 'Implied volatility, % a year',
  delta: 'Delta: premium change per point of the forward',
  gamma: 'Gamma: delta change per point of the forward',
  theta: 'Theta: premium change per calendar day',
  vega: 'Vega: premium change per volatility point',
};

const CE_ORDER: Metric[] = ['delta', 'gamma', 'theta', 'vega', 'oi', 'oi_change', 'volume', 'iv', 'ltp', 'change', 'bid', 'ask'];
const PE_ORDER: Metric[] = ['bid', 'ask', 'ltp', 'change', 'iv', 'volume', 'oi_change', 'oi', 'delta', 'gamma', 'theta', 'vega'];

const GREEKS: ReadonlySet<Metric> = new Set(['delta', 'gamma', 'theta', 'vega']);

type Side = 'ce' | 'pe';

/** The grid column id of a side's metric, e.g. `ce_ltp`. */
export function columnId(side: Side, metric: Metric): string {
  return `${side}_${metric}`;
}

function formatterFor(side: Side, metric: Metric): (p: ValueFormatterParams<ChainRow, number | null>) => string {
  const fit = FIT_CHARS[metric];
  switch (metric) {
    case 'oi':
    case 'volume':
      return (p) => formatFit(p.value, 0, fit);
    case 'oi_change':
      return (p) => formatFit(p.value, 0, fit, true);
    case 'change':
      // An untraded leg has no change (not a 0.00 against itself): the cell is empty.
      return (p) => (isUntraded(p.data?.[side]) ? '' : formatFit(p.value, 2, fit, true));
    case 'ltp':
    case 'bid':
    case 'ask':
      return (p) => formatFit(p.value, 2, fit);
    case 'iv':
      return (p) => formatIvCell(p.value, p.data?.[side]?.iv_reason);
    case 'gamma':
      return (p) => formatGamma(p.value);
    case 'delta':
    case 'theta':
    case 'vega':
      return (p) => formatFixed(p.value, 2);
  }
}

/**
 * Minimum widths (px). Both sides plus the strike with IV (the default) take 1,050 px: a 1600 px
 * window with the default side panels and an 8 px scrollbar. Every greek on needs about 1,480 px;
 * narrower windows scroll sideways. What a cell holds at its minimum width is FIT_CHARS (12 px
 * monospace is 7.2 px a character in DejaVu Sans Mono, the widest of the fallbacks; Consolas and
 * Menlo are narrower); numbers that would not fit are shortened by formatFit (1.02Cr, 12857.45),
 * never cut. The IV markers ("no fwd") and tiny gammas ("8.25e-5") fit as they are.
 */
const MIN_WIDTH: Record<Metric, number> = {
  oi: 78, oi_change: 58, volume: 64, ltp: 64, change: 58, bid: 64, ask: 64, iv: 50, delta: 48, gamma: 58, theta: 58, vega: 50,
};
/** Measured in Chromium: a 12 px DejaVu Sans Mono character, and what a cell's box takes from its width (2 px padding and ag-grid's 1 px focus border, each side). */
export const CELL_TEXT = { charPx: 7.225, insetPx: 6 } as const;
const FIT_CHARS = Object.fromEntries(
  Object.entries(MIN_WIDTH).map(([metric, px]) => [metric, Math.floor((px - CELL_TEXT.insetPx) / CELL_TEXT.charPx)]),
) as Record<Metric, number>;

const STALE_TITLE = 'Stale: no update for over 5 minutes while the market is open, or its feed is down (shown value is the last received)';

/** A leg with no trade today: its LTP cell shows the previous close, marked. */
export function isUntraded(leg: ChainLeg | null | undefined): boolean {
  return leg !== null && leg !== undefined && leg.traded_today === false;
}

/** The LTP cell's value: the LTP, or an untraded leg's previous close (marked by its class). */
function ltpShown(leg: ChainLeg | null | undefined): number | null {
  if (!leg) return null;
  return leg.ltp ?? (leg.traded_today === false ? leg.prev_close : null);
}

/** A cell's title: stale legs say so; an untraded LTP says it is the previous close; an IV without a value says why; borrowed greeks say whose IV. */
function legTitle(side: Side, metric: Metric, leg: ChainLeg | null | undefined): string | undefined {
  if (!leg) return undefined;
  const parts: string[] = [];
  if (leg.stale) parts.push(STALE_TITLE);
  if ((metric === 'ltp' || metric === 'change') && isUntraded(leg)) parts.push(untradedTitle(leg.last_trade_time));
  if (metric === 'iv' && leg.iv === null && leg.iv_reason) parts.push(IV_REASON_TEXT[leg.iv_reason].title);
  if (GREEKS.has(metric) && leg.greeks_from === 'pair') parts.push(`From the ${side === 'ce' ? 'put' : 'call'}'s IV at this strike (this leg has none)`);
  return parts.length > 0 ? parts.join('. ') : undefined;
}

/** Signed changes are coloured; a missing IV is dimmed; greeks taken from the other leg's IV are dimmed. */
function classRulesFor(side: Side, metric: Metric): CellClassRules<ChainRow, number | null> | undefined {
  if (metric === 'ltp') return { 'chain-untraded': (p) => isUntraded(p.data?.[side]) };
  if (metric === 'change' || metric === 'oi_change') return { 'chain-up': (p) => signOf(p.value) === 'up', 'chain-down': (p) => signOf(p.value) === 'down' };
  if (metric === 'iv') return { 'chain-no-iv': (p) => p.data?.[side]?.iv === null };
  if (GREEKS.has(metric)) return { 'chain-greek-pair': (p) => p.data?.[side]?.greeks_from === 'pair' };
  return undefined;
}

function legColumn(side: Side, metric: Metric, hidden: ReadonlySet<Metric>): ColDef<ChainRow, number | null> {
  return {
    colId: columnId(side, metric),
    headerName: METRIC_LABELS[metric],
    headerTooltip: METRIC_TITLES[metric],
    valueGetter: (p) => {
      const q: ChainLeg | null | undefined = p.data?.[side];
      if (metric === 'ltp') return ltpShown(q);
      return q ? q[metric] : null;
    },
    valueFormatter: formatterFor(side, metric),
    type: 'rightAligned',
    hide: hidden.has(metric),
    minWidth: MIN_WIDTH[metric],
    flex: MIN_WIDTH[metric],
    // Only the numbers a trader watches flash; bid/ask/volume/change move with them and would
    // turn every touched row into a solid band.
    enableCellChangeFlash: metric === 'ltp' || metric === 'oi',
    // The rightAligned type's own class, kept: a colDef's cellClass replaces the type's.
    cellClass: `ag-right-aligned-cell chain-${side} chain-${metric}`,
    cellClassRules: classRulesFor(side, metric),
    tooltipValueGetter: (p) => legTitle(side, metric, p.data?.[side]),
  };
}

/** The column definitions: CALLS group | Strike | PUTS group, with `hidden` metrics hidden. */
export function chainColumns(hidden: ReadonlySet<Metric>): (ColDef<ChainRow> | ColGroupDef<ChainRow>)[] {
  return [
    {
      groupId: 'calls',
      headerName: 'CALLS',
      headerClass: 'chain-group-ce',
      children: CE_ORDER.map((m) => legColumn('ce', m, hidden)) as ColDef<ChainRow>[],
    },
    {
      colId: 'strike',
      headerName: 'Strike',
      field: 'strike',
      // The grid keeps rows in strike order, also when a re-centre adds strikes at either end.
      initialSort: 'asc',
      sortable: false,
      valueFormatter: (p: ValueFormatterParams<ChainRow, number>) => (p.value === null || p.value === undefined ? '' : String(p.value)),
      cellClass: 'chain-strike',
      cellClassRules: { 'chain-nearest': (p) => p.data?.nearest === true },
      tooltipValueGetter: (p) => (p.data?.nearest ? "Nearest the underlying's LTP (the ATM row is the window's centre: it moves after a full strike step)" : undefined),
      headerClass: 'chain-strike-header',
      minWidth: 50,
      flex: 50,
    },
    {
      groupId: 'puts',
      headerName: 'PUTS',
      headerClass: 'chain-group-pe',
      children: PE_ORDER.map((m) => legColumn('pe', m, hidden)) as ColDef<ChainRow>[],
    },
  ];
}

/** Row classes: the ATM row, the nearest strike, in-the-money sides, stale sides (the CSS shades that side's cells). */
export const chainRowClassRules = {
  'atm-row': (p: { data?: ChainRow }) => p.data?.atm === true,
  'nearest-row': (p: { data?: ChainRow }) => p.data?.nearest === true,
  'ce-itm': (p: { data?: ChainRow }) => p.data?.ceItm === true,
  'pe-itm': (p: { data?: ChainRow }) => p.data?.peItm === true,
  'ce-stale': (p: { data?: ChainRow }) => p.data?.ce?.stale === true,
  'pe-stale': (p: { data?: ChainRow }) => p.data?.pe?.stale === true,
};

/** A dense dark terminal look on the Theming API (no ag-grid CSS files to ship). */
export const chainTheme = themeQuartz.withPart(colorSchemeDark).withParams({
  backgroundColor: '#0b0f14',
  foregroundColor: '#c8d1db',
  headerBackgroundColor: '#121922',
  headerTextColor: '#8b98a8',
  borderColor: '#1d2630',
  oddRowBackgroundColor: '#0d1218',
  rowHoverColor: '#17212c',
  accentColor: '#e0a030',
  fontFamily: ['JetBrains Mono', 'Menlo', 'Consolas', 'monospace'], // ag-grid quotes the names itself
  fontSize: 12,
  headerFontSize: 11,
  rowHeight: 22,
  headerHeight: 24,
  spacing: 3,
  cellHorizontalPadding: 3,
  wrapperBorderRadius: 0,
  valueChangeValueHighlightBackgroundColor: 'rgba(90, 160, 255, 0.35)',
});

/*
 * The trader's choices are kept as overrides of the defaults, in two lists: metrics shown by
 * default that they hid (the original key, so a list saved before the analytics columns existed
 * still means the same) and metrics hidden by default that they turned on. A metric they never
 * touched follows its default, also when a later version adds metrics.
 */
const HIDDEN_KEY = 'strikedesk.chain.hidden-metrics';
const SHOWN_KEY = 'strikedesk.chain.shown-metrics';

function readList(storage: Pick<Storage, 'getItem'> | undefined, key: string): Metric[] {
  try {
    const raw = storage?.getItem(key);
    const list: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(list)) return [];
    return list.filter((m): m is Metric => (METRICS as readonly string[]).includes(m as string));
  } catch {
    return [];
  }
}

/** The metrics hidden: DEFAULT_HIDDEN with the trader's choices from localStorage applied (an unreadable list counts as no choice). */
export function loadHiddenMetrics(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): Set<Metric> {
  const hidden = new Set<Metric>(DEFAULT_HIDDEN);
  for (const m of readList(storage, SHOWN_KEY)) hidden.delete(m);
  for (const m of readList(storage, HIDDEN_KEY)) hidden.add(m);
  return hidden;
}

/** Remember the hidden metrics as overrides of the defaults (best effort: a full or blocked storage only loses the choice). */
export function saveHiddenMetrics(hidden: ReadonlySet<Metric>, storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage): void {
  const byDefault = new Set(DEFAULT_HIDDEN);
  try {
    storage?.setItem(HIDDEN_KEY, JSON.stringify(METRICS.filter((m) => hidden.has(m) && !byDefault.has(m))));
    storage?.setItem(SHOWN_KEY, JSON.stringify(METRICS.filter((m) => !hidden.has(m) && byDefault.has(m))));
  } catch {
    // Storage unavailable: the choice lasts for this session only.
  }
}
