import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { DlqEntry } from './dlq-entry';

/** A dead letter on its way back: the record to write and the topic it goes to. */
export interface PlannedReplay {
  entry: DlqEntry;
  topic: string;
  message: Message;
}

export interface ReplayWriterOptions {
  /** At most this many records per second. */
  rate?: number;
  /** Stops writing: nothing is sent after it fires; a write in flight is awaited. */
  signal: AbortSignal;
  /** Called with each batch once every in-sync replica acknowledged it. */
  written: (batch: PlannedReplay[]) => void;
}

const MAX_BATCH = 500;

/**
 * Writes replayed records in batches of one topic, in the order given, with an idempotent
 * producer, acknowledged by all in-sync replicas and paced to `rate` per second. Only batches
 * the broker acknowledged are reported, so the count is what was written.
 */
export class ReplayWriter {
  /** Records acknowledged so far. */
  count = 0;
  private batch: PlannedReplay[] = [];
  private readonly batchSize: number;
  private readonly producer: Producer;
  private started: number | undefined;

  constructor(
    kafka: Kafka,
    private readonly opts: ReplayWriterOptions,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    const { rate } = opts;
    this.batchSize = rate === undefined ? MAX_BATCH : Math.max(1, Math.min(MAX_BATCH, Math.floor(rate / 10)));
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Queues one record; writes the queue when it is full or the next record goes elsewhere. */
  async add(planned: PlannedReplay): Promise<void> {
    if (this.batch.length > 0 && this.batch[0].topic !== planned.topic) await this.flush();
    this.batch.push(planned);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  /** Writes what is queued, unless a stop was asked for. */
  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0 || this.opts.signal.aborted) return;
    const { rate, signal } = this.opts;
    if (rate !== undefined) {
      this.started ??= Date.now();
      const wait = this.started + (this.count / rate) * 1000 - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
    }
    await this.producer.send({ topic: batch[0].topic, acks: -1, messages: batch.map((p) => p.message) });
    this.count += batch.length;
    this.opts.written(batch);
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
