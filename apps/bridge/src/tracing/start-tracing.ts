import { diag, DiagLogLevel, type DiagLogFunction } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '@app/config';
import { DeliveryTracing } from './delivery-tracing';

const SERVICE = 'kafka-ncp-bridge';

/**
 * The OpenTelemetry SDK for delivery spans: exported in batches over OTLP/HTTP (protobuf) by
 * OpenTelemetry's exporter, which reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout,
 * compression, certificates) as OpenTelemetry documents them; the resource is
 * `service.name=kafka-ncp-bridge` unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say
 * otherwise. Loaded only when tracing is configured. `warn` receives the SDK's own warnings and
 * errors (an export that fails), so they reach the bridge's log.
 */
export function startTracing(config: TracingConfig, warn: (message: string) => void): DeliveryTracing {
  const log: DiagLogFunction = (message, ...args) => warn([message, ...args.map(String)].join(' ').slice(0, 1000));
  const quiet: DiagLogFunction = () => undefined;
  diag.setLogger({ error: log, warn: log, info: quiet, debug: quiet, verbose: quiet }, DiagLogLevel.WARN);
  const resource = resourceFromAttributes({ 'service.name': SERVICE }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new TracerProvider({
    resource,
    sampler: sampler(config),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
  });
  const shutdown = () => exportTheRest(provider, warn);
  return new DeliveryTracing(provider.getTracer(SERVICE), new W3CTraceContextPropagator(), shutdown);
}

/** At shutdown, the spans left go out, for at most 5 s: a collector that is down must not hold the exit. */
async function exportTheRest(provider: TracerProvider, warn: (message: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no answer in 5 s'), 5_000)));
  const done = provider.shutdown().then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
  const failure = await Promise.race([done, deadline]);
  clearTimeout(timer);
  if (failure !== undefined) warn(`spans left at shutdown were not exported: ${failure}`);
}

/** OTEL_TRACES_SAMPLER: by default a record's span is sampled as its parent was. */
function sampler({ sampler: name, ratio }: TracingConfig): Sampler {
  const root = name.endsWith('always_on')
    ? new AlwaysOnSampler()
    : name.endsWith('always_off')
      ? new AlwaysOffSampler()
      : new TraceIdRatioBasedSampler(ratio);
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}
