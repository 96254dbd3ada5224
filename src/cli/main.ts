/**
 * strikedesk command line: `npm run cli -- <command>`. Commands run in-process through `runCli`
 * so tests exercise exactly what a trader types.
 */
import { parseArgs } from 'node:util';
import { AppError } from '../shared/errors';
import { PRODUCT_NAME } from '../shared/product';
import { apiTokenCommand } from './api-token-command';
import { demoCommand } from './demo-command';
import { generateCommand } from './generate-command';
import { processIo, UsageError, type CliIo } from './io';
import { chainCommand, masterInspect, searchCommand } from './registry-commands';

export const USAGE = `usage: npm run cli -- <command>

  demo
      generate today's simulated master and show chains and searches (npm run demo)
  master inspect <file> [--json]
      rows read, instruments by segment and kind, skipped rows with reasons, load time
  master generate --out <file> [--as-of YYYY-MM-DD] [--rows N] [--seed N]
      write a simulated compact scrip master (deterministic for a seed and date)
  chain <symbol> --ltp <price> --master <file> [--expiry YYYY-MM-DD] [--strikes N] [--as-of YYYY-MM-DD] [--json]
      strike step, ATM and the strikes around it with CE/PE security ids
  search <query> --master <file> [--limit N] [--as-of YYYY-MM-DD] [--json]
      instruments matching a query such as "reliance", "nifty 25300 ce", "banknifty fut"
  api-token [--data-dir DIR]
      print the bearer token of the local REST API (npm run serve), creating it if needed

--as-of sets "today" (default: today in IST), so an old master can be examined.`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  master: { type: 'string' },
  expiry: { type: 'string' },
  ltp: { type: 'string' },
  strikes: { type: 'string' },
  'as-of': { type: 'string' },
  out: { type: 'string' },
  rows: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

/** Run one CLI invocation; resolves to the process exit code (0 ok, 1 failed, 2 usage). */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    const { values: v, positionals: p } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (v.help || p.length === 0) {
      io.out(USAGE);
      return v.help ? 0 : 2;
    }
    const json = v.json ?? false;
    const [cmd, sub] = p;
    if (cmd === 'master' && sub === 'inspect') {
      masterInspect(p[2], json, io);
    } else if (cmd === 'master' && sub === 'generate') {
      generateCommand({ out: v.out, asOf: v['as-of'], rows: v.rows, seed: v.seed }, io);
    } else if (cmd === 'demo') {
      demoCommand(io);
    } else if (cmd === 'chain') {
      chainCommand({ symbol: p[1], ltp: v.ltp, expiry: v.expiry, strikes: v.strikes, asOf: v['as-of'], master: v.master, json }, io);
    } else if (cmd === 'search') {
      searchCommand({ query: p.slice(1).join(' '), master: v.master, limit: v.limit, asOf: v['as-of'], json }, io);
    } else if (cmd === 'api-token' && p.length === 1) {
      apiTokenCommand({ dataDir: v['data-dir'] }, io);
    } else {
      throw new UsageError(`unknown command "${p.join(' ')}"`);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      io.err(`${PRODUCT_NAME}: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    if (err instanceof AppError) {
      io.err(`${PRODUCT_NAME}: ${err.message} [${err.code}]`);
      return 1;
    }
    io.err(`${PRODUCT_NAME}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
