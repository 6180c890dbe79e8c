import type { Target } from '@app/contracts';
import { EmulatorOptions, EmulatorServer, startEmulator } from '../../apps/emulator/src';
import { brokers, createTopic, uniqueName } from './kafka';
import { idOf } from './records';

/** Test credentials: fake, and distinctive so a test can grep logs and DLQ headers for them. */
export const SECRETS = {
  ncp: { accessKey: 'AKIDTEST00000000BRIDGE', secretKey: 'SECRET-ncp-5f1e0c7a9b2d4e6f8a0b1c2d3e4f5a6b' },
  guanceApiKey: 'SECRET-guance-key-3c9d1e7f',
  monitors: {
    default: { secret: 'SECRET-monitor-default-8b2a', subUri: 'bridge-default' },
    ops: { secret: 'SECRET-monitor-ops-41fd', subUri: 'bridge-ops' },
  },
};

export function secretValues(): string[] {
  return [SECRETS.ncp.secretKey, SECRETS.guanceApiKey, ...Object.values(SECRETS.monitors).map((m) => m.secret)];
}

export async function startTestEmulator(
  opts: Pick<EmulatorOptions, 'tls'> = {},
): Promise<{ url: string; server: EmulatorServer }> {
  return startEmulator({
    ncp: SECRETS.ncp,
    guanceApiKey: SECRETS.guanceApiKey,
    guanceMonitors: SECRETS.monitors,
    ...opts,
  });
}

/** Fresh topics and group for one scenario. */
export async function freshScenario(partitions = 4): Promise<{ topic: string; dlq: string; group: string }> {
  const topic = await createTopic(uniqueName('in'), partitions);
  // the bridge creates its DLQ topic itself (with unlimited retention, see KafkaBridgeServer)
  return { topic, dlq: uniqueName('dlq'), group: uniqueName('bridge') };
}

/** The whole bridge environment for a scenario against the emulator at `url`. */
export function bridgeEnv(
  url: string,
  s: { topic: string; dlq: string; group: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers().join(','),
    BRIDGE_TOPICS: s.topic,
    BRIDGE_DLQ_TOPIC: s.dlq,
    BRIDGE_GROUP_ID: s.group,
    NCP_ACCESS_KEY: SECRETS.ncp.accessKey,
    NCP_SECRET_KEY: SECRETS.ncp.secretKey,
    DATASTREAM_ENDPOINT: url,
    CLOUDINSIGHT_ENDPOINT: url,
    GUANCE_ENDPOINT: url,
    GUANCE_API_KEY: SECRETS.guanceApiKey,
    GUANCE_SECRET: SECRETS.monitors.default.secret,
    GUANCE_SUB_URI: SECRETS.monitors.default.subUri,
    GUANCE_MONITORS: JSON.stringify({ ops: SECRETS.monitors.ops }),
    BRIDGE_HTTP_TIMEOUT_MS: '2000',
    BRIDGE_SHUTDOWN_TIMEOUT_MS: '5000',
    ...extra,
  };
}

/** Everything an emulated API accepted, as (id, seq, key?, at) in arrival order. */
export function received(server: EmulatorServer, target: Target): { id: string; seq: number; at: number }[] {
  const out: { id: string; seq: number; at: number }[] = [];
  let since = 0;
  for (;;) {
    const page = server.received(target, since, 50_000);
    for (const e of page.entries) out.push({ ...idOf(target, e.body), at: e.at });
    if (page.entries.length === 0 || page.next === since) break;
    since = page.next;
  }
  return out;
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export { uniqueName };
