import { Target, TARGETS, type TopicRoute } from '@app/contracts';
import type { GuanceMonitor } from '@app/guance';
import type { BridgeConfig, KafkaConfig, LogLevel } from './bridge-config';
import { egressFrom } from './egress';
import { BOOLEAN_WORDS, splitList } from './env-rules';
import { EnvDto } from './env.dto';
import { ConfigError, validateEnv } from './validate-env';
import { readTlsFiles } from './tls-files';
import { tracingConfig } from './otel-env';
import { parseRoutes, resolveRoutes, type RouteSpec } from './topic-routes';

/**
 * Validates the environment and builds the typed configuration (docs/configuration.md).
 * Throws a ConfigError naming every bad variable, on one line, without secret values.
 */
export function loadBridgeConfig(env: Record<string, string | undefined>): BridgeConfig {
  return toBridgeConfig(validateEnv(env));
}

/** For main.ts: the configuration, or one line on stderr and exit code 1. */
export function loadConfigOrExit(env: Record<string, string | undefined>): BridgeConfig {
  try {
    return loadBridgeConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`kafka-ncp-bridge: invalid configuration: ${err.message}\n`);
    return process.exit(1);
  }
}

function integer(value: string): number {
  return Number.parseInt(value, 10);
}

export function baseUrl(value: string): string {
  return value.replace(/\/+$/, '');
}

/** BRIDGE_TOPICS as a list without repeats; empty when unset. */
export function topicList(dto: EnvDto): string[] {
  return [...new Set(splitList(dto.BRIDGE_TOPICS ?? ''))];
}

export function kafkaConfig(dto: EnvDto): KafkaConfig {
  const kafka: KafkaConfig = {
    brokers: splitList(dto.KAFKA_BROKERS),
    clientId: dto.KAFKA_CLIENT_ID,
    ssl: BOOLEAN_WORDS[dto.KAFKA_SSL.toLowerCase()],
    metadataMaxAgeMs: integer(dto.KAFKA_METADATA_MAX_AGE_MS),
  };
  if (dto.KAFKA_SSL_CA_FILE !== undefined || dto.KAFKA_SSL_CERT_FILE !== undefined) {
    kafka.tls = readTlsFiles(dto as unknown as Record<string, string | undefined>);
  }
  if (dto.KAFKA_SASL_MECHANISM !== undefined) {
    kafka.sasl = {
      mechanism: dto.KAFKA_SASL_MECHANISM.toLowerCase() as NonNullable<KafkaConfig['sasl']>['mechanism'],
      username: dto.KAFKA_SASL_USERNAME!,
      password: dto.KAFKA_SASL_PASSWORD!,
    };
  }
  return kafka;
}

/** Named monitors in an object without a prototype, so a header like `constructor` finds nothing. */
function guanceMonitors(json: string | undefined): Record<string, GuanceMonitor> {
  const monitors: Record<string, GuanceMonitor> = Object.create(null) as Record<string, GuanceMonitor>;
  if (json === undefined) return monitors;
  for (const [name, m] of Object.entries(JSON.parse(json) as Record<string, GuanceMonitor>)) {
    monitors[name] = { secret: m.secret.trim(), subUri: m.subUri.trim() };
  }
  return monitors;
}

/** The route of each consumed topic that has one; the environment is valid (EnvDto). */
function topicRoutes(dto: EnvDto): ReadonlyMap<string, TopicRoute> {
  const routes = dto.BRIDGE_ROUTES === undefined ? [] : (parseRoutes(dto.BRIDGE_ROUTES) as RouteSpec[]);
  return resolveRoutes(routes, topicList(dto)) as Map<string, TopicRoute>;
}

function toBridgeConfig(dto: EnvDto): BridgeConfig {
  const listed = new Set(splitList(dto.BRIDGE_TARGETS).map((t) => t.toLowerCase()));
  const targets = TARGETS.filter((t) => listed.has(t));
  const config: BridgeConfig = {
    kafka: kafkaConfig(dto),
    topics: topicList(dto),
    groupId: dto.BRIDGE_GROUP_ID,
    targets,
    routeHeader: dto.BRIDGE_ROUTE_HEADER,
    routes: topicRoutes(dto),
    unroutableTarget: (dto.BRIDGE_UNROUTABLE_TARGET?.toLowerCase() as Target | undefined) ?? targets[0],
    startFrom: dto.BRIDGE_START_FROM.toLowerCase() as BridgeConfig['startFrom'],
    dlqTopic: dto.BRIDGE_DLQ_TOPIC,
    maxInFlight: integer(dto.BRIDGE_MAX_IN_FLIGHT),
    adaptiveConcurrency: dto.BRIDGE_CONCURRENCY.toLowerCase() === 'adaptive',
    httpTimeoutMs: integer(dto.BRIDGE_HTTP_TIMEOUT_MS),
    retryDeadlineMs: integer(dto.BRIDGE_RETRY_DEADLINE_MS),
    shutdownTimeoutMs: integer(dto.BRIDGE_SHUTDOWN_TIMEOUT_MS),
    maxBufferedBytes: integer(dto.BRIDGE_MAX_BUFFERED_BYTES),
    fetchMaxWaitMs: integer(dto.BRIDGE_FETCH_MAX_WAIT_MS),
    maxRecordBytes: {
      datastream: integer(dto.DATASTREAM_MAX_RECORD_BYTES),
      cloudinsight: integer(dto.CLOUDINSIGHT_MAX_RECORD_BYTES),
      guance: integer(dto.GUANCE_MAX_RECORD_BYTES),
    },
    stallThresholdMs: integer(dto.BRIDGE_STALL_THRESHOLD_MS),
    datastreamEndpoint: baseUrl(dto.DATASTREAM_ENDPOINT),
    cloudinsightEndpoint: baseUrl(dto.CLOUDINSIGHT_ENDPOINT),
    httpPort: integer(dto.HTTP_PORT),
    logLevel: dto.LOG_LEVEL.toLowerCase() as LogLevel,
    egress: egressFrom(dto as unknown as Record<string, string | undefined>),
  };
  if (dto.HTTP_HOST !== undefined) config.httpHost = dto.HTTP_HOST;
  const tracing = tracingConfig(dto);
  if (tracing !== undefined) config.tracing = tracing;
  if (dto.CLOUDINSIGHT_REGION_NO !== undefined) config.cloudinsightRegionNo = dto.CLOUDINSIGHT_REGION_NO;
  if (targets.includes('datastream') || targets.includes('cloudinsight')) {
    config.ncp = { accessKey: dto.NCP_ACCESS_KEY!, secretKey: dto.NCP_SECRET_KEY! };
  }
  if (targets.includes('guance')) {
    config.guance = {
      endpoint: baseUrl(dto.GUANCE_ENDPOINT),
      apiKey: dto.GUANCE_API_KEY!,
      defaultMonitor: { secret: dto.GUANCE_SECRET!, subUri: dto.GUANCE_SUB_URI! },
      monitors: guanceMonitors(dto.GUANCE_MONITORS),
    };
  }
  return config;
}
