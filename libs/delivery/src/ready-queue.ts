import { Heap } from './heap';
import { JobState, type Job } from './job';
import type { Scheduler } from './scheduler';

export interface CoalesceLimits {
  maxRecords: number;
  maxBytes: number;
  lingerMs: number;
}

interface Group {
  key: string;
  jobs: Heap<Job>;
  bytes: number;
  /** When the group's oldest waiting job became ready. */
  since: number;
}

const firstAdmitted = (a: Job, b: Job) => a.admitted < b.admitted;

/**
 * Records that are the head of their key lane and were never sent, oldest first: in the order the
 * pipeline took them (offset order within a partition). Only lane heads enter, so one call never
 * holds two records of the same Kafka key. Oldest first, not first ready: the next record of a key
 * does not wait behind every head fetched after it, so delivery follows offsets closely, commits
 * keep up, and few records are delivered beyond one still waiting (what a crash sends again).
 *
 * With coalescing, heads with the same coalesce key form a group that leaves as one call of up to
 * maxRecords records and maxBytes bytes (one record is always allowed, whatever its size). A group
 * that is not full waits until its oldest record has lingered lingerMs; while the oldest group
 * lingers, younger groups wait behind it (at most lingerMs). Abandoned jobs are dropped lazily when
 * they reach the front.
 */
export class ReadyQueue {
  private readonly single = new Heap<Job>(firstAdmitted);
  private readonly groups = new Map<string, Group>();
  private lingerTimer: unknown;
  private lingerDue = 0;

  constructor(
    private readonly limits: CoalesceLimits | undefined,
    private readonly scheduler: Scheduler,
    private readonly onLingerDue: () => void,
  ) {}

  add(job: Job): void {
    if (this.limits === undefined || job.coalesceKey === undefined) {
      this.single.push(job);
      return;
    }
    let group = this.groups.get(job.coalesceKey);
    if (group === undefined) {
      group = { key: job.coalesceKey, jobs: new Heap<Job>(firstAdmitted), bytes: 0, since: this.scheduler.now() };
      this.groups.set(group.key, group);
    }
    group.jobs.push(job);
    group.bytes += job.size;
  }

  /** Nothing queued (abandoned jobs still queued count until they reach the front). */
  get isEmpty(): boolean {
    return this.single.size === 0 && this.groups.size === 0;
  }

  /** The jobs of the next call, or undefined if nothing may leave now. */
  take(): Job[] | undefined {
    let job = this.single.peek();
    while (job !== undefined && job.state === JobState.Abandoned) {
      this.single.pop();
      job = this.single.peek();
    }
    const group = this.oldestGroup();
    if (group !== undefined && (job === undefined || group.jobs.peek()!.admitted < job.admitted)) {
      const jobs = this.takeGroup(group);
      if (jobs !== undefined || job === undefined) return jobs;
    }
    if (job === undefined) return undefined;
    this.single.pop();
    return [job];
  }

  /** Forgets every job (a drain abandons them) and the linger timer. */
  clear(): void {
    this.single.clear();
    this.groups.clear();
    this.cancelLinger();
  }

  /** The group whose first job is the oldest, after dropping abandoned heads and empty groups. */
  private oldestGroup(): Group | undefined {
    let oldest: Group | undefined;
    for (const group of this.groups.values()) {
      while (group.jobs.peek()?.state === JobState.Abandoned) group.bytes -= group.jobs.pop()!.size;
      if (group.jobs.size === 0) this.groups.delete(group.key);
      else if (oldest === undefined || group.jobs.peek()!.admitted < oldest.jobs.peek()!.admitted) oldest = group;
    }
    return oldest;
  }

  /** The jobs of one call from the group, or undefined while it lingers. */
  private takeGroup(group: Group): Job[] | undefined {
    const limits = this.limits!;
    const full = group.jobs.size >= limits.maxRecords || group.bytes >= limits.maxBytes;
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
      group.jobs.pop();
      group.bytes -= next.size;
      if (next.state === JobState.Abandoned) continue;
      jobs.push(next);
      bytes += next.size;
    }
    if (group.jobs.size === 0) this.groups.delete(group.key);
    return jobs;
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
