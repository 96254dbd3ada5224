/**
 * When a Dhan access token expires. Dhan's tokens are JWTs whose payload carries `exp` (epoch
 * seconds); reading it needs no network and no signature check (we only schedule a warning).
 * Tokens that are not JWTs (the simulator's) have no known expiry.
 */

/** Epoch ms at which the token expires, or null when it cannot be told. */
export function tokenExpiresAt(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp) && payload.exp > 0 ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
