import type { SendResult } from '@app/contracts';
import {
  Answer,
  answerResult,
  Clock,
  createPool,
  excerpt,
  exchange,
  failureResult,
  parseEndpoint,
  redact,
} from '@app/http';
import type { Pool } from 'undici';

/** An external event monitor: its secret and subUri, which travel in the request path. */
export interface GuanceMonitor {
  secret: string;
  subUri: string;
}

/** The body of push-events (seed 003). */
export interface GuanceEventBody {
  event: Record<string, unknown>;
  extraData?: Record<string, unknown>;
}

export interface GuanceClientOptions {
  /** e.g. `https://openapi.guance.com` */
  endpoint: string;
  /** Sent as DF-API-KEY. */
  apiKey: string;
  timeoutMs: number;
  /** Keep-alive connections to the endpoint; default 64. */
  connections?: number;
  clock?: Clock;
}

/**
 * Guance external event monitor, event reception. The monitor's secret and subUri are part of the
 * URL path, so no error this client produces names the path; answers are redacted as well.
 */
export class GuanceClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  // A private field, and the options are not kept: the key never shows if the client is logged.
  readonly #apiKey: string;

  constructor(opts: GuanceClientOptions) {
    const { origin, basePath } = parseEndpoint(opts.endpoint);
    this.pool = createPool(origin, opts);
    this.basePath = basePath;
    this.clock = opts.clock ?? Date.now;
    this.timeoutMs = opts.timeoutMs;
    this.#apiKey = opts.apiKey;
  }

  /**
   * 2xx delivered (the API answers 200 for a monitor it does not know, and ignores the event);
   * 401 `*CurrentLimiting` (rate limit), 408, 429, 5xx retryable; other answers permanent.
   */
  async pushEvent(body: GuanceEventBody, monitor: GuanceMonitor, signal?: AbortSignal): Promise<SendResult> {
    const path = `${this.basePath}/api/v1/push-events/${encodeURIComponent(monitor.secret)}/${encodeURIComponent(monitor.subUri)}`;
    try {
      const answer = await exchange(this.pool, {
        method: 'POST',
        path,
        headers: { 'DF-API-KEY': this.#apiKey, 'content-type': 'application/json;charset=UTF-8' },
        body: JSON.stringify(body),
        timeoutMs: this.timeoutMs,
        signal,
      });
      return classifyGuanceAnswer(answer, [this.#apiKey, monitor.secret, monitor.subUri], this.clock);
    } catch (err) {
      return failureResult(err);
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

export function classifyGuanceAnswer(answer: Answer, secrets: string[], clock?: Clock): SendResult {
  const rateLimited = answer.status === 401 && guanceErrorCode(excerpt(answer.body))?.endsWith('CurrentLimiting');
  // A key that is not accepted (403 ft.InvalidAPIKey, other 401s) refuses every record alike.
  const refused = !rateLimited && (answer.status === 401 || answer.status === 403);
  return answerResult(answer, {
    detail: (body) => redact(guanceErrorDetail(excerpt(body)), secrets),
    retryable: rateLimited ? true : undefined,
    refused,
    clock,
  });
}

function guanceErrorCode(text: string): string | undefined {
  // A regex rather than JSON.parse: the excerpt may be cut at 1 KiB.
  return /"errorCode"\s*:\s*"([^"]*)"/.exec(text)?.[1] || undefined;
}

/** `ft.InvalidAPIKey: <message>` when the body is Guance's error shape; its first 1 KiB otherwise. */
function guanceErrorDetail(text: string): string {
  const errorCode = guanceErrorCode(text);
  if (!errorCode) return text;
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' && message ? `${errorCode}: ${message}` : errorCode;
  } catch {
    return text;
  }
}
