import type { BatchWaiter } from './batch-waiter';
import { KeyLanes } from './key-lanes';
import { compareOffsets, OffsetTracker } from './offset-tracker';

/**
 * One topic-partition as the pipeline sees it: which offsets are done (its OffsetTracker), its key
 * lanes and the fetched batches waiting on it, and whether a fetched batch may continue it.
 */
export class PartitionFeed {
  readonly tracker = new OffsetTracker();
  readonly lanes = new KeyLanes();
  readonly waiters = new Set<BatchWaiter>();
  /**
   * Set when a drain abandoned records of this partition: every offset below it is done. The
   * consumer must fetch again from at most here (the committed offset); a later offset would skip
   * abandoned records, so such a batch is refused.
   */
  private resumeFrom: string | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /**
   * How a fetched batch starting at `first` fits: 'next' continues the partition; 'again' means it
   * was fetched again from an earlier offset (a failed commit, a seek, after a drain) and the
   * partition starts afresh; an Error when taking it would skip records that are not done.
   */
  fit(first: string): 'next' | 'again' | Error {
    if (this.resumeFrom !== undefined) {
      return compareOffsets(first, this.resumeFrom) > 0
        ? this.misfit(first, `feed it from ${this.resumeFrom} or earlier`)
        : 'again';
    }
    const last = this.tracker.lastRegistered;
    if (last === undefined || compareOffsets(first, last) > 0) return 'next';
    return this.tracker.pending > 0 ? this.misfit(first, `expected after ${last}`) : 'again';
  }

  /** Records from `offset` on (if given) were not taken: the partition must be fed from there or earlier. */
  resumeAt(offset: string | undefined): void {
    if (offset === undefined) return;
    if (this.resumeFrom === undefined || compareOffsets(offset, this.resumeFrom) < 0) this.resumeFrom = offset;
  }

  /** A batch came while a drain ran and was not taken: it must be fetched again. */
  notTaken(first: string): void {
    this.resumeAt(this.resumeFrom ?? this.tracker.firstPending() ?? first);
    this.resumeAt(first);
  }

  /**
   * Offsets up to `lastOffset` that the consumer filtered out (transaction markers, aborted
   * records) count as done, so the commit moves past them once every record before is done.
   */
  skipTo(lastOffset: string): void {
    const last = this.tracker.lastRegistered;
    if (last === undefined || compareOffsets(lastOffset, last) > 0)
      this.tracker.markDone(this.tracker.register(lastOffset));
  }

  /** A drain gives up on what is not done: remember where to resume, abandon the rest. */
  abandonPending(): void {
    this.resumeAt(this.tracker.firstPending());
    this.abandon();
  }

  /** Gives up on every unfinished record and settles the batches waiting on them. */
  abandon(): void {
    this.lanes.abandonAll();
    for (const waiter of this.waiters) {
      waiter.abandoned = true; // reaches the records dead-lettered outside a lane
      waiter.settle();
    }
    this.waiters.clear();
  }

  misfit(offset: string, expected: string): Error {
    return new Error(`processBatch: offset ${offset} of ${this.topic}/${this.partition} does not fit: ${expected}`);
  }
}
