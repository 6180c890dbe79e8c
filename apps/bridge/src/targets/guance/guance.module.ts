import { Module } from '@nestjs/common';
import { BRIDGE_CONFIG, type BridgeConfig } from '@app/config';
import { GuanceClient } from '@app/guance';
import { GuanceController } from './guance.controller';

@Module({
  controllers: [GuanceController],
  providers: [
    {
      provide: GuanceClient,
      inject: [BRIDGE_CONFIG],
      useFactory: (config: BridgeConfig) =>
        new GuanceClient({
          endpoint: config.guance!.endpoint,
          apiKey: config.guance!.apiKey,
          timeoutMs: config.httpTimeoutMs,
          connections: config.maxInFlight,
          egress: config.egress,
        }),
    },
  ],
})
export class GuanceModule {}
