import type { DlqReason, InboundRecord, ParseResult, SendResult, Target } from '@app/contracts';

/** Bodies with the same key may share one API call (Cloud Insight: one cw_key, many records). */
export interface Coalescing<B> {
  /** The coalesce key of a body; undefined: it goes alone. */
  key(body: B): string | undefined;
  /** Approximate encoded size of a body, for maxBytes. */
  sizeOf(body: B): number;
  maxRecords: number;
  maxBytes: number;
  /** How long the oldest body of a group that is not full may wait for company. */
  lingerMs: number;
}

/** How records of one target are parsed and sent. The engine owns ordering, retries and commits. */
export interface TargetSender<B = unknown> {
  readonly target: Target;
  /**
   * Decodes and validates the record for this target. Never throws. `byTopic`: the record has no
   * route header and is this target's by its topic's route, so its body is built from the record.
   */
  parse(record: InboundRecord, byTopic: boolean): ParseResult<B>;
  /**
   * Sends the bodies in one API call (more than one only when coalescing applies). Resolves with
   * the classified outcome; rejects only on a programming error (the engine then retries).
   */
  send(bodies: B[], signal?: AbortSignal): Promise<SendResult>;
  coalesce?: Coalescing<B>;
}

/** A record the bridge gives up on, with what a person needs to understand why (docs/contract.md). */
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
