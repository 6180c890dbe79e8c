import { CloudInsightClient } from '@app/ncp';
import { ncpSettings } from './cli-env';

/** A client for provisioning calls, from NCP_ACCESS_KEY, NCP_SECRET_KEY and CLOUDINSIGHT_ENDPOINT. */
export function cloudInsightClient(env: Record<string, string | undefined>): CloudInsightClient {
  const s = ncpSettings(env);
  return new CloudInsightClient({
    endpoint: s.endpoint,
    credentials: { accessKey: s.accessKey, secretKey: s.secretKey },
    regionNo: s.regionNo,
    timeoutMs: 30_000,
    connections: 1,
  });
}
