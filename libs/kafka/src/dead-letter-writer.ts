import { DLQ_ERROR_MAX_BYTES, DLQ_HEADER_PREFIX, DLQ_HEADERS, truncateUtf8 } from '@app/contracts';
import type { DeadLetter, DeadLetterSink } from '@app/delivery';
import { CompressionTypes, Message, MessageHeader, Producer } from 'kafkajs';

/**
 * Dead letters are written zstd-compressed: bad records are often large JSON, zstd shrinks text
 * best of Kafka's codecs, Node.js has it built in, and every client since Kafka 2.1 reads it.
 */
export const DLQ_COMPRESSION = CompressionTypes.ZSTD;

/**
 * The DLQ record for a letter: the original key, value, timestamp and headers byte for byte and in
 * order (repeats, null values and any name included), then the x-dlq-* headers. x-dlq-* headers
 * already on the record (a replayed record that failed again) are dropped, so the new values replace
 * them instead of piling up. `x-dlq-source-timestamp` is the record's Kafka timestamp as it came
 * (milliseconds since the epoch); failure times are ISO 8601.
 */
export function toDeadLetterMessage(letter: DeadLetter, groupId: string): Message {
  const { record } = letter;
  const headers: MessageHeader[] = record.headers
    .filter((h) => !h.key.toLowerCase().startsWith(DLQ_HEADER_PREFIX))
    .map((h) => ({ key: h.key, value: h.value }));
  const add = (key: string, value: string | undefined) => {
    if (value !== undefined) headers.push({ key, value });
  };
  add(DLQ_HEADERS.reason, letter.reason);
  add(DLQ_HEADERS.error, truncateUtf8(letter.error, DLQ_ERROR_MAX_BYTES));
  add(DLQ_HEADERS.target, letter.target);
  add(DLQ_HEADERS.sourceTopic, record.topic);
  add(DLQ_HEADERS.sourcePartition, String(record.partition));
  add(DLQ_HEADERS.sourceOffset, record.offset);
  add(DLQ_HEADERS.sourceTimestamp, record.timestamp);
  add(DLQ_HEADERS.consumerGroup, letter.consumerGroup ?? groupId);
  add(DLQ_HEADERS.attempts, String(letter.attempts));
  add(DLQ_HEADERS.firstFailure, letter.firstFailure?.toISOString());
  add(DLQ_HEADERS.lastFailure, letter.lastFailure?.toISOString());
  add(DLQ_HEADERS.httpStatus, letter.httpStatus === undefined ? undefined : String(letter.httpStatus));
  return { key: record.key, value: record.value, timestamp: record.timestamp, headers };
}

/**
 * Writes dead letters to the DLQ topic with a kafkajs producer made by the caller (idempotent,
 * maxInFlightRequests 1 to 5), acknowledged by all in-sync replicas. Rejects when the write fails;
 * the pipeline retries it.
 */
export class DeadLetterWriter implements DeadLetterSink {
  /**
   * @param groupId x-dlq-consumer-group for letters that do not name their group (TargetPipeline
   *   always does)
   */
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly groupId = '',
  ) {}

  async write(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      compression: DLQ_COMPRESSION,
      messages: letters.map((letter) => toDeadLetterMessage(letter, this.groupId)),
    });
  }
}
