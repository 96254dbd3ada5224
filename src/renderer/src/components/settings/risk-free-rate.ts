/**
 * The risk-free rate as a trader reads and types it: a percentage with two decimals (`6.50`),
 * while the engine holds a fraction (0.065). Accepted: 0 to 50 % inclusive (the engine's own
 * bounds, 0..0.5), written with digits and at most one decimal point, an optional trailing `%`.
 * Anything else is refused here, before a command is sent, with a message for the field.
 *
 * Precision: the fraction is rounded to 1e-6 (a hundredth of a basis point), so 7.1 % is sent as
 * 0.071 and not 0.07100000000000001.
 */

export const MAX_RATE_PERCENT = 50;

export type RateInput = { ok: true; fraction: number } | { ok: false; message: string };

/** 0.065 -> `6.50`. */
export function formatRatePercent(fraction: number): string {
  return (fraction * 100).toFixed(2);
}

/** `6.5`, `6.50 %`, `.5` -> a fraction; refuses empty text, signs, exponents and the out of range. */
export function parseRatePercent(text: string): RateInput {
  const t = text.trim().replace(/\s*%$/, '');
  if (t === '') return { ok: false, message: 'Enter the risk-free rate as a percentage, e.g. 6.50.' };
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t)) return { ok: false, message: `"${text.trim()}" is not a percentage: use digits and a decimal point, e.g. 6.50.` };
  const percent = Number(t);
  if (!(percent >= 0 && percent <= MAX_RATE_PERCENT)) return { ok: false, message: `The risk-free rate must be between 0 and ${MAX_RATE_PERCENT} %.` };
  return { ok: true, fraction: Math.round(percent * 1e4) / 1e6 };
}
