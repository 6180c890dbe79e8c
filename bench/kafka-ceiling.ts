// The Kafka ceiling: bare kafkajs consumers (GROUPS groups at once, as the bridge runs one group
// per target) that read the topic from the start and discard every record. Run by bench/run.ts in
// its own process; prints one JSON line when every group has read RECORDS records.
import { Kafka, logLevel } from 'kafkajs';

const brokers = process.env.KAFKA_BROKERS!.split(',');
const topic = process.env.TOPIC!;
const records = Number(process.env.RECORDS);
const groups = Number(process.env.GROUPS ?? 1);
const groupPrefix = process.env.GROUP_ID!;

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-kafka-ceiling', brokers, logLevel: logLevel.WARN });
  let firstAt = 0;
  const consumers = await Promise.all(
    Array.from({ length: groups }, async (_, g) => {
      const consumer = kafka.consumer({ groupId: `${groupPrefix}-${g}`, maxWaitTimeInMs: 100, maxBytes: 16 << 20 });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      let read = 0;
      const done = new Promise<number>((resolve) => {
        void consumer.run({
          partitionsConsumedConcurrently: 8,
          eachBatch: async ({ batch }) => {
            firstAt ||= Date.now();
            read += batch.messages.length;
            if (read >= records) resolve(Date.now());
          },
        });
      });
      return { consumer, done };
    }),
  );
  const ends = await Promise.all(consumers.map((c) => c.done));
  const seconds = (Math.max(...ends) - firstAt) / 1000;
  await Promise.all(consumers.map((c) => c.consumer.disconnect()));
  console.log(JSON.stringify({ records, groups, seconds }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
