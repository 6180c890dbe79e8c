import { loadBridgeConfig } from './load-bridge-config';
import { configErrorOf } from './load-config.fixtures';

const env = { BRIDGE_TOPICS: 'orders', BRIDGE_TARGETS: 'datastream', NCP_ACCESS_KEY: 'a', NCP_SECRET_KEY: 's' };
const tracing = (extra: Record<string, string>) => loadBridgeConfig({ ...env, ...extra }).tracing;

describe('delivery spans (OTEL_* variables)', () => {
  it('are off unless OTLP export is configured', () => {
    expect(tracing({})).toBeUndefined();
    expect(tracing({ OTEL_SERVICE_NAME: 'bridge', OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
  });

  it('are on with an OTLP endpoint or OTEL_TRACES_EXPORTER=otlp, following the parent by default', () => {
    const on = { sampler: 'parentbased_always_on', ratio: 1 };
    expect(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual(on);
    expect(tracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toEqual(on);
    expect(tracing({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual(on);
    expect(
      tracing({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318',
        OTEL_TRACES_SAMPLER: 'ParentBased_TraceIdRatio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toEqual({ sampler: 'parentbased_traceidratio', ratio: 0.25 });
  });

  it('are off when turned off, endpoint or not', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracing({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracing({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it.each<[Record<string, string>, string]>([
    [{ OTEL_TRACES_EXPORTER: 'jaeger' }, 'OTEL_TRACES_EXPORTER must be otlp or none'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf'],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be http/protobuf'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL'],
    [
      { OTEL_EXPORTER_OTLP_HEADERS: 'api-key' },
      'OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of name=value',
    ],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER must be one of parentbased_always_on'],
    [{ OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1'],
    [{ OTEL_RESOURCE_ATTRIBUTES: 'team' }, 'OTEL_RESOURCE_ATTRIBUTES must be a comma-separated list of key=value'],
    [{ OTEL_SDK_DISABLED: 'yes' }, 'OTEL_SDK_DISABLED must be true, false, 1 or 0'],
  ])('refuses %j with one line naming it', (extra, message) => {
    expect(configErrorOf({ ...env, ...extra })).toContain(message);
  });

  it('takes OTLP headers with percent-encoded values', () => {
    const headers = { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-scope=team-a' };
    expect(tracing({ ...headers, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBeDefined();
  });
});
