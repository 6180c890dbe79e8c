import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

/** The part of a partition to read: from its first offset up to `end` (exclusive). */
export interface PartitionRange {
  partition: number;
  end: bigint;
}

/** Called per record; resolves false to stop the read. */
export type OnMessage = (partition: number, message: KafkaMessage) => Promise<boolean>;

const CHECK_EVERY_MS = 2_000;

/**
 * Reads ranges of a topic one partition after the other, in the order given: only the partition
 * being read is fetched, so memory holds one fetch and records come in partition, then offset
 * order. kafkajs consumers need a group: a unique throwaway one that never commits and is deleted
 * afterwards. Should the group rebalance (a session that expired while the caller waited on a slow
 * reader), the read seeks back to the next record it has not visited.
 */
export class OrderedRead {
  private index = 0;
  /** The next offset to visit in the current range; undefined until a record of it was visited. */
  private next: bigint | undefined;
  private stopped = false;
  private visiting = false;
  private lastProgress = Date.now();
  private settle: (complete: boolean) => void = () => undefined;
  private fail: (err: unknown) => void = () => undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly topic: string,
    /** Every partition of the topic: those not being read stay paused. */
    private readonly partitions: number[],
    private readonly ranges: PartitionRange[],
    private readonly stallTimeoutMs: number,
  ) {}

  /** Resolves true once every range was read, false when `onMessage` or the signal stopped it. */
  async run(onMessage: OnMessage, signal?: AbortSignal): Promise<boolean> {
    const groupId = `kafka-ncp-bridge-cli-${randomUUID()}`;
    let restarts = 0;
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      // Joining may wait for the group coordinator (it loads after a broker starts): retry longer
      // than the client default and restart a few times on retriable errors, then fail, so the
      // command never loops.
      retry: {
        retries: 10,
        initialRetryTime: 300,
        maxRetryTime: 5_000,
        restartOnFailure: async (err) => (err as { retriable?: boolean }).retriable === true && ++restarts <= 5,
      },
    });
    const done = new Promise<boolean>((resolve, reject) => {
      this.settle = (complete) => ((this.stopped = true), resolve(complete));
      this.fail = (err) => ((this.stopped = true), reject(err));
    });
    // Awaited below; a failure while connecting must not count as unhandled meanwhile.
    done.catch(() => undefined);
    const abort = () => this.settle(false);
    signal?.addEventListener('abort', abort);
    let timer: NodeJS.Timeout | undefined;
    try {
      consumer.on(consumer.events.GROUP_JOIN, () => this.onJoin(consumer));
      // Batches that held only control records or compacted-away offsets never reach eachBatch.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize === 0 && payload.partition === this.ranges[this.index]?.partition) {
          this.passed(consumer, BigInt(payload.lastOffset) + 1n);
        }
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) this.fail(payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      if (this.stopped) return await done;
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: (b) => this.eachBatch(consumer, b, onMessage),
        })
        .catch((err: unknown) => this.fail(err));
      const check = () => {
        timer = setTimeout(() => void this.check(consumer).then(() => !this.stopped && check()), CHECK_EVERY_MS);
      };
      check();
      return await done;
    } finally {
      signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      this.stopped = true;
      await consumer.disconnect();
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }

  /** After every join: only the current partition is fetched, from the next record not visited. */
  private onJoin(consumer: Consumer): void {
    const range = this.ranges[this.index];
    if (!range) return;
    consumer.pause([{ topic: this.topic, partitions: this.partitions.filter((p) => p !== range.partition) }]);
    if (this.next !== undefined) {
      consumer.seek({ topic: this.topic, partition: range.partition, offset: this.next.toString() });
    }
  }

  private async eachBatch(consumer: Consumer, payload: EachBatchPayload, onMessage: OnMessage): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, pause } = payload;
    const range = this.ranges[this.index];
    if (this.stopped || !range) return;
    // Not yet its turn (fetched before the pause took effect): left unresolved, read in its turn.
    if (batch.partition !== range.partition) return void pause();
    for (const message of batch.messages) {
      if (this.stopped || !isRunning() || isStale()) return;
      const offset = BigInt(message.offset);
      if (offset >= range.end) break;
      if (this.next !== undefined && offset < this.next) continue;
      let more: boolean;
      this.visiting = true;
      try {
        more = await onMessage(batch.partition, message);
      } catch (err) {
        return this.fail(err);
      } finally {
        this.visiting = false;
      }
      this.next = offset + 1n;
      this.lastProgress = Date.now();
      resolveOffset(message.offset);
      if (!more) return this.settle(false);
      // A KafkaJS error here (the group rebalanced) goes to kafkajs, which joins again.
      await heartbeat();
    }
    resolveOffset(batch.lastOffset());
    this.passed(consumer, BigInt(batch.lastOffset()) + 1n);
  }

  /** The current partition was read up to `next`: on to the following one when that is its end. */
  private passed(consumer: Consumer, next: bigint): void {
    const range = this.ranges[this.index];
    if (this.stopped || !range) return;
    this.lastProgress = Date.now();
    if (this.next === undefined || next > this.next) this.next = next;
    if (next < range.end) return;
    consumer.pause([{ topic: this.topic, partitions: [range.partition] }]);
    this.index++;
    this.next = undefined;
    const following = this.ranges[this.index];
    if (!following) return this.settle(true);
    consumer.resume([{ topic: this.topic, partitions: [following.partition] }]);
  }

  /**
   * Retention may delete the last records before they are read: then the start moved past the
   * end and no batch will ever report it. A read that stops advancing fails instead of hanging.
   */
  private async check(consumer: Consumer): Promise<void> {
    try {
      const range = this.ranges[this.index];
      if (this.stopped || !range) return;
      const low = (await this.admin.fetchTopicOffsets(this.topic)).find((p) => p.partition === range.partition)?.low;
      if (low !== undefined && BigInt(low) >= range.end) this.passed(consumer, BigInt(low));
      if (!this.stopped && !this.visiting && Date.now() - this.lastProgress > this.stallTimeoutMs) {
        this.fail(new Error(`reading ${this.topic} made no progress for ${this.stallTimeoutMs / 1000} s`));
      }
    } catch (err) {
      this.fail(err);
    }
  }
}
