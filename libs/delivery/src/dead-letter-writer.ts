import { DLQ_ERROR_MAX_BYTES, DLQ_HEADER_PREFIX, DLQ_HEADERS } from '@app/contracts/dlq';
import type { IHeaders, Message, Producer } from 'kafkajs';
import type { DeadLetter, DeadLetterSink } from './target-sender';

/**
 * The DLQ record for a letter (SPEC section 4): the original key, value, timestamp and headers byte
 * for byte, plus the x-dlq-* headers. x-dlq-* headers already on the record (a replayed record that
 * failed again) are dropped, so the new values replace them instead of piling up.
 * `x-dlq-source-timestamp` is the record's Kafka timestamp as it came (milliseconds since the
 * epoch); failure times are ISO 8601.
 */
export function toDeadLetterMessage(letter: DeadLetter, groupId: string): Message {
  const { record } = letter;
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (value !== undefined && !name.toLowerCase().startsWith(DLQ_HEADER_PREFIX)) headers[name] = value;
  }
  headers[DLQ_HEADERS.reason] = letter.reason;
  headers[DLQ_HEADERS.error] = truncateUtf8(letter.error, DLQ_ERROR_MAX_BYTES);
  if (letter.target !== undefined) headers[DLQ_HEADERS.target] = letter.target;
  headers[DLQ_HEADERS.sourceTopic] = record.topic;
  headers[DLQ_HEADERS.sourcePartition] = String(record.partition);
  headers[DLQ_HEADERS.sourceOffset] = record.offset;
  headers[DLQ_HEADERS.sourceTimestamp] = record.timestamp;
  headers[DLQ_HEADERS.consumerGroup] = letter.consumerGroup ?? groupId;
  headers[DLQ_HEADERS.attempts] = String(letter.attempts);
  if (letter.firstFailure !== undefined) headers[DLQ_HEADERS.firstFailure] = letter.firstFailure.toISOString();
  if (letter.lastFailure !== undefined) headers[DLQ_HEADERS.lastFailure] = letter.lastFailure.toISOString();
  if (letter.httpStatus !== undefined) headers[DLQ_HEADERS.httpStatus] = String(letter.httpStatus);
  return { key: record.key, value: record.value, timestamp: record.timestamp, headers };
}

/** The longest prefix of `text` that is at most `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back to the start of the cut character
  return bytes.subarray(0, end);
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
      messages: letters.map((letter) => toDeadLetterMessage(letter, this.groupId)),
    });
  }
}
