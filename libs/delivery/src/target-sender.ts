import type { DlqReason, InboundRecord, ParseResult, SendResult, Target } from '@app/contracts';

/** How records of one target are parsed and sent. The engine owns ordering, retries and commits. */
export interface TargetSender<B = unknown> {
  readonly target: Target;
  /** Decodes (UTF-8 JSON) and validates the record's value for this target. Never throws. */
  parse(record: InboundRecord): ParseResult<B>;
  /**
   * Sends the bodies in one API call (more than one only when coalescing applies). Resolves with
   * the classified outcome; rejects only on a programming error (the engine then retries).
   */
  send(bodies: B[], signal?: AbortSignal): Promise<SendResult>;
  /** Bodies with the same key may share one call (Cloud Insight: cw_key); undefined = alone. */
  coalesceKey?(body: B): string | undefined;
  /** Limits of one coalesced call. */
  coalesce?: { maxRecords: number; maxBytes: number; lingerMs: number };
  /** Approximate encoded size of a body, for the coalescing byte limit. */
  sizeOf?(body: B): number;
}

/** A record the bridge gives up on, with what a person needs to understand why (SPEC section 4). */
export interface DeadLetter {
  record: InboundRecord;
  reason: DlqReason;
  error: string;
  target?: Target;
  attempts: number;
  firstFailure?: Date;
  lastFailure?: Date;
  httpStatus?: number;
  /** The consumer group that gave up on it (x-dlq-consumer-group); the writer's default otherwise. */
  consumerGroup?: string;
}

export interface DeadLetterSink {
  /** Resolves once the DLQ write is acknowledged by all in-sync replicas; rejects otherwise. */
  write(letters: DeadLetter[]): Promise<void>;
}
