import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import { BODY_EXCERPT_BYTES } from './redact';

export const DEFAULT_CONNECTIONS = 64;

export interface PoolOptions {
  /** Upper bound of keep-alive connections to the origin. */
  connections?: number;
  /** Per-request timeout; also used for undici's headers and body timeouts. */
  timeoutMs: number;
}

/** An endpoint setting split into the origin (one pool each) and an optional base path. */
export function parseEndpoint(endpoint: string): { origin: string; basePath: string } {
  const url = new URL(endpoint);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/** A keep-alive pool for one origin: bounded connections, no pipelining. */
export function createPool(origin: string, { connections = DEFAULT_CONNECTIONS, timeoutMs }: PoolOptions): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000),
  });
}

export interface Exchange {
  method: 'GET' | 'POST';
  /** Path with query, as sent (and signed). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Aborts the request from outside (shutdown). */
  signal?: AbortSignal;
  /** Bytes of the response body to keep; the rest is read and dropped. Default 1 KiB. */
  keepBytes?: number;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first `keepBytes` of the body. */
  body: Buffer;
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
 * One request on the pool, its response body read to the end. Resolves with any HTTP answer;
 * rejects with an ExchangeError on timeout (`timeoutMs` overall), external abort or network error.
 */
export async function exchange(pool: Pool, req: Exchange): Promise<Answer> {
  // undici takes an EventEmitter as its signal: far cheaper than an AbortController per request,
  // which shows at thousands of requests per second.
  const abort = new EventEmitter();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.emit('abort');
  }, req.timeoutMs);
  if (req.signal) watch(req.signal, abort);
  try {
    if (req.signal?.aborted) throw new ExchangeError('aborted', req.timeoutMs, req.signal.reason);
    const res = await pool.request({
      method: req.method,
      path: req.path,
      headers: req.headers,
      body: req.body,
      signal: abort,
    });
    const body = await readHead(res.body, req.keepBytes ?? BODY_EXCERPT_BYTES);
    return { status: res.statusCode, headers: res.headers, body };
  } catch (err) {
    if (err instanceof ExchangeError) throw err;
    const code = (err as { code?: string }).code;
    if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      throw new ExchangeError('timeout', req.timeoutMs, err);
    }
    if (req.signal?.aborted) throw new ExchangeError('aborted', req.timeoutMs, err);
    throw new ExchangeError('network', req.timeoutMs, err);
  } finally {
    clearTimeout(timer);
    if (req.signal) unwatch(req.signal, abort);
  }
}

/**
 * The exchanges under way per caller signal. One signal is shared by every call of a pipeline (its
 * drain epoch), and node's EventTarget walks all its listeners on each add and remove (to refuse
 * duplicates): with a listener per call, that was a walk as long as the calls in flight, twice per
 * request. One listener per signal, and a Set of the calls' abort emitters, instead.
 */
const callsBySignal = new WeakMap<AbortSignal, Set<EventEmitter>>();

function watch(signal: AbortSignal, abort: EventEmitter): void {
  let calls = callsBySignal.get(signal);
  if (calls === undefined) {
    const set = new Set<EventEmitter>();
    calls = set;
    callsBySignal.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const call of [...set]) call.emit('abort');
        set.clear();
      },
      { once: true },
    );
  }
  calls.add(abort);
}

function unwatch(signal: AbortSignal, abort: EventEmitter): void {
  callsBySignal.get(signal)?.delete(abort);
}

/** Reads a body to its end (so the connection can be reused), keeping its first `keep` bytes. */
function readHead(body: Readable, keep: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    body.on('data', (chunk: Buffer) => {
      if (kept >= keep) return;
      chunks.push(chunk.length > keep - kept ? chunk.subarray(0, keep - kept) : chunk);
      kept += chunk.length;
    });
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    body.once('error', reject);
  });
}
