import type { InboundRecord } from '@app/contracts';
import type { PartitionFeed } from './partition-feed';
import type { DeadLetter } from './target-sender';

export enum JobState {
  /** Behind an earlier record of its key. */
  Waiting,
  /** Head of its key lane, in the ready queue or waiting for a retry. */
  Ready,
  InCall,
  DeadLettering,
  Done,
  Abandoned,
}

/** One record of this target on its way. */
export interface Job {
  record: InboundRecord;
  body: unknown;
  part: PartitionFeed;
  /** Its sequence number in the partition's OffsetTracker. */
  seq: number;
  /** What it holds in memory, roughly: key, value and bookkeeping. */
  bytes: number;
  /** Key lane id; undefined for records that are dead-lettered without a send. */
  laneKey: string | undefined;
  nextInLane: Job | undefined;
  coalesceKey: string | undefined;
  size: number;
  /** The order the pipeline took it in, over every partition: oldest first in the ReadyQueue. */
  admitted: number;
  state: JobState;
  attempts: number;
  firstFailureAt: number;
  lastFailureAt: number;
  lastStatus: number | undefined;
  lastError: string | undefined;
  letter: DeadLetter | undefined;
}

/** One sender.send call, kept together across retries. */
export interface Call {
  jobs: Job[];
  /** Retryable failures so far (the backoff exponent). */
  failures: number;
  firstFailureAt: number;
  /** The drain epoch it was started in (see Drain). */
  epoch: number;
  startedAt: number;
  timer: unknown;
}

/** Given up on by a drain or a revoke: never marked done, fetched again from the commit position. */
export function isAbandoned(job: Job): boolean {
  return job.state === JobState.Abandoned || job.part.abandoned;
}

/**
 * Heap of one small record in hand besides its key and value: the consumer's decoded message, the
 * record, the job, the parsed body's objects (about 1 KiB measured for bodies of 230-400 bytes).
 */
const JOB_OVERHEAD_BYTES = 1024;

export function newJob(record: InboundRecord, part: PartitionFeed, seq: number): Job {
  return {
    record,
    body: undefined,
    part,
    seq,
    // The value three times: as fetched, parsed, and as the request body while it is sent.
    bytes: (record.key?.length ?? 0) + (record.value?.length ?? 0) * 3 + JOB_OVERHEAD_BYTES,
    laneKey: undefined,
    nextInLane: undefined,
    coalesceKey: undefined,
    size: 0,
    admitted: 0,
    state: JobState.Ready,
    attempts: 0,
    firstFailureAt: 0,
    lastFailureAt: 0,
    lastStatus: undefined,
    lastError: undefined,
    letter: undefined,
  };
}
