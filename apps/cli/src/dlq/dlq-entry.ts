import { DLQ_HEADERS, REPLAY_COUNT_HEADER } from '@app/contracts/dlq';
import { headerText, RecordHeaders } from '@app/contracts/record-headers';
import type { KafkaMessage } from 'kafkajs';

/** One record of the dead-letter topic, with its `x-dlq-*` headers read out. */
export interface DlqEntry {
  /** Where it sits in the DLQ. */
  dlq: { topic: string; partition: number; offset: string; timestamp: string };
  key: Buffer | null;
  value: Buffer | null;
  /** Every header as consumed, in order: the original ones and the `x-dlq-*` ones. */
  headers: RecordHeaders;
  reason?: string;
  error?: string;
  target?: string;
  source: { topic?: string; partition?: number; offset?: string; timestamp?: string };
  consumerGroup?: string;
  attempts?: number;
  firstFailure?: string;
  lastFailure?: string;
  httpStatus?: number;
  /** `x-bridge-replay-count` of the original record: how often the CLI replayed it so far. */
  replayCount: number;
}

function wholeNumber(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

export function toDlqEntry(topic: string, partition: number, message: KafkaMessage): DlqEntry {
  const headers = message.headerList ?? [];
  const h = (name: string) => headerText(headers, name);
  return {
    dlq: { topic, partition, offset: message.offset, timestamp: message.timestamp },
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
    reason: h(DLQ_HEADERS.reason),
    error: h(DLQ_HEADERS.error),
    target: h(DLQ_HEADERS.target),
    source: {
      topic: h(DLQ_HEADERS.sourceTopic),
      partition: wholeNumber(h(DLQ_HEADERS.sourcePartition)),
      offset: h(DLQ_HEADERS.sourceOffset),
      timestamp: h(DLQ_HEADERS.sourceTimestamp),
    },
    consumerGroup: h(DLQ_HEADERS.consumerGroup),
    attempts: wholeNumber(h(DLQ_HEADERS.attempts)),
    firstFailure: h(DLQ_HEADERS.firstFailure),
    lastFailure: h(DLQ_HEADERS.lastFailure),
    httpStatus: wholeNumber(h(DLQ_HEADERS.httpStatus)),
    replayCount: wholeNumber(h(REPLAY_COUNT_HEADER)) ?? 0,
  };
}
