import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { makeTestPki, TestPki } from './tls';

const ROOT = resolve(__dirname, '../..');
const POM = join(ROOT, 'tools/kafka/pom.xml');

/** The broker the harness runs unless KAFKA_VERSION names another: 4.x, or 3.9.x (KRaft in both). */
export const DEFAULT_KAFKA_VERSION = '4.1.1';

export function kafkaVersion(env: Record<string, string | undefined> = process.env): string {
  const version = env.KAFKA_VERSION?.trim() || DEFAULT_KAFKA_VERSION;
  if (!/^(4\.\d+|3\.9)\.\d+$/.test(version)) {
    throw new Error(`KAFKA_VERSION must be a 4.x.y or 3.9.x release of Apache Kafka (got ${JSON.stringify(version)})`);
  }
  return version;
}

/** Users of the SASL_SSL listener (SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN). */
export const TEST_SASL_USER = { username: 'bridge-test', password: 'SECRET-sasl-3f8a61d2' };

/** The TLS listeners of a broker started with `secure`: SASL over TLS, and TLS with a client certificate. */
export interface SecureListeners {
  /** SASL_SSL, no client certificate asked */
  saslSsl: string;
  /** SSL, client certificate required (mTLS) */
  ssl: string;
  pki: TestPki;
}

export interface LocalKafka {
  /** bootstrap address, `127.0.0.1:PORT` */
  brokers: string;
  version: string;
  /** the broker's jars: its tools and the Java client run on them too */
  libs: string;
  secure?: SecureListeners;
  /** pid of the guard that owns the broker process */
  pid: number;
  /** folder holding the broker's data and server.log; removed by stop() */
  dataDir: string;
  stop(): Promise<void>;
  /** Stops the broker (a clean shutdown) but keeps its data and ports, for restart(). */
  halt(): Promise<void>;
  /** Starts the broker again on the same ports and data (halting it first if it runs); `pid` changes. */
  restart(): Promise<void>;
}

/** Copies the broker jars from Maven Central into .cache/kafka/VERSION/libs, once per version of the pom. */
export function ensureKafkaJars(log: (line: string) => void = () => undefined, version = kafkaVersion()): string {
  const libs = join(ROOT, '.cache/kafka', version, 'libs');
  const stamp = join(libs, '.pom-sha256');
  const want = createHash('sha256').update(readFileSync(POM)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return libs;
  log(`fetching Apache Kafka ${version} jars from Maven Central (first run only)...`);
  rmSync(libs, { recursive: true, force: true });
  const args = ['-B', '-q', '-f', POM, `-Dkafka.version=${version}`, 'dependency:copy-dependencies'];
  execFileSync('mvn', [...args, `-DoutputDirectory=${libs}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!readdirSync(libs).some((f) => f === `kafka_2.13-${version}.jar`)) {
    throw new Error(`mvn finished but ${libs} holds no kafka_2.13-${version}.jar`);
  }
  writeFileSync(stamp, want);
  return libs;
}

/** Free 127.0.0.1 ports, all distinct (each is held until all are found). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((ok, fail) => {
          const srv = createServer();
          srv.on('error', fail);
          srv.listen(0, '127.0.0.1', () => ok(srv));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

interface Ports {
  plain: number;
  controller: number;
  saslSsl?: number;
  ssl?: number;
}

function securityProperties(pki: TestPki): string[] {
  const { username, password } = TEST_SASL_USER;
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return [
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${pki.brokerKeystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${pki.ca}`,
    'listener.name.ssl.ssl.client.auth=required',
    'listener.name.sasl_ssl.ssl.client.auth=none',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
  ];
}

function serverProperties(dataDir: string, ports: Ports, partitions: number, pki?: TestPki): string {
  const listeners = [`PLAINTEXT://127.0.0.1:${ports.plain}`];
  if (pki) listeners.push(`SASL_SSL://127.0.0.1:${ports.saslSsl}`, `SSL://127.0.0.1:${ports.ssl}`);
  const protocols = ['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...(pki ? ['SASL_SSL:SASL_SSL', 'SSL:SSL'] : [])];
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.controller}`,
    `listeners=${[...listeners, `CONTROLLER://127.0.0.1:${ports.controller}`].join(',')}`,
    `advertised.listeners=${listeners.join(',')}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${protocols.join(',')}`,
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dataDir, 'logs')}`,
    `num.partitions=${partitions}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'log.flush.interval.messages=9223372036854775807',
    // compacted topics of the tests are cleaned within seconds, not the default 15 s idle backoff
    'log.cleaner.backoff.ms=1000',
    ...(pki ? securityProperties(pki) : []),
    '',
  ].join('\n');
}

const LOG4J2 = (dataDir: string) =>
  [
    'rootLogger.level=INFO',
    'rootLogger.appenderRef.file.ref=file',
    'appender.file.type=File',
    'appender.file.name=file',
    `appender.file.fileName=${join(dataDir, 'server.log')}`,
    'appender.file.layout.type=PatternLayout',
    'appender.file.layout.pattern=[%d] %p %m (%c)%n',
    'logger.kafka.name=kafka',
    'logger.kafka.level=WARN',
    'logger.apache.name=org.apache',
    'logger.apache.level=WARN',
    'logger.started.name=kafka.server.KafkaRaftServer',
    'logger.started.level=INFO',
    '',
  ].join('\n');

async function waitForMetadata(brokers: string, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('the Kafka broker exited during start-up');
    const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.createTopics({ topics: [{ topic: '__bridge_probe', numPartitions: 1 }], waitForLeaders: true });
      // Group coordinators load after the offsets topic is created: wait for that here, so the
      // first consumer group of a test does not race it.
      await admin.fetchOffsets({ groupId: '__bridge_probe', topics: ['__bridge_probe'] });
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(
    `the Kafka broker at ${brokers} did not answer metadata requests in ${timeoutMs} ms: ${String(last)}`,
  );
}

/**
 * Starts a single-node KRaft broker on a free 127.0.0.1 port and waits until it answers metadata
 * requests. The broker dies with `ownerPid` (default: this process), whatever kills it.
 */
export async function startKafka(
  opts: {
    ownerPid?: number;
    partitions?: number;
    heap?: string;
    log?: (line: string) => void;
    /** 4.x.y or 3.9.x; default KAFKA_VERSION, else DEFAULT_KAFKA_VERSION */
    version?: string;
    /** also SASL_SSL and SSL (mTLS) listeners, with a CA made now and the TEST_SASL_USER */
    secure?: boolean;
  } = {},
): Promise<LocalKafka> {
  const version = opts.version ?? kafkaVersion();
  const libs = ensureKafkaJars(opts.log, version);
  const dataDir = mkdtempSync(join(tmpdir(), 'bridge-kafka-'));
  mkdirSync(join(dataDir, 'logs'));
  const [plain, controller, saslSsl, ssl] = await freePorts(4);
  const pki = opts.secure ? makeTestPki(join(dataDir, 'pki')) : undefined;
  const props = join(dataDir, 'server.properties');
  writeFileSync(props, serverProperties(dataDir, { plain, controller, saslSsl, ssl }, opts.partitions ?? 3, pki));
  writeFileSync(join(dataDir, 'log4j2.properties'), LOG4J2(dataDir));
  const cp = `${libs}/*`;
  const jvm = [`-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`, '-cp', cp];
  // A 16-byte base64url id, as Kafka's own; not starting with '-', which the tool takes for an option.
  let clusterId: string;
  do clusterId = randomBytes(16).toString('base64url').slice(0, 22);
  while (clusterId.startsWith('-'));
  const { username, password } = TEST_SASL_USER;
  const scram = ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
    '--add-scram',
    `${m}=[name=${username},password=${password}]`,
  ]);
  execFileSync(
    'java',
    [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props, ...(pki ? scram : [])],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const heap = opts.heap ?? '768m';
  const args = [
    String(opts.ownerPid ?? process.pid),
    dataDir,
    '--',
    'java',
    `-Xmx${heap}`,
    `-Xms${heap}`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    ...jvm,
    'kafka.Kafka',
    props,
  ];
  const brokers = `127.0.0.1:${plain}`;
  let guard = launch(args);
  const signal = async (sig: NodeJS.Signals) => {
    const g = guard;
    if (g.exited) return;
    g.process.ref(); // keep the event loop alive until the broker is really gone
    g.process.kill(sig);
    await g.done;
  };
  const stop = async () => {
    await signal('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true }); // the guard removed it, unless the broker was halted
  };
  const kafka: LocalKafka = {
    brokers,
    version,
    libs,
    secure: pki && { saslSsl: `127.0.0.1:${saslSsl}`, ssl: `127.0.0.1:${ssl}`, pki },
    pid: guard.process.pid!,
    dataDir,
    stop,
    halt: () => signal('SIGUSR1'),
    async restart() {
      await signal('SIGUSR1');
      guard = launch(args);
      kafka.pid = guard.process.pid!;
      await waitForMetadata(brokers, 90_000, () => !guard.exited);
    },
  };
  try {
    await waitForMetadata(brokers, 90_000, () => !guard.exited);
  } catch (err) {
    await stop();
    throw err;
  }
  return kafka;
}

/** Runs the broker under guard.sh (see there: it dies with its owner). */
function launch(args: string[]): { process: ReturnType<typeof spawn>; done: Promise<void>; exited: boolean } {
  const proc = spawn(join(ROOT, 'tools/kafka/guard.sh'), args, { stdio: 'ignore', detached: true });
  proc.unref();
  const guard = { process: proc, exited: false, done: Promise.resolve() };
  guard.done = new Promise<void>((r) =>
    proc.once('exit', () => {
      guard.exited = true;
      r();
    }),
  );
  return guard;
}
