import type { SendResult } from '@app/contracts';
import { Answer, answerResult, Clock, createPool, type EgressConfig, exchange, parseEndpoint } from '@app/http';
import type { Dispatcher } from 'undici';
import { SignatureV2, type NcpCredentials } from './signature-v2';

/** What both NCP clients are built from. */
export interface NcpClientOptions {
  /** Origin, optionally with a base path, e.g. `https://cw.apigw.ntruss.com`. */
  endpoint: string;
  credentials: NcpCredentials;
  timeoutMs: number;
  /** Keep-alive connections to the endpoint; default 64. */
  connections?: number;
  egress?: EgressConfig;
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
  private readonly pool: Dispatcher;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly signer: SignatureV2;
  private readonly timeoutMs: number;
  readonly clock: Clock;

  // The options are not kept: they hold the secret key, which must not show if a client is logged.
  constructor(opts: NcpClientOptions) {
    const { origin, basePath } = parseEndpoint(opts.endpoint);
    this.pool = createPool(origin, opts);
    this.origin = origin;
    this.basePath = basePath;
    this.timeoutMs = opts.timeoutMs;
    this.clock = opts.clock ?? Date.now;
    this.signer = new SignatureV2(opts.credentials, this.clock);
  }

  request(method: 'GET' | 'POST', path: string, req: NcpRequest = {}): Promise<Answer> {
    const fullPath = this.basePath + path;
    const auth = this.signer.headers(method, fullPath);
    const headers: Record<string, string> = { ...req.headers, ...auth };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    return exchange(this.pool, {
      origin: this.origin,
      method,
      path: fullPath,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      timeoutMs: this.timeoutMs,
      signal: req.signal,
      keepBytes: req.keepBytes,
      // Signature v2 does not cover the body: an echoed signature, timestamp and key could be replayed.
      secrets: [auth['x-ncp-apigw-signature-v2']],
      sentValues: [auth['x-ncp-apigw-timestamp'], auth['x-ncp-iam-access-key']],
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
    const code = (JSON.parse(body.toString('utf8')) as { error?: { errorCode?: unknown } } | null)?.error?.errorCode;
    return code === undefined ? undefined : String(code);
  } catch {
    return undefined;
  }
}

/**
 * The API's own error fields: `{"error":{"errorCode":"200","message":"Authentication Failed"}}`
 * becomes `errorCode 200: Authentication Failed`, Data Stream's `{"status","detail"}` and problem
 * bodies (`code`, `title`, `detail`) their detail. Undefined for any other body.
 */
export function ncpErrorDetail(body: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const p = parsed as { error?: Record<string, unknown>; code?: unknown; title?: unknown; detail?: unknown } | null;
  if (p?.error && typeof p.error === 'object') {
    const { errorCode, message, details } = p.error;
    return [`errorCode ${text(errorCode) ?? '?'}: ${text(message) ?? ''}`, text(details) && `(${text(details)})`]
      .filter(Boolean)
      .join(' ');
  }
  const detail = text(p?.detail) ?? text(p?.title);
  if (detail === undefined) return undefined;
  return text(p?.code) ? `${text(p?.code)}: ${detail}` : detail;
}

/** A field shown as it is when it is a string or a number; objects are not shown. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
