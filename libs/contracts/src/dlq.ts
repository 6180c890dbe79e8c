/** Dead-letter headers (docs/contract.md, "Dead letters"). The original headers are kept beside these. */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  error: 'x-dlq-error',
  target: 'x-dlq-target',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  sourceTimestamp: 'x-dlq-source-timestamp',
  consumerGroup: 'x-dlq-consumer-group',
  attempts: 'x-dlq-attempts',
  firstFailure: 'x-dlq-first-failure',
  lastFailure: 'x-dlq-last-failure',
  httpStatus: 'x-dlq-http-status',
} as const;

/** Prefix shared by every dead-letter header; replay strips headers that start with it. */
export const DLQ_HEADER_PREFIX = 'x-dlq-';

/** Counts how often the CLI replayed a record; replay refuses records past its limit. */
export const REPLAY_COUNT_HEADER = 'x-bridge-replay-count';

export const DLQ_REASONS = ['unroutable', 'malformed', 'invalid', 'rejected', 'exhausted'] as const;
export type DlqReason = (typeof DLQ_REASONS)[number];

/** Longest `x-dlq-error` value, in bytes of UTF-8. */
export const DLQ_ERROR_MAX_BYTES = 1024;
