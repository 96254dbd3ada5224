/** How the strategy builder writes money and greeks. */
import { fixedIndian, NO_VALUE } from '../format';

/** Rupees with paise, Indian grouping, the sign in front: `-₹21,750.00`, `₹6,375.00`. */
export function formatRupees(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const s = `₹${fixedIndian(value, 2)}`;
  return value < 0 && Math.abs(value) >= 0.005 ? `-${s}` : s;
}

/** Max profit or loss: null means unlimited. */
export function formatLimit(value: number | null | undefined): string {
  return value === null ? 'Unlimited' : formatRupees(value);
}

/** Net premium as the trader reads it: credit or debit. */
export function formatPremium(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  if (Math.abs(value) < 0.005) return '₹0.00';
  return `${formatRupees(Math.abs(value))} ${value > 0 ? 'credit' : 'debit'}`;
}

/** A probability as a percentage with one decimal. */
export function formatPop(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? NO_VALUE : `${(value * 100).toFixed(1)}%`;
}

/** A greek in rupees with the given decimals, signed. */
export function formatGreek(value: number | null | undefined, decimals: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  const s = fixedIndian(value, decimals);
  return value < 0 && Number(s.replace(/,/g, '')) !== 0 ? `-${s}` : s;
}
