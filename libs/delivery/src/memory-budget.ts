import { BatchContext, BatchWaiter } from './batch-waiter';
import type { Scheduler } from './scheduler';

/**
 * The bytes the records in hand hold (see Job.bytes), against a budget: a fetched batch that takes
 * the total to the budget or over it waits for room, and keeps its consumer in the group while it
 * waits. This is what bounds a target's memory, whatever the API does.
 */
export class MemoryBudget {
  private held = 0;
  /** Fetched batches waiting for room. */
  private readonly waiters = new Set<BatchWaiter>();

  constructor(
    readonly maxBytes: number,
    private readonly scheduler: Scheduler,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  take(bytes: number): void {
    this.held += bytes;
  }

  /** Memory was freed: batches waiting for room go on once there is some. */
  release(bytes: number): void {
    this.held -= bytes;
    if (this.held >= this.maxBytes || this.waiters.size === 0) return;
    for (const waiter of this.waiters) waiter.settle();
    this.waiters.clear();
  }

  /**
   * Resolves at once while there is room; otherwise once release() makes some, calling
   * ctx.heartbeat() every heartbeatMs meanwhile (see BatchWaiter.keepAlive).
   */
  room(ctx: BatchContext, heartbeatMs: number, onError: (error: unknown, rebalancing: boolean) => void): Promise<void> {
    if (this.held < this.maxBytes) return Promise.resolve();
    const waiter = new BatchWaiter(this.scheduler);
    this.waiters.add(waiter);
    waiter.keepAlive(ctx, heartbeatMs, onError);
    return waiter.done;
  }
}
