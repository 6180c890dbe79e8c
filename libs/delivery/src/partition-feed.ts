import type { Job } from './job';
import { KeyLanes } from './key-lanes';
import { compareOffsets, OffsetTracker } from './offset-tracker';

/**
 * One topic-partition as the pipeline sees it: which offsets are done (its OffsetTracker), its key
 * lanes, the memory its records hold, and whether a fetched batch may continue it. Once abandoned
 * (a drain, a revoke) it takes nothing more: the partition starts afresh in a new one.
 */
export class PartitionFeed {
  readonly tracker = new OffsetTracker();
  readonly lanes = new KeyLanes();
  /** Bytes held by its records in hand (see Job.bytes). */
  bytes = 0;
  abandoned = false;
  /** The highest sequence number (see OffsetTracker) sent to the API or done. */
  startedSeq = -1;
  /** While draining: records up to this sequence number still go, to fill the holes below it. */
  drainUpTo = -1;
  /**
   * Set when a drain abandoned records of this partition: every offset below it is done. The
   * consumer must fetch again from at most here (the committed offset); a later offset would skip
   * abandoned records, so such a batch is refused.
   */
  private resumeFrom: string | undefined;
  private releasedSeen = 0;
  private movedAt = 0;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Records up to this offset are in hand or done: fetched again, they are skipped. */
  knownThrough: string | undefined;

  /**
   * How a fetched batch starting at `first` fits. After a drain gave up on records, only a fetch
   * from the first of them or earlier does ('again': the partition starts afresh from there);
   * else an Error. Otherwise it continues the partition ('next'); records it repeats (a fetch
   * again from an earlier offset: a rejoin, a failed commit) are skipped, see `knownThrough`.
   */
  fit(first: string): 'next' | 'again' | Error {
    if (this.resumeFrom === undefined) return 'next';
    return compareOffsets(first, this.resumeFrom) > 0
      ? this.misfit(first, `feed it from ${this.resumeFrom} or earlier`)
      : 'again';
  }

  /** The highest offset this partition has taken, or a previous feed of it had when it was replaced. */
  get taken(): string | undefined {
    return this.tracker.lastRegistered ?? this.knownThrough;
  }

  /** True once a drain gave up on records of this partition: they must be fetched again. */
  get gaveUp(): boolean {
    return this.resumeFrom !== undefined;
  }

  /** Where the partition must be fetched from after a drain gave up on some of its records. */
  get restartAt(): string | undefined {
    return this.resumeFrom ?? this.tracker.position();
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

  /**
   * How long the commit position has not moved while records are pending (0 when none are), as
   * seen by the calls of this method: call it on a timer.
   */
  stalledFor(now: number): number {
    const { released, pending } = this.tracker;
    if (pending === 0 || released !== this.releasedSeen || this.movedAt === 0) {
      this.releasedSeen = released;
      this.movedAt = now;
    }
    return pending === 0 ? 0 : now - this.movedAt;
  }

  /** The record holding the commit position back, when it heads its key lane. */
  oldestInLane(): Job | undefined {
    const first = this.tracker.firstPending();
    for (const head of this.lanes.heads()) if (head.record.offset === first) return head;
    return undefined;
  }

  /** Gives up on every unfinished record, in a lane or on its way to the DLQ. */
  abandon(): void {
    this.abandoned = true;
    this.lanes.abandonAll();
  }

  /** An Error unless every record of a fetched batch is of this partition, in rising offsets. */
  checkBatch(records: readonly { topic: string; partition: number; offset: string }[]): Error | undefined {
    for (let i = 1; i < records.length; i++) {
      const record = records[i];
      if (record.topic !== this.topic || record.partition !== this.partition) {
        return new Error('processBatch: all records of a batch must come from one partition');
      }
      if (compareOffsets(record.offset, records[i - 1].offset) <= 0) {
        return this.misfit(record.offset, `expected after ${records[i - 1].offset}`);
      }
    }
    return undefined;
  }

  misfit(offset: string, expected: string): Error {
    return new Error(`processBatch: offset ${offset} of ${this.topic}/${this.partition} does not fit: ${expected}`);
  }
}
