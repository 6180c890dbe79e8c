import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { BridgeMetrics } from './bridge-metrics';

export const DEAD_LETTER_SUMMARY_INTERVAL_MS = 60_000;

/**
 * One warn line a minute, only when records were dead-lettered since the last one, e.g.
 * `dead letters in the last 60 s: guance/invalid 3, datastream/rejected 1`. Read from the
 * dead-letter counter, so it says exactly what /metrics says; a last line at shutdown.
 */
@Injectable()
export class DeadLetterSummary implements OnApplicationBootstrap, OnApplicationShutdown {
  private seen = new Map<string, number>();
  private since = Date.now();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly metrics: BridgeMetrics,
    private readonly log: PinoLogger,
  ) {
    this.log.setContext(DeadLetterSummary.name);
  }

  onApplicationBootstrap(): void {
    this.since = Date.now();
    this.timer = setInterval(() => void this.flush(), DEAD_LETTER_SUMMARY_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Logs the dead letters counted since the last call, if any. */
  async flush(): Promise<void> {
    const now = Date.now();
    const { values } = await this.metrics.deadLetters.get();
    const counts = new Map(values.map(({ labels, value }) => [key(labels), value]));
    const added = [...counts]
      .map(([k, n]) => [k, n - (this.seen.get(k) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .sort(([, a], [, b]) => b - a);
    this.seen = counts;
    const seconds = Math.round((now - this.since) / 1000);
    this.since = now;
    if (added.length === 0) return;
    this.log.warn(
      { deadLetters: Object.fromEntries(added), seconds },
      `dead letters in the last ${seconds} s: ${added.map(([k, n]) => `${k} ${n}`).join(', ')}`,
    );
  }
}

/** `target/reason`, or the reason alone for records of no target (unroutable). */
function key(labels: Partial<Record<string, string | number>>): string {
  return labels.target ? `${labels.target}/${labels.reason}` : String(labels.reason);
}
