import { startKafka, LocalKafka } from '../tools/kafka/broker';

declare global {
  var __KAFKA__: LocalKafka | undefined;
}

/**
 * One broker for every e2e suite (KAFKA_VERSION picks its release); an outside one when
 * KAFKA_BROKERS is set. Its SASL_SSL and SSL listeners and their test CA are passed to the suites
 * as KAFKA_TEST_* variables; the broker's jars (its tools, the Java producer) as KAFKA_TEST_LIBS, its
 * data folder as KAFKA_TEST_DATA_DIR.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS) return;
  const kafka = await startKafka({ secure: true, log: (l) => process.stderr.write(`${l}\n`) });
  globalThis.__KAFKA__ = kafka;
  process.env.KAFKA_BROKERS = kafka.brokers;
  process.env.KAFKA_TEST_VERSION = kafka.version;
  process.env.KAFKA_TEST_LIBS = kafka.libs;
  process.env.KAFKA_TEST_SASL_SSL_BROKERS = kafka.secure!.saslSsl;
  process.env.KAFKA_TEST_SSL_BROKERS = kafka.secure!.ssl;
  process.env.KAFKA_TEST_PKI_DIR = kafka.secure!.pki.dir;
  process.env.KAFKA_TEST_DATA_DIR = kafka.dataDir;
  process.env.BRIDGE_TEST_OWN_BROKER = '1';
}
