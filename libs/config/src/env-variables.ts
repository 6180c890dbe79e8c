import { DEFAULT_ROUTE_HEADER } from '@app/contracts/targets';

/** Egress of the API clients: the usual proxy variables (lower case wins, as with curl) and a CA. */
export const EGRESS_ENV_VARIABLES = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'BRIDGE_API_CA_FILE',
] as const;

/**
 * OpenTelemetry's standard variables the bridge reads for its delivery spans. The OTLP exporter
 * reads the OTEL_EXPORTER_OTLP_* ones itself, as OpenTelemetry documents them; the bridge checks them.
 */
export const OTEL_ENV_VARIABLES = [
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
] as const;

/**
 * Every environment variable the bridge reads (docs/configuration.md), in the order errors are reported.
 * Those of the Kafka connection start with KAFKA_: the command line reads them by that prefix.
 */
export const BRIDGE_ENV_VARIABLES = [
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_KEY_PASSWORD',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_METADATA_MAX_AGE_MS',
  'BRIDGE_TOPICS',
  'BRIDGE_GROUP_ID',
  'BRIDGE_TARGETS',
  'BRIDGE_UNROUTABLE_TARGET',
  'BRIDGE_ROUTE_HEADER',
  'BRIDGE_ROUTES',
  'BRIDGE_START_FROM',
  'BRIDGE_DLQ_TOPIC',
  'BRIDGE_MAX_IN_FLIGHT',
  'BRIDGE_CONCURRENCY',
  'BRIDGE_HTTP_TIMEOUT_MS',
  'BRIDGE_RETRY_DEADLINE_MS',
  'BRIDGE_SHUTDOWN_TIMEOUT_MS',
  'BRIDGE_MAX_BUFFERED_BYTES',
  'BRIDGE_FETCH_MAX_WAIT_MS',
  'DATASTREAM_MAX_RECORD_BYTES',
  'CLOUDINSIGHT_MAX_RECORD_BYTES',
  'GUANCE_MAX_RECORD_BYTES',
  'BRIDGE_STALL_THRESHOLD_MS',
  'NCP_ACCESS_KEY',
  'NCP_SECRET_KEY',
  'DATASTREAM_ENDPOINT',
  'CLOUDINSIGHT_ENDPOINT',
  'CLOUDINSIGHT_REGION_NO',
  'GUANCE_ENDPOINT',
  'GUANCE_API_KEY',
  'GUANCE_SECRET',
  'GUANCE_SUB_URI',
  'GUANCE_MONITORS',
  'HTTP_PORT',
  'HTTP_HOST',
  'LOG_LEVEL',
  ...EGRESS_ENV_VARIABLES,
  ...OTEL_ENV_VARIABLES,
] as const;
export type BridgeEnvVariable = (typeof BRIDGE_ENV_VARIABLES)[number];

/** Variables whose values never appear in an error message, a log line or a metric. */
export const SECRET_ENV_VARIABLES: readonly BridgeEnvVariable[] = [
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SSL_KEY_PASSWORD',
  'NCP_SECRET_KEY',
  'GUANCE_API_KEY',
  'GUANCE_SECRET',
  'GUANCE_SUB_URI',
  'GUANCE_MONITORS',
  // A proxy URL may hold the proxy's user and password.
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  // They carry the collector's credentials, if it wants any.
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
];

/**
 * Defaults (docs/configuration.md). BRIDGE_UNROUTABLE_TARGET defaults to the first configured target in
 * TARGETS order, so it is derived, not listed here.
 */
export const ENV_DEFAULTS: Readonly<Partial<Record<BridgeEnvVariable, string>>> = Object.freeze({
  KAFKA_BROKERS: 'localhost:9092',
  KAFKA_CLIENT_ID: 'kafka-ncp-bridge',
  KAFKA_SSL: 'false',
  KAFKA_METADATA_MAX_AGE_MS: '30000',
  BRIDGE_GROUP_ID: 'kafka-ncp-bridge',
  BRIDGE_TARGETS: 'datastream,cloudinsight,guance',
  BRIDGE_ROUTE_HEADER: DEFAULT_ROUTE_HEADER,
  BRIDGE_START_FROM: 'earliest',
  BRIDGE_DLQ_TOPIC: 'bridge.dlq',
  BRIDGE_MAX_IN_FLIGHT: '256',
  BRIDGE_CONCURRENCY: 'adaptive',
  BRIDGE_HTTP_TIMEOUT_MS: '10000',
  BRIDGE_RETRY_DEADLINE_MS: '900000',
  BRIDGE_SHUTDOWN_TIMEOUT_MS: '25000',
  BRIDGE_MAX_BUFFERED_BYTES: String(4 * 1024 * 1024),
  BRIDGE_FETCH_MAX_WAIT_MS: '10',
  DATASTREAM_MAX_RECORD_BYTES: String(2 * 1024 * 1024),
  CLOUDINSIGHT_MAX_RECORD_BYTES: String(256 * 1024),
  GUANCE_MAX_RECORD_BYTES: String(1024 * 1024),
  BRIDGE_STALL_THRESHOLD_MS: '120000',
  DATASTREAM_ENDPOINT: 'https://api.datastream.naverncp.com',
  CLOUDINSIGHT_ENDPOINT: 'https://cw.apigw.ntruss.com',
  GUANCE_ENDPOINT: 'https://openapi.guance.com',
  HTTP_PORT: '3000',
  LOG_LEVEL: 'info',
});
