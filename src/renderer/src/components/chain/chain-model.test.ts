import { describe, expect, it } from 'vitest';
import { ChainModel, isEmptyChange, type ChainChange, type ChainTransaction } from './chain-model';
import { analytics, chainView, delta, leg, snapshot, strikeRange, tok, untradedLeg } from './chain-test-data';

function tx(change: ChainChange): ChainTransaction {
  if (change.kind !== 'transaction') throw new Error(`expected a transaction, got ${change.kind}`);
  return change.transaction;
}

describe('ChainModel snapshots', () => {
  it('builds rows in ascending strikes from a snapshot, whatever order the strikes came in', () => {
    const m = new ChainModel();
    const snap = snapshot([200, 100, 300], 200, 100, 210);
    const change = m.applyStream(snap);
    expect(change.kind).toBe('rebuild');
    if (change.kind !== 'rebuild') return;
    expect(change.rows.map((r) => r.strike)).toEqual([100, 200, 300]);
    expect(change.atmChanged).toBe(true);
    expect(m.rows().map((r) => r.strike)).toEqual([100, 200, 300]);
    const row = m.row(200)!;
    expect(row.ceToken).toBe(tok(200, 'CE'));
    expect(row.peToken).toBe(tok(200, 'PE'));
    expect(row.ce?.ltp).toBe(102);
    expect(row.atm).toBe(true);
    expect(m.row(100)!.atm).toBe(false);
    expect(m.header()).toEqual({ underlyingLtp: 210, atm: 200, nearest: 200, step: 100, staleLegs: 0, untradedLegs: 0, legs: 6, analytics: snap.analytics });
  });

  it('flags the strike nearest the underlying only where it is not the ATM, and follows it batch to batch', () => {
    const m = new ChainModel();
    // CRUDEOIL: LTP 5,560 in a window still centred on 5,600.
    m.applyStream({ ...snapshot(strikeRange(5_450, 5_750, 50), 5_600, 50, 5_560), nearest_strike: 5_550 });
    expect(m.rows().filter((r) => r.nearest).map((r) => r.strike)).toEqual([5_550]);
    expect(m.row(5_600)!.atm).toBe(true);
    expect(m.row(5_600)!.nearest).toBe(false);
    expect(m.header()).toMatchObject({ atm: 5_600, nearest: 5_550 });
    // The underlying moves back: the nearest is the ATM again, only the 5,550 row changes.
    const t = tx(m.applyStream({ ...delta(5_600, 50, 5_590, {}), nearest_strike: 5_600 }));
    expect(t.update.map((r) => r.strike)).toEqual([5_550]);
    expect(m.rows().some((r) => r.nearest)).toBe(false);
  });

  it('keeps an untraded leg as the engine sent it (no LTP, previous close, no change) and counts it', () => {
    const m = new ChainModel();
    m.applyStream(snapshot([100, 200, 300], 200, 100, 210, (s, side) => (s === 300 && side === 'CE' ? untradedLeg(300, 4.5) : {})));
    expect(m.row(300)!.ce).toMatchObject({ ltp: null, prev_close: 4.5, change: null, traded_today: false, iv_reason: 'no-trade-today' });
    expect(m.header()).toMatchObject({ untradedLegs: 1, staleLegs: 0 });
    // It trades: one row update, no longer untraded.
    const t = tx(m.applyStream(delta(200, 100, 210, { [tok(300, 'CE')]: leg(300, { ltp: 5.1, prev_close: 4.5, change: 0.6 }) })));
    expect(t.update.map((r) => r.strike)).toEqual([300]);
    expect(m.header().untradedLegs).toBe(0);
  });

  it('marks in-the-money sides against the underlying', () => {
    const m = new ChainModel();
    m.applyStream(snapshot([100, 200, 300], 200, 100, 210));
    expect(m.rows().map((r) => [r.strike, r.ceItm, r.peItm])).toEqual([
      [100, true, false],
      [200, true, false],
      [300, false, true],
    ]);
  });

  it('a re-centre snapshot adds entering strikes, removes leaving ones and keeps unchanged rows', () => {
    const m = new ChainModel();
    m.applyStream(snapshot(strikeRange(100, 500, 100), 300, 100, 300));
    const kept = m.row(400)!;
    const change = m.applyStream(snapshot(strikeRange(300, 700, 100), 500, 100, 500));
    const t = tx(change);
    expect(change.atmChanged).toBe(true);
    expect(t.add.map((r) => r.strike)).toEqual([600, 700]);
    expect(t.remove.map((r) => r.strike)).toEqual([100, 200]);
    // 300 lost the ATM, 400 (ITM for calls now) changed flags, 500 became the ATM.
    expect(t.update.map((r) => r.strike).sort()).toEqual([300, 400, 500]);
    expect(m.row(500)!.atm).toBe(true);
    expect(m.row(300)!.atm).toBe(false);
    expect(m.row(400)).not.toBe(kept);
    expect(m.rows().map((r) => r.strike)).toEqual([300, 400, 500, 600, 700]);
    // The removed strikes' tokens are forgotten: a late delta for them changes nothing.
    expect(isEmptyChange(m.applyStream(delta(500, 100, 500, { [tok(100, 'CE')]: leg(100, { ltp: 1 }) })))).toBe(true);
  });

  it('a repeated identical snapshot changes nothing and keeps every row object', () => {
    const m = new ChainModel();
    m.applyStream(snapshot(strikeRange(100, 300, 100), 200, 100, 210));
    const before = m.rows();
    const change = m.applyStream(snapshot(strikeRange(100, 300, 100), 200, 100, 210));
    expect(isEmptyChange(change)).toBe(true);
    expect(change.atmChanged).toBe(false);
    m.rows().forEach((r, i) => expect(r).toBe(before[i]));
  });

  it('a snapshot leg without a value keeps the previous value of the same token', () => {
    const m = new ChainModel();
    m.applyStream(snapshot([100, 200], 100, 100, 120));
    const snap = snapshot([100, 200], 100, 100, 120);
    delete snap.legs[tok(200, 'PE')];
    m.applyStream(snap);
    expect(m.row(200)!.pe?.ltp).toBe(102);
  });
});

describe('ChainModel deltas', () => {
  it('updates only the touched rows and keeps the others by identity', () => {
    const m = new ChainModel();
    m.applyStream(snapshot(strikeRange(100, 500, 100), 300, 100, 310));
    const before = new Map(m.rows().map((r) => [r.strike, r]));
    const t = tx(
      m.applyStream(
        delta(300, 100, 310, {
          [tok(200, 'CE')]: leg(200, { ltp: 150.25, change: 48.25 }),
          [tok(200, 'PE')]: leg(200, { ltp: 3.5 }),
          [tok(400, 'PE')]: leg(400, { volume: 99_999 }),
        }),
      ),
    );
    expect(t.add).toEqual([]);
    expect(t.remove).toEqual([]);
    expect(t.update.map((r) => r.strike)).toEqual([200, 400]);
    expect(m.row(200)!.ce?.ltp).toBe(150.25);
    expect(m.row(200)!.pe?.ltp).toBe(3.5);
    expect(m.row(400)!.pe?.volume).toBe(99_999);
    expect(m.row(400)!.ce).toBe(before.get(400)!.ce);
    for (const s of [100, 300, 500]) expect(m.row(s)).toBe(before.get(s));
    expect(m.row(200)).not.toBe(before.get(200));
  });

  it('ignores unknown tokens', () => {
    const m = new ChainModel();
    m.applyStream(snapshot([100, 200], 100, 100, 120));
    const before = m.rows();
    const change = m.applyStream(delta(100, 100, 120, { 'NSE_FNO:999999': leg(1, { ltp: 5 }) }));
    expect(isEmptyChange(change)).toBe(true);
    m.rows().forEach((r, i) => expect(r).toBe(before[i]));
  });

  it('a leg re-sent with the same values is not an update', () => {
    const m = new ChainModel();
    m.applyStream(snapshot([100, 200], 100, 100, 120));
    expect(isEmptyChange(m.applyStream(delta(100, 100, 120, { [tok(100, 'CE')]: leg(100) })))).toBe(true);
  });

  it('carries stale flags and counts stale legs', () => {
    const m = new ChainModel();
    m.applyStream(snapshot([100, 200], 100, 100, 120, (s, side) => ({ stale: s === 100 && side === 'PE' })));
    expect(m.row(100)!.pe?.stale).toBe(true);
    expect(m.row(100)!.ce?.stale).toBe(false);
    expect(m.header().staleLegs).toBe(1);
    const t = tx(m.applyStream(delta(100, 100, 120, { [tok(200, 'CE')]: leg(200, { stale: true }) })));
    expect(t.update.map((r) => r.strike)).toEqual([200]);
    expect(m.row(200)!.ce?.stale).toBe(true);
    expect(m.header().staleLegs).toBe(2);
  });

  it('moves ITM flags when the underlying crosses a strike, without any leg change', () => {
    const m = new ChainModel();
    m.applyStream(snapshot(strikeRange(100, 500, 100), 300, 100, 310));
    const t = tx(m.applyStream(delta(300, 100, 290, {})));
    expect(t.update.map((r) => r.strike)).toEqual([300]);
    expect(m.row(300)!.ceItm).toBe(false);
    expect(m.row(300)!.peItm).toBe(true);
    expect(m.header().underlyingLtp).toBe(290);
  });

  it('moves the ATM flag when the ATM changes without a snapshot', () => {
    const m = new ChainModel();
    m.applyStream(snapshot(strikeRange(100, 500, 100), 300, 100, 310));
    const change = m.applyStream(delta(400, 100, 390, {}));
    expect(change.atmChanged).toBe(true);
    expect(tx(change).update.map((r) => r.strike)).toEqual([300, 400]);
    expect(m.rows().filter((r) => r.atm).map((r) => r.strike)).toEqual([400]);
  });
});

describe('ChainModel first paint from option-chain:get', () => {
  it('builds the rows from a ChainView, values only', () => {
    const m = new ChainModel();
    const change = m.loadView(chainView('NIFTY', '2026-12-01', [25_450, 25_500, 25_550], 25_500, 50, 25_510));
    expect(change?.kind).toBe('rebuild');
    expect(m.rows().map((r) => r.strike)).toEqual([25_450, 25_500, 25_550]);
    expect(m.row(25_500)!.ce).toEqual(leg(25_500));
    expect(m.row(25_500)!.ceToken).toBe(tok(25_500, 'CE'));
    expect(m.header().atm).toBe(25_500);
    // Deltas apply to the view's tokens.
    m.applyStream(delta(25_500, 50, 25_510, { [tok(25_550, 'PE')]: leg(25_550, { ltp: 77 }) }));
    expect(m.row(25_550)!.pe?.ltp).toBe(77);
  });

  it('is ignored once the stream delivered the chain (the stream is newer)', () => {
    const m = new ChainModel();
    m.applyStream(snapshot([100, 200], 100, 100, 120));
    expect(m.loadView(chainView('X', '2026-12-01', [500, 600], 500, 100, 510))).toBeNull();
    expect(m.rows().map((r) => r.strike)).toEqual([100, 200]);
  });

  it('a stream snapshot after the first paint is a transaction against its rows', () => {
    const m = new ChainModel();
    m.loadView(chainView('X', '2026-12-01', [100, 200, 300], 200, 100, 210));
    const t = tx(m.applyStream(snapshot([200, 300, 400], 300, 100, 290)));
    expect(t.add.map((r) => r.strike)).toEqual([400]);
    expect(t.remove.map((r) => r.strike)).toEqual([100]);
  });

  it('handles a strike with only one leg listed', () => {
    const m = new ChainModel();
    const view = chainView('X', '2026-12-01', [100, 200], 100, 100, 120);
    delete view.strikes_ce_pe['200']!.PE;
    m.loadView(view);
    expect(m.row(200)!.pe).toBeNull();
    expect(m.row(200)!.peToken).toBeNull();
    expect(m.header().legs).toBe(3);
  });
});

describe('ChainModel analytics', () => {
  it('carries each leg analytics and the chain analytics from a snapshot', () => {
    const m = new ChainModel();
    const snap = snapshot([100, 200], 100, 100, 120, (s, side) =>
      s === 200 && side === 'CE' ? { iv: null, iv_reason: 'below-intrinsic', delta: 0.98, gamma: 0.00002, theta: -0.5, vega: 0.25, greeks_from: 'pair' } : {},
    );
    snap.analytics = analytics(100, { pcr: 1.25, max_pain: 200 });
    m.applyStream(snap);
    expect(m.row(100)!.pe).toMatchObject({ iv: 0.1432, iv_reason: null, delta: 0.5123, gamma: 0.001234, theta: -12.34, vega: 10.5, greeks_from: 'own' });
    expect(m.row(200)!.ce).toMatchObject({ iv: null, iv_reason: 'below-intrinsic', delta: 0.98, gamma: 0.00002, theta: -0.5, vega: 0.25, greeks_from: 'pair' });
    expect(m.header().analytics).toMatchObject({ pcr: 1.25, max_pain: 200 });
  });

  it('carries them from the first paint too', () => {
    const m = new ChainModel();
    const view = chainView('X', '2026-12-01', [100, 200], 100, 100, 120);
    view.strikes_ce_pe['100']!.PE = { ...view.strikes_ce_pe['100']!.PE!, iv: null, iv_reason: 'no-price', delta: null, greeks_from: null };
    view.analytics = analytics(100, { pcr: 0.64, max_pain: 100, forward_source: 'future' });
    m.loadView(view);
    expect(m.row(100)!.ce?.iv).toBe(0.1432);
    expect(m.row(100)!.ce?.delta).toBe(0.5123);
    expect(m.row(100)!.pe).toMatchObject({ iv: null, iv_reason: 'no-price', delta: null, greeks_from: null });
    expect(m.header().analytics).toMatchObject({ pcr: 0.64, max_pain: 100, forward_source: 'future' });
  });

  it('updates a row when only its analytics change, and only that row', () => {
    const m = new ChainModel();
    m.applyStream(snapshot(strikeRange(100, 400, 100), 200, 100, 210));
    const before = new Map(m.rows().map((r) => [r.strike, r]));
    const t = tx(
      m.applyStream(
        delta(200, 100, 210, {
          [tok(200, 'CE')]: leg(200, { iv: 0.1511 }),
          [tok(300, 'PE')]: leg(300, { iv: null, iv_reason: 'below-intrinsic', greeks_from: 'pair' }),
          [tok(400, 'CE')]: leg(400, { theta: -13.1 }),
        }),
      ),
    );
    expect(t.update.map((r) => r.strike)).toEqual([200, 300, 400]);
    expect(m.row(200)!.ce?.iv).toBe(0.1511);
    expect(m.row(300)!.pe).toMatchObject({ iv: null, iv_reason: 'below-intrinsic', greeks_from: 'pair' });
    expect(m.row(400)!.ce?.theta).toBe(-13.1);
    expect(m.row(100)).toBe(before.get(100));
  });

  it('an analytics refresh of every leg that moves nothing the grid shows keeps every row', () => {
    const m = new ChainModel();
    const strikes = strikeRange(100, 500, 100);
    m.applyStream(snapshot(strikes, 300, 100, 310));
    const before = m.rows();
    // The once-a-second refresh: every leg re-sent, the clock nudged each number in a far decimal.
    const drift = { iv: 0.1432 + 2e-6, delta: 0.5123 + 1e-5, gamma: 0.001234 + 1e-8, theta: -12.34 + 1e-4, vega: 10.5 - 1e-4 };
    const legs: Record<string, ReturnType<typeof leg>> = {};
    for (const s of strikes) {
      legs[tok(s, 'CE')] = leg(s, drift);
      legs[tok(s, 'PE')] = leg(s, drift);
    }
    expect(isEmptyChange(m.applyStream(delta(300, 100, 310, legs)))).toBe(true);
    m.rows().forEach((r, i) => expect(r).toBe(before[i]));
    // A move the grid shows (delta 0.51 -> 0.52) is an update of that row alone.
    legs[tok(400, 'PE')] = leg(400, { ...drift, delta: 0.5213 });
    const t = tx(m.applyStream(delta(300, 100, 310, legs)));
    expect(t.update.map((r) => r.strike)).toEqual([400]);
    expect(m.row(400)!.pe?.delta).toBe(0.5213);
  });
});
