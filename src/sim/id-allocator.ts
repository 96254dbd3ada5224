/**
 * Security ids for generated rows. Each segment has its own increasing sequence with seeded small
 * gaps, like the real master's blocks of nearly consecutive ids; ids are therefore unique within a
 * segment but repeat across segments (NSE_CURRENCY ids overlap NSE_EQ ids, as in the real file).
 * Reserved ids (real ids of named instruments) are skipped.
 */
import type { Random } from './seeded-random';

export class IdAllocator {
  private last: number;

  /**
   * @param start the first id handed out is just above this
   * @param gapChance probability that a step skips a few ids
   * @param maxGap largest number of ids skipped at once
   */
  constructor(
    start: number,
    private readonly random: Random,
    private readonly reserved: ReadonlySet<number> = new Set(),
    private readonly gapChance = 0.2,
    private readonly maxGap = 3,
  ) {
    this.last = start;
  }

  /** The next free id of the segment. */
  take(): number {
    do {
      this.last += this.random.chance(this.gapChance) ? 1 + this.random.int(1, this.maxGap) : 1;
    } while (this.reserved.has(this.last));
    return this.last;
  }
}
