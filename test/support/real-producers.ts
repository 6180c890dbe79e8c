import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars, kafkaVersion } from '../../tools/kafka/broker';
import { brokers } from './kafka';

// Records written by real producers: the Java client of the broker's release (tools/kafka/Producer.java)
// and librdkafka through kcat. Never kafkajs, whose own encoder is what is under test elsewhere.

const ROOT = join(__dirname, '../..');
const SOURCE = join(ROOT, 'tools/kafka/Producer.java');
const run = promisify(execFile);

export type Bytes = Buffer | string | null;
export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface SpecRecord {
  topic: string;
  partition?: number;
  key?: Bytes;
  value: Bytes;
  /** in order; repeats and null values allowed */
  headers?: [string, Bytes][];
}

export type JavaStep =
  | { op: 'send'; record: SpecRecord }
  | { op: 'begin' | 'commit' | 'abort' | 'flush' }
  | { op: 'sleep'; ms: number }
  | { op: 'say'; text: string }
  /** flushes, closes, and goes on with a new producer with these configs changed */
  | { op: 'config'; props: Record<string, string> };

/** The broker's jars: the Java client and the broker's tools run on them. */
export function kafkaLibs(): string {
  return process.env.KAFKA_TEST_LIBS ?? ensureKafkaJars(undefined, kafkaVersion());
}

const b64 = (b: Bytes | undefined) => (b === null || b === undefined ? null : Buffer.from(b).toString('base64'));

/** Producer.java compiled once per broker release and source version, into .cache. */
function producerClasses(libs: string): string {
  const sha = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 12);
  const dir = join(libs, '..', `producer-${sha}`);
  if (!existsSync(join(dir, 'Producer.class'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('javac', ['-nowarn', '-cp', `${libs}/*`, '-d', dir, SOURCE], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return dir;
}

function stepLine(step: JavaStep): string {
  if (step.op !== 'send') return JSON.stringify(step);
  const r = step.record;
  return JSON.stringify({
    op: 'send',
    topic: r.topic,
    partition: r.partition ?? null,
    key: b64(r.key),
    value: b64(r.value),
    headers: (r.headers ?? []).map(([name, value]) => [name, b64(value)]),
  });
}

export interface JavaProducerRun {
  /** resolves once the program printed `text` (a `say` step) */
  said(text: string): Promise<void>;
  /** resolves once every send is acknowledged and the producer closed */
  done: Promise<void>;
}

/** Runs the Java producer with `config` (producer configs; bootstrap.servers defaults to the test broker). */
export function startJavaProducer(config: Record<string, string>, steps: JavaStep[]): JavaProducerRun {
  const libs = kafkaLibs();
  const classpath = `${producerClasses(libs)}:${libs}/*`;
  const args = Object.entries({ 'bootstrap.servers': brokers().join(','), ...config }).map(([k, v]) => `${k}=${v}`);
  const child = spawn('java', ['-Xmx256m', '-cp', classpath, 'Producer', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters.filter((w) => out.split('\n').includes(w.text))) w.resolve();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(steps.map(stepLine).join('\n') + '\n');
  const done = new Promise<void>((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`Java producer exited ${code}: ${err.slice(-2000)}`)),
    ),
  );
  return {
    done,
    said: (text) =>
      Promise.race([
        new Promise<void>((resolve) => {
          if (out.split('\n').includes(text)) resolve();
          else waiters.push({ text, resolve });
        }),
        done.then(() => {
          if (!out.split('\n').includes(text)) throw new Error(`the Java producer never said ${text}`);
        }),
      ]),
  };
}

export async function javaProduce(config: Record<string, string>, steps: JavaStep[]): Promise<void> {
  await startJavaProducer(config, steps).done;
}

/** Steps that send `records` compressed with `codec` (one batch per partition) and wait for them. */
export function javaBatch(codec: Codec, records: SpecRecord[]): JavaStep[] {
  return [
    { op: 'config', props: { 'compression.type': codec } },
    ...records.map((record): JavaStep => ({ op: 'send', record })),
    { op: 'flush' },
  ];
}

/**
 * librdkafka through kcat: `records` (text key and value, no tab or line break) to one partition,
 * compressed with `codec`, every record with the same `headers` (kcat -H; a null value is `-H name`).
 */
export async function kcatSend(o: {
  topic: string;
  partition: number;
  codec: Codec;
  headers?: [string, string | null][];
  records: { key: string; value: string }[];
}): Promise<void> {
  const headers = (o.headers ?? []).flatMap(([name, value]) => ['-H', value === null ? name : `${name}=${value}`]);
  const args = ['-P', '-b', brokers().join(','), '-t', o.topic, '-p', String(o.partition), '-z', o.codec, '-K', '\t'];
  const child = spawn('kcat', [...args, '-X', 'linger.ms=50', ...headers], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(o.records.map((r) => `${r.key}\t${r.value}\n`).join(''));
  await new Promise<void>((resolve, reject) =>
    child.on('close', (code) => (code === 0 && !/ERROR/.test(err) ? resolve() : reject(new Error(`kcat: ${err}`)))),
  );
}

export interface GroupLag {
  topic: string;
  partition: number;
  /** the group's committed offset, null when it has none */
  committed: number | null;
  logEnd: number;
  lag: number | null;
}

/** The lag of a consumer group as the broker's own `kafka-consumer-groups --describe` reports it. */
export async function brokerGroupLag(group: string): Promise<GroupLag[]> {
  const tool = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand';
  const args = [
    '-cp',
    `${kafkaLibs()}/*`,
    tool,
    '--bootstrap-server',
    brokers().join(','),
    '--describe',
    '--group',
    group,
  ];
  const { stdout } = await run('java', ['-Xmx256m', ...args], { maxBuffer: 16 * 1024 * 1024 });
  const lines = stdout.split('\n').map((l) => l.trim().split(/\s+/));
  const head = lines.find((cols) => cols[0] === 'GROUP');
  if (!head) throw new Error(`no table in kafka-consumer-groups output:\n${stdout}`);
  const col = (cols: string[], name: string) => cols[head.indexOf(name)];
  const num = (text: string) => (text === '-' ? null : Number(text));
  return lines
    .filter((cols) => cols[0] === group && cols.length >= head.length - 3)
    .map((cols) => ({
      topic: col(cols, 'TOPIC'),
      partition: Number(col(cols, 'PARTITION')),
      committed: num(col(cols, 'CURRENT-OFFSET')),
      logEnd: Number(col(cols, 'LOG-END-OFFSET')),
      lag: num(col(cols, 'LAG')),
    }));
}
