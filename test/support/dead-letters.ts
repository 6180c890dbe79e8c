import type { IHeaders } from 'kafkajs';
import { DLQ_HEADERS, DlqReason } from '@app/contracts';
import type { TestRecord } from './kafka';

/** A recent timestamp: dead letters keep the original one, and an old one is deleted by retention mid-test. */
export const SENT_AT = String(Date.now() - 60_000);

export interface Original {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders;
}

export interface Failure {
  reason: DlqReason;
  target?: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: number;
  lastFailure: string;
  attempts?: number;
  httpStatus?: number;
  error: string;
}

/** A dead-letter record the way the bridge writes it: the original plus the x-dlq-* headers. */
export function deadLetter(original: Original, f: Failure): TestRecord {
  const dlq: IHeaders = {
    [DLQ_HEADERS.reason]: f.reason,
    [DLQ_HEADERS.error]: f.error,
    [DLQ_HEADERS.sourceTopic]: f.sourceTopic,
    [DLQ_HEADERS.sourcePartition]: String(f.sourcePartition),
    [DLQ_HEADERS.sourceOffset]: String(f.sourceOffset),
    [DLQ_HEADERS.sourceTimestamp]: SENT_AT,
    [DLQ_HEADERS.consumerGroup]: 'kafka-ncp-bridge',
    [DLQ_HEADERS.attempts]: String(f.attempts ?? 1),
    [DLQ_HEADERS.firstFailure]: f.lastFailure,
    [DLQ_HEADERS.lastFailure]: f.lastFailure,
  };
  if (f.target) dlq[DLQ_HEADERS.target] = f.target;
  if (f.httpStatus) dlq[DLQ_HEADERS.httpStatus] = String(f.httpStatus);
  return { key: original.key, value: original.value, headers: { ...original.headers, ...dlq }, timestamp: SENT_AT };
}

/** `count` letters of about `valueBytes` each, failed `exhausted` on Cloud Insight, from `sourceTopic`. */
export function manyDeadLetters(sourceTopic: string, count: number, valueBytes = 1024): TestRecord[] {
  const padding = 'x'.repeat(Math.max(0, valueBytes - 60));
  return Array.from({ length: count }, (_, i) =>
    deadLetter(
      {
        key: `key-${i % 500}`,
        value: `{"cw_key":"bulk","data":{"seq":${i},"pad":"${padding}"}}`,
        headers: { 'x-bridge-target': 'cloudinsight' },
      },
      {
        reason: 'exhausted',
        target: 'cloudinsight',
        sourceTopic,
        sourcePartition: 0,
        sourceOffset: i,
        lastFailure: '2024-05-01T10:00:00.000Z',
        attempts: 12,
        httpStatus: 503,
        error: 'HTTP 503 after 12 attempts',
      },
    ),
  );
}
