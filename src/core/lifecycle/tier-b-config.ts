/**
 * The Tier B configuration (resources/tier-b.json, editable in settings later): which index
 * chains, MCX futures and MCX option chains are always on, and whether every F&O underlying is.
 *
 * Policy: a malformed config is refused whole, with an error naming the field (a typo such as
 * `indexchains` or `strike` is an error, not silently ignored), so a bad edit never subscribes
 * something other than what the trader meant. A symbol listed twice among the chains (or twice
 * among the futures) is refused too: each entry is one subscription owner. Whether a symbol
 * exists is the plan's concern (reported there, not fatal).
 */
import { z } from 'zod';
import defaultConfig from '../../../resources/tier-b.json';
import { AppError } from '../../shared/errors';
import { SEGMENTS } from '../../shared/instruments';

const symbol = z.string().trim().min(1).max(40).transform((s) => s.toUpperCase());

const chainEntry = z.strictObject({
  symbol,
  /** The nearest N live expiries. */
  expiries: z.number().int().min(1).max(12),
  /** Strikes centred on the ATM, each with its CE and PE. */
  strikes: z.number().int().min(1).max(1000),
  /** Defaults to the symbol's main options venue (NSE before BSE, MCX before NSE commodity). */
  segment: z.enum(SEGMENTS).optional(),
});

const futuresEntry = z.strictObject({
  symbol,
  /** The nearest N live futures. */
  count: z.number().int().min(1).max(6),
  /** Defaults to the first of MCX_COMM, NSE_FNO, BSE_FNO, NSE_COMM listing the symbol's futures. */
  segment: z.enum(SEGMENTS).optional(),
});

const TIER_B_SCHEMA = z
  .strictObject({
    note: z.string().optional(),
    /**
     * Keep every F&O underlying live (each stock and index with listed options, and the future an
     * option on futures follows), so the ATM of any chain is known when it is added.
     */
    fnoUnderlyings: z.boolean().default(true),
    indexChains: z.array(chainEntry).max(50).default([]),
    futures: z.array(futuresEntry).max(50).default([]),
    optionChains: z.array(chainEntry).max(50).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, string>();
    for (const group of ['indexChains', 'optionChains'] as const) {
      config[group].forEach((entry, i) => {
        const first = seen.get(entry.symbol);
        if (first) ctx.addIssue({ code: 'custom', path: [group, i, 'symbol'], message: `${entry.symbol} is already listed at ${first}` });
        else seen.set(entry.symbol, `${group}[${i}]`);
      });
    }
    const futures = new Map<string, number>();
    config.futures.forEach((entry, i) => {
      const first = futures.get(entry.symbol);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['futures', i, 'symbol'], message: `${entry.symbol} is already listed at futures[${first}]` });
      else futures.set(entry.symbol, i);
    });
  });

export type TierBConfig = z.output<typeof TIER_B_SCHEMA>;
export type TierBChainEntry = z.output<typeof chainEntry>;
export type TierBFuturesEntry = z.output<typeof futuresEntry>;

/** `indexChains[2].strikes` from a zod path. */
function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(config)';
}

/**
 * Validate a Tier B config (parsed JSON). Symbols are trimmed and upper-cased.
 * @throws AppError BAD_REQUEST naming each bad field
 */
export function parseTierBConfig(raw: unknown): TierBConfig {
  const parsed = TIER_B_SCHEMA.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${fieldName(i.path)}: ${i.message}`);
  throw new AppError('BAD_REQUEST', `bad Tier B config: ${issues.join('; ')}`);
}

/**
 * Validate a Tier B config given as JSON text (a settings edit or a file).
 * @throws AppError BAD_REQUEST on malformed JSON or a bad field
 */
export function parseTierBConfigJson(text: string): TierBConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError('BAD_REQUEST', `bad Tier B config: not JSON (${(err as Error).message})`);
  }
  return parseTierBConfig(raw);
}

/** The shipped default (resources/tier-b.json), validated at load. */
export const DEFAULT_TIER_B_CONFIG: TierBConfig = parseTierBConfig(defaultConfig);
