// End-to-end benchmark of the bridge against its references, in one run on one machine:
// a real broker, the emulator of the three APIs (its own process), the bridge (its own process,
// the webpack build in dist/), and the references: the naive NestJS consumer, the HTTP ceiling and
// the Kafka ceiling. `npm run bench -- --help` lists the options. See BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Admin, Kafka, logLevel, Message, Partitioners, Producer } from 'kafkajs';
import { parseAllDocuments } from 'yaml';
import { freePorts, LocalKafka, startKafka } from '../tools/kafka/broker';
import { BENCH_KEYS, BENCH_TARGETS, EmulatorControl, emulatorEnv } from './lib/emulator';
import { machineCpu, MeasuredProcess, waitUntil } from './lib/proc';
import { percentile, Row, table } from './lib/report';
import { padded, sizeOf } from './lib/big-records';
import { benchRecord, KEYS, kafkaKey, ROUTE_HEADER } from './lib/workload';

const ROOT = resolve(__dirname, '..');
const BUILD = join(ROOT, '.cache/bench-build');
const PARTITIONS = 8;

const { values: args } = parseArgs({
  options: {
    records: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'naive-records': { type: 'string' },
    'steady-seconds': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    bridge: { type: 'string' },
    repeat: { type: 'string' },
    env: { type: 'string', multiple: true },
    'node-options': { type: 'string' },
    'node-args': { type: 'string' },
    'keep-output': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [options]
  --records N          records per throughput scenario (default 200000; --quick: 20000)
  --quick              a short run: 20,000 records, 2,000 for the naive consumer, 8 s steady rate
  --only a,b           run only these scenarios (kafka, http, naive, bridge-0, bridge-50,
                       bridge-50-fixed, storm, big, split, steady)
  --naive-records N    records for the naive consumer at 0 ms (default min(records, 20000))
  --steady-seconds S   measured seconds of the steady-rate scenario (default 20; --quick: 8),
                       after a warm-up of 10 s (--quick: 5) left out of the figures
  --no-build           use dist/ and .cache/bench-build as they are
  --profile            run the bridge of bridge-0 and steady with --cpu-prof (in bench/results/)
  --bridge A[,B...]    run these bridge bundles instead of dist/apps/bridge/main.js; with several,
                       each bridge scenario runs once per bundle, in turns (A/B in one sitting)
  --repeat N           run each bridge scenario N times (per bundle, in turns; default 1)
  --env KEY=VALUE      an environment variable of every bridge process (repeatable)
  --node-options STR   NODE_OPTIONS of the bridge process (default: the Deployments' in deploy/,
                       so the bridge runs as deployed; "" for none)
  --node-args STR      node flags of the bridge process, before the bundle, e.g. "--trace-gc"
  --keep-output        write each bridge's stdout and stderr to bench/results/<stamp>-<n>.log
Set KAFKA_BROKERS to use a running broker instead of starting one.`);
  process.exit(0);
}

const N = Number(args.records ?? (args.quick ? 20_000 : 200_000));
const NAIVE_N = Number(args['naive-records'] ?? Math.min(N, args.quick ? 2_000 : 20_000));
/** At 50 ms one call at a time: 20 records/s, so a small sample is enough. */
const NAIVE_50_N = Math.min(N, args.quick ? 200 : 600);
const STEADY_RATE = 2_000;
/** The bridge as it was before adaptive concurrency: 64 calls per target, always. */
const FIXED_64 = { BRIDGE_CONCURRENCY: 'fixed', BRIDGE_MAX_IN_FLIGHT: '64' };
/** Each API takes 400 calls per second and answers the others 429 (Guance: 401 rate limit), Retry-After: 1. */
const QUOTA = { rateLimit: true, ratePerSecond: 400, retryAfter: 1 };
const STORM_N = Math.min(N, args.quick ? 6_000 : 30_000);
const BIG_N = Math.min(N, args.quick ? 10_000 : 50_000);
const STEADY_SECONDS = Number(args['steady-seconds'] ?? (args.quick ? 8 : 20));
const STEADY_WARMUP_SECONDS = args.quick ? 5 : 10;
const IDLE_SECONDS = args.quick ? 4 : 10;
const ONLY = args.only?.split(',');
const REPEAT = Number(args.repeat ?? 1);
/** The bridge bundles to measure, each with a label (its file name when there are several). */
const BUNDLES = (args.bridge?.split(',') ?? [join(ROOT, 'dist/apps/bridge/main.js')]).map((file) => ({
  file: resolve(file),
  label: args.bridge?.includes(',') ? basename(file, '.js') : '',
}));
/** NODE_OPTIONS of the bridge as deploy/datastream.yaml sets it (V8's heap sizes). */
function deployedNodeOptions(): string {
  type Env = { name: string; value?: string }[];
  type Doc = { spec?: { template?: { spec?: { containers?: { env?: Env }[] } } } } | null;
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/datastream.yaml'), 'utf8'));
  for (const doc of docs.map((d) => d.toJS() as Doc)) {
    const value = doc?.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
    if (value !== undefined) return value;
  }
  return '';
}
const NODE_OPTIONS = args['node-options'] ?? deployedNodeOptions();
const EXTRA_ENV: Record<string, string> = Object.fromEntries(
  (args.env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const wants = (name: string) => !ONLY || ONLY.includes(name);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const RESULTS = join(ROOT, 'bench/results');
const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Produce time (ms) of each record id of the current scenario. */
type Timestamps = Float64Array;

interface Outcome {
  scenario: string;
  records: number;
  recordsPerSecond: number;
  seconds: number;
  latencyMs?: { p50: number; p90: number; p99: number; max: number };
  /** includes queueing behind the preloaded backlog */
  backlogLatency?: boolean;
  process?: { name: string; cpuSeconds: number; peakRssMb: number };
  /** The machine's load average (1 min) when the scenario started and ended. */
  load?: [number, number];
  emulatorCpuSeconds?: number;
  machineBusy?: number;
  requests?: number;
  checks?: { missing: number; duplicates: number; outOfOrder: number; deadLettered: number };
  extra?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Build

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

const mtime = (path: string) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

function ensureBuilt(): void {
  const libs = Math.max(...readdirSync(join(ROOT, 'libs')).map((l) => newestMtime(join(ROOT, 'libs', l))));
  for (const app of ['bridge', 'emulator']) {
    const sources = Math.max(libs, newestMtime(join(ROOT, 'apps', app, 'src')));
    if (mtime(join(ROOT, 'dist/apps', app, 'main.js')) < sources) {
      log(`dist/apps/${app} is missing or older than its sources: nest build ${app}`);
      execFileSync('npx', ['nest', 'build', app], { cwd: ROOT, stdio: 'inherit' });
    }
  }
  log('compiling the bench helpers (tsc) into .cache/bench-build');
  execFileSync('npx', ['tsc', '-p', 'bench/tsconfig.json', '--noCheck'], { cwd: ROOT, stdio: 'inherit' });
}

/** A compiled bench helper, run with plain node (no ts-node in its memory or CPU figures). */
function helper(name: string, script: string, env: Record<string, string>): MeasuredProcess {
  return new MeasuredProcess(
    name,
    process.execPath,
    ['-r', 'tsconfig-paths/register', join(BUILD, 'bench', script)],
    { TS_NODE_BASEURL: BUILD, ...env },
    ROOT,
  );
}

// ---------------------------------------------------------------------------------------------
// Kafka

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let brokers: string;
let scenarioNo = 0;

function fresh(prefix: string): string {
  return `bench-${stamp.slice(0, 19)}-${++scenarioNo}-${prefix}`;
}

/** Records up to 16 MiB: the big-records scenario writes (and dead-letters) 5 MB ones. */
const TOPIC_CONFIG = [{ name: 'max.message.bytes', value: String(16 * 1024 * 1024) }];

async function createTopic(topic: string, partitions = PARTITIONS): Promise<string> {
  // Right after the broker starts, kafkajs may not find the new topic's leaders yet: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: partitions, configEntries: TOPIC_CONFIG }],
        waitForLeaders: true,
      });
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      if (meta.topics[0]?.partitions.length === partitions) return topic;
    } catch (err) {
      if (attempt >= 20) throw err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Record `id` as a Kafka message; with `big`, some are near their target's size cap or over it. */
function message(id: number, timestamp: number, big = false): Message {
  const r = benchRecord(id);
  return {
    key: kafkaKey(r.key),
    value: JSON.stringify(big ? padded(r.target, r.body, sizeOf(id)) : r.body),
    headers: { [ROUTE_HEADER]: r.target },
    timestamp: String(timestamp),
  };
}

/**
 * Writes records 0..count-1 to the topic, noting the produce time of each. One send at a time:
 * concurrent sends could land out of order in a partition, and the order check would misfire.
 */
async function preload(topic: string, count: number, ts: Timestamps, big = false): Promise<number> {
  const started = Date.now();
  const CHUNK = big ? 250 : 4_000; // a 250-record chunk holds at most one record near a cap
  for (let from = 0; from < count; from += CHUNK) {
    const now = Date.now();
    const messages: Message[] = [];
    for (let id = from; id < Math.min(count, from + CHUNK); id++) {
      ts[id] = now;
      messages.push(message(id, now, big));
    }
    await producer.send({ topic, acks: -1, messages });
  }
  const seconds = (Date.now() - started) / 1000;
  log(`preloaded ${count} records into ${topic} in ${seconds.toFixed(1)} s`);
  return seconds;
}

async function topicCount(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, p) => n + Number(p.high), 0);
}

// ---------------------------------------------------------------------------------------------
// Emulator

async function startEmulator(latencyMs: number): Promise<{ proc: MeasuredProcess; control: EmulatorControl }> {
  const [port] = await freePorts(1);
  const proc = new MeasuredProcess(
    'emulator',
    process.execPath,
    [join(ROOT, 'dist/apps/emulator/main.js')],
    emulatorEnv(port),
    ROOT,
  );
  const control = new EmulatorControl(`http://127.0.0.1:${port}`);
  await waitUntil('the emulator', () => control.healthy(), 30_000);
  await control.setLatency(latencyMs);
  return { proc, control };
}

interface Receipts {
  count: number;
  firstAt: number;
  lastAt: number;
  latencies: Float64Array;
  duplicates: number;
  outOfOrder: number;
  timeline: { second: number; p99: number; max: number }[];
  /** p50 and p99 of each target's records. */
  byTarget: Record<string, { p50: number; p99: number }>;
}

/** Every record the emulator accepted: arrival span, latency from produce time, order per key. */
async function collect(control: EmulatorControl, ts: Timestamps, fromId = 0): Promise<Receipts> {
  const seen = new Uint8Array(ts.length);
  const byId = new Float64Array(ts.length);
  const latencies: number[] = [];
  let firstAt = Infinity;
  let lastAt = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let count = 0;
  const byTarget: Receipts['byTarget'] = {};
  for (const target of BENCH_TARGETS) {
    const lastSeq = new Int32Array(KEYS).fill(-1);
    const own: number[] = [];
    for (const r of await control.receipts(target)) {
      count++;
      if (seen[r.id]) duplicates++;
      seen[r.id] = 1;
      if (r.seq < lastSeq[r.key]) outOfOrder++;
      lastSeq[r.key] = Math.max(lastSeq[r.key], r.seq);
      if (r.id < fromId) continue;
      firstAt = Math.min(firstAt, r.at);
      lastAt = Math.max(lastAt, r.at);
      latencies.push(r.at - ts[r.id]);
      own.push(r.at - ts[r.id]);
      byId[r.id] = r.at - ts[r.id];
    }
    const sortedOwn = Float64Array.from(own).sort();
    byTarget[target] = { p50: percentile(sortedOwn, 50), p99: percentile(sortedOwn, 99) };
  }
  // p99 and max per second of produce time: one stall, or a tail all along?
  const perSecond = new Map<number, number[]>();
  for (let id = fromId; id < ts.length; id++) {
    if (!seen[id] || ts[id] === 0) continue;
    const second = Math.floor((ts[id] - ts[fromId]) / 1000);
    let list = perSecond.get(second);
    if (!list) perSecond.set(second, (list = []));
    list.push(byId[id]);
  }
  const timeline = [...perSecond].map(([second, list]) => {
    const sortedList = Float64Array.from(list).sort();
    return { second, p99: percentile(sortedList, 99), max: sortedList[sortedList.length - 1] };
  });
  const sorted = Float64Array.from(latencies).sort();
  return { count, firstAt, lastAt, latencies: sorted, duplicates, outOfOrder, timeline, byTarget };
}

/** RSS (MB) at each tenth of the measured window: a plateau, or a growth with the records. */
function rssTimeline(proc: MeasuredProcess, from: number, to: number): number[] {
  return Array.from({ length: 11 }, (_, i) => {
    const t = from + ((to - from) * i) / 10;
    let best = proc.samples[0];
    for (const s of proc.samples) if (s.at <= t) best = s;
    return Math.round(best?.rssMb ?? 0);
  });
}

const latencyOf = (r: Receipts) => ({
  p50: percentile(r.latencies, 50),
  p90: percentile(r.latencies, 90),
  p99: percentile(r.latencies, 99),
  max: r.latencies[r.latencies.length - 1],
});

// ---------------------------------------------------------------------------------------------
// Scenarios

function bridgeEnv(url: string, topic: string, dlq: string, group: string, port: number, extra = {}) {
  return {
    KAFKA_BROKERS: brokers,
    BRIDGE_TOPICS: topic,
    BRIDGE_DLQ_TOPIC: dlq,
    BRIDGE_GROUP_ID: group,
    NCP_ACCESS_KEY: BENCH_KEYS.ncp.accessKey,
    NCP_SECRET_KEY: BENCH_KEYS.ncp.secretKey,
    DATASTREAM_ENDPOINT: url,
    CLOUDINSIGHT_ENDPOINT: url,
    GUANCE_ENDPOINT: url,
    GUANCE_API_KEY: BENCH_KEYS.guanceApiKey,
    GUANCE_SECRET: BENCH_KEYS.monitor.secret,
    GUANCE_SUB_URI: BENCH_KEYS.monitor.subUri,
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}),
    ...EXTRA_ENV,
    ...extra,
  };
}

/** The bundle the next bridge scenario runs (see --bridge). */
let bundle = BUNDLES[0];

async function startBridge(env: Record<string, string>, profileDir?: string): Promise<MeasuredProcess> {
  const node = args['node-args']?.split(' ').filter(Boolean) ?? [];
  if (profileDir) node.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  const bridge = new MeasuredProcess('bridge', process.execPath, [...node, bundle.file], env, ROOT);
  if (args['keep-output']) {
    const file = join(RESULTS, `${stamp}-${scenarioNo}.log`);
    void bridge.exited.then(() => writeFileSync(file, bridge.output()));
  }
  return bridge;
}

async function bridgeReady(port: number, bridge: MeasuredProcess): Promise<void> {
  await waitUntil(
    'the bridge to be ready',
    async () => {
      if (bridge.proc.exitCode !== null) throw new Error(`bridge exited:\n${bridge.output().slice(-3000)}`);
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      return res?.status === 200;
    },
    60_000,
    100,
  );
}

/** Waits until the emulator accepted `count` records, or accepted + dead-lettered reach it. */
async function waitDelivered(
  what: string,
  control: EmulatorControl,
  count: number,
  dlq: string | undefined,
  procs: MeasuredProcess | MeasuredProcess[],
): Promise<number> {
  let dead = 0;
  let polls = 0;
  await waitUntil(
    what,
    async () => {
      for (const proc of [procs].flat()) {
        if (proc.proc.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.output().slice(-3000)}`);
      }
      const accepted = await control.accepted();
      if (dlq && (accepted + dead >= count || ++polls % 10 === 0)) dead = await topicCount(dlq);
      return accepted + dead >= count;
    },
    Math.max(180_000, (count / 300) * 1000),
    100,
  );
  return dead;
}

interface BridgeRun {
  scenario: string;
  latencyMs: number;
  /** Records (default N). */
  records?: number;
  env?: Record<string, string>;
  profileDir?: string;
  /** Faults set on every API of the emulator (besides the latency), e.g. a quota. */
  fault?: Record<string, unknown>;
  /** Some records near their target's size cap, some over it (see lib/big-records). */
  big?: boolean;
  /** One bridge process per target (BRIDGE_TARGETS), as three Deployments run it. */
  split?: boolean;
}

/** The bridge (or one per target) over a preloaded topic: throughput, CPU, memory, checks. */
async function bridgeScenario(run: BridgeRun): Promise<Outcome> {
  const { scenario, latencyMs, env: extraEnv = {}, profileDir } = run;
  const count = run.records ?? N;
  log(
    `${scenario}: ${count} records, emulator latency ${latencyMs} ms ${JSON.stringify({ ...extraEnv, ...run.fault })}`,
  );
  const topic = await createTopic(fresh('in'));
  const dlq = await createTopic(fresh('dlq'), 1);
  const ts: Timestamps = new Float64Array(count);
  await preload(topic, count, ts, run.big);
  const emulator = await startEmulator(latencyMs);
  if (run.fault) await emulator.control.setFault({ latencyMs, ...run.fault });
  const group = fresh('group');
  const targets = run.split ? BENCH_TARGETS.map((t) => [t]) : [undefined];
  const ports = await freePorts(targets.length);
  const cpu0 = machineCpu();
  const bridges = await Promise.all(
    targets.map((only, i) => {
      const split = only ? { BRIDGE_TARGETS: only.join(','), BRIDGE_UNROUTABLE_TARGET: 'datastream' } : {};
      const env = bridgeEnv(emulator.control.url, topic, dlq, group, ports[i], { ...extraEnv, ...split });
      return startBridge(env, profileDir);
    }),
  );
  const dead = await waitDelivered(scenario, emulator.control, count, dlq, bridges);
  for (const b of bridges) b.sample();
  emulator.proc.sample();
  const cpu1 = machineCpu();
  const exits = await Promise.all(bridges.map((b) => b.stop('SIGTERM')));
  const r = await collect(emulator.control, ts);
  const stats = await emulator.control.stats();
  const requests = BENCH_TARGETS.reduce((n, t) => n + stats[t].requests, 0);
  await emulator.proc.stop();
  const seconds = (r.lastAt - r.firstAt) / 1000;
  const sum = (f: (b: MeasuredProcess) => number) => bridges.reduce((n, b) => n + f(b), 0);
  return {
    scenario,
    records: count,
    recordsPerSecond: count / seconds,
    seconds,
    latencyMs: latencyOf(r),
    backlogLatency: true,
    process: {
      name: bridges.length > 1 ? `${bridges.length} bridges` : 'bridge',
      cpuSeconds: sum((b) => b.cpuBetween(r.firstAt, r.lastAt)),
      peakRssMb: sum((b) => b.peakRssMb),
    },
    emulatorCpuSeconds: emulator.proc.cpuBetween(r.firstAt, r.lastAt),
    machineBusy: (cpu1.busy - cpu0.busy) / (cpu1.total - cpu0.total),
    requests,
    checks: {
      missing: count - (r.count - r.duplicates) - dead,
      duplicates: r.duplicates,
      outOfOrder: r.outOfOrder,
      deadLettered: dead,
    },
    extra: {
      latencyMs,
      env: extraEnv,
      fault: run.fault,
      bridgeExit: exits,
      peakRssMbEach: bridges.map((b) => Math.round(b.peakRssMb)),
      // answers by status over the three APIs (429, and Guance's 401 rate limit, in a quota storm)
      statuses: Object.fromEntries(BENCH_TARGETS.map((t) => [t, stats[t].statuses])),
      rssTimelineMb: rssTimeline(bridges[0], r.firstAt, r.lastAt),
    },
  };
}

async function steadyScenario(profileDir?: string): Promise<Outcome> {
  const scenario = `bridge steady ${STEADY_RATE}/s, 0 ms`;
  const total = STEADY_RATE * (STEADY_SECONDS + STEADY_WARMUP_SECONDS);
  const warmup = STEADY_RATE * STEADY_WARMUP_SECONDS;
  log(`${scenario}: ${STEADY_WARMUP_SECONDS} s warm-up, then ${STEADY_SECONDS} s measured`);
  const topic = await createTopic(fresh('in'));
  const dlq = await createTopic(fresh('dlq'), 1);
  const ts: Timestamps = new Float64Array(total);
  const emulator = await startEmulator(0);
  const [port] = await freePorts(1);
  const bridge = await startBridge(bridgeEnv(emulator.control.url, topic, dlq, fresh('group'), port), profileDir);
  await bridgeReady(port, bridge);
  // What the bridge costs with nothing to deliver (its groups joined, fetching an empty topic).
  await new Promise((r) => setTimeout(r, 2000));
  const idle0 = bridge.sample()!;
  await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const idle1 = bridge.sample()!;
  const idleCores = (idle1.cpu - idle0.cpu) / ((idle1.at - idle0.at) / 1000);
  const started = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * STEADY_RATE));
    if (due > sent) {
      const now = Date.now();
      const messages: Message[] = [];
      for (let id = sent; id < due; id++) {
        ts[id] = now;
        messages.push(message(id, now));
      }
      sent = due;
      await producer.send({ topic, acks: 1, messages });
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const dead = await waitDelivered(scenario, emulator.control, total, dlq, bridge);
  bridge.sample();
  await bridge.stop('SIGTERM');
  const r = await collect(emulator.control, ts, warmup);
  const stats = await emulator.control.stats();
  await emulator.proc.stop();
  const seconds = (r.lastAt - r.firstAt) / 1000;
  return {
    requests: BENCH_TARGETS.reduce((n, t) => n + stats[t].requests, 0),
    scenario,
    records: total - warmup,
    recordsPerSecond: (total - warmup) / seconds,
    seconds,
    latencyMs: latencyOf(r),
    process: { name: 'bridge', cpuSeconds: bridge.cpuBetween(r.firstAt, r.lastAt), peakRssMb: bridge.peakRssMb },
    emulatorCpuSeconds: emulator.proc.cpuBetween(r.firstAt, r.lastAt),
    checks: {
      missing: total - (r.count - r.duplicates) - dead,
      duplicates: r.duplicates,
      outOfOrder: r.outOfOrder,
      deadLettered: dead,
    },
    extra: {
      rate: STEADY_RATE,
      warmupRecords: warmup,
      produceSeconds: (Date.now() - started) / 1000,
      idleCores,
      latencyPerSecond: r.timeline,
      latencyByTargetMs: r.byTarget,
    },
  };
}

async function naiveScenario(latencyMs: number, count: number): Promise<Outcome> {
  const scenario = `naive NestJS consumer, ${latencyMs} ms`;
  log(`${scenario}: ${count} records`);
  const topic = await createTopic(fresh('in'));
  const ts: Timestamps = new Float64Array(count);
  await preload(topic, count, ts);
  const emulator = await startEmulator(latencyMs);
  const naive = helper('naive', 'naive/main.js', {
    KAFKA_BROKERS: brokers,
    NAIVE_TOPIC: topic,
    NAIVE_GROUP_ID: fresh('naive'),
    EMULATOR_URL: emulator.control.url,
  });
  await waitDelivered(scenario, emulator.control, count, undefined, naive);
  // It redelivers after a rebalance (commits every 5 s): wait until every record arrived once.
  let r = await collect(emulator.control, ts);
  for (let i = 0; i < 600 && r.count - r.duplicates < count; i++) {
    await new Promise((done) => setTimeout(done, 100));
    r = await collect(emulator.control, ts);
  }
  naive.sample();
  await naive.stop('SIGTERM', 10_000);
  await emulator.proc.stop();
  const seconds = (r.lastAt - r.firstAt) / 1000;
  return {
    scenario,
    records: count,
    recordsPerSecond: count / seconds,
    seconds,
    latencyMs: latencyOf(r),
    backlogLatency: true,
    process: { name: 'naive', cpuSeconds: naive.cpuBetween(r.firstAt, r.lastAt), peakRssMb: naive.peakRssMb },
    checks: {
      missing: count - (r.count - r.duplicates),
      duplicates: r.duplicates,
      outOfOrder: r.outOfOrder,
      deadLettered: 0,
    },
  };
}

async function httpCeiling(latencyMs: number): Promise<Outcome> {
  const scenario = `HTTP ceiling, ${latencyMs} ms`;
  log(`${scenario}: ${N} records, 64 requests at a time per target`);
  const emulator = await startEmulator(latencyMs);
  const gen = helper('http-load', 'http-ceiling.js', {
    EMULATOR_URL: emulator.control.url,
    RECORDS: String(N),
    CONCURRENCY: '64',
  });
  const exit = await gen.exited;
  if (exit !== 0) throw new Error(`http load generator exited ${exit}:\n${gen.output()}`);
  await gen.stop();
  const report = JSON.parse(gen.output().trim().split('\n').at(-1)!) as { requests: number; failed: number };
  const ts: Timestamps = new Float64Array(N);
  const r = await collect(emulator.control, ts);
  await emulator.proc.stop();
  const seconds = (r.lastAt - r.firstAt) / 1000;
  return {
    scenario,
    records: N,
    recordsPerSecond: N / seconds,
    seconds,
    requests: report.requests,
    process: { name: 'http-load', cpuSeconds: gen.samples.at(-1)?.cpu ?? 0, peakRssMb: gen.peakRssMb },
    checks: { missing: N - (r.count - r.duplicates), duplicates: r.duplicates, outOfOrder: 0, deadLettered: 0 },
    extra: { failed: report.failed },
  };
}

async function kafkaCeiling(groups: number, topic: string): Promise<Outcome> {
  const scenario = `Kafka ceiling, ${groups} group${groups > 1 ? 's' : ''}`;
  log(`${scenario}: ${N} records`);
  const reader = helper('kafka-read', 'kafka-ceiling.js', {
    KAFKA_BROKERS: brokers,
    TOPIC: topic,
    RECORDS: String(N),
    GROUPS: String(groups),
    GROUP_ID: fresh('ceiling'),
  });
  const exit = await reader.exited;
  if (exit !== 0) throw new Error(`kafka reader exited ${exit}:\n${reader.output()}`);
  await reader.stop();
  const report = JSON.parse(reader.output().trim().split('\n').at(-1)!) as { seconds: number };
  return {
    scenario,
    records: N,
    recordsPerSecond: N / report.seconds,
    seconds: report.seconds,
    process: { name: 'kafka-read', cpuSeconds: reader.samples.at(-1)?.cpu ?? 0, peakRssMb: reader.peakRssMb },
    extra: { recordsRead: N * groups },
  };
}

/** Calls the emulator's quota turned away: 429s, and Guance's 401 rate limit. */
function throttled(out?: Outcome): number {
  const statuses = (out?.extra?.statuses ?? {}) as Record<string, Record<string, number>>;
  return Object.values(statuses).reduce((n, s) => n + (s['429'] ?? 0) + (s['401'] ?? 0), 0);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = Date.now();
  if (!args['no-build']) ensureBuilt();
  let local: LocalKafka | undefined;
  if (process.env.KAFKA_BROKERS) brokers = process.env.KAFKA_BROKERS;
  else {
    log('starting a Kafka broker');
    local = await startKafka({ partitions: PARTITIONS, log });
    brokers = local.brokers;
  }
  kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.WARN });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  mkdirSync(RESULTS, { recursive: true });

  const outcomes: Record<string, Outcome> = {};
  const run = async (key: string, fn: () => Promise<Outcome>) => {
    const load = loadavg()[0];
    const o = await fn();
    o.load = [load, loadavg()[0]];
    outcomes[key] = o;
    log(
      `${o.scenario}: ${Math.round(o.recordsPerSecond)} records/s` +
        (o.latencyMs ? `, p50 ${o.latencyMs.p50} ms, p99 ${o.latencyMs.p99} ms` : '') +
        (o.process
          ? `, ${o.process.name} CPU ${o.process.cpuSeconds.toFixed(1)} s, RSS ${o.process.peakRssMb.toFixed(0)} MB`
          : '') +
        (o.checks ? ` ${JSON.stringify(o.checks)}` : '') +
        (o.extra?.idleCores !== undefined ? `, idle ${(o.extra.idleCores as number).toFixed(3)} core` : '') +
        (o.extra?.latencyByTargetMs ? `, by target ${JSON.stringify(o.extra.latencyByTargetMs)}` : '') +
        (o.requests ? `, ${o.requests} requests` : '') +
        (o.extra?.fault ? `, ${o.requests} requests, ${throttled(o)} turned away (429)` : '') +
        `, load ${o.load.map((l) => l.toFixed(1)).join('-')}`,
    );
  };
  /** A bridge scenario, once per bundle and repetition, in turns; keys and names say which. */
  const runBridge = async (key: string, fn: () => Promise<Outcome>) => {
    for (let i = 1; i <= REPEAT; i++) {
      for (const b of BUNDLES) {
        bundle = b;
        const tag = [b.label, REPEAT > 1 ? `#${i}` : ''].filter(Boolean).join(' ');
        await run(tag ? `${key} ${tag}` : key, async () => {
          const o = await fn();
          return tag ? { ...o, scenario: `${o.scenario} [${tag}]` } : o;
        });
      }
    }
  };
  try {
    if (wants('kafka')) {
      const topic = await createTopic(fresh('in'));
      await preload(topic, N, new Float64Array(N));
      await run('kafka1', () => kafkaCeiling(1, topic));
      await run('kafka3', () => kafkaCeiling(3, topic));
    }
    if (wants('http')) {
      await run('http0', () => httpCeiling(0));
      await run('http50', () => httpCeiling(50));
    }
    if (wants('naive')) {
      await run('naive0', () => naiveScenario(0, NAIVE_N));
      await run('naive50', () => naiveScenario(50, NAIVE_50_N));
    }
    const profileDir = args.profile ? join(RESULTS, `profile-${stamp}`) : undefined;
    const scenario = (key: string, run: BridgeRun) => runBridge(key, () => bridgeScenario(run));
    if (wants('bridge-0')) await scenario('bridge0', { scenario: 'bridge, 0 ms', latencyMs: 0, profileDir });
    if (wants('bridge-50')) await scenario('bridge50', { scenario: 'bridge, 50 ms', latencyMs: 50 });
    if (wants('bridge-50-fixed')) {
      await scenario('bridge50fixed', { scenario: 'bridge, 50 ms, fixed 64 in flight', latencyMs: 50, env: FIXED_64 });
    }
    if (wants('storm')) {
      for (const [key, name, env] of [
        ['storm', 'adaptive', {}],
        ['stormFixed', 'fixed 64', FIXED_64],
      ] as const) {
        await scenario(key, { scenario: `429 storm, ${name}`, latencyMs: 50, records: STORM_N, fault: QUOTA, env });
      }
    }
    if (wants('big')) {
      await scenario('big', { scenario: 'bridge, 0 ms, big records', latencyMs: 0, records: BIG_N, big: true });
    }
    if (wants('split')) {
      await scenario('split', { scenario: 'bridge, 0 ms, a process per target', latencyMs: 0, split: true });
    }
    if (wants('steady')) await runBridge('steady', () => steadyScenario(profileDir));
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await local?.stop();
  }

  const o = outcomes;
  const ratio = (a?: Outcome, b?: Outcome) => (a && b ? a.recordsPerSecond / b.recordsPerSecond : undefined);
  const rows: Row[] = Object.entries(o).map(([key, out]) => {
    const ratios: Record<string, number | undefined> = {};
    if (key.startsWith('bridge0')) {
      ratios['naive 0 ms'] = ratio(out, o.naive0);
      ratios['HTTP ceiling 0 ms'] = ratio(out, o.http0);
      ratios['Kafka ceiling 3 groups'] = ratio(out, o.kafka3);
    } else if (key.startsWith('storm')) {
      ratios['429 answers of fixed 64'] = throttled(out) / Math.max(1, throttled(o.stormFixed));
    } else if (key.startsWith('split')) {
      ratios['one process'] = ratio(out, o.bridge0);
    } else if (key.startsWith('bridge50')) {
      ratios['naive 50 ms'] = ratio(out, o.naive50);
      ratios['HTTP ceiling 50 ms'] = ratio(out, o.http50);
    }
    return {
      scenario: out.scenario,
      records: out.records,
      recordsPerSecond: out.recordsPerSecond,
      p50Ms: out.backlogLatency ? undefined : out.latencyMs?.p50,
      p99Ms: out.backlogLatency ? undefined : out.latencyMs?.p99,
      rssMb: out.process?.peakRssMb,
      cpuSeconds: out.process?.cpuSeconds,
      load: out.load,
      ratios: Object.fromEntries(Object.entries(ratios).filter(([, v]) => v !== undefined)) as Record<string, number>,
    };
  });
  const file = join(RESULTS, `${stamp}.json`);
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    memoryGb: totalmem() / 2 ** 30,
    node: process.version,
  };
  writeFileSync(
    file,
    JSON.stringify(
      { stamp, argv: process.argv.slice(2), records: N, machine, bridgeNodeOptions: NODE_OPTIONS, outcomes: o, rows },
      null,
      2,
    ),
  );
  console.log(`\n${table(rows)}\n`);
  console.log('p50/p99: record timestamp (produce time) to emulator receipt; shown for the steady-rate');
  console.log('scenario only (in the preloaded ones it is time spent in the backlog; see the JSON).');
  console.log(
    `machine: ${machine.cpus} cores (${machine.model}), shared by broker, emulator, bridge and load generators`,
  );
  console.log(`bridge NODE_OPTIONS: ${NODE_OPTIONS || '(none)'}`);
  console.log(`results: ${file.slice(ROOT.length + 1)}; took ${((Date.now() - began) / 1000).toFixed(0)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
