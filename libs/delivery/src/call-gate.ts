import type { ConcurrencyLimit } from './concurrency-limit';
import { RetryPolicy, type RetryPolicyOptions } from './retry-policy';
import type { Scheduler } from './scheduler';

/** Why a target's consumption is paused: its API keeps failing, or refuses our credentials. */
export interface CircuitCause {
  refused: boolean;
  /** The last failure, for a person (never a secret): `HTTP 403: ft.InvalidAPIKey ...`. */
  error: string;
  /** When the circuit opened (ms since the epoch). */
  since: number;
}

export type CallOutcome = 'delivered' | 'retryable' | 'refused' | 'permanent';

/** What the CallGate is told of a call's answer, besides its outcome. */
export interface CallAnswer {
  /** When the answer came (ms since the epoch). */
  now: number;
  /** When the call started: the limit's latency sample (default: now). */
  startedAt?: number;
  error?: string;
  /** The call had failed before. */
  wasRetry?: boolean;
  /** The API's Retry-After. */
  retryAfterMs?: number;
  /** The failure says something about the call's records, not about the API. */
  aboutRecords?: boolean;
}

export interface CallGateOptions {
  /** How many API calls may be under way at once (adaptive, or fixed). */
  limit: ConcurrencyLimit;
  /**
   * Consecutive retryable failures that open the circuit (but those about records, see answered);
   * one refusal of our credentials does.
   */
  circuitThreshold: number;
  /** Backoff between probes while the circuit is open (default base 500 ms, cap 30 s). */
  probeBackoff?: RetryPolicyOptions;
  scheduler: Scheduler;
  /** The circuit opened (with why) or closed (undefined). */
  onCircuitChange(cause: CircuitCause | undefined): void;
  onInFlightChange(inFlight: number): void;
  /** A probe may start now. */
  onProbeDue(): void;
}

/**
 * Concurrency and the target circuit. Up to the limit's calls run at once; every answer while the
 * circuit is closed feeds the limit. The circuit opens after
 * `circuitThreshold` retryable failures in a row, or at once when the API refuses our credentials:
 * a failure of the target, not of a record (a failure the caller knows to be about its records does
 * not count). While it is open the target's consumption pauses and only probes go, one at a time,
 * with a backoff between them capped at 30 s, however long it lasts. Probes take turns between a
 * failed call and a record never sent, so that one record the API keeps failing cannot pass for an
 * outage. Any answer that shows the API judging bodies again (2xx, or a 4xx about a body) closes it.
 */
export class CallGate {
  private calls = 0;
  private streak = 0;
  private open: CircuitCause | undefined;
  private newRecordsTurn = false;
  private probeDue = false;
  private probeTimer: unknown;
  private probes = 0;
  private readonly probeBackoff: RetryPolicy;

  constructor(private readonly options: CallGateOptions) {
    this.probeBackoff = new RetryPolicy({ baseMs: 500, capMs: 30_000, ...options.probeBackoff });
  }

  get inFlight(): number {
    return this.calls;
  }

  /** Why the circuit is open, or undefined while it is closed. */
  get cause(): CircuitCause | undefined {
    return this.open;
  }

  /** True while the circuit is open (fetching should be paused). */
  get paused(): boolean {
    return this.open !== undefined;
  }

  /** Whether one more call may start now: below the limit, or the probe when it is due. */
  get hasRoom(): boolean {
    return this.open ? this.calls === 0 && this.probeDue : this.calls < this.options.limit.current;
  }

  /** While open: whether this probe should be a record never sent, rather than a failed call. */
  get probeWithNewRecord(): boolean {
    return this.open !== undefined && this.newRecordsTurn;
  }

  /**
   * Whether a record never sent may start: always while closed; while open only as the probe, on
   * its turn or when no failed call waits.
   */
  mayStartNew(failedCallsWaiting: boolean): boolean {
    return !this.open || this.newRecordsTurn || !failedCallsWaiting;
  }

  started(): void {
    this.probeDue = false;
    this.setCalls(this.calls + 1);
    this.options.limit.started(this.calls);
  }

  /** A call got its answer (see CallAnswer). Returns true when this answer closed the circuit. */
  answered(outcome: CallOutcome, answer: CallAnswer): boolean {
    const { now, startedAt = now, error, wasRetry = false, retryAfterMs, aboutRecords = false } = answer;
    this.setCalls(this.calls - 1);
    // Probes say whether the API is back, not how much it takes: the circuit handles outages.
    if (!this.open) {
      const backPressure = outcome === 'retryable' && !aboutRecords;
      this.options.limit.finished({ startedAt, now, backPressure, accepted: outcome === 'delivered' });
    }
    if (outcome === 'delivered' || outcome === 'permanent') {
      this.streak = 0;
      if (!this.open) return false;
      this.close();
      return true;
    }
    const refused = outcome === 'refused';
    if (!aboutRecords) this.streak++;
    const opens = refused || this.streak >= this.options.circuitThreshold;
    if (this.open) {
      this.newRecordsTurn = wasRetry; // the other kind of probe goes next
      if (this.open.refused === refused) this.open.error = error ?? this.open.error;
      else this.setOpen({ refused, error: error ?? 'failed', since: this.open.since });
    } else if (opens) {
      this.setOpen({ refused, error: error ?? 'failed', since: now });
    }
    if (this.open) this.scheduleProbe(retryAfterMs);
    return false;
  }

  /** A drain ended every call under way: their answers no longer count. */
  forgetCalls(): void {
    this.setCalls(0);
    if (this.open) this.scheduleProbe();
  }

  private scheduleProbe(retryAfterMs?: number): void {
    if (this.probeTimer !== undefined || this.probeDue) return;
    const delay = this.probeBackoff.backoff(this.probes++, retryAfterMs);
    this.probeTimer = this.options.scheduler.setTimeout(() => {
      this.probeTimer = undefined;
      this.probeDue = true;
      this.options.onProbeDue();
    }, delay);
  }

  private close(): void {
    if (this.probeTimer !== undefined) this.options.scheduler.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.probeDue = false;
    this.probes = 0;
    this.newRecordsTurn = false;
    this.setOpen(undefined);
  }

  private setCalls(n: number): void {
    this.calls = n;
    this.options.onInFlightChange(n);
  }

  private setOpen(cause: CircuitCause | undefined): void {
    this.open = cause;
    this.options.onCircuitChange(cause);
  }
}
