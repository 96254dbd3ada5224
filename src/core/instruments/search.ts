/**
 * Instrument search as a trader types it: "reliance", "nifty 25300 ce", "banknifty fut",
 * "crude", "relaince". The query's name part is matched against the ~25k distinct symbols and
 * company names (exact symbol, then prefix, then words of the name, then a typo-tolerant match),
 * and its other words (a strike, CE/PE, FUT, a month) filter that symbol's instruments. Only
 * symbols are scanned, never the 290k instruments, which keeps a query within a millisecond or two.
 *
 * The index is built on the first query, not with the registry (issue 17): a cold start needs the
 * registry at once but search only when someone types, and an engine nobody searches never pays
 * for it. The first query costs the build (~40 ms on a full master; the registry bench reports it).
 */
import type { Instrument } from '../../shared/instruments';
import { epochDayToIso, isoToEpochDay, istEpochDay } from './dates';
import { KIND_INDEX, NO_EXPIRY, SEGMENT_INDEX } from './instrument-table';
import type { InstrumentRegistry } from './registry';

export interface SearchOptions {
  /** At most this many results (default 20, at most 500). */
  limit?: number;
  /** "Today" (YYYY-MM-DD): expired derivatives are left out. Defaults to the registry's clock. */
  asOf?: string;
}

/** How well a symbol matched the name part of the query; lower is better. */
const enum Tier {
  Exact = 0,
  Prefix = 1,
  Word = 2,
  Substring = 3,
  Fuzzy = 4,
}

interface Entry {
  /** Upper-case underlying symbol (the registry's group key). */
  symbol: string;
  /** Lower-case symbol without spaces, for matching. */
  key: string;
  /** Lower-case company/index/display names, for word and substring matches. */
  names: string;
  /** Bit per letter/digit present in key: cheap filter before an edit distance. */
  mask: number;
}

const WHITESPACE = /\s/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const KIND_RANK = new Int8Array(16).fill(9);
KIND_RANK[KIND_INDEX.INDEX] = 0;
KIND_RANK[KIND_INDEX.EQUITY] = 1;
for (const k of [KIND_INDEX.FUTIDX, KIND_INDEX.FUTSTK, KIND_INDEX.FUTCOM, KIND_INDEX.FUTCUR]) KIND_RANK[k] = 2;
for (const k of [KIND_INDEX.OPTIDX, KIND_INDEX.OPTSTK, KIND_INDEX.OPTFUT, KIND_INDEX.OPTCUR]) KIND_RANK[k] = 3;
const SEGMENT_RANK = new Int8Array(16);
['IDX_I', 'NSE_EQ', 'BSE_EQ', 'NSE_FNO', 'BSE_FNO', 'MCX_COMM', 'NSE_CURRENCY', 'BSE_CURRENCY', 'NSE_COMM'].forEach(
  (s, i) => (SEGMENT_RANK[SEGMENT_INDEX[s as 'IDX_I']] = i),
);

interface ParsedQuery {
  name: string;
  strike: number | null;
  optionType: 1 | 2 | 0;
  futures: boolean;
  options: boolean;
  month: number | null;
  year: number | null;
}

function letterMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 97 && c <= 122) m |= 1 << (c - 97);
    else if (c >= 48 && c <= 57) m |= 1 << 26;
  }
  return m;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Levenshtein distance, giving up (returning max+1) once it must exceed `max`. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > max) return max + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Splits a query into its name part and derivative filters. */
export function parseQuery(query: string): ParsedQuery {
  const q: ParsedQuery = { name: '', strike: null, optionType: 0, futures: false, options: false, month: null, year: null };
  const words: string[] = [];
  for (const raw of query.toLowerCase().split(/[\s,]+|-(?=\S)/)) {
    const w = raw.trim();
    if (!w) continue;
    if (w === 'ce' || w === 'call' || w === 'calls') q.optionType = 1;
    else if (w === 'pe' || w === 'put' || w === 'puts') q.optionType = 2;
    else if (w === 'fut' || w === 'futs' || w === 'future' || w === 'futures') q.futures = true;
    else if (w === 'opt' || w === 'option' || w === 'options') q.options = true;
    else if (/^\d+(\.\d+)?$/.test(w) && words.length > 0 && Number(w) >= 1 && q.strike === null && !/^(19|20)\d\d$/.test(w)) {
      q.strike = Number(w);
    } else {
      const m = /^(\d{1,2})?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(\d{2}|\d{4})?$/.exec(w);
      if (m && (words.length > 0 || m[1] || m[3])) {
        q.month = MONTHS.indexOf(m[2]!);
        if (m[3]) q.year = m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
      } else if (/^(19|20)\d\d$/.test(w) && words.length > 0) {
        q.year = Number(w);
      } else {
        words.push(w);
      }
    }
  }
  q.name = words.join(' ');
  return q;
}

/** The symbols of one registry, ready for matching. */
interface SymbolIndex {
  entries: Entry[];
  /** The distinct keys in code-unit order, for prefix lookup by binary search. */
  sortedKeys: string[];
  /** Key -> its entries, in registry order. */
  byKey: Map<string, number[]>;
}

function buildIndex(registry: InstrumentRegistry): SymbolIndex {
  const cols = registry.table.cols;
  const entries: Entry[] = [];
  const byKey = new Map<string, number[]>();
  const seen: string[] = [];
  const addName = (text: string) => {
    if (!text) return;
    const name = text.toLowerCase();
    if (!seen.includes(name)) seen.push(name);
  };
  registry.forEachSymbol((symbol, rows, from, to) => {
    // Names of the symbol's equity/index rows among its first four.
    seen.length = 0;
    for (let i = from; i < to && i < from + 4; i++) {
      const r = rows[i]!;
      const k = cols.kind[r];
      if (k !== KIND_INDEX.EQUITY && k !== KIND_INDEX.INDEX) continue;
      addName(cols.name.get(r));
      addName(cols.displayName.get(r));
    }
    const lower = symbol.toLowerCase();
    let names = lower;
    for (const name of seen) names += ` | ${name}`;
    const key = WHITESPACE.test(lower) ? lower.replace(/\s+/g, '') : lower;
    const idx = entries.length;
    entries.push({ symbol, key, names, mask: letterMask(key) });
    const list = byKey.get(key);
    if (list) list.push(idx);
    else byKey.set(key, [idx]);
  });
  // Default sort compares strings by UTF-16 code units, as `<` does, without a JS comparator.
  return { entries, byKey, sortedKeys: [...byKey.keys()].sort() };
}

/** Search over one registry's symbols; the index is built by the first query. */
export class InstrumentSearch {
  private built: SymbolIndex | null = null;

  constructor(private readonly registry: InstrumentRegistry) {}

  /** Whether the index exists yet (the first query builds it). */
  get ready(): boolean {
    return this.built !== null;
  }

  /** Build the index now (an idle moment after start-up), so the first keystroke does not pay for it. */
  warm(): void {
    void this.index;
  }

  private get index(): SymbolIndex {
    return (this.built ??= buildIndex(this.registry));
  }

  /** Ranked instruments for a free-text query. */
  search(query: string, options: SearchOptions = {}): Instrument[] {
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 20)), 500);
    let q = parseQuery(query);
    // A whole query that is itself a symbol ("nifty next 50", "nifty 100") is not a strike filter.
    const whole = query.trim().toLowerCase();
    if (q.name !== whole && this.index.byKey.has(whole.replace(/\s+/g, ''))) q = { ...parseQuery(''), name: whole };
    if (!q.name) return [];
    const today = (options.asOf ? isoToEpochDay(options.asOf) : null) ?? istEpochDay(Date.now());
    const matches = this.matchSymbols(q.name, limit);
    const out: Instrument[] = [];
    for (const { entry } of matches) {
      for (const r of this.instrumentsOf(entry.symbol, q, today, limit - out.length)) out.push(this.registry.table.get(r));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Symbols matching the name part, best first. */
  matchSymbols(name: string, limit: number): { entry: Entry; tier: Tier }[] {
    const { entries, byKey, sortedKeys: sorted } = this.index;
    const key = name.replace(/\s+/g, '');
    const found = new Map<number, Tier>();
    const add = (i: number, tier: Tier) => {
      if (!found.has(i)) found.set(i, tier);
    };
    for (const i of byKey.get(key) ?? []) add(i, Tier.Exact);
    // prefix: binary search for the first key >= query, then walk
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    prefix: for (let i = lo; i < sorted.length && sorted[i]!.startsWith(key); i++) {
      for (const idx of byKey.get(sorted[i]!)!) {
        if (found.size >= limit * 4) break prefix;
        add(idx, Tier.Prefix);
      }
    }
    if (found.size < limit) {
      const needle = name.toLowerCase();
      for (let i = 0; i < entries.length && found.size < limit * 4; i++) {
        const at = entries[i]!.names.indexOf(needle);
        if (at < 0) continue;
        const c = at === 0 ? ' ' : entries[i]!.names[at - 1];
        add(i, c === ' ' || c === '(' ? Tier.Word : Tier.Substring);
      }
    }
    if (found.size === 0 && key.length >= 3) {
      const max = key.length <= 5 ? 1 : 2;
      const qmask = letterMask(key);
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        if (Math.abs(e.key.length - key.length) > max || popcount(e.mask ^ qmask) > 2 * max) continue;
        if (boundedEditDistance(key, e.key, max) <= max) add(i, Tier.Fuzzy);
      }
    }
    return [...found]
      .map(([i, tier]) => ({ entry: entries[i]!, tier }))
      .sort((a, b) => a.tier - b.tier || a.entry.key.length - b.entry.key.length || (a.entry.key < b.entry.key ? -1 : 1));
  }

  /** A matched symbol's instruments that pass the query's filters, in a trader's order. */
  private instrumentsOf(symbol: string, q: ParsedQuery, today: number, room: number): number[] {
    if (room <= 0) return [];
    const cols = this.registry.table.cols;
    const wantsDerivative = q.strike !== null || q.optionType !== 0 || q.futures || q.options || q.month !== null;
    const rows: number[] = [];
    for (const r of this.registry.rowsOfSymbol(symbol)) {
      const rank = KIND_RANK[cols.kind[r]!]!;
      const expiry = cols.expiry[r]!;
      if (rank >= 2 && expiry !== NO_EXPIRY && expiry < today) continue;
      if (!wantsDerivative) {
        if (rank === 3) continue; // plain name: the spot and its futures, not thousands of options
      } else {
        if (rank < 2) continue;
        if (q.futures && rank !== 2) continue;
        if ((q.options || q.optionType || q.strike !== null) && rank !== 3) continue;
        if (q.optionType && cols.optionType[r] !== q.optionType) continue;
        if (q.strike !== null && cols.strike[r] !== q.strike) continue;
        if (q.month !== null || q.year !== null) {
          const iso = epochDayToIso(expiry);
          if (q.month !== null && Number(iso.slice(5, 7)) - 1 !== q.month) continue;
          if (q.year !== null && Number(iso.slice(0, 4)) !== q.year) continue;
        }
      }
      rows.push(r);
    }
    rows.sort(
      (a, b) =>
        KIND_RANK[cols.kind[a]!]! - KIND_RANK[cols.kind[b]!]! ||
        SEGMENT_RANK[cols.segment[a]!]! - SEGMENT_RANK[cols.segment[b]!]! ||
        cols.expiry[a]! - cols.expiry[b]! ||
        (cols.strike[a]! || 0) - (cols.strike[b]! || 0) ||
        cols.optionType[a]! - cols.optionType[b]!,
    );
    return rows.length > room ? rows.slice(0, room) : rows;
  }
}
