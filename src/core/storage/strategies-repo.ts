/**
 * Saved option strategies (issue 19): a strategy and its legs, written in one transaction, read
 * newest first. The legs are stored resolved (the contract, the lot size and the entry price at
 * save time), so a saved strategy's P&L keeps meaning what it meant when it was saved.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { isSegment, type Segment } from '../../shared/instruments';
import { MAX_STRATEGY_LEGS } from '../../shared/product';
import type { Db } from './database';
import { transaction } from './database';

/** One leg as saved. */
export interface SavedStrategyLeg {
  /** `YYYY-MM-DD`. */
  expiry: string;
  /** Null for a future. */
  strike: number | null;
  optionType: 'CE' | 'PE' | 'FUT';
  side: 'BUY' | 'SELL';
  lots: number;
  /** Entry price per unit. */
  price: number;
  lotSize: number;
  segment: Segment;
  securityId: number;
  tradingSymbol: string;
}

/** What a caller saves. */
export interface NewStrategy {
  name: string;
  symbol: string;
  legs: readonly SavedStrategyLeg[];
}

export interface SavedStrategy {
  id: number;
  name: string;
  symbol: string;
  legs: SavedStrategyLeg[];
  /** Epoch ms. */
  createdAt: number;
}

interface StrategyRow {
  id: number;
  name: string;
  symbol: string;
  created_at: number;
}

interface LegRow {
  strategy_id: number;
  expiry: string;
  strike: number | null;
  option_type: SavedStrategyLeg['optionType'];
  side: SavedStrategyLeg['side'];
  lots: number;
  price: number;
  lot_size: number;
  segment: string;
  security_id: number;
  trading_symbol: string;
}

type LegParams = LegRow & { position: number };

const LEG_COLUMNS = 'strategy_id, expiry, strike, option_type, side, lots, price, lot_size, segment, security_id, trading_symbol';

function legOf(r: LegRow): SavedStrategyLeg {
  // The column holds what save() wrote, from the registry's own segments.
  if (!isSegment(r.segment)) throw new AppError('DB_ERROR', `strategy ${r.strategy_id}: unknown segment ${r.segment} in a saved leg`);
  return {
    expiry: r.expiry,
    strike: r.strike,
    optionType: r.option_type,
    side: r.side,
    lots: r.lots,
    price: r.price,
    lotSize: r.lot_size,
    segment: r.segment,
    securityId: r.security_id,
    tradingSymbol: r.trading_symbol,
  };
}

export class StrategiesRepo {
  private readonly insertStrategy: Database.Statement<[string, string, number], StrategyRow>;
  private readonly insertLeg: Database.Statement<[LegParams]>;
  private readonly selectOne: Database.Statement<[number], StrategyRow>;
  private readonly selectAll: Database.Statement<[], StrategyRow>;
  private readonly selectLegsOf: Database.Statement<[number], LegRow>;
  private readonly selectAllLegs: Database.Statement<[], LegRow>;
  private readonly deleteOne: Database.Statement<[number]>;
  private readonly saveTx: (s: NewStrategy) => SavedStrategy;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    const sql = db.sqlite;
    this.insertStrategy = sql.prepare('INSERT INTO strategies (name, symbol, created_at) VALUES (?, ?, ?) RETURNING id, name, symbol, created_at');
    this.insertLeg = sql.prepare(
      `INSERT INTO strategy_legs (strategy_id, position, expiry, strike, option_type, side, lots, price, lot_size, segment, security_id, trading_symbol)
       VALUES (@strategy_id, @position, @expiry, @strike, @option_type, @side, @lots, @price, @lot_size, @segment, @security_id, @trading_symbol)`,
    );
    this.selectOne = sql.prepare('SELECT id, name, symbol, created_at FROM strategies WHERE id = ?');
    this.selectAll = sql.prepare('SELECT id, name, symbol, created_at FROM strategies ORDER BY created_at DESC, id DESC');
    this.selectLegsOf = sql.prepare(`SELECT ${LEG_COLUMNS} FROM strategy_legs WHERE strategy_id = ? ORDER BY position`);
    this.selectAllLegs = sql.prepare(`SELECT ${LEG_COLUMNS} FROM strategy_legs ORDER BY strategy_id, position`);
    this.deleteOne = sql.prepare('DELETE FROM strategies WHERE id = ?');
    this.saveTx = transaction(db, (s: NewStrategy): SavedStrategy => {
      const row = this.insertStrategy.get(s.name, s.symbol, this.now())!;
      s.legs.forEach((l, position) =>
        this.insertLeg.run({
          strategy_id: row.id,
          position,
          expiry: l.expiry,
          strike: l.optionType === 'FUT' ? null : l.strike,
          option_type: l.optionType,
          side: l.side,
          lots: l.lots,
          price: l.price,
          lot_size: l.lotSize,
          segment: l.segment,
          security_id: l.securityId,
          trading_symbol: l.tradingSymbol,
        }),
      );
      return { id: row.id, name: row.name, symbol: row.symbol, createdAt: row.created_at, legs: s.legs.map((l) => ({ ...l, strike: l.optionType === 'FUT' ? null : l.strike })) };
    });
  }

  /**
   * Saves a strategy and its legs in one transaction; the saved strategy with its new id.
   * @throws AppError BAD_REQUEST for no legs or more than MAX_STRATEGY_LEGS (the API checks first).
   */
  save(strategy: NewStrategy): SavedStrategy {
    if (strategy.legs.length === 0 || strategy.legs.length > MAX_STRATEGY_LEGS) {
      throw new AppError('BAD_REQUEST', `a strategy has 1 to ${MAX_STRATEGY_LEGS} legs, not ${strategy.legs.length}`);
    }
    return this.saveTx(strategy);
  }

  /** One saved strategy, or undefined. */
  get(id: number): SavedStrategy | undefined {
    const row = this.selectOne.get(id);
    if (!row) return undefined;
    return { id: row.id, name: row.name, symbol: row.symbol, createdAt: row.created_at, legs: this.selectLegsOf.all(id).map(legOf) };
  }

  /** Every saved strategy, newest first (two reads, not one per strategy). */
  list(): SavedStrategy[] {
    const legs = new Map<number, SavedStrategyLeg[]>();
    for (const r of this.selectAllLegs.all()) {
      let list = legs.get(r.strategy_id);
      if (!list) legs.set(r.strategy_id, (list = []));
      list.push(legOf(r));
    }
    return this.selectAll.all().map((row) => ({ id: row.id, name: row.name, symbol: row.symbol, createdAt: row.created_at, legs: legs.get(row.id) ?? [] }));
  }

  /** Deletes a strategy and its legs; whether it existed. */
  delete(id: number): boolean {
    return this.deleteOne.run(id).changes > 0;
  }
}
