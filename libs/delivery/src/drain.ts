import { setMaxListeners } from 'node:events';
import type { Scheduler } from './scheduler';

export interface DrainSteps {
  /** Stop starting calls and forget the calls waiting to start. */
  stop(): void;
  /** Nothing under way: no API call, no dead-letter write. */
  isIdle(): boolean;
  /** Give up on every record that is not done. */
  abandon(): void;
}

/**
 * Drains for shutdown and rebalances, in epochs. Every call starts in the current epoch with its
 * abort signal. A drain stops new calls, waits up to a timeout for the pipeline to go idle, then
 * ends the epoch: its signal aborts whatever is still under way, and answers that come later are
 * ignored (their records are abandoned and fetched again from the commit position).
 */
export class Drain {
  epoch = 0;
  private controller = newAbortController();
  private running: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  constructor(private readonly scheduler: Scheduler) {}

  /** Shared by every call of the epoch: one listener per call would be many. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get active(): boolean {
    return this.running !== undefined;
  }

  /** One drain at a time: a second one (shutdown during a rebalance) joins the first. */
  run(timeoutMs: number, steps: DrainSteps): Promise<void> {
    this.running ??= Promise.resolve()
      .then(async () => {
        steps.stop();
        if (!steps.isIdle()) await this.waitIdle(timeoutMs);
        this.controller.abort();
        this.controller = newAbortController();
        this.epoch++;
        steps.abandon();
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** The pipeline went idle: a drain waiting for that may end. */
  wentIdle(): void {
    this.idle?.();
  }

  private waitIdle(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.scheduler.setTimeout(() => this.idle?.(), timeoutMs);
      this.idle = () => {
        this.idle = undefined;
        this.scheduler.clearTimeout(timer);
        resolve();
      };
    });
  }
}

function newAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
