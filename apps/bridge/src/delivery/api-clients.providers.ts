import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { BRIDGE_CONFIG, BridgeConfig } from '@app/config';
import { CloudInsightClient, DataStreamClient } from '@app/ncp';
import { GuanceClient } from '@app/guance';

/**
 * The API clients of the configured targets (a client of a target this process does not serve is
 * never built: its credentials may be absent). Pools are closed after the consumers drained.
 */
@Injectable()
export class ApiClients implements OnApplicationShutdown {
  readonly dataStream?: DataStreamClient;
  readonly cloudInsight?: CloudInsightClient;
  readonly guance?: GuanceClient;

  constructor(@Inject(BRIDGE_CONFIG) config: BridgeConfig) {
    const common = { timeoutMs: config.httpTimeoutMs, connections: config.maxInFlight };
    if (config.targets.includes('datastream')) {
      this.dataStream = new DataStreamClient({
        ...common,
        endpoint: config.datastreamEndpoint,
        credentials: config.ncp!,
      });
    }
    if (config.targets.includes('cloudinsight')) {
      this.cloudInsight = new CloudInsightClient({
        ...common,
        endpoint: config.cloudinsightEndpoint,
        credentials: config.ncp!,
        regionNo: config.cloudinsightRegionNo,
      });
    }
    if (config.targets.includes('guance')) {
      this.guance = new GuanceClient({ ...common, endpoint: config.guance!.endpoint, apiKey: config.guance!.apiKey });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.dataStream?.close(), this.cloudInsight?.close(), this.guance?.close()]);
  }
}
