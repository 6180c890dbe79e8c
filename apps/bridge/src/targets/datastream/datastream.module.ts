import { Module } from '@nestjs/common';
import { BRIDGE_CONFIG, type BridgeConfig } from '@app/config';
import { DataStreamClient } from '@app/ncp';
import { DataStreamController } from './datastream.controller';

@Module({
  controllers: [DataStreamController],
  providers: [
    {
      provide: DataStreamClient,
      inject: [BRIDGE_CONFIG],
      useFactory: (config: BridgeConfig) =>
        new DataStreamClient({
          endpoint: config.datastreamEndpoint,
          credentials: config.ncp!,
          timeoutMs: config.httpTimeoutMs,
          connections: config.maxInFlight,
          egress: config.egress,
        }),
    },
  ],
})
export class DataStreamModule {}
