/** How one finished call bears on the limit. */
export interface CallFeedback {
  /** When it started and when it finished (ms since the epoch). */
  startedAt: number;
  now: number;
  /** The API accepted it: its round trip is a latency sample. */
  accepted: boolean;
  /** The API pushed back (429, Retry-After, 5xx, a timeout, a network error). */
  backPressure: boolean;
}

export interface ConcurrencyLimitOptions {
  /** The most calls ever allowed at once (BRIDGE_MAX_IN_FLIGHT). */
  ceiling: number;
  /** False: the limit is the ceiling, always (BRIDGE_CONCURRENCY=fixed). */
  adaptive: boolean;
  /** Where an adaptive limit starts (default 1: slow start finds the level in a few round trips). */
  initial?: number;
  onChange?(limit: number): void;
}

/** Weight of the newest period in the average round trip (as Vector's ARC)... */
const EWMA_ALPHA = 0.4;
/** ...and of a period whose latency rose: a rise becomes the baseline only slowly. */
const EWMA_ALPHA_RISING = 0.1;
/** A period's mean round trip this many deviations (and at least 5%) above the average is a rise. */
const RTT_DEVIATION_SCALE = 2.5;
const RTT_TOLERANCE = 0.05;
const DECREASE_RATIO = 0.9;
/** Shortest period between two adjustments: a few samples even when the API answers in 1 ms. */
const MIN_PERIOD_MS = 5;

/**
 * How many calls of a target may be in flight: adaptive request concurrency, after Vector's ARC (a
 * TCP-like control loop). Once per period of about one round trip, the limit goes up when calls
 * waited for it and the period's mean round trip was not above the running average, and down by a
 * tenth when the round trip rose well above the average. Push back from the API (429, Retry-After,
 * 5xx, timeouts) lowers it by a tenth at once, once per round trip. It grows by doubling until the
 * first decrease (slow start), then by about half the square root of the limit per period, so that
 * a high ceiling is reached in seconds, not minutes. Never above the ceiling nor below 1.
 */
export class ConcurrencyLimit {
  private value: number;
  private slowStart = true;
  /** Running average and variance of the periods' mean round trips (undefined before a sample). */
  private rttMean: number | undefined;
  private rttVariance = 0;
  private periodEnd = 0;
  private periodSum = 0;
  private periodSamples = 0;
  private periodReached = false;
  /** Push back from calls started before the last decrease was already answered by it. */
  private decreasedAt = -Infinity;

  constructor(private readonly options: ConcurrencyLimitOptions) {
    if (!(options.ceiling >= 1)) throw new Error('ConcurrencyLimit: the ceiling must be at least 1');
    this.value = options.adaptive ? Math.min(options.ceiling, Math.max(1, options.initial ?? 1)) : options.ceiling;
    options.onChange?.(this.value);
  }

  /** Calls allowed in flight now. */
  get current(): number {
    return this.value;
  }

  /** A call started; `inFlight` counts it. */
  started(inFlight: number): void {
    if (inFlight >= this.value) this.periodReached = true;
  }

  /** A call finished (see CallFeedback). */
  finished({ startedAt, now, accepted, backPressure }: CallFeedback): void {
    if (!this.options.adaptive) return;
    if (backPressure) {
      if (startedAt >= this.decreasedAt) this.decrease(now);
      return;
    }
    if (accepted) {
      this.periodSum += now - startedAt;
      this.periodSamples++;
    }
    if (now < this.periodEnd || this.periodSamples === 0) return;
    const current = this.periodSum / this.periodSamples;
    const rising = this.adjust(current, now);
    this.average(current, rising);
    this.periodEnd = now + Math.max(MIN_PERIOD_MS, this.rttMean!);
    this.periodSum = 0;
    this.periodSamples = 0;
    this.periodReached = false;
  }

  /** Up after a period of calls waiting for the limit without the latency growing; down when it rose. */
  private adjust(current: number, now: number): boolean {
    if (this.rttMean === undefined) return false;
    const mean = this.rttMean;
    if (current > mean + Math.max(Math.sqrt(this.rttVariance) * RTT_DEVIATION_SCALE, mean * RTT_TOLERANCE)) {
      this.decrease(now);
      return true;
    }
    if (this.periodReached && current <= mean * (1 + RTT_TOLERANCE / 5)) {
      this.set(this.slowStart ? this.value * 2 : this.value + Math.max(1, Math.floor(Math.sqrt(this.value) / 2)));
    }
    return false;
  }

  private decrease(now: number): void {
    this.slowStart = false;
    this.decreasedAt = now;
    this.set(Math.floor(this.value * DECREASE_RATIO));
  }

  /**
   * The running average follows the periods' round trips, and a rise only slowly: while the limit
   * comes down, the baseline stays where the latency was; a latency that stays high whatever the
   * limit (a slower API) becomes the new baseline within a few dozen periods.
   */
  private average(sample: number, rising: boolean): void {
    if (this.rttMean === undefined) {
      this.rttMean = sample;
      return;
    }
    const diff = sample - this.rttMean;
    if (rising) {
      this.rttMean += EWMA_ALPHA_RISING * diff;
      return;
    }
    const increment = EWMA_ALPHA * diff;
    this.rttMean += increment;
    this.rttVariance = (1 - EWMA_ALPHA) * (this.rttVariance + diff * increment);
  }

  private set(limit: number): void {
    const bounded = Math.max(1, Math.min(this.options.ceiling, limit));
    if (bounded === this.value) return;
    this.value = bounded;
    this.options.onChange?.(bounded);
  }
}
