/**
 * Migration 3: the session recorder's history (src/core/history).
 *
 * - `history_chains` names each recorded chain once; the other tables key on its small integer
 *   id, so a row does not repeat the symbol and expiry text (141,750 chain-minutes a full day).
 * - `history_minutes`: one row per chain-minute, the chain's summary (what `minutes()` reads over
 *   a day, a range of its primary key). `backfilled` = 1 for minutes filled from Dhan's intraday
 *   charts rather than recorded live.
 * - `history_strikes`: per chain and 30-minute block, the block's minutes of per-strike, per-leg
 *   values packed (strike-codec.ts), deflated once the block is finished (`deflated` = 1; the
 *   block being recorded is rewritten every minute and stays raw until then, see
 *   history-store.ts). One blob per block instead of a row per leg-minute (9.4M rows a day would
 *   not fit the 150 MB budget) or per chain-minute (half-empty pages: see strike-codec.ts).
 *   The partial index finds the raw blocks a stop left behind without reading the others.
 *
 * No foreign keys to history_chains: pruning deletes by key range per chain, and a cascade would
 * only add a check to each of the ~400 writes a minute.
 */
import type { Migration } from '../migration-runner';

const SQL = `
CREATE TABLE history_chains (
  id INTEGER PRIMARY KEY,
  symbol TEXT NOT NULL,
  expiry TEXT NOT NULL,
  UNIQUE (symbol, expiry)
) STRICT;

CREATE TABLE history_minutes (
  chain_id INTEGER NOT NULL,
  -- Epoch ms of the minute boundary the sample was taken at.
  t INTEGER NOT NULL,
  underlying REAL,
  atm_strike REAL,
  straddle REAL,
  pcr REAL,
  pcr_volume REAL,
  atm_iv REAL,
  ce_oi REAL,
  pe_oi REAL,
  forward REAL,
  backfilled INTEGER NOT NULL CHECK (backfilled IN (0, 1)),
  PRIMARY KEY (chain_id, t)
) STRICT, WITHOUT ROWID;

CREATE TABLE history_strikes (
  chain_id INTEGER NOT NULL,
  -- Epoch ms of the block's first minute (blocks are aligned to 30 minutes).
  block_start INTEGER NOT NULL,
  deflated INTEGER NOT NULL CHECK (deflated IN (0, 1)),
  data BLOB NOT NULL,
  PRIMARY KEY (chain_id, block_start)
) STRICT, WITHOUT ROWID;
CREATE INDEX history_strikes_raw ON history_strikes (block_start) WHERE deflated = 0;
`;

export const migration003History: Migration = {
  version: 3,
  name: 'session history',
  up: SQL,
};
