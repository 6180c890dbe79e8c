import type { Kafka } from 'kafkajs';
import { DlqEntry, toDlqEntry } from './dlq-entry';
import { OrderedRead } from './ordered-read';

export interface ReadOptions {
  /** Stops the read (Ctrl-C, a closed stdout). */
  signal?: AbortSignal;
  /** Give up when no record was read for this long; default 60 s. */
  stallTimeoutMs?: number;
}

/** Called per record; resolves false to stop the read (a --limit reached). */
export type Visit = (entry: DlqEntry) => boolean | Promise<boolean>;

/**
 * Reads the dead-letter topic from its first offset up to the end offsets it has when the read
 * starts, and stops there: an empty or idle topic ends the read at once, records written meanwhile
 * are not read. Records come one at a time in DLQ order (partition, then offset), as they are
 * fetched; none is kept, so memory does not grow with the DLQ.
 */
export class DlqReader {
  /** Records in the DLQ when the read started. */
  total = 0;
  /** Records read so far. */
  read = 0;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly opts: ReadOptions = {},
  ) {}

  /** Resolves true when it read up to the end, false when `visit` or the signal stopped it. */
  async each(visit: Visit): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.topic)) {
        throw new Error(`DLQ topic "${this.topic}" does not exist (BRIDGE_DLQ_TOPIC)`);
      }
      const offsets = await admin.fetchTopicOffsets(this.topic);
      const ranges = offsets
        .filter((p) => BigInt(p.high) > BigInt(p.low))
        .map((p) => ({ partition: p.partition, end: BigInt(p.high) }))
        .sort((a, b) => a.partition - b.partition);
      this.total = offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
      if (ranges.length === 0) return true;
      if (this.opts.signal?.aborted) return false;
      const partitions = offsets.map((p) => p.partition);
      const read = new OrderedRead(
        this.kafka,
        admin,
        this.topic,
        partitions,
        ranges,
        this.opts.stallTimeoutMs ?? 60_000,
      );
      return await read.run(async (partition, message) => {
        this.read++;
        return visit(toDlqEntry(this.topic, partition, message));
      }, this.opts.signal);
    } finally {
      await admin.disconnect();
    }
  }
}
