/**
 * When each subscribed instrument trades next: a binary min-heap of (time, item) in typed arrays,
 * with each item's heap position kept so an unsubscribe removes it in O(log n). Items are small
 * non-negative integers (the model's slot numbers).
 *
 * Policy: the hot path is "look at the earliest, process it, push its next time back"; that is
 * one `replaceTop` (a single sift-down), not a pop plus a push, and nothing is allocated per tick.
 * A wheel would be O(1) but needs a bucket width tuned to rates spanning 1/120 to 200+ per second;
 * the heap needs no tuning and its log2(25,000) = 15 levels are cheap next to pricing.
 */

export class TickSchedule {
  private times: Float64Array;
  private items: Int32Array;
  /** Heap position of each item, -1 when not scheduled. */
  private position: Int32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.items = new Int32Array(initialCapacity);
    this.position = new Int32Array(initialCapacity).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  has(item: number): boolean {
    return item < this.position.length && this.position[item] !== -1;
  }

  /** Time of the earliest entry (Infinity when empty). */
  topTime(): number {
    return this.count > 0 ? this.times[0] : Infinity;
  }

  /** Instrument of the earliest entry (-1 when empty). */
  topItem(): number {
    return this.count > 0 ? this.items[0] : -1;
  }

  /** The item at heap position `slot` (0 <= slot < size), for iteration. */
  itemAt(slot: number): number {
    return this.items[slot];
  }

  /** Schedules an item that is not yet scheduled. */
  push(item: number, time: number): void {
    if (this.count === this.times.length) this.grow();
    if (item >= this.position.length) this.growPositions(item + 1);
    const slot = this.count;
    this.count += 1;
    this.place(slot, item, time);
    this.siftUp(slot);
  }

  /** Moves the earliest entry to `time`. */
  replaceTop(time: number): void {
    this.times[0] = time;
    this.siftDown(0);
  }

  /** Unschedules an item (no-op when not scheduled). */
  remove(item: number): void {
    if (!this.has(item)) return;
    const slot = this.position[item];
    this.position[item] = -1;
    this.count -= 1;
    if (slot === this.count) return;
    this.place(slot, this.items[this.count], this.times[this.count]);
    this.siftDown(slot);
    this.siftUp(slot);
  }

  /** Sets every entry's time via `timeOf(item)` and restores heap order in O(n). */
  reschedule(timeOf: (item: number) => number): void {
    for (let slot = 0; slot < this.count; slot += 1) this.times[slot] = timeOf(this.items[slot]);
    for (let slot = (this.count >> 1) - 1; slot >= 0; slot -= 1) this.siftDown(slot);
  }

  private place(slot: number, item: number, time: number): void {
    this.items[slot] = item;
    this.times[slot] = time;
    this.position[item] = slot;
  }

  private siftUp(start: number): void {
    const item = this.items[start];
    const time = this.times[start];
    let slot = start;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (this.times[parent] <= time) break;
      this.place(slot, this.items[parent], this.times[parent]);
      slot = parent;
    }
    this.place(slot, item, time);
  }

  private siftDown(start: number): void {
    const item = this.items[start];
    const time = this.times[start];
    const n = this.count;
    let slot = start;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= n) break;
      if (child + 1 < n && this.times[child + 1] < this.times[child]) child += 1;
      if (this.times[child] >= time) break;
      this.place(slot, this.items[child], this.times[child]);
      slot = child;
    }
    this.place(slot, item, time);
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const items = new Int32Array(this.items.length * 2);
    items.set(this.items);
    this.times = times;
    this.items = items;
  }

  private growPositions(atLeast: number): void {
    const position = new Int32Array(Math.max(atLeast, this.position.length * 2)).fill(-1);
    position.set(this.position);
    this.position = position;
  }
}
