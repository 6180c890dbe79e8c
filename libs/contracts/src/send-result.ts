/**
 * What one API call came to, as the clients classify it (docs/contract.md, "Failure classes").
 * - delivered: 2xx.
 * - retryable: network error, timeout, 408, 429, 5xx, Guance 401 `*CurrentLimiting`;
 *   `retryAfterMs` when the response carried Retry-After (seconds or HTTP date). It says nothing
 *   about the record: across records it pauses the target.
 * - refused: the API refuses our credentials (NCP 401/403, Guance 401/403 but rate limits). It
 *   says nothing about the record: it pauses the target at once; nothing is dead-lettered.
 * - permanent: any other answer (a 4xx about this body); the record is dead-lettered `rejected`.
 * `error` is for a person: the HTTP status and up to 1 KiB of the response body, or the network
 * error. It never holds a secret.
 */
export type SendResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retryable'; status?: number; retryAfterMs?: number; error: string }
  | { outcome: 'refused'; status: number; error: string }
  | { outcome: 'permanent'; status?: number; error: string };

/** A record value decoded and validated for a target, or why it could not be (reason for the DLQ). */
export type ParseResult<B> = { ok: true; body: B } | { ok: false; reason: 'malformed' | 'invalid'; error: string };
