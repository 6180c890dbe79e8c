import { TARGETS } from '@app/contracts';
import {
  EnvBoolean,
  EnvCustom,
  EnvHttpUrl,
  EnvInteger,
  EnvList,
  EnvMatches,
  EnvOneOf,
  EnvRequired,
  EnvRequiredWith,
  splitList,
} from './env-rules';
import { certificateFileIssue, keyFileIssue, keyPasswordIssue } from './tls-files';
import {
  otlpHeadersIssue,
  otlpProtocolIssue,
  resourceAttributesIssue,
  samplerRatioIssue,
  TRACE_SAMPLERS,
  tracesExporterIssue,
} from './otel-env';
import { parseRoutes, resolveRoutes, undefinedMonitorIssue } from './topic-routes';
import {
  bindHostIssue,
  caFileIssue,
  controlCharacterIssue,
  headerCredentialIssue,
  MONITOR_NAME,
  ordinal,
  proxyUrlIssue,
} from './value-checks';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export const START_FROM = ['earliest', 'latest'] as const;
export const CONCURRENCY = ['adaptive', 'fixed'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

type Env = Record<string, string | undefined>;

const BROKER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([1-9]\d{0,4})$/;
/** Kafka's own rule for topic names. */
const TOPIC = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,249}$/;
const KAFKA_ID = /^[\x21-\x7e]{1,200}$/;
/** An HTTP header token, which Kafka header names also satisfy in practice. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

export function configuredTargets(env: Env): string[] {
  return splitList(env.BRIDGE_TARGETS ?? '').map((t) => t.toLowerCase());
}
const needsNcp = (env: Env) => configuredTargets(env).some((t) => t === 'datastream' || t === 'cloudinsight');
const needsGuance = (env: Env) => configuredTargets(env).includes('guance');
const FOR_NCP = 'when BRIDGE_TARGETS includes datastream or cloudinsight';
const FOR_GUANCE = 'when BRIDGE_TARGETS includes guance';

function brokerPorts(items: string[]): string | undefined {
  return items.every((i) => Number(BROKER.exec(i)![2]) <= 65535) ? undefined : 'has a port above 65535';
}

function targetList(items: string[]): string | undefined {
  const known = TARGETS as readonly string[];
  const lower = items.map((i) => i.toLowerCase());
  if (lower.some((t) => !known.includes(t))) return `must list only ${TARGETS.join(', ')}`;
  return lower.some((t, i) => lower.indexOf(t) !== i) ? 'must not name a target twice' : undefined;
}

function notConsumed(value: string, env: Env): string | undefined {
  return splitList(env.BRIDGE_TOPICS ?? '').includes(value)
    ? 'must not be one of BRIDGE_TOPICS (the bridge would consume its own dead letters)'
    : undefined;
}

/**
 * GUANCE_MONITORS: `{"name": {"secret": "...", "subUri": "..."}}`. A message names a monitor by its
 * place only: a value written the wrong way round (`{"<secret>": "<subUri>"}`) puts the secret
 * where a name should be.
 */
export function monitorsIssue(value: string): string | undefined {
  const shape = '{"name": {"secret": "...", "subUri": "..."}}';
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    // The parser's message quotes the text, secrets included.
    return `must be valid JSON like ${shape}`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return `must be a JSON object like ${shape}`;
  let place = 0;
  for (const [name, monitor] of Object.entries(json)) {
    const which = `the ${ordinal(++place)} monitor`;
    if (!MONITOR_NAME.test(name) || UNSAFE_NAMES.has(name)) {
      return `has a monitor name that is not 1-128 letters, digits or . _ : - (${which})`;
    }
    if (typeof monitor !== 'object' || monitor === null || Array.isArray(monitor)) {
      return `must map each monitor name to {"secret": "...", "subUri": "..."} (${which} does not)`;
    }
    if (Object.keys(monitor).some((k) => k !== 'secret' && k !== 'subUri')) {
      return `has a property other than "secret" and "subUri" in ${which}`;
    }
    for (const field of ['secret', 'subUri'] as const) {
      const v = (monitor as Record<string, unknown>)[field];
      if (typeof v !== 'string' || v.trim() === '') return `needs a non-empty string ${field} in ${which}`;
      const issue = controlCharacterIssue(v);
      if (issue) return `${issue.replace(/^holds/, `has a ${field} that holds`)} in ${which}`;
    }
  }
  return undefined;
}

/**
 * BRIDGE_ROUTES: well-formed, each route taking a topic of BRIDGE_TOPICS (unless that is unset:
 * its own error says so), and naming only monitors this process knows when it delivers Guance.
 */
function routesIssue(value: string, env: Env): string | undefined {
  const routes = parseRoutes(value);
  if (typeof routes === 'string') return routes;
  const topics = splitList(env.BRIDGE_TOPICS ?? '');
  const resolved = topics.length > 0 ? resolveRoutes(routes, topics) : undefined;
  if (typeof resolved === 'string') return resolved;
  if (!needsGuance(env) || (env.GUANCE_MONITORS !== undefined && monitorsIssue(env.GUANCE_MONITORS))) return undefined;
  const defined = env.GUANCE_MONITORS === undefined ? [] : Object.keys(JSON.parse(env.GUANCE_MONITORS) as object);
  return undefinedMonitorIssue(routes, defined);
}

/**
 * The bridge's environment, validated with class-validator (docs/configuration.md). Values are strings as
 * the environment gives them, trimmed, with defaults applied; empty values count as unset.
 * Properties are declared in BRIDGE_ENV_VARIABLES order, the order errors are reported in.
 */
export class EnvDto {
  @EnvList(BROKER, 'host:port', brokerPorts)
  KAFKA_BROKERS!: string;

  @EnvMatches(KAFKA_ID, 'must be 1-200 printable characters without spaces')
  KAFKA_CLIENT_ID!: string;

  @EnvBoolean()
  KAFKA_SSL!: string;

  @EnvCustom('envCertificateFile', certificateFileIssue)
  KAFKA_SSL_CA_FILE?: string;

  @EnvCustom('envCertificateFile', certificateFileIssue)
  KAFKA_SSL_CERT_FILE?: string;

  @EnvRequiredWith('KAFKA_SSL_CERT_FILE')
  @EnvCustom('envKeyFile', keyFileIssue)
  KAFKA_SSL_KEY_FILE?: string;

  @EnvCustom('envKeyPassword', keyPasswordIssue, false)
  KAFKA_SSL_KEY_PASSWORD?: string;

  @EnvOneOf(SASL_MECHANISMS)
  KAFKA_SASL_MECHANISM?: string;

  @EnvRequiredWith('KAFKA_SASL_MECHANISM')
  @EnvCustom('envCredential', controlCharacterIssue, false)
  KAFKA_SASL_USERNAME?: string;

  @EnvRequiredWith('KAFKA_SASL_MECHANISM')
  @EnvCustom('envCredential', controlCharacterIssue, false)
  KAFKA_SASL_PASSWORD?: string;

  @EnvInteger(1_000, 3_600_000)
  KAFKA_METADATA_MAX_AGE_MS!: string;

  @EnvRequired()
  @EnvList(TOPIC, 'Kafka topic names')
  BRIDGE_TOPICS!: string;

  @EnvMatches(KAFKA_ID, 'must be 1-200 printable characters without spaces')
  BRIDGE_GROUP_ID!: string;

  @EnvList(/^[A-Za-z]+$/, TARGETS.join(', '), targetList)
  BRIDGE_TARGETS!: string;

  @EnvOneOf(TARGETS)
  BRIDGE_UNROUTABLE_TARGET?: string;

  @EnvMatches(HEADER_NAME, "must be a header name (letters, digits and !#$%&'*+.^_`|~-)")
  BRIDGE_ROUTE_HEADER!: string;

  @EnvCustom('envRoutes', routesIssue, false)
  BRIDGE_ROUTES?: string;

  @EnvOneOf(START_FROM)
  BRIDGE_START_FROM!: string;

  @EnvMatches(TOPIC, 'must be a Kafka topic name')
  @EnvCustom('envNotConsumed', notConsumed)
  BRIDGE_DLQ_TOPIC!: string;

  @EnvInteger(1, 10_000)
  BRIDGE_MAX_IN_FLIGHT!: string;

  @EnvOneOf(CONCURRENCY)
  BRIDGE_CONCURRENCY!: string;

  @EnvInteger(100, 600_000)
  BRIDGE_HTTP_TIMEOUT_MS!: string;

  @EnvInteger(0, 2 ** 31 - 1)
  BRIDGE_RETRY_DEADLINE_MS!: string;

  @EnvInteger(0, 600_000)
  BRIDGE_SHUTDOWN_TIMEOUT_MS!: string;

  @EnvInteger(1024 * 1024, 4 * 1024 ** 3)
  BRIDGE_MAX_BUFFERED_BYTES!: string;

  @EnvInteger(0, 10_000)
  BRIDGE_FETCH_MAX_WAIT_MS!: string;

  @EnvInteger(1024, 1024 ** 3)
  DATASTREAM_MAX_RECORD_BYTES!: string;

  @EnvInteger(1024, 1024 ** 3)
  CLOUDINSIGHT_MAX_RECORD_BYTES!: string;

  @EnvInteger(1024, 1024 ** 3)
  GUANCE_MAX_RECORD_BYTES!: string;

  @EnvInteger(1000, 86_400_000)
  BRIDGE_STALL_THRESHOLD_MS!: string;

  @EnvRequired(needsNcp, FOR_NCP)
  @EnvCustom('envHeaderCredential', headerCredentialIssue, false)
  NCP_ACCESS_KEY?: string;

  @EnvRequired(needsNcp, FOR_NCP)
  @EnvCustom('envHeaderCredential', headerCredentialIssue, false)
  NCP_SECRET_KEY?: string;

  @EnvHttpUrl()
  DATASTREAM_ENDPOINT!: string;

  @EnvHttpUrl()
  CLOUDINSIGHT_ENDPOINT!: string;

  @EnvMatches(/^\d{1,10}$/, 'must be a region number (7 for Singapore)')
  CLOUDINSIGHT_REGION_NO?: string;

  @EnvHttpUrl()
  GUANCE_ENDPOINT!: string;

  @EnvRequired(needsGuance, FOR_GUANCE)
  @EnvCustom('envHeaderCredential', headerCredentialIssue, false)
  GUANCE_API_KEY?: string;

  @EnvRequired(needsGuance, FOR_GUANCE)
  @EnvCustom('envCredential', controlCharacterIssue, false)
  GUANCE_SECRET?: string;

  @EnvRequired(needsGuance, FOR_GUANCE)
  @EnvCustom('envCredential', controlCharacterIssue, false)
  GUANCE_SUB_URI?: string;

  @EnvCustom('envGuanceMonitors', monitorsIssue, false)
  GUANCE_MONITORS?: string;

  @EnvInteger(0, 65_535)
  HTTP_PORT!: string;

  @EnvCustom('envBindHost', bindHostIssue)
  HTTP_HOST?: string;

  @EnvOneOf(LOG_LEVELS)
  LOG_LEVEL!: string;

  @EnvCustom('envProxyUrl', proxyUrlIssue, false)
  HTTPS_PROXY?: string;

  @EnvCustom('envProxyUrl', proxyUrlIssue, false)
  https_proxy?: string;

  @EnvCustom('envProxyUrl', proxyUrlIssue, false)
  HTTP_PROXY?: string;

  @EnvCustom('envProxyUrl', proxyUrlIssue, false)
  http_proxy?: string;

  @EnvCustom('envNoProxy', controlCharacterIssue)
  NO_PROXY?: string;

  @EnvCustom('envNoProxy', controlCharacterIssue)
  no_proxy?: string;

  @EnvCustom('envCaFile', caFileIssue)
  BRIDGE_API_CA_FILE?: string;

  @EnvBoolean()
  OTEL_SDK_DISABLED?: string;

  @EnvCustom('envTracesExporter', tracesExporterIssue)
  OTEL_TRACES_EXPORTER?: string;

  @EnvHttpUrl()
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @EnvHttpUrl()
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @EnvCustom('envOtlpProtocol', otlpProtocolIssue)
  OTEL_EXPORTER_OTLP_PROTOCOL?: string;

  @EnvCustom('envOtlpProtocol', otlpProtocolIssue)
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: string;

  @EnvCustom('envOtlpHeaders', otlpHeadersIssue, false)
  OTEL_EXPORTER_OTLP_HEADERS?: string;

  @EnvCustom('envOtlpHeaders', otlpHeadersIssue, false)
  OTEL_EXPORTER_OTLP_TRACES_HEADERS?: string;

  @EnvCustom('envServiceName', controlCharacterIssue)
  OTEL_SERVICE_NAME?: string;

  @EnvCustom('envResourceAttributes', resourceAttributesIssue)
  OTEL_RESOURCE_ATTRIBUTES?: string;

  @EnvOneOf(TRACE_SAMPLERS)
  OTEL_TRACES_SAMPLER?: string;

  @EnvCustom('envSamplerRatio', samplerRatioIssue)
  OTEL_TRACES_SAMPLER_ARG?: string;
}
