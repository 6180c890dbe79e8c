import type { SendResult } from '@app/contracts';
import { Answer, answerResult, Clock, createPool, excerpt, exchange, parseEndpoint } from '@app/http';
import type { Pool } from 'undici';
import { SignatureV2, type NcpCredentials } from './signature-v2';

/** What both NCP clients are built from. */
export interface NcpClientOptions {
  /** Origin, optionally with a base path, e.g. `https://cw.apigw.ntruss.com`. */
  endpoint: string;
  credentials: NcpCredentials;
  timeoutMs: number;
  /** Keep-alive connections to the endpoint; default 64. */
  connections?: number;
  clock?: Clock;
}

export interface NcpRequest {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  keepBytes?: number;
}

/** One NCP API gateway endpoint: a pool, and a signature on every request. */
export class NcpGateway {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly signer: SignatureV2;
  private readonly timeoutMs: number;
  readonly clock: Clock;

  // The options are not kept: they hold the secret key, which must not show if a client is logged.
  constructor(opts: NcpClientOptions) {
    const { origin, basePath } = parseEndpoint(opts.endpoint);
    this.pool = createPool(origin, opts);
    this.basePath = basePath;
    this.timeoutMs = opts.timeoutMs;
    this.clock = opts.clock ?? Date.now;
    this.signer = new SignatureV2(opts.credentials, this.clock);
  }

  request(method: 'GET' | 'POST', path: string, req: NcpRequest = {}): Promise<Answer> {
    const fullPath = this.basePath + path;
    const headers: Record<string, string> = { ...req.headers, ...this.signer.headers(method, fullPath) };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    return exchange(this.pool, {
      method,
      path: fullPath,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      timeoutMs: this.timeoutMs,
      signal: req.signal,
      keepBytes: req.keepBytes,
    });
  }

  /**
   * 401 (errorCode 200 authentication, 210 permission), 403, and the gateway's own 404 (errorCode
   * 300: no such API for these keys, a wrong endpoint): our requests are refused, whatever the
   * record; 408/429/5xx retryable; 400, the API's own 404, 413 and other answers reject the body.
   * The NCP error body summarised.
   */
  result(answer: Answer): SendResult {
    const { status } = answer;
    const refused = status === 401 || status === 403 || (status === 404 && gatewayErrorCode(answer.body) === '300');
    return answerResult(answer, { detail: ncpErrorDetail, clock: this.clock, refused });
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** The API gateway's `errorCode` of an error body, if it is the gateway's. */
function gatewayErrorCode(body: Buffer): string | undefined {
  try {
    const code = (JSON.parse(excerpt(body)) as { error?: { errorCode?: unknown } } | null)?.error?.errorCode;
    return code === undefined ? undefined : String(code);
  } catch {
    return undefined;
  }
}

/**
 * `{"error":{"errorCode":"200","message":"Authentication Failed"}}` becomes
 * `errorCode 200: Authentication Failed`; Data Stream's `{"status","detail"}` and problem bodies
 * their detail; anything else its first 1 KiB.
 */
export function ncpErrorDetail(body: Buffer): string {
  const text = excerpt(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const p = parsed as { error?: Record<string, unknown>; code?: unknown; title?: unknown; detail?: unknown };
  if (p?.error && typeof p.error === 'object') {
    const { errorCode, message, details } = p.error;
    return [`errorCode ${String(errorCode ?? '?')}: ${String(message ?? '')}`, details && `(${String(details)})`]
      .filter(Boolean)
      .join(' ');
  }
  const detail = p?.detail ?? p?.title;
  if (typeof detail === 'string') return p.code ? `${String(p.code)}: ${detail}` : detail;
  return text;
}
