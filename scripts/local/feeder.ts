import { Kafka, Message, Partitioners, Producer } from 'kafkajs';
import { TARGETS, Target } from '@app/contracts';
import { BAD_KINDS, BadKind, badRecord, sampleRecord, SampleOptions } from './samples';

export interface FedCounts {
  good: Record<Target, number>;
  bad: Record<BadKind, number>;
}

const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

export function emptyFedCounts(): FedCounts {
  return { good: zero(TARGETS), bad: zero(BAD_KINDS) };
}

/**
 * Publishes sample records: a first batch (every target over several keys, every kind of bad
 * record), then a trickle of one record per target each tick and a bad one every fifth tick.
 */
export class Feeder {
  readonly fed = emptyFedCounts();
  private readonly producer: Producer;
  private timer?: NodeJS.Timeout;
  private sending?: Promise<void>;
  private n = 0;
  private ticks = 0;
  private lastError?: string;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly samples: SampleOptions,
  ) {
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  }

  async start(tickMs: number): Promise<void> {
    await this.producer.connect();
    const first: [Target | BadKind, Message][] = [];
    for (let i = 0; i < 12; i++) for (const t of TARGETS) first.push([t, sampleRecord(t, this.n++, this.samples)]);
    for (const kind of BAD_KINDS) first.push([kind, badRecord(kind, this.n++, this.samples)]);
    await this.send(first);
    this.timer = setInterval(() => this.tick(), tickMs);
  }

  /** The last send error, if the latest send failed (the broker is unreachable, say). */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Stops the trickle, waits for the send under way and disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
    await this.producer.disconnect().catch(() => undefined);
  }

  private tick(): void {
    // a slow broker makes the trickle skip ticks instead of piling up sends
    if (this.sending) return;
    const batch: [Target | BadKind, Message][] = TARGETS.map((t) => [t, sampleRecord(t, this.n++, this.samples)]);
    if (++this.ticks % 5 === 0) {
      const kind = BAD_KINDS[(this.ticks / 5) % BAD_KINDS.length];
      batch.push([kind, badRecord(kind, this.n++, this.samples)]);
    }
    this.sending = this.send(batch)
      .catch(() => undefined)
      .finally(() => (this.sending = undefined));
  }

  private async send(batch: [Target | BadKind, Message][]): Promise<void> {
    try {
      await this.producer.send({ topic: this.topic, acks: -1, messages: batch.map(([, m]) => m) });
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      throw err;
    }
    for (const [what] of batch) {
      if (what in this.fed.good) this.fed.good[what as Target]++;
      else this.fed.bad[what as BadKind]++;
    }
  }
}
