import { DLQ_HEADER_PREFIX, REPLAY_COUNT_HEADER } from '@app/contracts/dlq';
import type { IHeaders, Message } from 'kafkajs';
import type { DlqEntry } from './dlq-entry';

/**
 * The original headers: every `x-dlq-*` header removed (whatever its case), the replay counter
 * set to `count`; the rest exactly as consumed, repeated headers included.
 */
export function replayHeaders(headers: IHeaders, count: number): IHeaders {
  const out: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || lower.startsWith(DLQ_HEADER_PREFIX) || lower === REPLAY_COUNT_HEADER) continue;
    out[name] = value;
  }
  out[REPLAY_COUNT_HEADER] = String(count);
  return out;
}

/**
 * The record to write back: original key and value (null stays null), original headers with the
 * counter incremented. It goes to its source partition when the topic still has it, so it lands
 * beside the records that share its key; otherwise the partitioner picks one by key.
 */
export function replayMessage(entry: DlqEntry, sourcePartitions: number): Message {
  const message: Message = {
    key: entry.key,
    value: entry.value,
    headers: replayHeaders(entry.headers, entry.replayCount + 1),
  };
  const partition = entry.source.partition;
  if (partition !== undefined && partition < sourcePartitions) message.partition = partition;
  return message;
}
