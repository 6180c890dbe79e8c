export interface CallGateOptions {
  /** Most API calls under way at once. */
  maxInFlight: number;
  /** Consecutive retryable failures that open the circuit. */
  circuitThreshold: number;
  onPausedChange(paused: boolean): void;
  onInFlightChange(inFlight: number): void;
}

/**
 * Concurrency and the target circuit. Up to maxInFlight calls run at once. After
 * `circuitThreshold` consecutive retryable failures the circuit opens: the target's consumption
 * pauses and calls go one at a time (the probe); the first success closes it again.
 */
export class CallGate {
  private calls = 0;
  private streak = 0;
  private open = false;

  constructor(private readonly options: CallGateOptions) {
    if (!(options.maxInFlight >= 1)) throw new Error('CallGate: maxInFlight must be at least 1');
  }

  get inFlight(): number {
    return this.calls;
  }

  /** True while the circuit is open (fetching should be paused). */
  get paused(): boolean {
    return this.open;
  }

  /** Whether one more call may start now. */
  get hasRoom(): boolean {
    return this.calls < (this.open ? 1 : this.options.maxInFlight);
  }

  /**
   * Whether a record never sent may start. While the circuit is open it only goes as the probe,
   * when no failed call is under way or waiting to be retried (that one is the probe).
   */
  mayStartNew(failedCallsWaiting: boolean): boolean {
    return !this.open || (this.calls === 0 && !failedCallsWaiting);
  }

  started(): void {
    this.setCalls(this.calls + 1);
  }

  /** A call got its answer. Returns true when this answer closed the circuit. */
  answered(outcome: 'delivered' | 'retryable' | 'permanent'): boolean {
    this.setCalls(this.calls - 1);
    if (outcome === 'retryable') {
      if (++this.streak >= this.options.circuitThreshold && !this.open) this.setOpen(true);
      return false;
    }
    this.streak = 0; // any answer but a transient failure means the API is up
    if (outcome === 'delivered' && this.open) {
      this.setOpen(false);
      return true;
    }
    return false;
  }

  /** A drain ended every call under way: their answers no longer count. */
  forgetCalls(): void {
    this.setCalls(0);
  }

  private setCalls(n: number): void {
    this.calls = n;
    this.options.onInFlightChange(n);
  }

  private setOpen(open: boolean): void {
    this.open = open;
    this.options.onPausedChange(open);
  }
}
