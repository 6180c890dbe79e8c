import type { Provider } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { BRIDGE_CONFIG, type BridgeConfig } from '@app/config';

/** Injection token of the DeliveryTracing; null when delivery spans are not configured. */
export const DELIVERY_TRACING = Symbol('DeliveryTracing');

/** The OpenTelemetry SDK is loaded only when delivery spans are configured (OTEL_*). */
export const deliveryTracingProvider: Provider = {
  provide: DELIVERY_TRACING,
  inject: [BRIDGE_CONFIG, PinoLogger],
  useFactory: async (config: BridgeConfig, log: PinoLogger) => {
    if (config.tracing === undefined) return null;
    const { startTracing } = await import('./start-tracing');
    log.setContext('Tracing');
    log.info({ sampler: config.tracing.sampler }, 'delivery spans are exported over OTLP');
    return startTracing(config.tracing, (detail) => log.warn({ detail }, 'OpenTelemetry: spans may be lost'));
  },
};
