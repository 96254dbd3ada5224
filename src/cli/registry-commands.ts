/**
 * CLI commands over the instrument registry: `master inspect`, `chain`, `search`. JSON output
 * (`--json`) is a stable interface documented in the README.
 */
import { readFileSync, statSync } from 'node:fs';
import { AppError } from '../shared/errors';
import { InstrumentRegistry } from '../core/instruments/registry';
import { InstrumentSearch } from '../core/instruments/search';
import { parseMasterBuffer, type ParsedMaster } from '../core/instruments/master-parser';
import { table, UsageError, type CliIo } from './io';

function readMaster(file: string | undefined): { parsed: ParsedMaster; loadMs: number } {
  if (!file) throw new UsageError('--master <file> is required');
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
  } catch {
    throw new AppError('MASTER_INVALID', `scrip master not found: ${file}`);
  }
  const t0 = performance.now();
  const parsed = parseMasterBuffer(readFileSync(file));
  return { parsed, loadMs: performance.now() - t0 };
}

function checkDate(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`${flag} must be a date YYYY-MM-DD, got "${value}"`);
  return value;
}

/** `master inspect <file> [--json]` */
export function masterInspect(file: string | undefined, json: boolean, io: CliIo): void {
  if (!file) throw new UsageError('master inspect needs a file');
  const { parsed, loadMs } = readMaster(file);
  const registry = new InstrumentRegistry(parsed);
  const bySegment: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  for (let r = 0; r < registry.size; r++) {
    const s = registry.table.segmentOf(r);
    const k = registry.table.kindOf(r);
    bySegment[s] = (bySegment[s] ?? 0) + 1;
    byKind[k] = (byKind[k] ?? 0) + 1;
  }
  const rep = parsed.report;
  const result = {
    file,
    format: rep.format,
    rowsRead: rep.rowsRead,
    instruments: rep.instruments,
    skipped: rep.skipped,
    skippedReasons: rep.skippedReasons,
    skippedSamples: rep.skippedSamples,
    bySegment,
    byKind,
    loadMs: Math.round(loadMs * 10) / 10,
  };
  if (json) {
    io.out(JSON.stringify(result, null, 2));
    return;
  }
  io.out(`${file}: ${rep.format} format, ${rep.rowsRead} rows read, ${rep.instruments} instruments, ${rep.skipped} skipped, loaded in ${result.loadMs} ms`);
  io.out('\nBy segment:\n' + table(Object.entries(bySegment).sort((a, b) => b[1] - a[1])));
  io.out('\nBy kind:\n' + table(Object.entries(byKind).sort((a, b) => b[1] - a[1])));
  if (rep.skipped > 0) {
    io.out('\nSkipped rows by reason:\n' + table(Object.entries(rep.skippedReasons)));
    io.out('\nFirst skipped lines:\n' + table(rep.skippedSamples.map((s) => [`line ${s.line}`, s.reason])));
  }
}

export interface ChainArgs {
  symbol?: string;
  expiry?: string;
  ltp?: string;
  strikes?: string;
  asOf?: string;
  master?: string;
  json: boolean;
}

/** `chain <symbol> --ltp <price> [--expiry] [--strikes] [--as-of] --master <file> [--json]` */
export function chainCommand(args: ChainArgs, io: CliIo): void {
  if (!args.symbol) throw new UsageError('chain needs a symbol');
  if (args.ltp === undefined) throw new UsageError('--ltp <price> is required');
  const ltp = Number(args.ltp);
  const strikes = args.strikes === undefined ? undefined : Number(args.strikes);
  const { parsed } = readMaster(args.master);
  const registry = new InstrumentRegistry(parsed);
  const chain = registry.optionChain({
    symbol: args.symbol,
    ltp,
    ...(args.expiry !== undefined ? { expiry: checkDate(args.expiry, '--expiry')! } : {}),
    ...(strikes !== undefined ? { strikes } : {}),
    asOf: checkDate(args.asOf, '--as-of') ?? registry.today(),
  });
  const leg = (l: { segment: string; securityId: number } | null) => (l ? { segment: l.segment, securityId: l.securityId } : null);
  if (args.json) {
    io.out(
      JSON.stringify(
        {
          symbol: chain.symbol,
          expiry: chain.expiry,
          ltp: chain.ltp,
          step: chain.step,
          atm: chain.atm,
          segment: chain.segment,
          lotSize: chain.lotSize,
          underlying: chain.underlying ? leg(chain.underlying) : null,
          strikes: chain.strikes.map((s) => ({ strike: s.strike, ce: leg(s.ce), pe: leg(s.pe) })),
        },
        null,
        2,
      ),
    );
    return;
  }
  io.out(
    `${chain.symbol} ${chain.expiry} (${chain.segment}, lot ${chain.lotSize}): LTP ${chain.ltp}, step ${chain.step}, ATM ${chain.atm}, ${chain.strikes.length} strikes` +
      (chain.underlying ? `, underlying ${chain.underlying.tradingSymbol} (${chain.underlying.segment} ${chain.underlying.securityId})` : ''),
  );
  const rows: (string | number)[][] = [['CE id', 'strike', 'PE id']];
  for (const s of chain.strikes) rows.push([s.ce ? s.ce.securityId : '-', s.strike === chain.atm ? `${s.strike} ATM` : s.strike, s.pe ? s.pe.securityId : '-']);
  io.out(table(rows));
}

/** `search <query> --master <file> [--limit N] [--as-of] [--json]` */
export function searchCommand(args: { query?: string; master?: string; limit?: string; asOf?: string; json: boolean }, io: CliIo): void {
  if (!args.query || !args.query.trim()) throw new UsageError('search needs a query');
  const limit = args.limit === undefined ? 20 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError(`--limit must be a whole number from 1 to 500, got "${args.limit}"`);
  const { parsed } = readMaster(args.master);
  const registry = new InstrumentRegistry(parsed);
  const search = new InstrumentSearch(registry);
  const found = search.search(args.query, { limit, asOf: checkDate(args.asOf, '--as-of') ?? registry.today() });
  const rows = found.map((i) => ({
    symbol: i.underlying,
    tradingSymbol: i.tradingSymbol,
    segment: i.segment,
    securityId: i.securityId,
    kind: i.kind,
    expiry: i.expiry,
    strike: i.strike,
    optionType: i.optionType,
  }));
  if (args.json) {
    io.out(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    io.out(`nothing matches "${args.query}"`);
    return;
  }
  io.out(table([['segment', 'id', 'kind', 'trading symbol', 'expiry'], ...rows.map((r) => [r.segment, r.securityId, r.kind, r.tradingSymbol, r.expiry ?? ''])]));
}
