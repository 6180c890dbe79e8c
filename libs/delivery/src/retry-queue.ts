import type { Call } from './job';
import type { Scheduler } from './scheduler';

/**
 * Calls that failed and go again: each waits out its backoff, then is ready, and ready calls go
 * before any record never sent (they hold the heads of their key lanes).
 */
export class RetryQueue {
  private ready: Call[] = [];
  private readonly backingOff = new Set<Call>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly onReady: () => void,
  ) {}

  /** True while a failed call waits to go again. */
  get waiting(): boolean {
    return this.ready.length > 0 || this.backingOff.size > 0;
  }

  later(call: Call, delayMs: number): void {
    this.backingOff.add(call);
    call.timer = this.scheduler.setTimeout(() => {
      this.backingOff.delete(call);
      this.ready.push(call);
      this.onReady();
    }, delayMs);
  }

  now(call: Call): void {
    this.ready.push(call);
  }

  take(): Call | undefined {
    return this.ready.shift();
  }

  /**
   * The API answers again after an outage: calls still waiting out their backoff (up to the cap,
   * 30 s) go now instead of holding their keys back until their timers fire.
   */
  releaseAll(): void {
    for (const call of this.backingOff) {
      this.scheduler.clearTimeout(call.timer);
      this.ready.push(call);
    }
    this.backingOff.clear();
  }

  clear(): void {
    for (const call of this.backingOff) this.scheduler.clearTimeout(call.timer);
    this.backingOff.clear();
    this.ready = [];
  }
}
