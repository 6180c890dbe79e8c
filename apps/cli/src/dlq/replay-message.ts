import { DLQ_HEADER_PREFIX, REPLAY_COUNT_HEADER } from '@app/contracts/dlq';
import type { RecordHeaders } from '@app/contracts/record-headers';
import type { Message, MessageHeader } from 'kafkajs';
import type { DlqEntry } from './dlq-entry';

/**
 * The original headers in order: every `x-dlq-*` header removed (whatever its case), the replay
 * counter set to `count` at the end; the rest exactly as consumed, repeats and null values included.
 */
export function replayHeaders(headers: RecordHeaders, count: number): MessageHeader[] {
  const out: MessageHeader[] = headers
    .filter(({ key }) => {
      const lower = key.toLowerCase();
      return !lower.startsWith(DLQ_HEADER_PREFIX) && lower !== REPLAY_COUNT_HEADER;
    })
    .map(({ key, value }) => ({ key, value }));
  out.push({ key: REPLAY_COUNT_HEADER, value: String(count) });
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
