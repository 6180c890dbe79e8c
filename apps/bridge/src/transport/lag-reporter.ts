import type { Admin } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import type { BridgeMetrics } from '../ops/bridge-metrics';

const INTERVAL_MS = 5_000;

export interface OwnedPartition {
  topic: string;
  partition: number;
}

/** The partitions this instance owns, per consumer group (the consumers' current assignments). */
export type OwnedPartitions = ReadonlyMap<string, readonly OwnedPartition[]>;

type LagAdmin = Pick<Admin, 'connect' | 'disconnect' | 'fetchTopicOffsets' | 'fetchOffsets'>;
type LagLabels = { group: string; topic: string; partition: string };

/**
 * Consumer lag of the partitions this instance owns, as Kafka sees it: high watermark minus the
 * group's committed offset (or the log start when nothing is committed). Only owned partitions, so
 * that a sum over replicas counts each partition once; the series of a partition this instance no
 * longer owns is removed. Asked of the broker on a timer, so it keeps growing while a target is
 * paused, which is when it matters.
 *
 */
export class LagReporter {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** the series set by the last report, by their labels' key */
  private reported = new Map<string, LagLabels>();

  constructor(
    private readonly admin: LagAdmin,
    private readonly metrics: BridgeMetrics,
    private readonly log: Pick<PinoLogger, 'warn'>,
    private readonly owned: () => OwnedPartitions,
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
      const owned = this.owned();
      const ends = new Map<string, { partition: number; high: string; low: string }[]>();
      const topics = new Set([...owned.values()].flatMap((partitions) => partitions.map((p) => p.topic)));
      for (const topic of topics) ends.set(topic, await this.admin.fetchTopicOffsets(topic));
      const current = new Map<string, LagLabels>();
      for (const [groupId, partitions] of owned) {
        const topics = [...new Set(partitions.map((p) => p.topic))].filter((t) => ends.has(t));
        if (topics.length === 0) continue;
        const committed = new Map<string, string>();
        for (const { topic, partitions: offsets } of await this.admin.fetchOffsets({ groupId, topics })) {
          for (const { partition, offset } of offsets) committed.set(`${topic}:${partition}`, offset);
        }
        for (const { topic, partition } of partitions) {
          const end = ends.get(topic)?.find((e) => e.partition === partition);
          if (!end) continue;
          const offset = Number(committed.get(`${topic}:${partition}`) ?? '-1');
          const from = offset >= 0 ? offset : Number(end.low);
          const labels = { group: groupId, topic, partition: String(partition) };
          this.metrics.lag.set(labels, Math.max(0, Number(end.high) - from));
          current.set(`${groupId}\n${topic}\n${partition}`, labels);
        }
      }
      for (const [key, labels] of this.reported) if (!current.has(key)) this.metrics.lag.remove(labels);
      this.reported = current;
    } catch (err) {
      this.log.warn({ err }, 'could not read consumer lag');
    }
  }
}
