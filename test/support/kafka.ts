import { randomUUID } from 'node:crypto';
import { createKafka } from '@app/kafka';
import { Admin, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';

/** The broker started by global setup (or the one named by KAFKA_BROKERS). */
export function brokers(): string[] {
  const list = process.env.KAFKA_BROKERS;
  if (!list) throw new Error('KAFKA_BROKERS is not set: run e2e suites through jest (global setup starts a broker)');
  return list.split(',');
}

/** A client like the bridge's (codecs registered, patched kafkajs), without logs. */
export function testKafka(clientId = 'bridge-test', brokerList: string[] = brokers()): Kafka {
  return createKafka({ clientId, brokers: brokerList, ssl: false, metadataMaxAgeMs: 30_000 });
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopic(topic: string, numPartitions = 1): Promise<string> {
  await withAdmin((a) => a.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true }));
  return topic;
}

export interface TestRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
  partition?: number;
  timestamp?: string;
}

export async function produce(topic: string, records: TestRecord[]): Promise<void> {
  const producer: Producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 1000) {
      await producer.send({ topic, acks: -1, messages: records.slice(i, i + 1000) });
    }
  } finally {
    await producer.disconnect();
  }
}

export type ConsumedRecord = KafkaMessage & { topic: string; partition: number };

/**
 * Reads a topic from the beginning until `count` records arrived or `timeoutMs` passed; returns
 * what it read (so a test can assert on a short count instead of hanging).
 */
export async function consume(topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  return consumeUntil(topic, (out) => out.length >= count, timeoutMs);
}

/** Reads a topic from the beginning until `done` says so or `timeoutMs` passed; returns what it read. */
export async function consumeUntil(
  topic: string,
  done: (read: ConsumedRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<ConsumedRecord[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 200 });
  const out: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      void consumer.run({
        eachMessage: async ({ topic: t, partition, message }) => {
          out.push({ ...message, topic: t, partition });
          if (done(out)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}
