/**
 * Migration 2: one owner registry.
 *
 * - `subscription_owners` records what each owner holds as the registry does: a chain spec whose
 *   window follows the ATM (the window itself is in atm_cache), or an explicit instrument list.
 *   Rows of version 1 held token lists only; chain owners are recognised by their id (watchlist
 *   entries with an expiry, Tier B chains) and become chain specs. REST views are not carried
 *   over: a view lives no longer than its client.
 * - `watchlist.state`: why an entry is not live when it is not (ACTIVE: wants to be live;
 *   EVICTED: pushed out at the cap; RELEASED: unsubscribed by the admin's "unsubscribe all Tier
 *   A"). Only ACTIVE entries are subscribed again after a restart or at the next session.
 * - `subscription_log` accepts ADMIN_UNSUBSCRIBE (its CHECK is rebuilt).
 * - The vestigial `subscriptions.active` column goes: a row exists exactly while subscribed.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migration-runner';

const SQL = `
CREATE TABLE subscription_owners_v2 (
  owner TEXT PRIMARY KEY,
  tier TEXT NOT NULL CHECK (tier IN ('TIER_A', 'TIER_B')),
  last_used_at INTEGER NOT NULL,
  -- A chain: (symbol, expiry), its segment and strike count when not the defaults.
  chain_symbol TEXT,
  chain_expiry TEXT,
  chain_segment TEXT,
  chain_strikes INTEGER,
  -- Or an explicit list: a JSON array of instrument tokens ("<segment>:<securityId>").
  tokens TEXT CHECK (tokens IS NULL OR (json_valid(tokens) AND json_type(tokens) = 'array')),
  CHECK ((chain_symbol IS NULL) = (chain_expiry IS NULL)),
  CHECK ((chain_symbol IS NULL) <> (tokens IS NULL))
) STRICT, WITHOUT ROWID;

CREATE TABLE subscription_log_v2 (
  id INTEGER PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN ('SUBSCRIBE', 'UNSUBSCRIBE', 'RATE_LIMIT_EVICT', 'EOD_CLEANUP', 'ADMIN_UNSUBSCRIBE')),
  segment TEXT NOT NULL,
  security_id INTEGER NOT NULL,
  owner TEXT,
  reason TEXT,
  ts INTEGER NOT NULL
) STRICT;
INSERT INTO subscription_log_v2 SELECT id, action, segment, security_id, owner, reason, ts FROM subscription_log;
DROP TABLE subscription_log;
ALTER TABLE subscription_log_v2 RENAME TO subscription_log;

DELETE FROM subscriptions WHERE active = 0;
ALTER TABLE subscriptions DROP COLUMN active;

ALTER TABLE watchlist ADD COLUMN state TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'EVICTED', 'RELEASED'));
ALTER TABLE watchlist ADD COLUMN state_reason TEXT;
`;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The chain (symbol, expiry) a version-1 owner id names, or null for a list owner. */
function chainOfOwnerId(owner: string): { symbol: string; expiry: string } | null {
  const parts = owner.split(':');
  const expiry = parts[parts.length - 1]!;
  const symbol = parts[parts.length - 2];
  if (!DATE.test(expiry) || !symbol) return null;
  if (owner.startsWith('watch:') && parts.length >= 4) return { symbol, expiry };
  if (owner.startsWith('tierb:') && parts.length === 3 && symbol !== 'fut') return { symbol, expiry };
  return null;
}

function up(db: Database.Database): void {
  db.exec(SQL);
  const insert = db.prepare(
    `INSERT INTO subscription_owners_v2 (owner, tier, last_used_at, chain_symbol, chain_expiry, tokens)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const old = db.prepare('SELECT owner, tier, last_used_at, tokens FROM subscription_owners').all() as { owner: string; tier: string; last_used_at: number; tokens: string }[];
  for (const o of old) {
    if (o.owner.startsWith('view:')) continue;
    const chain = chainOfOwnerId(o.owner);
    insert.run(o.owner, o.tier, o.last_used_at, chain?.symbol ?? null, chain?.expiry ?? null, chain ? null : o.tokens);
  }
  db.exec('DROP TABLE subscription_owners; ALTER TABLE subscription_owners_v2 RENAME TO subscription_owners;');
}

export const migration002OwnerRegistry: Migration = {
  version: 2,
  name: 'one owner registry',
  up,
};
