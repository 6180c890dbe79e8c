import type { RecordHeaders } from './record-headers';

/** One record as fetched from an internal topic, untouched (the DLQ keeps it byte for byte). */
export interface InboundRecord {
  topic: string;
  partition: number;
  /** Kafka offset as kafkajs gives it (a decimal string). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeaders;
  /** Record timestamp, milliseconds since the epoch, as a decimal string. */
  timestamp: string;
}
