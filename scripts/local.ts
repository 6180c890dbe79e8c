// `npm run local`: a local Kafka, emulators of the three APIs and the bridge, fed sample records,
// with a live summary of where they went. Ctrl-C (or LOCAL_EXIT_AFTER_MS) stops everything.
import { join } from 'node:path';
import { createKafka } from '@app/kafka';
import { EmulatorServer } from '../apps/emulator/src/emulator-server';
import { freePorts, LocalKafka, startKafka } from '../tools/kafka/broker';
import { LocalBridge, spawnBridge, stopBridge, waitReady } from './local/bridge';
import { emptyFedCounts, Feeder } from './local/feeder';
import { fetchBridgeSnapshot, Snapshot } from './local/metrics';
import {
  bridgeEnv,
  cliCommands,
  LOCAL_DLQ_PARTITIONS,
  LOCAL_TOPIC,
  LOCAL_TOPIC_PARTITIONS,
  planLocal,
} from './local/plan';
import { renderTable, SummaryPrinter, View } from './local/summary';

const env = process.env;

/** A whole number from the environment, or `fallback` when unset; exits 1 naming a bad value. */
function intEnv(name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw)) {
    console.error(`local: ${name} must be a whole number (got "${raw}")`);
    process.exit(1);
  }
  return Number(raw);
}
const exitAfter = intEnv('LOCAL_EXIT_AFTER_MS', 0);
const emulatorPort = intEnv('LOCAL_EMULATOR_PORT', 0);
const plan = planLocal(env);
const printer = new SummaryPrinter(process.stdout, 'kafka-ncp-bridge, local');
const log = (line: string) => {
  printer.release();
  console.log(`local: ${line}`);
};

let kafka: LocalKafka | undefined;
let emulator: EmulatorServer | undefined;
let bridge: LocalBridge | undefined;
let feeder: Feeder | undefined;
let bridgePort = 0;
/** the bridge's metrics: as of the last refresh (undefined if it did not answer), and the last good ones */
let snapshot: Snapshot | undefined;
let lastSnapshot: Snapshot | undefined;
const startedAt = Date.now();

let requestStop: (why: string) => void = () => undefined;
const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
let stopping = false;
function stop(why: string): void {
  if (!stopping) log(`${why}: stopping...`);
  stopping = true;
  requestStop(why);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
if (exitAfter > 0) setTimeout(() => stop(`LOCAL_EXIT_AFTER_MS (${exitAfter} ms) passed`), exitAfter);

/** Throws once a stop was asked for, so start-up ends at the next step. */
function checkpoint(): void {
  if (stopping) throw new Error('stopped during start-up');
}

function view(bridgeMetrics: Snapshot | undefined): View {
  const fed = feeder?.fed ?? emptyFedCounts();
  return {
    upMs: Date.now() - startedAt,
    plan,
    bridge: bridgeMetrics,
    emulator: emulator?.stats(),
    fed,
    feedError: feeder?.error,
  };
}

async function startUp(): Promise<void> {
  const external = env.KAFKA_BROKERS?.trim();
  if (external) log(`using the Kafka broker at ${external} (KAFKA_BROKERS)`);
  else log('starting a local Kafka broker (about 10 s)...');
  kafka = external ? undefined : await startKafka({ partitions: LOCAL_TOPIC_PARTITIONS, log });
  const brokers = external ?? kafka!.brokers;
  checkpoint();
  const client = createKafka({
    clientId: 'bridge-local',
    brokers: brokers.split(','),
    ssl: false,
    metadataMaxAgeMs: 30_000,
  });
  const admin = client.admin();
  await admin.connect();
  await admin
    .createTopics({
      waitForLeaders: true,
      topics: [
        { topic: LOCAL_TOPIC, numPartitions: LOCAL_TOPIC_PARTITIONS },
        // as the bridge creates it: dead letters keep original timestamps, so no time-based retention
        {
          topic: plan.dlqTopic,
          numPartitions: LOCAL_DLQ_PARTITIONS,
          configEntries: [{ name: 'retention.ms', value: '-1' }],
        },
      ],
    })
    .finally(() => admin.disconnect());
  checkpoint();

  if (plan.emulated.length > 0) {
    emulator = new EmulatorServer({
      host: '127.0.0.1',
      port: emulatorPort,
      ncp: plan.emulatorNcp,
    });
    await emulator.start();
    log(`emulator of ${plan.emulated.join(', ')} on ${emulator.url} (stats: ${emulator.url}/_emulator/stats)`);
  }
  if (plan.real.length > 0) log(`real APIs for ${plan.real.join(', ')} (their *_ENDPOINT variables are set)`);

  [bridgePort] = await freePorts(1);
  const logFile = env.LOCAL_BRIDGE_LOG ?? join(__dirname, '../.cache/local/bridge.log');
  bridge = spawnBridge(bridgeEnv(env, plan, { brokers, httpPort: bridgePort, emulatorUrl: emulator?.url }), logFile);
  const broker = kafka ? `broker pid ${kafka.pid}` : 'broker external';
  log(`bridge pid ${bridge.pid}, ${broker}, Kafka ${brokers}, emulator port ${emulator?.port ?? 'none'}`);
  log(
    `bridge metrics on http://127.0.0.1:${bridgePort}/metrics, its log in ${env.LOCAL_BRIDGE_LOG ?? '.cache/local/bridge.log'}`,
  );
  const ready = waitReady(bridge, bridgePort, 120_000);
  ready.catch(() => undefined); // a stop during start-up leaves it to fail unheard
  await Promise.race([ready, stopRequested]);
  checkpoint();
  log(`bridge ready; feeding ${LOCAL_TOPIC} (Kafka ${brokers}), dead letters go to ${plan.dlqTopic}`);
  log('point the CLI at this stack (from another terminal):');
  cliCommands(brokers, plan).forEach((line) => log(`  ${line}`));

  feeder = new Feeder(client, LOCAL_TOPIC, {
    datastreamTopic: env.LOCAL_DATASTREAM_TOPIC ?? 'local-demo-orders',
    cwKey: env.LOCAL_CW_KEY ?? 'local-demo-cw-key',
    routeHeader: env.BRIDGE_ROUTE_HEADER?.trim() || undefined,
  });
  await feeder.start(500);
}

async function refresh(): Promise<void> {
  snapshot = await fetchBridgeSnapshot(bridgePort);
  lastSnapshot = snapshot ?? lastSnapshot;
  if (!stopping) printer.print(view(snapshot));
}

/** Stops what was started, last started first; never throws. Returns false if something failed. */
async function tearDown(): Promise<boolean> {
  let clean = true;
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      clean = false;
      log(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  await step('stopping the feed', async () => feeder?.stop());
  if (bridge) {
    const b = bridge;
    await step('reading the final metrics', refresh);
    await step('stopping the bridge', async () => {
      const code = await stopBridge(b, Number(env.BRIDGE_SHUTDOWN_TIMEOUT_MS || 5000) + 30_000);
      log(`bridge exited (${code})`);
      if (code !== 0) throw new Error(`the bridge exited with ${code}; its last lines:\n${b.tail()}`);
    });
  }
  const emulatorStats = emulator?.stats();
  await step('closing the emulator', async () => emulator?.close());
  if (kafka) {
    const k = kafka;
    await step('stopping the broker', async () => {
      await k.stop();
      log('broker stopped, its data removed');
    });
  }
  const final = { ...view(lastSnapshot), emulator: emulatorStats };
  const upFor = Math.round((Date.now() - startedAt) / 1000);
  console.log(
    ['', `final summary after ${upFor} s (bridge counts as of its shutdown):`, ...renderTable(final)].join('\n'),
  );
  return clean;
}

async function main(): Promise<number> {
  let failed = false;
  try {
    await startUp();
    const timer = setInterval(() => void refresh(), printer.live ? 1000 : 2000);
    await refresh();
    const why = await Promise.race([stopRequested, bridge!.exited.then((code) => `the bridge exited (${code})`)]);
    clearInterval(timer);
    if (!stopping) {
      failed = true;
      log(`${why} unexpectedly; its last lines:\n${bridge!.tail()}`);
    }
  } catch (err) {
    if (!stopping) {
      failed = true;
      log(`start-up failed: ${err instanceof Error ? err.message : String(err)}`);
      if (bridge) log(`the bridge's last lines:\n${bridge.tail()}`);
    }
  }
  stopping = true;
  const clean = await tearDown();
  return failed || !clean ? 1 : 0;
}

void main().then((code) => process.exit(code));
