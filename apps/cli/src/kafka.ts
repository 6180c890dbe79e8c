import { Admin, Kafka, logLevel, SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '@app/config';

/** A short-lived client: fails within seconds when no broker answers instead of retrying for long. */
export function createKafka(settings: KafkaConfig): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    sasl: settings.sasl as SASLOptions | undefined,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 },
  });
}

export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The partition count of each topic that exists; topics missing from the cluster are absent. */
export async function partitionCounts(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  const counts = new Map<string, number>();
  if (present.length === 0) return counts;
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present });
  for (const t of metadata) counts.set(t.name, t.partitions.length);
  return counts;
}

const CONNECTION_FAILURE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|Connection (error|timeout)/i;

/**
 * One line for a failure: kafkajs wraps the real cause (`originalError`, `cause`) a few levels
 * deep; a connection failure names the brokers tried.
 */
export function describeError(err: unknown, settings?: Pick<KafkaConfig, 'brokers'>): string {
  const messages: string[] = [];
  let connection = false;
  let kafkajs = false;
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { name?: string; message?: string; originalError?: unknown; cause?: unknown };
    const message = e.message ?? String(current);
    if (!messages.includes(message)) messages.push(message);
    if (e.name?.startsWith('KafkaJS')) kafkajs = true;
    if (e.name === 'KafkaJSConnectionError' || CONNECTION_FAILURE.test(message)) connection = true;
    current = e.originalError ?? e.cause;
  }
  const detail = messages.join(': ');
  if (kafkajs && connection && settings) return `cannot reach Kafka at ${settings.brokers.join(',')}: ${detail}`;
  return detail;
}
