import { createSecureContext, getCACertificates } from 'node:tls';
import { Dispatcher, EnvHttpProxyAgent, Pool } from 'undici';

export const DEFAULT_CONNECTIONS = 64;

/** How API requests leave the process: proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), extra trusted CAs. */
export interface EgressConfig {
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
  /** PEM certificates (BRIDGE_API_CA_FILE) trusted besides Node's own roots. */
  ca?: string;
}

export interface PoolOptions {
  /** Upper bound of keep-alive connections to the origin. */
  connections?: number;
  /** Per-request timeout; also used for undici's headers and body timeouts. */
  timeoutMs: number;
  /** Proxies and extra trusted CAs; none by default. */
  egress?: EgressConfig;
}

/**
 * Keep-alive connections to one origin: bounded, no pipelining. Direct when no proxy is set;
 * otherwise through undici's EnvHttpProxyAgent, which picks HTTPS_PROXY or HTTP_PROXY by the
 * origin's scheme and goes direct for hosts NO_PROXY names. Through a proxy each connection is a
 * CONNECT tunnel, under the same bound; a proxy that cannot be reached fails the request (it is
 * never sent around the proxy). `egress.ca` is trusted besides Node's own roots, for the API's TLS
 * and for an https:// proxy.
 */
export function createPool(
  origin: string,
  { connections = DEFAULT_CONNECTIONS, timeoutMs, egress = {} }: PoolOptions,
): Dispatcher {
  const common = { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  // One TLS context per pool: a `ca` option alone would parse every root again on each connection.
  const tls = egress.ca ? { secureContext: createSecureContext({ ca: [...getCACertificates(), egress.ca] }) } : {};
  const connect = { ...tls, timeout: Math.min(timeoutMs, 10_000) };
  if (!egress.httpProxy && !egress.httpsProxy) return new Pool(origin, { ...common, connect });
  return new EnvHttpProxyAgent({
    ...common,
    connect,
    requestTls: connect,
    proxyTls: connect,
    // Empty, not undefined: undici would fall back to process.env, which the config has validated.
    httpProxy: egress.httpProxy ?? '',
    httpsProxy: egress.httpsProxy ?? '',
    noProxy: egress.noProxy ?? '',
  });
}
