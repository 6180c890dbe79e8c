import type { TracingConfig } from './bridge-config';
import { BOOLEAN_WORDS } from './env-rules';
import type { EnvDto } from './env.dto';
import { controlCharacterIssue, headerCredentialIssue } from './value-checks';

export const TRACE_SAMPLERS = [
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'always_on',
  'always_off',
  'traceidratio',
] as const;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function tracesExporterIssue(value: string): string | undefined {
  return ['otlp', 'none'].includes(value.toLowerCase())
    ? undefined
    : 'must be otlp or none (the bridge exports spans over OTLP only)';
}

export function otlpProtocolIssue(value: string): string | undefined {
  return value.toLowerCase() === 'http/protobuf'
    ? undefined
    : 'must be http/protobuf (the bridge exports OTLP over HTTP with protobuf; grpc and http/json are not supported)';
}

/** `name=value,...` as OTLP headers: names are HTTP tokens, values (percent-decoded) what a header can carry. */
export function otlpHeadersIssue(value: string): string | undefined {
  const what = 'must be a comma-separated list of name=value (percent-encoded), headers an HTTP request can carry';
  for (const item of value.split(',')) {
    const at = item.indexOf('=');
    if (at < 0 && item.trim() === '') continue;
    if (at <= 0 || !TOKEN.test(item.slice(0, at).trim())) return what;
    let decoded: string;
    try {
      decoded = decodeURIComponent(item.slice(at + 1).trim());
    } catch {
      return what;
    }
    if (decoded === '' || headerCredentialIssue(decoded)) return what;
  }
  return undefined;
}

/** OTEL_RESOURCE_ATTRIBUTES: `key=value,...`, no control characters. */
export function resourceAttributesIssue(value: string): string | undefined {
  if (controlCharacterIssue(value)) return controlCharacterIssue(value);
  const pairs = value.split(',').filter((item) => item.trim() !== '');
  return pairs.every((item) => item.indexOf('=') > 0) ? undefined : 'must be a comma-separated list of key=value';
}

export function samplerRatioIssue(value: string): string | undefined {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  return n >= 0 && n <= 1 ? undefined : 'must be a number between 0 and 1';
}

/**
 * Delivery spans are on when OTLP export is configured (an OTLP endpoint, or OTEL_TRACES_EXPORTER=otlp)
 * and not turned off (OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none); off, nothing is loaded.
 */
export function tracingConfig(dto: EnvDto): TracingConfig | undefined {
  if (dto.OTEL_SDK_DISABLED !== undefined && BOOLEAN_WORDS[dto.OTEL_SDK_DISABLED.toLowerCase()]) return undefined;
  const exporter = dto.OTEL_TRACES_EXPORTER?.toLowerCase();
  const endpoint = dto.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? dto.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (exporter === 'none' || (exporter === undefined && endpoint === undefined)) return undefined;
  const sampler = (dto.OTEL_TRACES_SAMPLER?.toLowerCase() ?? 'parentbased_always_on') as TracingConfig['sampler'];
  const ratio = dto.OTEL_TRACES_SAMPLER_ARG === undefined ? 1 : Number(dto.OTEL_TRACES_SAMPLER_ARG);
  return { sampler, ratio };
}
