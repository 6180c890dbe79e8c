/** Orders Kafka offsets given as decimal strings (no sign, no leading zeros) without BigInt. */
export function compareOffsets(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Which offset of one topic-partition may be committed. Records are registered in offset order as
 * they are fetched and marked done (delivered, dead-lettered or skipped) in any order; the
 * committable offset is the last done record of the contiguous done prefix, plus one.
 *
 * Contiguity is over the registered records, not over integers: compacted topics and transaction
 * markers leave holes in the offsets, and those holes never hold a commit back. Each record costs
 * O(1) amortised, and nothing is kept for a record once the prefix has moved past it.
 */
export class OffsetTracker {
  private offsets: (string | undefined)[] = [];
  private done: boolean[] = [];
  /** Sequence number of offsets[0]. */
  private base = 0;
  /** Index of the first record that is not done (everything before it is released). */
  private start = 0;
  private lastDone: string | undefined;
  private lastRegisteredOffset: string | undefined;
  private reported: string | undefined;

  /** Registers the next fetched record; returns its sequence number for markDone. */
  register(offset: string): number {
    if (this.lastRegisteredOffset !== undefined && compareOffsets(offset, this.lastRegisteredOffset) <= 0) {
      throw new Error(`offset ${offset} registered after ${this.lastRegisteredOffset}: offsets must increase`);
    }
    this.lastRegisteredOffset = offset;
    this.offsets.push(offset);
    this.done.push(false);
    return this.base + this.offsets.length - 1;
  }

  markDone(seq: number): void {
    const index = seq - this.base;
    if (index < this.start || index >= this.done.length) return;
    this.done[index] = true;
    if (index !== this.start) return;
    while (this.start < this.done.length && this.done[this.start]) {
      this.lastDone = this.offsets[this.start];
      this.offsets[this.start++] = undefined;
    }
    if (this.start === this.done.length) {
      this.base += this.start;
      this.offsets = [];
      this.done = [];
      this.start = 0;
    } else if (this.start >= 1024 && this.start * 2 >= this.done.length) {
      this.base += this.start;
      this.offsets = this.offsets.slice(this.start);
      this.done = this.done.slice(this.start);
      this.start = 0;
    }
  }

  /** The offset to commit (last contiguous done + 1), whether or not it was reported before. */
  position(): string | undefined {
    return this.lastDone === undefined ? undefined : (BigInt(this.lastDone) + 1n).toString();
  }

  /** The offset to commit if it moved since the last call; undefined if nothing new. */
  committable(): string | undefined {
    const position = this.position();
    if (position === undefined || position === this.reported) return undefined;
    this.reported = position;
    return position;
  }

  /** Offset of the first registered record that is not done, if any. */
  firstPending(): string | undefined {
    return this.offsets[this.start];
  }

  /** Registered records not yet released by the done prefix. */
  get pending(): number {
    return this.done.length - this.start;
  }

  /** How many records the done prefix has released so far: it grows whenever the position moves. */
  get released(): number {
    return this.base + this.start;
  }

  get lastRegistered(): string | undefined {
    return this.lastRegisteredOffset;
  }
}
