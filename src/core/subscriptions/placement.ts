/**
 * Which instrument sits on which Dhan feed socket: the feed pool's bookkeeping as a pure,
 * deterministic model (no sockets, no timers). The real connections follow this model, and it is
 * what `subscriptions.ws_connection_id` persists, so it is the one answer to "where is X?".
 *
 * Placement policy, and why:
 * - Least-loaded socket, one token at a time, ties to the lowest id. A chain of 101 strikes spreads
 *   across the sockets instead of landing on one, so losing a socket hurts every chain a little
 *   rather than one chain completely. Lowest-id ties make every decision reproducible.
 * - Up sockets first. A down socket takes new tokens only when no up socket has room: they are in
 *   the desired set and are subscribed when it reconnects, which beats refusing the user.
 * - All or nothing. A batch that does not fit the free capacity is refused whole, so the
 *   subscription manager never has to unwind half a chain (DESIGN.md: nothing half-subscribed).
 * - Failover moves a dead socket's tokens greedily to the least-loaded up sockets with room. What
 *   does not fit stays where it is (stranded), not dropped: it is still wanted, and it comes back
 *   with its socket.
 * - Even-out after a return moves only the surplus above each up socket's target, and gives the
 *   rounded-up targets to the sockets that are already most loaded. That is the fewest moves that
 *   leave loads within one of each other; every move is an unsubscribe, a subscribe and a gap in
 *   that instrument's ticks, so fewer is better than prettier.
 * - Plans are values. `planFailover` and `planEvenOut` change nothing; `apply` checks a plan is
 *   still current and applies all of it or none, so a plan made before a reconnect or a new
 *   subscription cannot corrupt the model.
 */
import { AppError } from '../../shared/errors';
import { parseToken, type InstrumentToken } from '../../shared/instruments';
import { MAX_FEED_SOCKETS, MAX_INSTRUMENTS_PER_SOCKET } from '../../shared/product';
import type { Move, SocketAssignments } from '../feed/placement-types';

export type { Move } from '../feed/placement-types';


/** Pool size. Both default to Dhan's limits and may only be lowered. */
export interface PlacementOptions {
  /** Sockets to use, 1..5 (a trader may keep one free for other tools). Default 5. */
  sockets?: number;
  /** Instruments per socket, 1..5,000 (small values are for tests). Default 5,000. */
  perSocket?: number;
}


/**
 * A failover plan: `moves` to apply, and `stranded`, the tokens that stay on the failed socket
 * because the up sockets had no room for them (in that socket's placement order).
 */
export interface FailoverPlan {
  moves: Move[];
  stranded: InstrumentToken[];
}

/** One saved placement: a token and its socket id (the `ws_connection_id` column). */
export type PlacementEntry = [token: InstrumentToken, socketId: number];

/**
 * The instrument-to-socket assignment of the feed pool. Socket ids are 1..`sockets`, matching
 * `ws_connection_id`; all sockets start up. Errors are `AppError`s: 'CAPACITY' when instruments
 * do not fit, 'BAD_REQUEST' for an unknown socket id, a malformed token or a stale plan.
 */
export class SocketPlacement implements SocketAssignments {
  /** Number of sockets in the pool. */
  readonly sockets: number;
  /** Most instruments one socket may carry. */
  readonly perSocket: number;
  private readonly socketByToken = new Map<InstrumentToken, number>();
  /** Per socket (index id-1), its tokens in placement order. */
  private readonly tokensBySocket: Set<InstrumentToken>[];
  private readonly upBySocket: boolean[];

  /** Builds an empty model; throws BAD_REQUEST when a limit is outside Dhan's. */
  constructor(options: PlacementOptions = {}) {
    this.sockets = checkLimit('sockets', options.sockets ?? MAX_FEED_SOCKETS, MAX_FEED_SOCKETS);
    this.perSocket = checkLimit('perSocket', options.perSocket ?? MAX_INSTRUMENTS_PER_SOCKET, MAX_INSTRUMENTS_PER_SOCKET);
    this.tokensBySocket = Array.from({ length: this.sockets }, () => new Set<InstrumentToken>());
    this.upBySocket = new Array<boolean>(this.sockets).fill(true);
  }

  /** Instruments placed. */
  get size(): number {
    return this.socketByToken.size;
  }

  /** Instruments the pool can carry: sockets x perSocket, down sockets included. */
  get capacity(): number {
    return this.sockets * this.perSocket;
  }

  /** Room left: capacity - size. */
  get free(): number {
    return this.capacity - this.size;
  }

  /**
   * Places every token not yet placed on the least-loaded up socket with room (ties: lowest id),
   * one at a time; a down socket only when no up socket has room. Tokens already placed keep
   * their socket. Returns the socket of every distinct input token. Throws CAPACITY, changing
   * nothing, when the new tokens outnumber the free slots; BAD_REQUEST for a malformed token.
   */
  place(tokens: readonly InstrumentToken[]): Map<InstrumentToken, number> {
    const fresh = new Set<InstrumentToken>();
    for (const token of tokens) {
      if (this.socketByToken.has(token) || fresh.has(token)) continue;
      checkToken(token);
      fresh.add(token);
    }
    if (fresh.size > this.free) {
      throw new AppError(
        'CAPACITY',
        `feed capacity exceeded: ${fresh.size} new instruments need room, ${this.free} of ${this.capacity} slots free`,
      );
    }
    const loads = this.loads();
    const up = (i: number): boolean => this.upBySocket[i];
    const down = (i: number): boolean => !this.upBySocket[i];
    for (const token of fresh) {
      let to = leastLoaded(loads, this.perSocket, up);
      if (to === 0) to = leastLoaded(loads, this.perSocket, down);
      loads[to - 1]++;
      this.put(token, to);
    }
    const placed = new Map<InstrumentToken, number>();
    for (const token of tokens) placed.set(token, this.socketByToken.get(token)!);
    return placed;
  }

  /** Removes the tokens; returns how many were placed (unknown tokens are ignored). */
  remove(tokens: readonly InstrumentToken[]): number {
    let removed = 0;
    for (const token of tokens) {
      const socketId = this.socketByToken.get(token);
      if (socketId === undefined) continue;
      this.socketByToken.delete(token);
      this.tokensBySocket[socketId - 1].delete(token);
      removed++;
    }
    return removed;
  }

  /** The socket id carrying the token, or undefined when it is not placed. */
  socketOf(token: InstrumentToken): number | undefined {
    return this.socketByToken.get(token);
  }

  /** Whether the token is placed. */
  has(token: InstrumentToken): boolean {
    return this.socketByToken.has(token);
  }

  /** The tokens on a socket, oldest placement first. */
  tokensOn(socketId: number): InstrumentToken[] {
    return [...this.tokensBySocket[this.indexOf(socketId)]];
  }

  /** Number of tokens on a socket. */
  load(socketId: number): number {
    return this.tokensBySocket[this.indexOf(socketId)].size;
  }

  /** Loads of all sockets; index i is socket i+1. */
  loads(): number[] {
    return this.tokensBySocket.map((set) => set.size);
  }

  /** Whether a socket is up. */
  isUp(socketId: number): boolean {
    return this.upBySocket[this.indexOf(socketId)];
  }

  /** Ids of the sockets that are up, ascending. */
  upSockets(): number[] {
    const ids: number[] = [];
    this.upBySocket.forEach((up, i) => {
      if (up) ids.push(i + 1);
    });
    return ids;
  }

  /** Marks a socket up or down. Its tokens stay on it either way: moving them is a plan. */
  setUp(socketId: number, up: boolean): void {
    this.upBySocket[this.indexOf(socketId)] = up;
  }

  /**
   * Plans moving a socket's tokens (in placement order) to the least-loaded up sockets with room,
   * one at a time (ties: lowest id). Tokens that find no room are `stranded` and stay put. Changes
   * nothing. Normally the socket is down past its grace period; an up socket is drained the same way.
   */
  planFailover(socketId: number): FailoverPlan {
    const from = this.indexOf(socketId) + 1;
    const loads = this.loads();
    const target = (i: number): boolean => this.upBySocket[i] && i !== from - 1;
    const moves: Move[] = [];
    const stranded: InstrumentToken[] = [];
    for (const token of this.tokensBySocket[from - 1]) {
      const to = stranded.length > 0 ? 0 : leastLoaded(loads, this.perSocket, target);
      if (to === 0) {
        stranded.push(token);
        continue;
      }
      loads[to - 1]++;
      moves.push({ token, from, to });
    }
    return { moves, stranded };
  }

  /**
   * Plans the fewest moves that leave the up sockets' loads within one of each other. Targets are
   * floor(total / up) each, plus one for the `total mod up` most-loaded sockets (ties: lowest id);
   * each socket above target gives up its most recently placed tokens, and sockets below target
   * take them in ascending id order. Down sockets are left alone. Changes nothing.
   */
  planEvenOut(): Move[] {
    const loads = this.loads();
    const ups = this.upSockets().map((id) => id - 1);
    if (ups.length === 0) return [];
    const total = ups.reduce((sum, i) => sum + loads[i], 0);
    const base = Math.floor(total / ups.length);
    const extra = total % ups.length;
    const targets = new Map<number, number>();
    [...ups]
      .sort((a, b) => loads[b] - loads[a] || a - b)
      .forEach((i, rank) => targets.set(i, base + (rank < extra ? 1 : 0)));

    const outgoing: { token: InstrumentToken; from: number }[] = [];
    for (const i of ups) {
      const surplus = loads[i] - targets.get(i)!;
      if (surplus <= 0) continue;
      const onSocket = [...this.tokensBySocket[i]];
      for (let j = onSocket.length - 1; j >= onSocket.length - surplus; j--) {
        outgoing.push({ token: onSocket[j], from: i + 1 });
      }
    }
    const moves: Move[] = [];
    let next = 0;
    for (const i of ups) {
      for (let deficit = targets.get(i)! - loads[i]; deficit > 0; deficit--) {
        moves.push({ ...outgoing[next++], to: i + 1 });
      }
    }
    return moves;
  }

  /**
   * Applies a plan, all of it or none. Throws BAD_REQUEST, changing nothing, when the plan is
   * stale or invalid: a token not on its move's `from` socket (moves apply in order, so a token may
   * move twice), a move to the same socket or to a down or unknown socket, or a socket left above
   * `perSocket`. Re-plan and try again.
   */
  apply(moves: readonly Move[]): void {
    const loads = this.loads();
    const movedTo = new Map<InstrumentToken, number>();
    for (const { token, from, to } of moves) {
      const toIndex = this.indexOf(to);
      const current = movedTo.get(token) ?? this.socketByToken.get(token);
      if (current !== from) {
        const where = current === undefined ? 'is not placed' : `is on socket ${current}`;
        throw new AppError('BAD_REQUEST', `stale feed plan: ${token} ${where}, not socket ${from}`);
      }
      if (to === from) throw new AppError('BAD_REQUEST', `invalid feed plan: ${token} moves from socket ${from} to itself`);
      if (!this.upBySocket[toIndex]) throw new AppError('BAD_REQUEST', `stale feed plan: socket ${to} is down`);
      loads[from - 1]--;
      loads[toIndex]++;
      movedTo.set(token, to);
    }
    const over = loads.findIndex((load) => load > this.perSocket);
    if (over >= 0) {
      throw new AppError('BAD_REQUEST', `stale feed plan: socket ${over + 1} would carry ${loads[over]} > ${this.perSocket}`);
    }
    for (const { token, from, to } of moves) {
      this.tokensBySocket[from - 1].delete(token);
      this.put(token, to);
    }
  }

  /**
   * Puts tokens back on the given sockets (used to undo a removal when a later step of the same
   * operation fails). Changes nothing and throws BAD_REQUEST for a token already placed or an
   * unknown socket, CAPACITY when a socket would exceed `perSocket`.
   */
  assign(entries: readonly PlacementEntry[]): void {
    const counts = this.loads();
    const seen = new Set<InstrumentToken>();
    for (const [token, socketId] of entries) {
      const i = this.indexOf(socketId);
      checkToken(token);
      if (this.socketByToken.has(token) || seen.has(token)) throw new AppError('BAD_REQUEST', `${token} is already placed`);
      seen.add(token);
      if (++counts[i] > this.perSocket) throw new AppError('CAPACITY', `socket ${socketId} has no room for ${token}`);
    }
    for (const [token, socketId] of entries) this.put(token, socketId);
  }

  /** The assignment, socket by socket in ascending id, each in placement order. */
  snapshot(): PlacementEntry[] {
    const entries: PlacementEntry[] = [];
    this.tokensBySocket.forEach((set, i) => {
      for (const token of set) entries.push([token, i + 1]);
    });
    return entries;
  }

  /**
   * Replaces the assignment with a saved one (e.g. `ws_connection_id` after a restart); each
   * socket's tokens keep the entries' order. Up/down state is unchanged. Changes nothing and
   * throws BAD_REQUEST for an unknown socket id, a malformed or repeated token; CAPACITY when a
   * socket would carry more than `perSocket` (a saved assignment from a larger configuration:
   * place those tokens afresh instead).
   */
  restore(entries: readonly PlacementEntry[]): void {
    const seen = new Set<InstrumentToken>();
    const counts = new Array<number>(this.sockets).fill(0);
    for (const [token, socketId] of entries) {
      const i = this.indexOf(socketId);
      checkToken(token);
      if (seen.has(token)) throw new AppError('BAD_REQUEST', `saved feed placement repeats ${token}`);
      seen.add(token);
      if (++counts[i] > this.perSocket) {
        throw new AppError('CAPACITY', `saved feed placement puts more than ${this.perSocket} instruments on socket ${socketId}`);
      }
    }
    this.socketByToken.clear();
    for (const set of this.tokensBySocket) set.clear();
    for (const [token, socketId] of entries) this.put(token, socketId);
  }

  private put(token: InstrumentToken, socketId: number): void {
    this.socketByToken.set(token, socketId);
    this.tokensBySocket[socketId - 1].add(token);
  }

  /** Index (id-1) of a valid socket id; BAD_REQUEST otherwise. */
  private indexOf(socketId: number): number {
    if (!Number.isInteger(socketId) || socketId < 1 || socketId > this.sockets) {
      throw new AppError('BAD_REQUEST', `no feed socket ${socketId}: ids are 1..${this.sockets}`);
    }
    return socketId - 1;
  }
}

/** Id of the least-loaded socket with room that `eligible` admits (ties: lowest id); 0 when none. */
function leastLoaded(loads: readonly number[], perSocket: number, eligible: (index: number) => boolean): number {
  let best = -1;
  for (let i = 0; i < loads.length; i++) {
    if (loads[i] >= perSocket || !eligible(i)) continue;
    if (best < 0 || loads[i] < loads[best]) best = i;
  }
  return best + 1;
}

function checkLimit(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new AppError('BAD_REQUEST', `${name} must be an integer 1..${max}, got ${value}`);
  }
  return value;
}

function checkToken(token: InstrumentToken): void {
  if (parseToken(token) === null) throw new AppError('BAD_REQUEST', `not an instrument token: "${token}"`);
}
