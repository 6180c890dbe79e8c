import type { Scheduler } from './scheduler';

/**
 * kafkajs errors that mean the group is rebalancing or this member must rejoin (kafkajs itself
 * rejoins on them). A heartbeat failing this way is not the batch's problem: the records keep
 * going and the transport drains when kafkajs starts the rebalance.
 */
const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

export function isRebalanceError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && REBALANCE_ERRORS.has(type);
}

/** kafkajs eachBatch's `heartbeat`, as the transport passes it with each batch. */
export interface BatchContext {
  heartbeat(): Promise<void>;
}

/**
 * A fetched batch that kafkajs waits on while the pipeline has no room for more records: settles
 * when memory frees up, or when a drain abandons what is in hand. While it waits it keeps the
 * consumer in its group by calling heartbeat().
 */
export class BatchWaiter {
  settled = false;
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: unknown) => void;
  private timer: unknown;

  constructor(private readonly scheduler: Scheduler) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /**
   * Calls ctx.heartbeat() every intervalMs until settled. Rebalance errors are reported and
   * swallowed; any other heartbeat error rejects the batch at once (its records keep going).
   */
  keepAlive(ctx: BatchContext, intervalMs: number, onError: (error: unknown, rebalancing: boolean) => void): void {
    const schedule = () => {
      if (!this.settled) this.timer = this.scheduler.setTimeout(beat, intervalMs);
    };
    const beat = () => {
      this.timer = undefined;
      if (this.settled) return;
      let beating: Promise<void>;
      try {
        beating = ctx.heartbeat();
      } catch (error) {
        beating = Promise.reject(error);
      }
      beating.then(schedule, (error: unknown) => {
        const rebalancing = isRebalanceError(error);
        onError(error, rebalancing);
        if (rebalancing) schedule();
        else this.settle(error);
      });
    };
    schedule();
  }

  settle(error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    if (error === undefined) this.resolve();
    else this.reject(error);
  }
}
