export interface RetryPolicyOptions {
  /** First backoff window, ms (default 200). */
  baseMs?: number;
  /** Largest backoff window, ms (default 30 000). Retry-After may ask for more. */
  capMs?: number;
  /** How long a record may keep failing, measured from its first failure; 0 = forever (default 0). */
  deadlineMs?: number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

export type RetryDecision = { retryInMs: number; giveUp?: undefined } | { giveUp: true; retryInMs?: undefined };

/**
 * Exponential backoff with full jitter: the wait before retry number `attempt` (0 for the first
 * retry) is uniform in [0, min(cap, base * 2^attempt)). A Retry-After from the API is a floor
 * (honoured even above the cap). Nothing is scheduled past the deadline: a jittered wait is cut
 * short so that one last attempt happens at the deadline, but if Retry-After asks to wait past it,
 * retrying sooner would ignore the API, so the record is given up on instead.
 */
export class RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  readonly deadlineMs: number;
  private readonly random: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    this.baseMs = options.baseMs ?? 200;
    this.capMs = options.capMs ?? 30_000;
    this.deadlineMs = options.deadlineMs ?? 0;
    this.random = options.random ?? Math.random;
    if (!(this.baseMs > 0) || !(this.capMs >= this.baseMs) || !(this.deadlineMs >= 0)) {
      throw new Error(`RetryPolicy: need 0 < baseMs <= capMs and deadlineMs >= 0`);
    }
  }

  /**
   * @param attempt retry number, 0 for the first retry after the first failure
   * @param firstFailureAt when the record first failed (ms since the epoch)
   * @param now the current time (ms since the epoch), normally the time of the latest failure
   * @param retryAfterMs the API's Retry-After, when it sent one
   */
  next(attempt: number, firstFailureAt: number, now: number, retryAfterMs?: number): RetryDecision {
    const delay = this.backoff(attempt, retryAfterMs);
    if (this.deadlineMs === 0) return { retryInMs: delay };
    const remaining = firstFailureAt + this.deadlineMs - now;
    if (remaining <= 0) return { giveUp: true };
    if (delay <= remaining) return { retryInMs: delay };
    if (retryAfterMs !== undefined && retryAfterMs > remaining) return { giveUp: true };
    return { retryInMs: remaining };
  }

  /** The wait before retry number `attempt`, without a deadline: full jitter, Retry-After as a floor. */
  backoff(attempt: number, retryAfterMs?: number): number {
    const window = Math.min(this.capMs, this.baseMs * 2 ** Math.min(Math.max(attempt, 0), 40));
    const delay = Math.floor(this.random() * window);
    return retryAfterMs !== undefined && retryAfterMs > delay ? Math.ceil(retryAfterMs) : delay;
  }
}
