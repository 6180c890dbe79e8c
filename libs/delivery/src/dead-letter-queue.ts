import { Fifo } from './fifo';
import { isAbandoned, type Job } from './job';
import type { RetryPolicy } from './retry-policy';
import type { Scheduler } from './scheduler';
import type { DeadLetterSink } from './target-sender';

export interface DeadLetterQueueOptions {
  sink: DeadLetterSink;
  /** Its backoff between tries of a letter (no deadline: a letter is tried until it is written). */
  retry: RetryPolicy;
  scheduler: Scheduler;
  maxLetters: number;
  maxBytes: number;
  /** The sink acknowledged these jobs' letters. */
  onWritten(jobs: Job[]): void;
  onWriteError(error: unknown, failures: number): void;
  /** Nothing pending, waiting or being written. */
  onIdle(): void;
}

interface Waiting {
  timer: unknown;
  failures: number;
}

/**
 * Writes dead letters one write at a time (letters queued in the same tick share a write). A write
 * that fails is split: its letters go again one by one, so that one letter the DLQ cannot take (too
 * large for the topic, say) does not hold the others back. A letter that fails on its own waits
 * out a backoff and is tried again, forever, while the letters after it go on: a record is only
 * done once its letter is acknowledged, so giving up would lose it. Jobs abandoned by a drain or a
 * revoke are left out of later writes.
 */
export class DeadLetterQueue {
  private readonly pending = new Fifo<Job>();
  /** Letters of a failed write, to be written one by one before the others. */
  private readonly alone = new Fifo<Job>();
  /** Letters that failed on their own, waiting out their backoff. */
  private readonly waiting = new Map<Job, Waiting>();
  private writing: Job[] | undefined;
  private flushQueued = false;
  private failures = 0;
  private epoch = 0;

  constructor(private readonly options: DeadLetterQueueOptions) {}

  push(job: Job): void {
    this.pending.push(job);
    this.kick();
  }

  get idle(): boolean {
    return (
      this.writing === undefined && this.pending.length === 0 && this.alone.length === 0 && this.waiting.size === 0
    );
  }

  /** Letters that failed on their own and wait to be tried again. */
  get stuck(): number {
    return this.waiting.size;
  }

  /** Drops everything queued and ignores the outcome of a write under way (its records stay not done). */
  abandon(): void {
    this.epoch++;
    this.pending.clear();
    this.alone.clear();
    for (const { timer } of this.waiting.values()) this.options.scheduler.clearTimeout(timer);
    this.waiting.clear();
    this.writing = undefined;
    this.failures = 0;
  }

  /** Starts a write in a microtask, unless one is under way: letters pushed meanwhile share it. */
  private kick(): void {
    if (this.writing !== undefined || this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      if (this.writing === undefined) this.writeNext();
    });
  }

  private writeNext(): void {
    const single = this.alone.shift();
    this.write(single === undefined ? this.nextBatch() : [single]);
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
      if (this.alone.length > 0 || this.pending.length > 0) return this.writeNext();
      if (this.idle) this.options.onIdle();
      return;
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
        for (const job of batch) this.waiting.delete(job);
        this.options.onWritten(batch);
        this.writeNext();
      },
      (error: unknown) => {
        if (epoch !== this.epoch) return;
        this.writing = undefined;
        this.options.onWriteError(error, ++this.failures);
        if (batch.length > 1) for (const job of batch) this.alone.push(job);
        else this.wait(batch[0]);
        this.writeNext();
      },
    );
  }

  /** A letter that failed on its own goes again after its backoff. */
  private wait(job: Job): void {
    const entry = this.waiting.get(job) ?? { timer: undefined, failures: 0 };
    const delay = this.options.retry.backoff(entry.failures++);
    entry.timer = this.options.scheduler.setTimeout(() => {
      entry.timer = undefined;
      this.alone.push(job);
      this.kick();
    }, delay);
    this.waiting.set(job, entry);
  }
}
