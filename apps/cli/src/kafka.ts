import type { KafkaConfig } from '@app/config';
import { createKafka as createClient, KafkaClientOptions } from '@app/kafka';
import type { Admin, Kafka } from 'kafkajs';

/** A short-lived client: fails within seconds when no broker answers instead of retrying for long. */
export const CLI_CLIENT: KafkaClientOptions = {
  connectionTimeout: 5_000,
  requestTimeout: 30_000,
  retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 },
};

export function createKafka(settings: KafkaConfig): Kafka {
  return createClient(settings, CLI_CLIENT);
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
