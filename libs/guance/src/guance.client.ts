import type { SendResult } from '@app/contracts';
import {
  Answer,
  answerResult,
  Clock,
  createPool,
  type EgressConfig,
  exchange,
  failureResult,
  parseEndpoint,
} from '@app/http';
import type { Dispatcher } from 'undici';

/** An external event monitor: its secret and subUri, which travel in the request path. */
export interface GuanceMonitor {
  secret: string;
  subUri: string;
}

/** The body of push-events. */
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
  egress?: EgressConfig;
  clock?: Clock;
}

/**
 * Guance external event monitor, event reception. The monitor's secret and subUri are part of the
 * URL path, so no error this client produces names the path; answers are redacted of them and of
 * the API key.
 */
export class GuanceClient {
  private readonly pool: Dispatcher;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  // A private field, and the options are not kept: the key never shows if the client is logged.
  readonly #apiKey: string;

  constructor(opts: GuanceClientOptions) {
    const { origin, basePath } = parseEndpoint(opts.endpoint);
    this.pool = createPool(origin, opts);
    this.origin = origin;
    this.basePath = basePath;
    this.clock = opts.clock ?? Date.now;
    this.timeoutMs = opts.timeoutMs;
    this.#apiKey = opts.apiKey;
  }

  /**
   * 2xx delivered (the API answers 200 for a monitor it does not know, and ignores the event);
   * `headers`: more request headers (the trace context);
   * 401 `*CurrentLimiting` (rate limit), 408, 429, 5xx retryable; other answers permanent.
   */
  async pushEvent(
    body: GuanceEventBody,
    monitor: GuanceMonitor,
    signal?: AbortSignal,
    headers?: Record<string, string>,
  ): Promise<SendResult> {
    const path = `${this.basePath}/api/v1/push-events/${encodeURIComponent(monitor.secret)}/${encodeURIComponent(monitor.subUri)}`;
    try {
      const answer = await exchange(this.pool, {
        origin: this.origin,
        method: 'POST',
        path,
        headers: { ...headers, 'DF-API-KEY': this.#apiKey, 'content-type': 'application/json;charset=UTF-8' },
        body: JSON.stringify(body),
        timeoutMs: this.timeoutMs,
        signal,
        secrets: [this.#apiKey, monitor.secret, monitor.subUri],
      });
      return classifyGuanceAnswer(answer, this.clock);
    } catch (err) {
      return failureResult(err);
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

export function classifyGuanceAnswer(answer: Answer, clock?: Clock): SendResult {
  const fields = answer.status >= 300 ? guanceErrorFields(answer.body) : undefined;
  const rateLimited = answer.status === 401 && fields?.errorCode.endsWith('CurrentLimiting');
  // A key that is not accepted (403 ft.InvalidAPIKey, other 401s) refuses every record alike.
  const refused = !rateLimited && (answer.status === 401 || answer.status === 403);
  return answerResult(answer, {
    detail: () => fields && (fields.message ? `${fields.errorCode}: ${fields.message}` : fields.errorCode),
    retryable: rateLimited ? true : undefined,
    refused,
    clock,
  });
}

/** `errorCode` and `message` of Guance's error body; undefined for any other body. */
function guanceErrorFields(body: Buffer): { errorCode: string; message?: string } | undefined {
  let parsed: { errorCode?: unknown; message?: unknown } | null;
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  const { errorCode, message } = parsed ?? {};
  if (typeof errorCode !== 'string' || errorCode === '') return undefined;
  return typeof message === 'string' && message ? { errorCode, message } : { errorCode };
}
