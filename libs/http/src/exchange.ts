import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { Redactor } from './redact';

/**
 * Bytes of a response body kept by default: an API's JSON error and most error pages whole, so an
 * error text is made from the whole page, redacted before it is cut.
 */
export const DEFAULT_KEEP_BYTES = 4 * 1024;

/** An endpoint setting split into the origin (one pool each) and an optional base path. */
export function parseEndpoint(endpoint: string): { origin: string; basePath: string } {
  const url = new URL(endpoint);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

export interface Exchange {
  /** The origin the dispatcher serves (createPool's). */
  origin: string;
  method: 'GET' | 'POST';
  /** Path with query, as sent (and signed). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Aborts the request from outside (shutdown). */
  signal?: AbortSignal;
  /** Bytes of the response body to keep; the rest is read and dropped. Default 4 KiB. */
  keepBytes?: number;
  /**
   * What this request sends that no text about its answer may repeat, whole or in part:
   * credentials, signatures, secret path segments. The answer's `redactor` holds them.
   */
  secrets: readonly (string | undefined)[];
  /** Other values it sends that no such text may repeat whole (an access key, a timestamp). */
  sentValues?: readonly (string | undefined)[];
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first `keepBytes` of the body. */
  body: Buffer;
  /** The body was longer than `keepBytes`. */
  truncated: boolean;
  /** Redacts the request's secrets from any text made from this answer. */
  redactor: Redactor;
}

/** Why an exchange failed without an answer; `describeFailure` turns it into words. */
export class ExchangeError extends Error {
  constructor(
    readonly kind: 'timeout' | 'aborted' | 'network',
    readonly timeoutMs: number,
    override readonly cause: unknown,
  ) {
    super(kind);
    this.name = 'ExchangeError';
  }
}

/**
 * One request on the dispatcher (createPool), its response body read to the end. Resolves with any HTTP answer;
 * rejects with an ExchangeError on timeout (`timeoutMs` overall), external abort or network error.
 */
export function exchange(pool: Dispatcher, req: Exchange): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    if (req.signal?.aborted) return reject(new ExchangeError('aborted', req.timeoutMs, req.signal.reason));
    const call = new ExchangeCall(req, resolve, reject);
    try {
      pool.dispatch(
        { origin: req.origin, method: req.method, path: req.path, headers: req.headers, body: req.body ?? null },
        call,
      );
    } catch (err) {
      call.onResponseError(undefined, err as Error);
    }
  });
}

/**
 * The dispatch handler of one exchange. undici's `pool.request` wraps every answer in a Readable
 * stream and an abort-signal listener; the profile of the bridge at thousands of requests per
 * second showed that machinery (stream ticks, listeners) as a real share of its CPU, so the
 * answer is collected here from undici's callbacks directly.
 */
class ExchangeCall implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private abortReason: Error | undefined;
  private settled = false;
  private timedOut = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private readonly keep: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly req: Exchange,
    private readonly resolve: (answer: Answer) => void,
    private readonly reject: (error: ExchangeError) => void,
  ) {
    this.keep = req.keepBytes ?? DEFAULT_KEEP_BYTES;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.abort(new ExchangeError('timeout', req.timeoutMs, undefined));
    }, req.timeoutMs);
    if (req.signal) watch(req.signal, this);
  }

  /** The caller's signal (shutdown) aborted. */
  aborted(signal: AbortSignal): void {
    this.abort(new ExchangeError('aborted', this.req.timeoutMs, signal.reason));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: the answer follows
    this.status = statusCode;
    this.headers = headers;
  }

  /** Keeps the first `keepBytes` of the body; the rest is read (so the connection is reused) and dropped. */
  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    const room = this.keep - this.received;
    this.received += chunk.length;
    if (room <= 0) return;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
  }

  onResponseEnd(): void {
    if (!this.finish()) return;
    const { chunks } = this;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const truncated = this.received > this.keep;
    this.resolve({
      status: this.status,
      headers: this.headers,
      body,
      truncated,
      redactor: new Redactor(this.req.secrets, this.req.sentValues),
    });
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, err: Error): void {
    if (!this.finish()) return;
    if (err instanceof ExchangeError) return this.reject(err);
    const code = (err as { code?: string }).code;
    if (this.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return this.reject(new ExchangeError('timeout', this.req.timeoutMs, err));
    }
    if (this.req.signal?.aborted) return this.reject(new ExchangeError('aborted', this.req.timeoutMs, err));
    this.reject(new ExchangeError('network', this.req.timeoutMs, err));
  }

  /** Timeout or external abort: settles at once, and stops the request if undici holds it yet. */
  private abort(reason: ExchangeError): void {
    if (this.settled) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
    this.onResponseError(undefined, reason);
  }

  /** True the first time: the answer or error is reported once, and the timer and listener go. */
  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    if (this.req.signal) unwatch(this.req.signal, this);
    return true;
  }
}

/**
 * The calls under way per caller signal. One signal is shared by every call of a pipeline (its
 * drain epoch), so a listener per call made each add and remove walk a list as long as the calls
 * in flight (node's EventTarget checks for duplicates): one listener per signal instead.
 */
const callsBySignal = new WeakMap<AbortSignal, Set<ExchangeCall>>();

function watch(signal: AbortSignal, call: ExchangeCall): void {
  let calls = callsBySignal.get(signal);
  if (calls === undefined) {
    const set = new Set<ExchangeCall>();
    calls = set;
    callsBySignal.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const c of [...set]) c.aborted(signal);
        set.clear();
      },
      { once: true },
    );
  }
  calls.add(call);
}

function unwatch(signal: AbortSignal, call: ExchangeCall): void {
  callsBySignal.get(signal)?.delete(call);
}
