/**
 * A column of strings stored as one string plus offsets. 290k separate short strings cost about
 * 40 bytes each and dominate a snapshot load (splitting and then collecting them); one string with
 * a Uint32Array of offsets loads in one step and yields each value as a cheap slice on demand.
 */
export class TextColumn {
  /** `offsets` has length + 1 entries; value i is text.slice(offsets[i], offsets[i + 1]). */
  constructor(
    readonly text: string,
    readonly offsets: Uint32Array,
  ) {}

  static from(values: readonly string[]): TextColumn {
    const offsets = new Uint32Array(values.length + 1);
    let at = 0;
    for (let i = 0; i < values.length; i++) {
      at += values[i]!.length;
      offsets[i + 1] = at;
    }
    return new TextColumn(values.join(''), offsets);
  }

  get length(): number {
    return this.offsets.length - 1;
  }

  get(i: number): string {
    return this.text.slice(this.offsets[i]!, this.offsets[i + 1]!);
  }

  /** True when value i equals `s`, without creating the slice. */
  equals(i: number, s: string): boolean {
    const start = this.offsets[i]!;
    const len = this.offsets[i + 1]! - start;
    return len === s.length && this.text.startsWith(s, start);
  }

  toArray(): string[] {
    return Array.from({ length: this.length }, (_, i) => this.get(i));
  }
}
