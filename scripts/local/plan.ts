import type { NcpCredentials } from '@app/ncp';
import { TARGETS, Target } from '@app/contracts';
import { EMULATOR_DEFAULTS } from '../../apps/emulator/src/emulator-server';

export const LOCAL_TOPIC = 'events.internal';
export const LOCAL_TOPIC_PARTITIONS = 6;
export const LOCAL_DLQ_PARTITIONS = 3;

const ENDPOINT_VARIABLE: Record<Target, string> = {
  datastream: 'DATASTREAM_ENDPOINT',
  cloudinsight: 'CLOUDINSIGHT_ENDPOINT',
  guance: 'GUANCE_ENDPOINT',
};

/** Where each target's records go, and what the emulator must accept. */
export interface LocalPlan {
  /** Targets whose endpoint variable is set: the bridge calls that API, not the emulator. */
  real: Target[];
  emulated: Target[];
  dlqTopic: string;
  /** The NCP keys the emulator checks signatures with. */
  emulatorNcp: NcpCredentials;
}

const blank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

/**
 * The rule: a target whose endpoint variable the user set goes to that endpoint with the user's
 * credentials; every other target goes to the in-process emulator with fake ones.
 */
export function planLocal(env: NodeJS.ProcessEnv): LocalPlan {
  const real = TARGETS.filter((t) => !blank(env[ENDPOINT_VARIABLE[t]]));
  const ncpReal = real.includes('datastream') || real.includes('cloudinsight');
  // Both NCP APIs share one key pair: with one of them real, the emulated one must accept it too.
  const emulatorNcp =
    ncpReal && !blank(env.NCP_ACCESS_KEY) && !blank(env.NCP_SECRET_KEY)
      ? { accessKey: env.NCP_ACCESS_KEY!.trim(), secretKey: env.NCP_SECRET_KEY!.trim() }
      : EMULATOR_DEFAULTS.ncp;
  return {
    real,
    emulated: TARGETS.filter((t) => !real.includes(t)),
    dlqTopic: blank(env.BRIDGE_DLQ_TOPIC) ? 'bridge.dlq' : env.BRIDGE_DLQ_TOPIC!.trim(),
    emulatorNcp,
  };
}

/** The bridge's environment: the user's, with the local topics and the emulator where it stands in. */
export function bridgeEnv(
  env: NodeJS.ProcessEnv,
  plan: LocalPlan,
  o: { brokers: string; httpPort: number; emulatorUrl?: string },
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    KAFKA_BROKERS: o.brokers,
    BRIDGE_TOPICS: LOCAL_TOPIC,
    BRIDGE_DLQ_TOPIC: plan.dlqTopic,
    BRIDGE_GROUP_ID: blank(env.BRIDGE_GROUP_ID) ? 'kafka-ncp-bridge-local' : env.BRIDGE_GROUP_ID,
    BRIDGE_SHUTDOWN_TIMEOUT_MS: blank(env.BRIDGE_SHUTDOWN_TIMEOUT_MS) ? '5000' : env.BRIDGE_SHUTDOWN_TIMEOUT_MS,
    HTTP_PORT: String(o.httpPort),
    LOG_LEVEL: blank(env.LOG_LEVEL) ? 'info' : env.LOG_LEVEL,
  };
  for (const target of plan.emulated) out[ENDPOINT_VARIABLE[target]] = o.emulatorUrl;
  // With a real NCP target the user's keys stay (missing ones stop the bridge, naming them).
  if (plan.emulated.includes('datastream') && plan.emulated.includes('cloudinsight')) {
    out.NCP_ACCESS_KEY = plan.emulatorNcp.accessKey;
    out.NCP_SECRET_KEY = plan.emulatorNcp.secretKey;
  }
  if (plan.emulated.includes('guance')) {
    const monitor = EMULATOR_DEFAULTS.guanceMonitors.default;
    out.GUANCE_API_KEY = EMULATOR_DEFAULTS.guanceApiKey;
    out.GUANCE_SECRET = monitor.secret;
    out.GUANCE_SUB_URI = monitor.subUri;
    out.GUANCE_MONITORS = ''; // blank counts as unset
  }
  return out;
}

/** A record the sample `send` line puts on the local topic. */
export const SAMPLE_GUANCE_EVENT = '{"event":{"status":"info","title":"deploy"}}';

/** Command lines that point the CLI at the local stack: its broker has a free port, so they name it. */
export function cliCommands(brokers: string, plan: LocalPlan): string[] {
  const dlq = plan.dlqTopic === 'bridge.dlq' ? '' : ` BRIDGE_DLQ_TOPIC=${plan.dlqTopic}`;
  const env = `KAFKA_BROKERS=${brokers}${dlq}`;
  return [
    `${env} npm run cli -- dlq list`,
    `echo '${SAMPLE_GUANCE_EVENT}' | ${env} npm run cli -- send --target guance --topic ${LOCAL_TOPIC} --file -`,
  ];
}
