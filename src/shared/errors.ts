/**
 * One error vocabulary for every boundary: `{ ok: false, error: { code, message } }` with a code
 * from this union. Error subclasses carry the code so adapters can map them without guessing.
 */

export const ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'UNKNOWN_SYMBOL',
  'UNKNOWN_EXPIRY',
  'EXPIRED',
  'NOT_FNO',
  'DUPLICATE',
  'CAPACITY',
  'BAD_LTP',
  'MASTER_INVALID',
  'DB_NEWER_VERSION',
  'DB_ERROR',
  'AUTH',
  'RATE_LIMITED',
  'NETWORK',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/** An error with a product error code. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

/** Exhaustiveness check for switch statements over unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${String(value)}`);
}
