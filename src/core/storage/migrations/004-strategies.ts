/**
 * Migration 4: saved option strategies (issue 19; analysis only, never orders).
 *
 * - `strategies`: one row per saved strategy; ids are never reused (AUTOINCREMENT), so a client
 *   holding the id of a deleted strategy cannot come to read another one under it.
 * - `strategy_legs`: its legs in the order given (`position` 0..19), each with the contract it
 *   resolved to when saved (segment + security id), the master's lot size then, and the entry price
 *   (the request's, or the market's at save time): P&L is measured against these, whatever the
 *   master or the market says later. `strike` is NULL for a future. Deleting a strategy deletes
 *   its legs (foreign key, cascade).
 */
import type { Migration } from '../migration-runner';

const SQL = `
CREATE TABLE strategies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
  symbol TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX strategies_newest ON strategies (created_at DESC, id DESC);

CREATE TABLE strategy_legs (
  strategy_id INTEGER NOT NULL REFERENCES strategies (id) ON DELETE CASCADE,
  position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 19),
  expiry TEXT NOT NULL,
  strike REAL,
  option_type TEXT NOT NULL CHECK (option_type IN ('CE', 'PE', 'FUT')),
  side TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  lots INTEGER NOT NULL CHECK (lots >= 1),
  price REAL NOT NULL CHECK (price > 0),
  lot_size INTEGER NOT NULL CHECK (lot_size >= 1),
  segment TEXT NOT NULL,
  security_id INTEGER NOT NULL,
  trading_symbol TEXT NOT NULL,
  CHECK ((option_type = 'FUT') = (strike IS NULL)),
  PRIMARY KEY (strategy_id, position)
) STRICT, WITHOUT ROWID;
`;

export const migration004Strategies: Migration = {
  version: 4,
  name: 'saved strategies',
  up: SQL,
};
