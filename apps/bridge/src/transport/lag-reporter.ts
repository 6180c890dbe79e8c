import type { Admin } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import type { BridgeMetrics } from '../ops/bridge-metrics';

const INTERVAL_MS = 5_000;

/**
 * Consumer lag per group, topic and partition, as Kafka sees it: high watermark minus the group's
 * committed offset (or the log start when nothing is committed). Asked of the broker on a timer,
 * so it keeps growing while a target is paused, which is when it matters.
 */
export class LagReporter {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly admin: Admin,
    private readonly groups: string[],
    private readonly topics: string[],
    private readonly metrics: BridgeMetrics,
    private readonly log: PinoLogger,
  ) {}

  async start(): Promise<void> {
    await this.admin.connect();
    this.timer = setInterval(
      () => (this.running ??= this.report().finally(() => (this.running = undefined))),
      INTERVAL_MS,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.admin.disconnect();
  }

  async report(): Promise<void> {
    try {
      const ends = new Map<string, { partition: number; high: string; low: string }[]>();
      for (const topic of this.topics) ends.set(topic, await this.admin.fetchTopicOffsets(topic));
      for (const groupId of this.groups) {
        const committed = await this.admin.fetchOffsets({ groupId, topics: this.topics });
        for (const { topic, partitions } of committed) {
          for (const { partition, high, low } of ends.get(topic) ?? []) {
            const offset = partitions.find((p) => p.partition === partition)?.offset ?? '-1';
            const from = Number(offset) >= 0 ? Number(offset) : Number(low);
            this.metrics.lag.set(
              { group: groupId, topic, partition: String(partition) },
              Math.max(0, Number(high) - from),
            );
          }
        }
      }
    } catch (err) {
      this.log.warn({ err }, 'could not read consumer lag');
    }
  }
}
