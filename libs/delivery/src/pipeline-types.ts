import type { DlqReason, InboundRecord, SendResult, Target } from '@app/contracts';
import type { OffsetTracker } from './offset-tracker';
import type { RetryPolicy } from './retry-policy';
import type { Scheduler } from './scheduler';
import type { DeadLetter, DeadLetterSink, TargetSender } from './target-sender';

/** Hooks for metrics and logs. They run synchronously on the hot path: keep them cheap. A hook that throws is ignored. */
export interface PipelineEvents {
  /** One API call answered 2xx for `records` records. */
  onDelivered?(records: number, durationMs: number, status: number): void;
  /** One API call failed transiently; it will be retried or, past the deadline, dead-lettered. */
  onRetry?(result: Extract<SendResult, { outcome: 'retryable' }>): void;
  /** The DLQ acknowledged `records` records given up on for `reason`. */
  onDeadLettered?(reason: DlqReason, records: number): void;
  /** One API call finished; `'error'` when there was no HTTP status (network error, timeout). */
  onRequest?(status: number | 'error', durationMs: number): void;
  /** The target circuit opened (true: pause fetching for this pipeline) or closed (false: resume). */
  onPausedChange?(paused: boolean): void;
  /** Concurrent API calls of this pipeline. */
  onInFlightChange?(inFlight: number): void;
  /** ctx.heartbeat() failed; `rebalancing` errors are swallowed, others reject processBatch. */
  onHeartbeatError?(error: unknown, rebalancing: boolean): void;
  /** A DLQ write failed; it is retried with backoff, forever. */
  onDeadLetterWriteError?(error: unknown, failures: number): void;
}

export interface TargetPipelineOptions<B = unknown> {
  target: Target;
  /** Consumer group this pipeline belongs to; written to x-dlq-consumer-group. */
  groupId: string;
  /** Name of the route header (BRIDGE_ROUTE_HEADER). */
  routeHeader: string;
  /** True in the one group that dead-letters records with a missing or unknown route header. */
  unroutable: boolean;
  /** Route values some group delivers (default: every TARGETS value); any other value is unroutable. */
  knownTargets?: readonly string[];
  sender: TargetSender<B>;
  deadLetters: DeadLetterSink;
  /** Backoff and per-record deadline for API calls. */
  retry: RetryPolicy;
  /** Concurrent API calls for the whole pipeline, across partitions. */
  maxInFlight: number;
  /** Consecutive retryable failures that open the circuit (default 5). */
  circuitThreshold?: number;
  /** How often ctx.heartbeat() is called while a batch waits (default 1000 ms). */
  heartbeatIntervalMs?: number;
  /** Backoff between failed DLQ writes (retried forever; default base 200 ms, cap 30 s). */
  deadLetterRetry?: RetryPolicy;
  /** Bounds of one DLQ write (defaults 100 letters, 512 KiB of keys and values; at least one letter). */
  deadLetterBatch?: { maxLetters: number; maxBytes: number };
  events?: PipelineEvents;
  scheduler?: Scheduler;
}

/** What the Kafka transport passes with each batch. */
export interface BatchContext {
  /** kafkajs eachBatch `heartbeat`. */
  heartbeat(): Promise<void>;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

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
  part: PartitionState;
  batch: BatchWaiter;
  seq: number;
  /** Key lane id; undefined for records that are dead-lettered without a send. */
  laneKey: string | undefined;
  nextInLane: Job | undefined;
  coalesceKey: string | undefined;
  size: number;
  readySeq: number;
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
  epoch: number;
  startedAt: number;
  timer: unknown;
}

export interface KeyLane {
  head: Job;
  tail: Job;
}

export interface BatchWaiter {
  remaining: number;
  settled: boolean;
  /** Given up on by a drain or revoke: its records are never marked done. */
  abandoned: boolean;
  resolve(): void;
  reject(error: unknown): void;
  heartbeatTimer: unknown;
}

export interface PartitionState {
  topic: string;
  partition: number;
  tracker: OffsetTracker;
  lanes: Map<string, KeyLane>;
  waiters: Set<BatchWaiter>;
  /**
   * Set when a drain abandoned records of this partition: every offset below it is done. The
   * consumer must re-fetch from at most here (the committed offset); a later offset would skip
   * abandoned records, so processBatch refuses it.
   */
  resumeFrom: string | undefined;
}
