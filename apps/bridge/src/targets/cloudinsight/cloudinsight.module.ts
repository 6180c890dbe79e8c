import { Module } from '@nestjs/common';
import { BRIDGE_CONFIG, type BridgeConfig } from '@app/config';
import { CloudInsightClient } from '@app/ncp';
import { CloudInsightController } from './cloudinsight.controller';

@Module({
  controllers: [CloudInsightController],
  providers: [
    {
      provide: CloudInsightClient,
      inject: [BRIDGE_CONFIG],
      useFactory: (config: BridgeConfig) =>
        new CloudInsightClient({
          endpoint: config.cloudinsightEndpoint,
          credentials: config.ncp!,
          regionNo: config.cloudinsightRegionNo,
          timeoutMs: config.httpTimeoutMs,
          connections: config.maxInFlight,
          egress: config.egress,
        }),
    },
  ],
})
export class CloudInsightModule {}
