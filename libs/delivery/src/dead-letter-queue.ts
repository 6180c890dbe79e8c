import { Fifo } from './fifo';
import { isAbandoned, type Job } from './job';
import type { RetryPolicy } from './retry-policy';
import type { Scheduler } from './scheduler';
import type { DeadLetterSink } from './target-sender';

export interface DeadLetterQueueOptions {
  sink: DeadLetterSink;
  retry: RetryPolicy;
  scheduler: Scheduler;
  maxLetters: number;
  maxBytes: number;
  /** The sink acknowledged these jobs' letters. */
  onWritten(jobs: Job[]): void;
  onWriteError(error: unknown, failures: number): void;
  /** Nothing pending and nothing being written. */
  onIdle(): void;
}

/**
 * Writes dead letters one batch at a time (letters queued in the same tick share a write). A write
 * that fails is retried as it was, with backoff, forever: a record is only done once its letter is
 * acknowledged, so giving up would either lose it or block its partition for good anyway. Jobs
 * abandoned by a drain or a revoke are left out of later writes.
 */
export class DeadLetterQueue {
  private readonly pending = new Fifo<Job>();
  private writing: Job[] | undefined;
  private retryTimer: unknown;
  private flushQueued = false;
  private failures = 0;
  private firstFailureAt = 0;
  private epoch = 0;

  constructor(private readonly options: DeadLetterQueueOptions) {}

  push(job: Job): void {
    this.pending.push(job);
    if (this.writing === undefined && !this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        if (this.writing === undefined) this.write(this.nextBatch());
      });
    }
  }

  get idle(): boolean {
    return this.writing === undefined && this.pending.length === 0;
  }

  /** Drops everything queued and ignores the outcome of a write under way (its records stay not done). */
  abandon(): void {
    this.epoch++;
    this.pending.clear();
    this.writing = undefined;
    if (this.retryTimer !== undefined) this.options.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.failures = 0;
  }

  private nextBatch(): Job[] {
    const batch: Job[] = [];
    let bytes = 0;
    while (batch.length < this.options.maxLetters) {
      const job = this.pending.peek();
      if (job === undefined) break;
      const size = (job.record.key?.length ?? 0) + (job.record.value?.length ?? 0);
      if (batch.length > 0 && bytes + size > this.options.maxBytes) break;
      this.pending.shift();
      if (isAbandoned(job)) continue;
      batch.push(job);
      bytes += size;
    }
    return batch;
  }

  private write(batch: Job[]): void {
    batch = batch.filter((job) => !isAbandoned(job));
    if (batch.length === 0) {
      this.writing = undefined;
      if (this.pending.length > 0) return this.write(this.nextBatch());
      return this.options.onIdle();
    }
    this.writing = batch;
    const epoch = this.epoch;
    let result: Promise<void>;
    try {
      result = this.options.sink.write(batch.map((job) => job.letter!));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      () => {
        if (epoch !== this.epoch) return;
        this.failures = 0;
        this.writing = undefined;
        this.options.onWritten(batch);
        this.write(this.nextBatch());
      },
      (error: unknown) => {
        if (epoch !== this.epoch) return;
        const now = this.options.scheduler.now();
        if (this.failures++ === 0) this.firstFailureAt = now;
        this.options.onWriteError(error, this.failures);
        const decision = this.options.retry.next(this.failures - 1, this.firstFailureAt, now);
        const delay = decision.retryInMs ?? this.options.retry.capMs;
        this.retryTimer = this.options.scheduler.setTimeout(() => {
          this.retryTimer = undefined;
          this.write(batch);
        }, delay);
      },
    );
  }
}
