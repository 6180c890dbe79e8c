import type { Kafka } from 'kafkajs';
import { partitionCounts, withAdmin } from '../kafka';

/** The partition count of each source topic, asked of the cluster once per topic. */
export class SourceTopics {
  private readonly known = new Map<string, number | undefined>();

  constructor(private readonly kafka: Kafka) {}

  /** Undefined when the topic does not exist. */
  async partitions(topic: string): Promise<number | undefined> {
    if (!this.known.has(topic)) {
      const counts = await withAdmin(this.kafka, (admin) => partitionCounts(admin, [topic]));
      this.known.set(topic, counts.get(topic));
    }
    return this.known.get(topic);
  }
}
