import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../shared/errors';
import type { InstrumentToken } from '../../shared/instruments';
import { SocketPlacement, type Move, type PlacementEntry } from './placement';
import { createRandom } from '../../sim/seeded-random';

/** `count` distinct NSE_FNO tokens starting at security id `from`. */
function tokens(count: number, from = 1): InstrumentToken[] {
  return Array.from({ length: count }, (_, i) => `NSE_FNO:${from + i}`);
}

function codeOf(fn: () => unknown): ErrorCode | 'no error' | 'not an AppError' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
}

/** Every invariant the pool relies on, as a list of what is broken (empty when sound). */
function brokenInvariants(model: SocketPlacement): string[] {
  const broken: string[] = [];
  if (model.size > model.capacity) broken.push(`size ${model.size} > capacity ${model.capacity}`);
  if (model.free !== model.capacity - model.size) broken.push(`free ${model.free} is not capacity - size`);
  const loads = model.loads();
  if (loads.length !== model.sockets) broken.push(`${loads.length} loads for ${model.sockets} sockets`);
  const sum = loads.reduce((a, b) => a + b, 0);
  if (sum !== model.size) broken.push(`loads sum to ${sum}, size is ${model.size}`);
  const seen = new Set<InstrumentToken>();
  for (let id = 1; id <= model.sockets; id++) {
    const on = model.tokensOn(id);
    if (on.length !== loads[id - 1] || model.load(id) !== on.length) broken.push(`socket ${id}: load disagrees with tokensOn`);
    if (on.length > model.perSocket) broken.push(`socket ${id} carries ${on.length} > ${model.perSocket}`);
    for (const token of on) {
      if (seen.has(token)) broken.push(`${token} on two sockets`);
      seen.add(token);
      if (model.socketOf(token) !== id) broken.push(`${token} is on socket ${id} but socketOf says ${model.socketOf(token)}`);
    }
  }
  if (seen.size !== model.size) broken.push(`${seen.size} tokens on sockets, size is ${model.size}`);
  return broken;
}

function checkInvariants(model: SocketPlacement): void {
  expect(brokenInvariants(model)).toEqual([]);
}

function spread(loads: number[]): number {
  return Math.max(...loads) - Math.min(...loads);
}

describe('SocketPlacement: capacity', () => {
  it('fills 25,000 tokens evenly over 5 sockets of 5,000 and refuses the 25,001st without a change', () => {
    const model = new SocketPlacement();
    const all = tokens(25_000);
    const placed = model.place(all); // its speed is measured by `npm run bench -- subscriptions`, not here
    expect(placed.size).toBe(25_000);
    expect(model.loads()).toEqual([5000, 5000, 5000, 5000, 5000]);
    expect(model.free).toBe(0);

    const before = model.snapshot();
    let message = '';
    try {
      model.place(['NSE_FNO:99999']);
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('CAPACITY');
      message = (error as AppError).message;
    }
    expect(message).toMatch(/1 new .*0 of 25000/);
    expect(model.has('NSE_FNO:99999')).toBe(false);
    expect(model.snapshot()).toEqual(before);
    // Re-placing what is already placed needs no room.
    expect(model.place(all.slice(0, 3)).get('NSE_FNO:1')).toBe(1);
  });

  it('refuses a batch that does not fit atomically, counting only new tokens', () => {
    const model = new SocketPlacement({ sockets: 2, perSocket: 5 });
    model.place(tokens(7));
    const before = model.snapshot();
    // 2 already placed + 4 new with 3 free: refused whole.
    expect(codeOf(() => model.place(['NSE_FNO:1', 'NSE_FNO:2', ...tokens(4, 100)]))).toBe('CAPACITY');
    expect(model.snapshot()).toEqual(before);
    expect(model.has('NSE_FNO:100')).toBe(false);
    // 3 new, some repeated, plus placed ones: fits exactly.
    const placed = model.place(['NSE_FNO:1', ...tokens(3, 100), 'NSE_FNO:100']);
    expect(placed.size).toBe(4);
    expect(model.free).toBe(0);
  });

  it('is configurable: 4 sockets of 10 carry 40', () => {
    const model = new SocketPlacement({ sockets: 4, perSocket: 10 });
    expect(model.capacity).toBe(40);
    model.place(tokens(40));
    expect(model.loads()).toEqual([10, 10, 10, 10]);
    expect(codeOf(() => model.place(['NSE_FNO:41']))).toBe('CAPACITY');
    expect(codeOf(() => model.load(5))).toBe('BAD_REQUEST');
  });

  it('refuses limits beyond Dhan and malformed tokens', () => {
    expect(codeOf(() => new SocketPlacement({ sockets: 6 }))).toBe('BAD_REQUEST');
    expect(codeOf(() => new SocketPlacement({ sockets: 0 }))).toBe('BAD_REQUEST');
    expect(codeOf(() => new SocketPlacement({ perSocket: 5001 }))).toBe('BAD_REQUEST');
    const model = new SocketPlacement({ sockets: 2, perSocket: 5 });
    expect(codeOf(() => model.place(['NSE_FNO:1', '42512']))).toBe('BAD_REQUEST');
    expect(model.size).toBe(0);
  });
});

describe('SocketPlacement: least-loaded placement', () => {
  it('spreads a batch one token at a time, ties to the lowest id', () => {
    const model = new SocketPlacement({ sockets: 5, perSocket: 10 });
    const placed = model.place(tokens(7));
    expect([...placed.values()]).toEqual([1, 2, 3, 4, 5, 1, 2]);
    expect(model.tokensOn(1)).toEqual(['NSE_FNO:1', 'NSE_FNO:6']);
  });

  it('sends new tokens to the lightest socket first after removals', () => {
    const model = new SocketPlacement({ sockets: 5, perSocket: 10 });
    model.place(tokens(10));
    expect(model.remove(model.tokensOn(3))).toBe(2);
    expect(model.remove(['NSE_FNO:3', 'BSE_EQ:1'])).toBe(0);
    expect(model.loads()).toEqual([2, 2, 0, 2, 2]);
    const placed = model.place(tokens(3, 100));
    expect([...placed.values()]).toEqual([3, 3, 1]);
  });

  it('keeps the socket of a token already placed', () => {
    const model = new SocketPlacement({ sockets: 3, perSocket: 10 });
    model.place(tokens(3));
    model.remove(['NSE_FNO:1']);
    const placed = model.place(['NSE_FNO:3', 'NSE_FNO:50']);
    expect(placed.get('NSE_FNO:3')).toBe(3);
    expect(placed.get('NSE_FNO:50')).toBe(1);
  });

  it('prefers up sockets and uses a down one only when the up ones are full', () => {
    const model = new SocketPlacement({ sockets: 3, perSocket: 2 });
    model.setUp(1, false);
    expect(model.upSockets()).toEqual([2, 3]);
    expect([...model.place(tokens(4)).values()]).toEqual([2, 3, 2, 3]);
    expect([...model.place(tokens(2, 10)).values()]).toEqual([1, 1]);
    expect(codeOf(() => model.setUp(4, true))).toBe('BAD_REQUEST');
  });

  it('gives the same answers to two models fed the same operations', () => {
    const run = (): { snapshot: PlacementEntry[]; plans: unknown[] } => {
      const model = new SocketPlacement({ sockets: 5, perSocket: 20 });
      const plans: unknown[] = [];
      model.place(tokens(60));
      model.remove(tokens(9, 20));
      model.setUp(2, false);
      model.place(tokens(15, 200));
      const failover = model.planFailover(2);
      plans.push(failover);
      model.apply(failover.moves);
      model.setUp(2, true);
      const evenOut = model.planEvenOut();
      plans.push(evenOut);
      model.apply(evenOut);
      return { snapshot: model.snapshot(), plans };
    };
    const first = run();
    expect(first.snapshot.length).toBe(66);
    expect(run()).toEqual(first);
  });
});

describe('SocketPlacement: failover', () => {
  it('moves a down socket onto the others, each kept within perSocket', () => {
    const model = new SocketPlacement({ sockets: 5, perSocket: 10 });
    model.place(tokens(30));
    model.setUp(2, false);
    const onTwo = model.tokensOn(2);
    const plan = model.planFailover(2);
    expect(plan.stranded).toEqual([]);
    expect(plan.moves.map((m) => m.token)).toEqual(onTwo);
    expect(new Set(plan.moves.map((m) => m.to))).toEqual(new Set([1, 3, 4, 5]));
    expect(plan.moves.every((m) => m.from === 2)).toBe(true);
    expect(model.load(2)).toBe(6); // planning changes nothing
    model.apply(plan.moves);
    expect(model.loads()).toEqual([8, 0, 8, 7, 7]);
    checkInvariants(model);
  });

  it('strands what does not fit on the failed socket, and never targets another down socket', () => {
    const model = new SocketPlacement({ sockets: 4, perSocket: 5 });
    model.place(tokens(17)); // [5, 4, 4, 4]
    model.setUp(2, false);
    model.setUp(4, false);
    const plan = model.planFailover(2);
    // Only socket 3 (one free slot) is an up target with room.
    expect(plan.moves).toEqual([{ token: 'NSE_FNO:2', from: 2, to: 3 }]);
    expect(plan.stranded).toEqual(['NSE_FNO:6', 'NSE_FNO:10', 'NSE_FNO:14']);
    model.apply(plan.moves);
    expect(model.tokensOn(2)).toEqual(plan.stranded);
    expect(model.loads()).toEqual([5, 3, 5, 4]);
  });
});

describe('SocketPlacement: even-out after a return', () => {
  /** Sum over up sockets of the surplus above the min-move targets. */
  function minimumMoves(loads: number[]): number {
    const total = loads.reduce((a, b) => a + b, 0);
    const base = Math.floor(total / loads.length);
    const extra = total % loads.length;
    const ranked = [...loads].sort((a, b) => b - a);
    return ranked.reduce((sum, load, rank) => sum + Math.max(0, load - (base + (rank < extra ? 1 : 0))), 0);
  }

  it('evens out after failover and return with the fewest moves', () => {
    const model = new SocketPlacement({ sockets: 5, perSocket: 1000 });
    model.place(tokens(3998));
    model.setUp(2, false);
    model.apply(model.planFailover(2).moves);
    model.setUp(2, true);
    const loads = model.loads();
    expect(loads).toEqual([1000, 0, 1000, 999, 999]);
    const moves = model.planEvenOut();
    expect(minimumMoves(loads)).toBe(799);
    expect(moves).toHaveLength(799);
    expect(moves.every((m) => m.to === 2)).toBe(true);
    model.apply(moves);
    expect(spread(model.loads())).toBeLessThanOrEqual(1);
    // Ceil targets go to the three most loaded (1, 3, 4); every move goes to the returned socket.
    expect(model.loads()).toEqual([800, 799, 800, 800, 799]);
    expect(model.planEvenOut()).toEqual([]);
    checkInvariants(model);
  });

  it('moves the most recently placed tokens and leaves down sockets alone', () => {
    const model = new SocketPlacement({ sockets: 3, perSocket: 10 });
    model.setUp(2, false);
    model.setUp(3, false);
    model.place(tokens(6)); // all on socket 1
    model.setUp(2, true);
    const moves = model.planEvenOut();
    expect(moves).toEqual<Move[]>([
      { token: 'NSE_FNO:6', from: 1, to: 2 },
      { token: 'NSE_FNO:5', from: 1, to: 2 },
      { token: 'NSE_FNO:4', from: 1, to: 2 },
    ]);
    model.apply(moves);
    expect(model.loads()).toEqual([3, 3, 0]);
  });

  it('plans nothing for an already even model', () => {
    const model = new SocketPlacement({ sockets: 5, perSocket: 10 });
    model.place(tokens(23));
    expect(model.planEvenOut()).toEqual([]);
  });
});

describe('SocketPlacement: plans and saved placements', () => {
  it('refuses a stale plan without applying any of it', () => {
    const model = new SocketPlacement({ sockets: 3, perSocket: 10 });
    model.place(tokens(9));
    model.setUp(1, false);
    const plan = model.planFailover(1);
    expect(plan.moves).toHaveLength(3);
    model.remove([plan.moves[2]!.token]);
    const before = model.snapshot();
    expect(codeOf(() => model.apply(plan.moves))).toBe('BAD_REQUEST');
    expect(model.snapshot()).toEqual(before);

    // Removed and placed again meanwhile: it now lives on an up socket, not the plan's `from`.
    model.place([plan.moves[2]!.token]);
    expect(model.socketOf(plan.moves[2]!.token)).not.toBe(1);
    const again = model.snapshot();
    expect(codeOf(() => model.apply(plan.moves))).toBe('BAD_REQUEST');
    expect(model.snapshot()).toEqual(again);
    // A fresh plan applies.
    model.apply(model.planFailover(1).moves);
    expect(model.load(1)).toBe(0);
  });

  it('refuses a plan that targets a down socket or overfills one', () => {
    const model = new SocketPlacement({ sockets: 3, perSocket: 4 });
    model.place(tokens(9)); // [3, 3, 3]
    model.setUp(1, false);
    const plan = model.planFailover(1);
    model.setUp(3, false);
    expect(codeOf(() => model.apply(plan.moves))).toBe('BAD_REQUEST');
    model.setUp(3, true);
    model.place(tokens(2, 50)); // fills 2 and 3 to 4 each
    expect(codeOf(() => model.apply(plan.moves))).toBe('BAD_REQUEST');
    expect(model.loads()).toEqual([3, 4, 4]);
  });

  it('round-trips a snapshot and validates what it restores', () => {
    const model = new SocketPlacement({ sockets: 3, perSocket: 4 });
    model.place(tokens(7));
    model.remove(['NSE_FNO:2']);
    const saved = model.snapshot();
    const restored = new SocketPlacement({ sockets: 3, perSocket: 4 });
    restored.restore(saved);
    expect(restored.snapshot()).toEqual(saved);
    for (let id = 1; id <= 3; id++) expect(restored.tokensOn(id)).toEqual(model.tokensOn(id));

    const tooMany: PlacementEntry[] = tokens(5).map((t) => [t, 2]);
    expect(codeOf(() => restored.restore(tooMany))).toBe('CAPACITY');
    expect(codeOf(() => restored.restore([['NSE_FNO:1', 4]]))).toBe('BAD_REQUEST');
    expect(codeOf(() => restored.restore([['NSE_FNO:1', 1], ['NSE_FNO:1', 2]]))).toBe('BAD_REQUEST');
    expect(restored.snapshot()).toEqual(saved);
  });
});


describe('SocketPlacement: randomised operations', () => {
  it.each([1, 2, 3])('keeps every invariant through 3,000 random operations (seed %i)', (seed) => {
    const rng = createRandom(seed, 'placement');
    const random = (): number => rng.next();
    const int = (n: number): number => Math.floor(random() * n);
    const model = new SocketPlacement({ sockets: 5, perSocket: 30 });
    const universe = tokens(220);
    const counts = { placed: 0, refused: 0, failovers: 0, stranded: 0, evenOuts: 0 };
    for (let step = 0; step < 3000; step++) {
      const op = int(9);
      if (op <= 2) {
        const batch = Array.from({ length: 1 + int(25) }, () => universe[int(universe.length)]!);
        const fresh = new Set(batch.filter((t) => !model.has(t))).size;
        const before = model.snapshot();
        if (fresh > model.free) {
          expect(codeOf(() => model.place(batch))).toBe('CAPACITY');
          expect(model.snapshot()).toEqual(before);
          counts.refused++;
        } else {
          const placed = model.place(batch);
          for (const t of batch) expect(model.socketOf(t)).toBe(placed.get(t));
          counts.placed++;
        }
      } else if (op <= 4) {
        const batch = Array.from({ length: 1 + int(40) }, () => universe[int(universe.length)]!);
        const known = new Set(batch.filter((t) => model.has(t))).size;
        expect(model.remove(batch)).toBe(known);
      } else if (op === 5) {
        model.setUp(1 + int(model.sockets), random() < 0.6);
      } else if (op === 6) {
        const id = 1 + int(model.sockets);
        const plan = model.planFailover(id);
        model.apply(plan.moves);
        expect(model.tokensOn(id)).toEqual(plan.stranded);
        if (plan.stranded.length > 0) {
          for (const up of model.upSockets()) if (up !== id) expect(model.load(up)).toBe(model.perSocket);
          counts.stranded++;
        }
        counts.failovers++;
      } else if (op === 7) {
        const ups = model.upSockets();
        const upLoads = ups.map((id) => model.load(id));
        const moves = model.planEvenOut();
        model.apply(moves);
        if (ups.length > 0) {
          expect(moves).toHaveLength(
            (() => {
              const total = upLoads.reduce((a, b) => a + b, 0);
              const base = Math.floor(total / ups.length);
              const extra = total % ups.length;
              const ranked = [...upLoads].sort((a, b) => b - a);
              return ranked.reduce((s, l, r) => s + Math.max(0, l - (base + (r < extra ? 1 : 0))), 0);
            })(),
          );
          expect(spread(ups.map((id) => model.load(id)))).toBeLessThanOrEqual(1);
        }
        counts.evenOuts++;
      } else {
        const copy = new SocketPlacement({ sockets: 5, perSocket: 30 });
        copy.restore(model.snapshot());
        expect(copy.loads()).toEqual(model.loads());
      }
      checkInvariants(model);
    }
    // The sequence must have exercised the interesting paths, or it proves little.
    expect(counts.refused).toBeGreaterThan(0);
    expect(counts.stranded).toBeGreaterThan(0);
    expect(counts.placed).toBeGreaterThan(100);
    expect(counts.failovers - counts.stranded).toBeGreaterThan(50);
    expect(counts.evenOuts).toBeGreaterThan(100);
  });
});

describe('assign (undo of a removal)', () => {
  it('puts tokens back on their sockets, refusing repeats and overfull sockets without changing anything', () => {
    const p = new SocketPlacement({ sockets: 2, perSocket: 2 });
    p.place(['NSE_FNO:1', 'NSE_FNO:2', 'NSE_FNO:3']);
    const before = p.socketOf('NSE_FNO:1')!;
    p.remove(['NSE_FNO:1']);
    p.assign([['NSE_FNO:1', before]]);
    expect(p.socketOf('NSE_FNO:1')).toBe(before);
    expect(() => p.assign([['NSE_FNO:1', 1]])).toThrow(/already placed/);
    const full = p.loads()[0] === 2 ? 1 : 2;
    expect(() => p.assign([['NSE_FNO:9', full]])).toThrow(/no room/);
    expect(p.has('NSE_FNO:9')).toBe(false);
  });
});
