import { Fifo } from './fifo';
import { JobState, type Job } from './job';
import type { Scheduler } from './scheduler';

export interface CoalesceLimits {
  maxRecords: number;
  maxBytes: number;
  lingerMs: number;
}

interface Group {
  key: string;
  jobs: Fifo<Job>;
  bytes: number;
  /** When the group's oldest waiting job became ready. */
  since: number;
}

/**
 * Records that are the head of their key lane and were never sent, in the order they became
 * ready. Only lane heads enter, so one call never holds two records of the same Kafka key.
 *
 * With coalescing, heads with the same coalesce key form a group that leaves as one call of up to
 * maxRecords records and maxBytes bytes (one record is always allowed, whatever its size). A group
 * that is not full waits until its oldest record has lingered lingerMs; while the oldest group
 * lingers, younger groups wait behind it (at most lingerMs), which keeps the queue a plain FIFO.
 * Abandoned jobs are dropped lazily when they reach the front.
 */
export class ReadyQueue {
  private readonly single = new Fifo<Job>();
  private readonly groups = new Map<string, Group>();
  private readonly groupOrder = new Fifo<Group>();
  private lingerTimer: unknown;
  private lingerDue = 0;
  private seq = 0;

  constructor(
    private readonly limits: CoalesceLimits | undefined,
    private readonly scheduler: Scheduler,
    private readonly onLingerDue: () => void,
  ) {}

  add(job: Job): void {
    job.readySeq = this.seq++;
    if (this.limits === undefined || job.coalesceKey === undefined) {
      this.single.push(job);
      return;
    }
    let group = this.groups.get(job.coalesceKey);
    if (group === undefined) {
      group = { key: job.coalesceKey, jobs: new Fifo<Job>(), bytes: 0, since: this.scheduler.now() };
      this.groups.set(group.key, group);
      this.groupOrder.push(group);
    }
    group.jobs.push(job);
    group.bytes += job.size;
  }

  /** The jobs of the next call, or undefined if nothing may leave now. */
  take(): Job[] | undefined {
    for (;;) {
      const job = this.single.peek();
      const group = this.groupOrder.peek();
      if (job !== undefined && job.state === JobState.Abandoned) {
        this.single.shift();
        continue;
      }
      if (group !== undefined && (job === undefined || this.headSeq(group) < job.readySeq)) {
        const jobs = this.takeGroup(group);
        if (jobs === null) continue;
        if (jobs !== undefined) return jobs;
        if (job === undefined) return undefined;
      }
      if (job === undefined) return undefined;
      this.single.shift();
      return [job];
    }
  }

  /** Nothing queued (abandoned jobs still queued count until they reach the front). */
  get isEmpty(): boolean {
    return this.single.length === 0 && this.groupOrder.length === 0;
  }

  /** Forgets every job (a drain abandons them) and the linger timer. */
  clear(): void {
    this.single.clear();
    this.groups.clear();
    this.groupOrder.clear();
    this.cancelLinger();
  }

  private headSeq(group: Group): number {
    return group.jobs.peek()?.readySeq ?? -1;
  }

  /** null: the group was empty and is gone; undefined: it lingers; else the jobs of one call. */
  private takeGroup(group: Group): Job[] | undefined | null {
    const limits = this.limits!;
    while (group.jobs.peek()?.state === JobState.Abandoned) group.bytes -= group.jobs.shift()!.size;
    if (group.jobs.length === 0) {
      this.groupOrder.shift();
      this.groups.delete(group.key);
      return null;
    }
    const full = group.jobs.length >= limits.maxRecords || group.bytes >= limits.maxBytes;
    const due = group.since + limits.lingerMs;
    if (!full && limits.lingerMs > 0 && this.scheduler.now() < due) {
      this.scheduleLinger(due);
      return undefined;
    }
    const jobs: Job[] = [];
    let bytes = 0;
    while (jobs.length < limits.maxRecords) {
      const next = group.jobs.peek();
      if (next === undefined || (jobs.length > 0 && bytes + next.size > limits.maxBytes)) break;
      group.jobs.shift();
      group.bytes -= next.size;
      if (next.state === JobState.Abandoned) continue;
      jobs.push(next);
      bytes += next.size;
    }
    this.groupOrder.shift();
    if (group.jobs.length === 0) this.groups.delete(group.key);
    else this.groupOrder.push(group);
    return jobs.length > 0 ? jobs : null;
  }

  private scheduleLinger(due: number): void {
    if (this.lingerTimer !== undefined && this.lingerDue <= due) return;
    this.cancelLinger();
    this.lingerDue = due;
    this.lingerTimer = this.scheduler.setTimeout(
      () => {
        this.lingerTimer = undefined;
        this.onLingerDue();
      },
      Math.max(0, due - this.scheduler.now()),
    );
  }

  private cancelLinger(): void {
    if (this.lingerTimer !== undefined) this.scheduler.clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }
}
