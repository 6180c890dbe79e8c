/**
 * What one API call came to, as the clients classify it (SPEC sections 3 and 8).
 * - delivered: 2xx.
 * - retryable: network error, timeout, 408, 429, 5xx, Guance 401 `*CurrentLimiting`;
 *   `retryAfterMs` when the response carried Retry-After (seconds or HTTP date).
 * - permanent: any other answer; the record is dead-lettered with reason `rejected`.
 * `error` is for a person: the HTTP status and up to 1 KiB of the response body, or the network
 * error. It never holds a secret.
 */
export type SendResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retryable'; status?: number; retryAfterMs?: number; error: string }
  | { outcome: 'permanent'; status?: number; error: string };

/** A record value decoded and validated for a target, or why it could not be (reason for the DLQ). */
export type ParseResult<B> = { ok: true; body: B } | { ok: false; reason: 'malformed' | 'invalid'; error: string };
