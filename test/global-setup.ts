import { startKafka, LocalKafka } from '../tools/kafka/broker';

declare global {
  var __KAFKA__: LocalKafka | undefined;
}

/** One broker for every e2e suite; an outside one when KAFKA_BROKERS is set. */
export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return;
  const kafka = await startKafka({ log: (l) => process.stderr.write(`${l}\n`) });
  globalThis.__KAFKA__ = kafka;
  process.env.KAFKA_BROKERS = kafka.brokers;
  process.env.BRIDGE_TEST_OWN_BROKER = '1';
}
