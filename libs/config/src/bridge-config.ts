import type { Target, TopicRoute } from '@app/contracts';
import type { GuanceMonitor } from '@app/guance';
import type { EgressConfig } from '@app/http';
import type { NcpCredentials } from '@app/ncp';

/** Typed configuration, read once at start from the environment (docs/configuration.md). */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  /** PEM texts read at start from the KAFKA_SSL_*_FILE variables (only with `ssl`) */
  tls?: { ca?: string; cert?: string; key?: string; passphrase?: string };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** How often consumers refresh topic metadata, so added partitions are consumed within it. */
  metadataMaxAgeMs: number;
}

/** Delivery spans (OpenTelemetry, OTLP/HTTP), when configured: the OTEL_* variables. */
export interface TracingConfig {
  /** OTEL_TRACES_SAMPLER */
  sampler:
    | 'parentbased_always_on'
    | 'parentbased_always_off'
    | 'parentbased_traceidratio'
    | 'always_on'
    | 'always_off'
    | 'traceidratio';
  /** OTEL_TRACES_SAMPLER_ARG, for the ratio samplers (default 1). */
  ratio: number;
}

/** pino levels (LOG_LEVEL). */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface BridgeConfig {
  kafka: KafkaConfig;
  topics: string[];
  groupId: string;
  targets: Target[];
  routeHeader: string;
  /**
   * The route of each topic of `topics` that has one (BRIDGE_ROUTES): its records without the route
   * header go to the route's target, with a body built from the record. Empty without routes.
   */
  routes: ReadonlyMap<string, TopicRoute>;
  /**
   * The one target whose consumer group dead-letters records with a missing or unknown route
   * header (BRIDGE_UNROUTABLE_TARGET; default: the first of `targets` in TARGETS order). Deployments
   * split by target must agree on it, so an unroutable record is dead-lettered once, not per group.
   */
  unroutableTarget: Target;
  startFrom: 'earliest' | 'latest';
  dlqTopic: string;
  /** The most API calls of a target in flight at once: the ceiling of an adaptive limit. */
  maxInFlight: number;
  /** Whether the limit adapts to the API (BRIDGE_CONCURRENCY=adaptive) or is maxInFlight, always. */
  adaptiveConcurrency: boolean;
  httpTimeoutMs: number;
  /** 0 = retry forever */
  retryDeadlineMs: number;
  shutdownTimeoutMs: number;
  /** Memory the records in hand of one target may hold before fetching waits (bytes). */
  maxBufferedBytes: number;
  /** How long the broker may hold a fetch while it gathers records (ms). */
  fetchMaxWaitMs: number;
  /** Largest record value each target takes (bytes); a larger one is dead-lettered `invalid` unread. */
  maxRecordBytes: Record<Target, number>;
  /** How long a partition's commit position may stay put, with records pending, before it is a stall. */
  stallThresholdMs: number;
  /** present when a target that needs it is configured */
  ncp?: NcpCredentials;
  datastreamEndpoint: string;
  cloudinsightEndpoint: string;
  cloudinsightRegionNo?: string;
  guance?: {
    endpoint: string;
    apiKey: string;
    defaultMonitor: GuanceMonitor;
    /** Named monitors (GUANCE_MONITORS), picked by the x-guance-monitor header; no prototype. */
    monitors: Record<string, GuanceMonitor>;
  };
  httpPort: number;
  /** Ops HTTP bind address (HTTP_HOST); all interfaces when unset. */
  httpHost?: string;
  logLevel: LogLevel;
  egress: EgressConfig;
  /** Present when delivery spans are exported (OTEL_*); absent, tracing costs nothing. */
  tracing?: TracingConfig;
}
