/**
 * How the contract's error codes cross HTTP. Client mistakes are 4xx with the api's own message;
 * an upstream (Dhan) refusal is 502; everything that is our fault or the machine's (database,
 * master file, network, bugs) is a 500 with a generic message, so no stack trace, path or upstream
 * detail that could carry a credential reaches the caller.
 *
 * DUPLICATE is 409 Conflict, not 400: the request was well formed, it collides with what is
 * already in the watchlist (the seed answered 400; clients that test `>= 400` see no difference).
 */
import { assertNever, type ErrorCode, type ErrorInfo } from '../shared/errors';

/** The HTTP status for an error code. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'BAD_REQUEST':
    case 'BAD_LTP':
    case 'UNKNOWN_EXPIRY':
    case 'EXPIRED':
    case 'NOT_FNO':
      return 400;
    case 'DUPLICATE':
    case 'CAPACITY':
      return 409;
    case 'UNKNOWN_SYMBOL':
    case 'NOT_FOUND':
      return 404;
    case 'AUTH':
      return 502;
    case 'RATE_LIMITED':
      return 429;
    case 'MASTER_INVALID':
    case 'DB_NEWER_VERSION':
    case 'DB_ERROR':
    case 'NETWORK':
    case 'INTERNAL':
      return 500;
    default:
      return assertNever(code, 'error code');
  }
}

/** The error as the caller sees it: 5xx messages are replaced by a generic one. */
export function publicError(info: ErrorInfo): { status: number; error: ErrorInfo } {
  const status = httpStatusOf(info.code);
  if (status >= 500 && status !== 502) return { status, error: { code: info.code, message: 'internal error: see the strikedesk log' } };
  return { status, error: info };
}
