import type { EgressConfig } from '@app/http';
import type { NcpCredentials } from '@app/ncp';
import type { KafkaConfig } from './bridge-config';
import { egressFrom } from './egress';
import { EGRESS_ENV_VARIABLES, type BridgeEnvVariable } from './env-variables';
import type { EnvDto } from './env.dto';
import { baseUrl, kafkaConfig, topicList } from './load-bridge-config';
import { EnvSubset, validateEnv } from './validate-env';

/** Parts of the configuration a process other than the bridge can load alone (the command line). */
export interface ConfigParts {
  /** Every KAFKA_* variable: a Kafka setting added to EnvDto and KafkaConfig reaches every part user. */
  kafka: KafkaConfig;
  /** BRIDGE_TOPICS; empty when unset (only the bridge requires it). */
  topics: string[];
  dlqTopic: string;
  routeHeader: string;
  /** NCP_ACCESS_KEY and NCP_SECRET_KEY, both required. */
  ncp: NcpCredentials;
  cloudinsightEndpoint: string;
  cloudinsightRegionNo?: string;
  /** Proxies and the CA file for API calls. */
  egress: EgressConfig;
}
export type ConfigPart = keyof ConfigParts;

interface PartSource<T> {
  reads: (name: BridgeEnvVariable) => boolean;
  requires?: BridgeEnvVariable[];
  build: (dto: EnvDto) => T;
}

const only =
  (...names: BridgeEnvVariable[]) =>
  (name: BridgeEnvVariable) =>
    names.includes(name);

const SOURCES: { [P in ConfigPart]-?: PartSource<ConfigParts[P]> } = {
  kafka: { reads: (name) => name.startsWith('KAFKA_'), build: kafkaConfig },
  topics: { reads: only('BRIDGE_TOPICS'), build: topicList },
  dlqTopic: { reads: only('BRIDGE_DLQ_TOPIC'), build: (dto) => dto.BRIDGE_DLQ_TOPIC },
  routeHeader: { reads: only('BRIDGE_ROUTE_HEADER'), build: (dto) => dto.BRIDGE_ROUTE_HEADER },
  ncp: {
    reads: only('NCP_ACCESS_KEY', 'NCP_SECRET_KEY'),
    requires: ['NCP_ACCESS_KEY', 'NCP_SECRET_KEY'],
    build: (dto) => ({ accessKey: dto.NCP_ACCESS_KEY!, secretKey: dto.NCP_SECRET_KEY! }),
  },
  cloudinsightEndpoint: { reads: only('CLOUDINSIGHT_ENDPOINT'), build: (dto) => baseUrl(dto.CLOUDINSIGHT_ENDPOINT) },
  cloudinsightRegionNo: { reads: only('CLOUDINSIGHT_REGION_NO'), build: (dto) => dto.CLOUDINSIGHT_REGION_NO },
  egress: {
    reads: (name) => (EGRESS_ENV_VARIABLES as readonly string[]).includes(name),
    build: (dto) => egressFrom(dto as unknown as Record<string, string | undefined>),
  },
};

export interface PartsOptions {
  /** Ends "NAME is required ..." for a required variable, e.g. "for cloudinsight commands". */
  requiredWhy?: string;
  /** Defaults of this process where they differ from the bridge's. */
  defaults?: EnvSubset['defaults'];
}

/**
 * Validates only the variables the given parts read, with the bridge's names, defaults and rules,
 * and builds those parts. Throws a ConfigError naming every bad one of them on one line; a bad
 * value of any other variable is not this caller's concern.
 */
export function loadConfigParts<P extends ConfigPart>(
  env: Record<string, string | undefined>,
  parts: readonly P[],
  options: PartsOptions = {},
): Pick<ConfigParts, P> {
  const sources = parts.map((p) => SOURCES[p]);
  const dto = validateEnv(env, {
    reads: (name) => sources.some((s) => s.reads(name)),
    requires: sources.flatMap((s) => s.requires ?? []),
    ...options,
  });
  const config: Partial<ConfigParts> = {};
  for (const part of parts) {
    const value = SOURCES[part].build(dto);
    if (value !== undefined) (config as Record<string, unknown>)[part] = value;
  }
  return config as Pick<ConfigParts, P>;
}
