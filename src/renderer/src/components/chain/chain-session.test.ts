import { describe, expect, it } from 'vitest';
import { createFakeTransport } from '../../api/fake-transport';
import type { ChainHeader, ChainRow, ChainTransaction } from './chain-model';
import { ChainSession, type ChainGridSink } from './chain-session';
import { batch, chainView, delta, leg, snapshot, strikeRange, tok } from './chain-test-data';

const EXP = '2026-12-01';
const KEY = `NIFTY|${EXP}`;
const STRIKES = strikeRange(20_500, 25_500, 50); // 101 strikes, 202 legs: an index chain

function recorder() {
  const grid = { rebuilds: [] as { rows: ChainRow[]; atm: number }[], txs: [] as { tx: ChainTransaction; atmChanged: boolean; atm: number }[], clears: 0 };
  const sinkGrid: ChainGridSink = {
    rebuild: (rows, atm) => grid.rebuilds.push({ rows, atm }),
    apply: (tx, atmChanged, atm) => grid.txs.push({ tx, atmChanged, atm }),
    clear: () => (grid.clears += 1),
  };
  const panel = { headers: [] as ChainHeader[], expiries: [] as string[], errors: [] as (string | null)[] };
  return {
    grid,
    sinkGrid,
    panel,
    sink: { header: (h: ChainHeader) => panel.headers.push(h), expiry: (e: string) => panel.expiries.push(e), error: (m: string | null) => panel.errors.push(m) },
  };
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 0));
}

describe('ChainSession', () => {
  it('streams a 202-leg chain at 10 batches/s with no slow-state (React) callbacks per batch', async () => {
    const fake = createFakeTransport({ 'option-chain:get': () => chainView('NIFTY', EXP, STRIKES, 25_000, 50, 25_010) });
    const r = recorder();
    const session = new ChainSession({ transport: fake, symbol: 'NIFTY', expiry: EXP, sink: r.sink });
    session.attachGrid(r.sinkGrid);
    session.start();
    await settle();
    expect(r.grid.rebuilds.at(-1)!.rows).toHaveLength(101);
    fake.push(batch(1, KEY, snapshot(STRIKES, 25_000, 50, 25_010)));
    const slowBefore = r.panel.expiries.length + r.panel.errors.length;
    const headersBefore = r.panel.headers.length;
    // Ten seconds of batches: 100 deltas of 30 legs each.
    for (let b = 0; b < 100; b++) {
      const legs: Record<string, ReturnType<typeof leg>> = {};
      for (let i = 0; i < 15; i++) {
        const s = STRIKES[(b * 7 + i * 13) % STRIKES.length]!;
        legs[tok(s, 'CE')] = leg(s, { ltp: 100 + b + i / 10 });
        legs[tok(s, 'PE')] = leg(s, { ltp: 50 + b + i / 10 });
      }
      fake.push(batch(b + 2, KEY, delta(25_000, 50, 25_010, legs)));
    }
    expect(r.panel.expiries.length + r.panel.errors.length).toBe(slowBefore);
    expect(r.panel.headers.length - headersBefore).toBe(100);
    // One transaction per batch, each with only the 15 touched rows.
    const deltas = r.grid.txs.slice(-100);
    expect(deltas).toHaveLength(100);
    for (const d of deltas) {
      expect(d.tx.update).toHaveLength(15);
      expect(d.tx.add).toHaveLength(0);
      expect(d.tx.remove).toHaveLength(0);
    }
    session.stop();
  });

  it('ignores a first paint that arrives after the stream snapshot', async () => {
    let answer!: () => void;
    const fake = createFakeTransport({
      'option-chain:get': () => new Promise((resolve) => (answer = () => resolve(chainView('NIFTY', EXP, [1, 2, 3], 2, 1, 2)))),
    });
    const r = recorder();
    const session = new ChainSession({ transport: fake, symbol: 'NIFTY', expiry: EXP, sink: r.sink });
    session.attachGrid(r.sinkGrid);
    session.start();
    fake.push(batch(1, KEY, snapshot([100, 200], 100, 100, 110)));
    answer();
    await settle();
    expect(session.model.rows().map((row) => row.strike)).toEqual([100, 200]);
    expect(r.grid.rebuilds.at(-1)!.rows.map((row) => row.strike)).toEqual([100, 200]);
    session.stop();
  });

  it('a grid attached late gets the current rows; after stop nothing reaches it', async () => {
    const fake = createFakeTransport({ 'option-chain:get': () => chainView('NIFTY', EXP, [100, 200], 100, 100, 110) });
    const r = recorder();
    const session = new ChainSession({ transport: fake, symbol: 'NIFTY', expiry: EXP, sink: r.sink });
    session.start();
    await settle();
    session.attachGrid(r.sinkGrid);
    expect(r.grid.rebuilds).toHaveLength(1);
    expect(r.grid.rebuilds[0]!.atm).toBe(100);
    session.stop();
    fake.push(batch(1, KEY, snapshot([300, 400], 300, 100, 310)));
    expect(r.grid.rebuilds).toHaveLength(1);
    expect(r.grid.txs).toHaveLength(0);
    expect(fake.sent.map((m) => m.op)).toEqual(['subscribe', 'unsubscribe']);
    // A second stop sends nothing more.
    session.stop();
    expect(fake.sent).toHaveLength(2);
  });

  it('clears a shown error once the chain streams', async () => {
    const fake = createFakeTransport({});
    const r = recorder();
    const session = new ChainSession({ transport: fake, symbol: 'NIFTY', expiry: EXP, sink: r.sink });
    session.start();
    await settle();
    expect(r.panel.errors).toEqual(['fake transport: no handler for option-chain:get']);
    fake.push(batch(1, KEY, snapshot([100], 100, 100, 110)));
    fake.push(batch(2, KEY, delta(100, 100, 111, {})));
    expect(r.panel.errors).toEqual(['fake transport: no handler for option-chain:get', null]);
    session.stop();
  });
});
