/**
 * Migration 1: the seed's tables plus what the app needs at start-up (settings, master files).
 *
 * Shipped migrations are history: never edit this SQL; add a new numbered migration instead.
 * Conventions: STRICT tables (SQLite enforces the declared types), epoch milliseconds for times,
 * `YYYY-MM-DD` text for dates, and an instrument is keyed by (segment, security_id) because Dhan's
 * security ids repeat across segments.
 */
import type { Migration } from '../migration-runner';

const SQL = `
CREATE TABLE watchlist (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  -- '' for EQUITY entries, which have no expiry.
  expiry_date TEXT NOT NULL,
  instrument_type TEXT NOT NULL CHECK (instrument_type IN ('EQUITY', 'STOCK_OPTION', 'INDEX_OPTION')),
  added_at INTEGER NOT NULL,
  added_order INTEGER NOT NULL,
  UNIQUE (user_id, symbol, expiry_date)
) STRICT;
CREATE UNIQUE INDEX watchlist_by_user_order ON watchlist (user_id, added_order);

CREATE TABLE subscriptions (
  segment TEXT NOT NULL,
  security_id INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  expiry TEXT,
  strike REAL,
  option_type TEXT CHECK (option_type IN ('CE', 'PE')),
  tier TEXT NOT NULL CHECK (tier IN ('TIER_A', 'TIER_B')),
  subscribed_at INTEGER NOT NULL,
  ws_connection_id INTEGER CHECK (ws_connection_id BETWEEN 1 AND 5),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  PRIMARY KEY (segment, security_id)
) STRICT, WITHOUT ROWID;
-- No secondary indexes: the subscription manager keeps tier and socket counts in memory, and
-- every index would cost each of the ~1,000 row writes a chain add with eviction makes.

-- Who wants what (Tier B config entries, watchlist entries, open views), so refcounts and LRU
-- order survive a restart. One row per owner: a chain is added and evicted whole.
CREATE TABLE subscription_owners (
  owner TEXT PRIMARY KEY,
  tier TEXT NOT NULL CHECK (tier IN ('TIER_A', 'TIER_B')),
  last_used_at INTEGER NOT NULL,
  -- JSON array of the instrument tokens ("<segment>:<securityId>") the owner holds.
  tokens TEXT NOT NULL CHECK (json_valid(tokens) AND json_type(tokens) = 'array')
) STRICT, WITHOUT ROWID;

CREATE TABLE atm_cache (
  symbol TEXT NOT NULL,
  expiry TEXT NOT NULL,
  segment TEXT NOT NULL,
  underlying_ltp REAL NOT NULL,
  atm_strike REAL NOT NULL,
  strike_step REAL NOT NULL,
  -- JSON array of the strikes in the window.
  strikes TEXT NOT NULL CHECK (json_valid(strikes) AND json_type(strikes) = 'array'),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (symbol, expiry)
) STRICT, WITHOUT ROWID;

-- Append-only audit trail; ids grow with time, so "recent" reads by id and no time index is kept
-- (each would cost every one of the hundreds of rows a chain add writes).
CREATE TABLE subscription_log (
  id INTEGER PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN ('SUBSCRIBE', 'UNSUBSCRIBE', 'RATE_LIMIT_EVICT', 'EOD_CLEANUP')),
  segment TEXT NOT NULL,
  security_id INTEGER NOT NULL,
  owner TEXT,
  reason TEXT,
  ts INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Which scrip master was loaded; the registry's binary warm-start snapshot lives elsewhere.
CREATE TABLE master_files (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('download', 'generated', 'file')),
  path TEXT NOT NULL,
  sha1 TEXT NOT NULL,
  master_date TEXT NOT NULL,
  rows INTEGER NOT NULL CHECK (rows >= 0),
  loaded_at INTEGER NOT NULL
) STRICT;
`;

export const migration001InitialSchema: Migration = {
  version: 1,
  name: 'initial schema',
  up: SQL,
};
