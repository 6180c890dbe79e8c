import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

const ROOT = resolve(__dirname, '../..');
const POM = join(ROOT, 'tools/kafka/pom.xml');
const LIBS = join(ROOT, '.cache/kafka/libs');
const STAMP = join(LIBS, '.pom-sha256');

export interface LocalKafka {
  /** bootstrap address, `127.0.0.1:PORT` */
  brokers: string;
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

/** Copies the broker jars from Maven Central into .cache/kafka/libs, once per version of the pom. */
export function ensureKafkaJars(log: (line: string) => void = () => undefined): string {
  const want = createHash('sha256').update(readFileSync(POM)).digest('hex');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === want) return LIBS;
  log('fetching Apache Kafka jars from Maven Central (first run only)...');
  execFileSync('mvn', ['-B', '-q', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${LIBS}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (!readdirSync(LIBS).some((f) => f.startsWith('kafka_2.13-'))) {
    throw new Error(`mvn finished but ${LIBS} holds no kafka_2.13 jar`);
  }
  writeFileSync(STAMP, want);
  return LIBS;
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

function serverProperties(dataDir: string, port: number, controllerPort: number, partitions: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
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
  opts: { ownerPid?: number; partitions?: number; heap?: string; log?: (line: string) => void } = {},
): Promise<LocalKafka> {
  const libs = ensureKafkaJars(opts.log);
  const dataDir = mkdtempSync(join(tmpdir(), 'bridge-kafka-'));
  mkdirSync(join(dataDir, 'logs'));
  const [port, controllerPort] = await freePorts(2);
  const props = join(dataDir, 'server.properties');
  writeFileSync(props, serverProperties(dataDir, port, controllerPort, opts.partitions ?? 3));
  writeFileSync(join(dataDir, 'log4j2.properties'), LOG4J2(dataDir));
  const cp = `${libs}/*`;
  const jvm = [`-Dlog4j2.configurationFile=${join(dataDir, 'log4j2.properties')}`, '-cp', cp];
  // A 16-byte base64url id, as Kafka's own; not starting with '-', which the tool takes for an option.
  let clusterId: string;
  do clusterId = randomBytes(16).toString('base64url').slice(0, 22);
  while (clusterId.startsWith('-'));
  execFileSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
  const brokers = `127.0.0.1:${port}`;
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
