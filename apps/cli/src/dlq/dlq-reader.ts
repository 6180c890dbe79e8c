import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { DlqEntry, toDlqEntry } from './dlq-entry';

export interface ReadOptions {
  /** Give up when no partition advanced for this long; default 60 s. */
  stallTimeoutMs?: number;
}

/**
 * Reads `topic` from its first offset up to the end offsets it has when the read starts, and
 * stops there: an empty or idle topic ends the read at once, records written meanwhile are not
 * read. kafkajs consumers need a group: a unique throwaway one, which never commits and is
 * deleted afterwards. Resolves with the entries in DLQ order (partition, then offset).
 */
export async function readDlq(
  kafka: Kafka,
  topic: string,
  keep: (entry: DlqEntry) => boolean,
  opts: ReadOptions = {},
): Promise<{ read: number; kept: DlqEntry[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new Error(`DLQ topic "${topic}" does not exist (BRIDGE_DLQ_TOPIC)`);
    }
    const ends = new Map<number, bigint>();
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) ends.set(p.partition, BigInt(p.high));
    }
    const kept: DlqEntry[] = [];
    let read = 0;
    if (ends.size > 0) {
      await consumeUpTo(kafka, admin, topic, ends, opts.stallTimeoutMs ?? 60_000, (partition, message) => {
        read++;
        const entry = toDlqEntry(topic, partition, message);
        if (keep(entry)) kept.push(entry);
      });
    }
    kept.sort((a, b) => a.dlq.partition - b.dlq.partition || Number(BigInt(a.dlq.offset) - BigInt(b.dlq.offset)));
    return { read, kept };
  } finally {
    await admin.disconnect();
  }
}

type OnMessage = (partition: number, message: Parameters<typeof toDlqEntry>[2]) => void;

async function consumeUpTo(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  ends: Map<number, bigint>,
  stallTimeoutMs: number,
  onMessage: OnMessage,
): Promise<void> {
  const remaining = new Set(ends.keys());
  const groupId = `kafka-ncp-bridge-cli-${randomUUID()}`;
  let restarts = 0;
  const consumer = kafka.consumer({
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
  let lastProgress = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const advance = (partition: number, next: bigint) => {
        lastProgress = Date.now();
        const end = ends.get(partition);
        if (end === undefined || next < end || !remaining.delete(partition)) return;
        consumer.pause([{ topic, partitions: [partition] }]);
        if (remaining.size === 0) resolve();
      };
      // Fires for batches that held only filtered records (control records, compaction) too.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic === topic) advance(payload.partition, BigInt(payload.lastOffset) + 1n);
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
      // Retention may delete the last records before they are read: then the start moved past
      // the end and no batch will ever report it.
      const check = async () => {
        try {
          for (const p of await admin.fetchTopicOffsets(topic)) {
            if (remaining.has(p.partition) && BigInt(p.low) >= (ends.get(p.partition) ?? 0n)) {
              advance(p.partition, BigInt(p.low));
            }
          }
          if (remaining.size > 0 && Date.now() - lastProgress > stallTimeoutMs) {
            reject(new Error(`reading ${topic} made no progress for ${stallTimeoutMs / 1000} s`));
            return;
          }
        } catch (err) {
          reject(err);
          return;
        }
        if (remaining.size > 0) timer = setTimeout(check, 2_000);
      };
      timer = setTimeout(check, 2_000);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end !== undefined && BigInt(message.offset) < end) onMessage(partition, message);
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}
