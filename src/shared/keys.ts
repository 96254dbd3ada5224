/**
 * The keys the engine and its clients agree on, declared once: a chain's key, and the ids of
 * subscription owners (a Tier B config entry, a watchlist entry, a REST view). Owner ids are
 * persisted (subscription_owners.owner) and shown in the subscription log, so their shapes are
 * part of the stored format: change them only with a migration.
 */

/** The key of the chain of (symbol, expiry): `"NIFTY|2026-12-29"` (the event stream's chain key too). */
export function chainKey(symbol: string, expiry: string): string {
  return `${symbol.trim().toUpperCase()}|${expiry}`;
}

/** (symbol, expiry) of a chain key; null when it is not one. */
export function parseChainKey(key: string): { symbol: string; expiry: string } | null {
  const i = key.indexOf('|');
  if (i <= 0 || i !== key.lastIndexOf('|')) return null;
  return { symbol: key.slice(0, i), expiry: key.slice(i + 1) };
}

export const TIER_B_OWNER_PREFIX = 'tierb:';
export const WATCHLIST_OWNER_PREFIX = 'watch:';
export const VIEW_OWNER_PREFIX = 'view:';

/** The owner of a Tier B chain. */
export function tierBChainOwner(symbol: string, expiry: string): string {
  return `${TIER_B_OWNER_PREFIX}${symbol}:${expiry}`;
}

/** The owner of the always-live F&O underlyings (every stock and index with listed options). */
export const TIER_B_UNDERLYINGS_OWNER = `${TIER_B_OWNER_PREFIX}underlyings`;

/** The owner of a Tier B futures entry. */
export function tierBFuturesOwner(symbol: string): string {
  return `${TIER_B_OWNER_PREFIX}fut:${symbol}`;
}

/** The owner of a watchlist entry; `expiry` is '' for an EQUITY entry. */
export function watchlistOwner(userId: string, symbol: string, expiry: string): string {
  return `${WATCHLIST_OWNER_PREFIX}${userId}:${symbol}:${expiry}`;
}

/**
 * The (user, symbol, expiry) of a watchlist owner id, or null. Read from the end: a symbol has no
 * ':' and an expiry is '' or a date, while a user id may contain anything.
 */
export function parseWatchlistOwner(owner: string): { userId: string; symbol: string; expiry: string } | null {
  if (!owner.startsWith(WATCHLIST_OWNER_PREFIX)) return null;
  const rest = owner.slice(WATCHLIST_OWNER_PREFIX.length);
  const e = rest.lastIndexOf(':');
  const s = e > 0 ? rest.lastIndexOf(':', e - 1) : -1;
  if (s <= 0) return null;
  const expiry = rest.slice(e + 1);
  if (expiry !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(expiry)) return null;
  return { userId: rest.slice(0, s), symbol: rest.slice(s + 1, e), expiry };
}

/** The owner of a REST view (`option-chain:subscribe`). */
export function viewOwner(viewId: string): string {
  return `${VIEW_OWNER_PREFIX}${viewId}`;
}

/** True for a REST view's owner id. */
export function isViewOwner(owner: string): boolean {
  return owner.startsWith(VIEW_OWNER_PREFIX);
}
