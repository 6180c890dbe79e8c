import type { SendResult } from '@app/contracts';
import { DLQ_ERROR_MAX_BYTES } from '@app/contracts/dlq';
import { Answer, ExchangeError } from './exchange';
import { Clock, parseRetryAfter } from './retry-after';

/** 408, 429 and 5xx are worth another try; any other non-2xx is final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_CODES = /^(ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|ERR_SSL_)/;

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (Array.isArray(e?.errors) && e.errors.length > 0) return errorCode(e.errors[0]);
  if (e?.cause && e.cause !== err) return errorCode(e.cause);
  return undefined;
}

/**
 * A failed exchange in words for a person. Built from error codes only: messages of lower layers
 * are left out because they may carry a URL (and so a secret in its path).
 */
export function describeFailure(err: ExchangeError): string {
  if (err.kind === 'timeout') return `timeout after ${err.timeoutMs} ms`;
  if (err.kind === 'aborted') return 'request aborted';
  const code = errorCode(err.cause) ?? (err.cause as Error | undefined)?.name ?? 'unknown';
  // undici's own words, without an address: "Proxy response (407) !== 200 when HTTP Tunneling".
  const proxyStatus = /^Proxy response \((\d{3})\)/.exec((err.cause as Error | undefined)?.message ?? '')?.[1];
  if (proxyStatus) return `the proxy refused the tunnel (HTTP ${proxyStatus})`;
  if (TLS_CODES.test(code)) return `TLS certificate not accepted (${code})`;
  if (RESET_CODES.has(code)) return `connection reset (${code})`;
  if (code === 'UND_ERR_SOCKET') return `connection closed by the server (${code})`;
  if (code === 'ECONNREFUSED') return `connection refused (${code})`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return `connect timeout (${code})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed (${code})`;
  return `network error (${code})`;
}

/** A request that got no answer: always worth another try. Anything but an ExchangeError is a bug. */
export function failureResult(err: unknown): SendResult {
  if (!(err instanceof ExchangeError)) throw err;
  return { outcome: 'retryable', error: describeFailure(err) };
}

export interface AnswerOptions {
  /**
   * The API's own error fields in words (called for errors only); undefined when the body has none,
   * and the body itself is shown. Either way the request's secrets are redacted from it.
   */
  detail?: (body: Buffer) => string | undefined;
  /** Overrides the status rule (Guance rate limiting answers 401). */
  retryable?: boolean;
  /** The API refuses our credentials: the target pauses, the record is not at fault. */
  refused?: boolean;
  clock?: Clock;
}

/**
 * `HTTP 503: <detail>`, at most DLQ_ERROR_MAX_BYTES: the API's error fields or the body, redacted
 * before it is cut, and never a value the request sent.
 */
export function httpError(answer: Answer, detail?: (body: Buffer) => string | undefined): string {
  const head = `HTTP ${answer.status}`;
  const fields = detail?.(answer.body);
  const text = fields ?? answer.body.toString('utf8');
  const budget = DLQ_ERROR_MAX_BYTES - Buffer.byteLength(head) - 2;
  const shown = answer.redactor.excerpt(text, budget, fields === undefined && answer.truncated);
  return shown ? `${head}: ${shown}` : head;
}

/**
 * 2xx delivered; credentials refused when the caller says so; 408, 429, 5xx retryable (with
 * Retry-After when sent); other answers permanent.
 */
export function answerResult(answer: Answer, opts: AnswerOptions = {}): SendResult {
  const { status } = answer;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const error = httpError(answer, opts.detail);
  if (opts.refused) return { outcome: 'refused', status, error };
  if (!(opts.retryable ?? isRetryableStatus(status))) return { outcome: 'permanent', status, error };
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], opts.clock);
  return retryAfterMs === undefined
    ? { outcome: 'retryable', status, error }
    : { outcome: 'retryable', status, retryAfterMs, error };
}
