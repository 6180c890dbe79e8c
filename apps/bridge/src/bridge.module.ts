import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { BridgeConfig, BridgeConfigModule } from '@app/config';
import { BridgeMetrics } from './ops/bridge-metrics';
import { ConsumerStates } from './ops/consumer-states';
import { DeadLetterSummary } from './ops/dead-letter-summary';
import { OpsController } from './ops/ops.controller';
import { TARGET_MODULES } from './targets';
import { deliveryTracingProvider } from './tracing/tracing.provider';
import { KafkaBridgeServer } from './transport/kafka-bridge.server';

/** Paths pino masks wherever they appear in a log line. */
const REDACT = [
  'req.headers["df-api-key"]',
  'req.headers["x-ncp-apigw-signature-v2"]',
  'req.headers.authorization',
  '*.secretKey',
  '*.secret',
  '*.apiKey',
  '*.password',
  '*.subUri',
];

/**
 * The bridge: ops HTTP (health, metrics), the Kafka transport, and the module of each target in
 * BRIDGE_TARGETS (its handler, record binding and API client).
 */
@Module({})
export class BridgeModule {
  static forRoot(config: BridgeConfig): DynamicModule {
    return {
      module: BridgeModule,
      imports: [
        BridgeConfigModule.forRoot(config),
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: { level: config.logLevel, autoLogging: false, redact: { paths: REDACT, censor: '[redacted]' } },
        }),
        ...config.targets.map((target) => TARGET_MODULES[target]),
      ],
      controllers: [OpsController],
      providers: [ConsumerStates, BridgeMetrics, DeadLetterSummary, deliveryTracingProvider, KafkaBridgeServer],
    };
  }
}
