import { CloudInsightClient } from '@app/ncp';
import { cliConfig } from './config';

/** A client for provisioning calls, from NCP_ACCESS_KEY, NCP_SECRET_KEY, the CLOUDINSIGHT_* and the egress variables. */
export function cloudInsightClient(env: Record<string, string | undefined>): CloudInsightClient {
  const config = cliConfig(
    env,
    ['ncp', 'cloudinsightEndpoint', 'cloudinsightRegionNo', 'egress'],
    'for the cloudinsight commands',
  );
  return new CloudInsightClient({
    endpoint: config.cloudinsightEndpoint,
    credentials: config.ncp,
    regionNo: config.cloudinsightRegionNo,
    timeoutMs: 30_000,
    connections: 1,
    egress: config.egress,
  });
}
