import type { PinoLogger } from 'nestjs-pino';
import type { Target } from '@app/contracts';
import type { PartitionStall, TargetPipeline } from '@app/delivery';
import type { BridgeMetrics } from '../ops/bridge-metrics';

const CHECK_INTERVAL_MS = 5_000;

interface Owned {
  topic: string;
  partition: number;
}

/**
 * The stall detector. Every 5 s, for each partition this member owns: how long its commit position
 * has stayed put while it holds records (`bridge_partition_stall_seconds`), and how many are past
 * BRIDGE_STALL_THRESHOLD_MS (`bridge_stalled_partitions`). A partition passing the threshold is
 * logged at warn with its offset and cause, at error past five times it, and at info when it
 * moves again; the worst one makes the target not ready.
 */
export class StallWatch {
  private timer: NodeJS.Timeout | undefined;
  private over: PartitionStall[] = [];
  private readonly logged = new Map<string, 'warn' | 'error'>();
  private readonly gauged = new Set<string>();

  constructor(
    private readonly target: Target,
    private readonly pipeline: TargetPipeline,
    private readonly thresholdMs: number,
    private readonly metrics: BridgeMetrics,
    private readonly log: PinoLogger,
  ) {}

  start(owned: () => Owned[]): void {
    this.timer ??= setInterval(() => this.check(owned()), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The longest stall past the threshold, for readiness. */
  worst(): string | undefined {
    const s = this.over.reduce<PartitionStall | undefined>(
      (a, b) => (a && a.stalledMs >= b.stalledMs ? a : b),
      undefined,
    );
    return (
      s &&
      `partition ${s.topic}/${s.partition} stalled at offset ${s.offset} for ${Math.round(s.stalledMs / 1000)} s: ${s.cause}`
    );
  }

  check(owned: Owned[], now = Date.now()): void {
    const { target } = this;
    const stalls = new Map(this.pipeline.stalls(now).map((s) => [key(s), s]));
    const seen = new Set<string>();
    for (const p of owned) {
      const k = key(p);
      seen.add(k);
      this.gauged.add(k);
      const labels = { target, topic: p.topic, partition: String(p.partition) };
      this.metrics.partitionStall.set(labels, (stalls.get(k)?.stalledMs ?? 0) / 1000);
    }
    for (const k of this.gauged) {
      if (seen.has(k)) continue;
      const { topic, partition } = fromKey(k);
      this.metrics.partitionStall.remove({ target, topic, partition: String(partition) });
      this.gauged.delete(k);
    }
    this.over = [...stalls.values()].filter((s) => s.stalledMs >= this.thresholdMs);
    this.metrics.stalledPartitions.set({ target }, this.over.length);
    for (const s of this.over) {
      const level = s.stalledMs >= 5 * this.thresholdMs ? 'error' : 'warn';
      if (this.logged.get(key(s)) === level) continue;
      this.logged.set(key(s), level);
      const { topic, partition, offset, stalledMs, cause } = s;
      this.log[level](
        { target, topic, partition, offset, stalledMs, cause },
        'partition stalled: its commit position does not move',
      );
    }
    for (const k of this.logged.keys()) {
      if (this.over.some((s) => key(s) === k)) continue;
      this.logged.delete(k);
      this.log.info({ target, ...fromKey(k) }, 'partition moves again');
    }
  }
}

function key(p: Owned): string {
  return `${p.partition}:${p.topic}`;
}

function fromKey(k: string): Owned {
  const [partition, ...topic] = k.split(':');
  return { topic: topic.join(':'), partition: Number(partition) };
}
