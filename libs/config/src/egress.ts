import { readFileSync } from 'node:fs';
import type { EgressConfig } from '@app/http';

type Env = Record<string, string | undefined>;

const value = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

/**
 * Egress from valid variables: the lower-case proxy variables win over the upper-case ones, as
 * with curl and undici; the CA file is read now.
 */
export function egressFrom(env: Env): EgressConfig {
  const egress: EgressConfig = {};
  const httpsProxy = value(env, 'https_proxy') ?? value(env, 'HTTPS_PROXY');
  const httpProxy = value(env, 'http_proxy') ?? value(env, 'HTTP_PROXY');
  const noProxy = value(env, 'no_proxy') ?? value(env, 'NO_PROXY');
  const caFile = value(env, 'BRIDGE_API_CA_FILE');
  if (httpsProxy !== undefined) egress.httpsProxy = httpsProxy;
  if (httpProxy !== undefined) egress.httpProxy = httpProxy;
  if (noProxy !== undefined) egress.noProxy = noProxy;
  if (caFile !== undefined) egress.ca = readFileSync(caFile, 'utf8');
  return egress;
}
