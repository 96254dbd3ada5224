/**
 * Request fields more than one part of the contract takes (contract.ts and its strategy part):
 * one schema per field, so a symbol or an expiry is read the same way everywhere.
 */
import { z } from 'zod';
import { parseExpiry } from './seed-forms';

/**
 * An expiry: `YYYY-MM-DD` or the seed's `DDMMMYYYY` (`26FEB2026`, any case), a real calendar date,
 * handed on as `YYYY-MM-DD` (seed-forms.ts). Every expiry a request or a stream message takes is
 * this one schema; whether the symbol has options expiring that day is the engine's to say.
 */
export const expirySchema = z
  .string()
  .trim()
  .max(32)
  .transform((text, ctx) => {
    const iso = parseExpiry(text);
    if (iso !== null) return iso;
    ctx.addIssue({ code: 'custom', input: text, message: `"${text}" is not a date: give YYYY-MM-DD (2026-02-26) or DDMMMYYYY (26FEB2026)` });
    return z.NEVER;
  });
/** A symbol as typed: trimmed, 1-40 characters (the engine upper-cases and looks it up). */
export const symbolSchema = z.string().trim().min(1).max(40);
/** A moment as epoch milliseconds (history reads). */
export const epochMsSchema = z.number().int().min(0).max(8.64e15);

