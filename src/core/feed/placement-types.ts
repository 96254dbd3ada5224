/**
 * What the feed pool needs to know of the instrument-to-socket assignment. The model itself
 * (least-loaded placement, failover, even-out) belongs to the subscriptions layer, which tells the
 * feed what to hold; the feed reads it through this interface and never imports subscriptions.
 */
import type { InstrumentToken } from '../../shared/instruments';

/** One instrument moving from one socket to another (socket ids are 1-based). */
export interface Move {
  token: InstrumentToken;
  from: number;
  to: number;
}

/** The assignment as the pool reads it. */
export interface SocketAssignments {
  /** Sockets in the pool (ids 1..sockets). */
  readonly sockets: number;
  /** The instruments placed on a socket. */
  tokensOn(socketId: number): InstrumentToken[];
  /** The socket an instrument is placed on, if any. */
  socketOf(token: InstrumentToken): number | undefined;
  /** Mark a socket up or down (a down socket gets no new placements). */
  setUp(socketId: number, up: boolean): void;
}
