import type { DlqReason, SendResult, Target } from '@app/contracts';
import type { CircuitCause } from './call-gate';
import type { RetryPolicyOptions } from './retry-policy';
import type { Scheduler } from './scheduler';
import type { DeadLetterSink, TargetSender } from './target-sender';

/** Hooks for metrics and logs. They run synchronously on the hot path: keep them cheap. A hook that throws is ignored. */
export interface PipelineEvents {
  /** One API call answered 2xx for `records` records. */
  onDelivered?(records: number, durationMs: number, status: number): void;
  /**
   * One API call failed for a reason that says nothing about its records (`probing`: the target's
   * circuit is open); it goes again, or past the deadline, while the target delivers others, its
   * records are dead-lettered.
   */
  onRetry?(result: Extract<SendResult, { outcome: 'retryable' | 'refused' }>, probing: boolean): void;
  /** The DLQ acknowledged `records` records given up on for `reason`. */
  onDeadLettered?(reason: DlqReason, records: number): void;
  /** One API call finished; `'error'` when there was no HTTP status (network error, timeout). */
  onRequest?(status: number | 'error', durationMs: number): void;
  /** The target circuit opened (with why: the API fails, or refuses our credentials) or closed. */
  onCircuitChange?(cause: CircuitCause | undefined): void;
  /**
   * Whether the consumer should fetch: not while the circuit is open and records are in hand to
   * probe with; again when it closes, or when nothing is left to probe with (after a rebalance).
   */
  onFetchChange?(fetch: boolean): void;
  /** A record for a target this process does not deliver (see `countElsewhere`). */
  onElsewhere?(target: string): void;
  /** Concurrent API calls of this pipeline. */
  onInFlightChange?(inFlight: number): void;
  /** The calls allowed in flight at once changed (see adaptiveConcurrency); also called at start. */
  onConcurrencyLimitChange?(limit: number): void;
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
  /** The targets this process delivers, in the one group per process that reports the others' records. */
  countElsewhere?: readonly string[];
  /** The target of each topic with a route (BRIDGE_ROUTES), for its records without the route header. */
  topicTargets?: ReadonlyMap<string, Target>;
  sender: TargetSender<B>;
  deadLetters: DeadLetterSink;
  /** Backoff and per-record deadline of API calls (RetryPolicy defaults; deadline 0 = forever). */
  retry: RetryPolicyOptions;
  /** Concurrent API calls for the whole pipeline, across partitions: the ceiling of the limit. */
  maxInFlight: number;
  /**
   * Whether the limit of calls in flight adapts to the API (see ConcurrencyLimit): grows while the
   * latency stays flat, shrinks when it rises or the API pushes back. Default false: maxInFlight.
   */
  adaptiveConcurrency?: boolean;
  /**
   * Memory the records in hand may hold (keys, values, bookkeeping) before processBatch waits for
   * room: the bound of what is fetched but not yet delivered (default 32 MiB). One batch is always
   * taken, whatever its size.
   */
  maxBufferedBytes?: number;
  /** Largest record value this target takes (bytes); a larger one is dead-lettered `invalid` unread. */
  maxRecordBytes?: number;
  /** Consecutive retryable failures that open the circuit (default 5); a refusal of our credentials opens it at once. */
  circuitThreshold?: number;
  /** Backoff between probes while the circuit is open (default base 500 ms, cap 30 s). */
  probeBackoff?: RetryPolicyOptions;
  /** How often ctx.heartbeat() is called while a batch waits (default 1000 ms). */
  heartbeatIntervalMs?: number;
  /** Backoff between failed DLQ writes (retried forever; default base 200 ms, cap 30 s). */
  deadLetterRetry?: Omit<RetryPolicyOptions, 'deadlineMs'>;
  /** Bounds of one DLQ write (defaults 100 letters, 512 KiB of keys and values; at least one letter). */
  deadLetterBatch?: { maxLetters: number; maxBytes: number };
  events?: PipelineEvents;
  scheduler?: Scheduler;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** Hooks are for metrics and logs: one that throws must not break delivery. */
export function guardEvents(events: PipelineEvents): PipelineEvents {
  const guarded: Record<string, (...args: unknown[]) => void> = {};
  for (const [name, hook] of Object.entries(events)) {
    if (typeof hook !== 'function') continue;
    guarded[name] = (...args: unknown[]) => {
      try {
        (hook as (...a: unknown[]) => void).apply(events, args);
      } catch {
        // ignored on purpose, see PipelineEvents
      }
    };
  }
  return guarded as PipelineEvents;
}
