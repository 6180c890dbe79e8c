import { cell, encodeBytes, encodeHeaders } from '../output';
import type { DlqEntry } from './dlq-entry';

export const ENTRY_COLUMNS = [
  'DLQ',
  'REASON',
  'TARGET',
  'SOURCE',
  'ATTEMPTS',
  'HTTP',
  'LAST FAILURE',
  'REPLAYS',
  'ERROR',
];

/** `0@12`: partition and offset. */
export function position(partition: number | undefined, offset: string | undefined): string {
  return `${partition ?? '?'}@${offset ?? '?'}`;
}

export function entryRow(e: DlqEntry): string[] {
  const source = e.source.topic ? `${e.source.topic}/${position(e.source.partition, e.source.offset)}` : undefined;
  return [
    position(e.dlq.partition, e.dlq.offset),
    cell(e.reason),
    cell(e.target),
    cell(source),
    cell(e.attempts),
    cell(e.httpStatus),
    cell(e.lastFailure),
    String(e.replayCount),
    cell(e.error, 80),
  ];
}

/** Everything about an entry, bytes as UTF-8 when valid else base64. */
export function entryJson(e: DlqEntry): Record<string, unknown> {
  return {
    dlq: e.dlq,
    reason: e.reason ?? null,
    target: e.target ?? null,
    error: e.error ?? null,
    source: {
      topic: e.source.topic ?? null,
      partition: e.source.partition ?? null,
      offset: e.source.offset ?? null,
      timestamp: e.source.timestamp ?? null,
    },
    consumerGroup: e.consumerGroup ?? null,
    attempts: e.attempts ?? null,
    firstFailure: e.firstFailure ?? null,
    lastFailure: e.lastFailure ?? null,
    httpStatus: e.httpStatus ?? null,
    replayCount: e.replayCount,
    key: encodeBytes(e.key),
    value: encodeBytes(e.value),
    headers: encodeHeaders(e.headers),
  };
}
