import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { BRIDGE_CONFIG, BridgeConfig, BridgeConfigModule } from '@app/config';
import { ApiClients } from './delivery/api-clients.providers';
import { DeliveryController } from './delivery/delivery.controller';
import { BridgeMetrics } from './ops/bridge-metrics';
import { ConsumerStates } from './ops/consumer-states';
import { OpsController } from './ops/ops.controller';
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

@Module({
  imports: [
    BridgeConfigModule,
    TerminusModule.forRoot({ logger: false }),
    LoggerModule.forRootAsync({
      inject: [BRIDGE_CONFIG],
      useFactory: (config: BridgeConfig) => ({
        pinoHttp: { level: config.logLevel, autoLogging: false, redact: { paths: REDACT, censor: '[redacted]' } },
      }),
    }),
  ],
  controllers: [OpsController, DeliveryController],
  providers: [ConsumerStates, BridgeMetrics, ApiClients, KafkaBridgeServer],
})
export class BridgeModule {}
