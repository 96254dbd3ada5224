/**
 * When a Dhan access token expires. Dhan's tokens are JWTs whose payload carries `exp` (epoch
 * seconds); reading it needs no network and no signature check (we only schedule a warning).
 * Tokens that are not JWTs (the simulator's) have no known expiry. Platform-free (atob and
 * TextDecoder exist in Node and in browsers), so the engine and the Electron main process share it.
 */

/** A base64url segment's bytes as UTF-8 text; throws when it is not base64url. */
function base64UrlText(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** Epoch ms at which the token expires, or null when it cannot be told. */
export function tokenExpiresAt(token: string): number | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(base64UrlText(parts[1]!)) as { exp?: unknown };
    return typeof payload === 'object' && payload !== null && typeof payload.exp === 'number' && Number.isFinite(payload.exp) && payload.exp > 0 ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}
