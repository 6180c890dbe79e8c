import type { DlqReason, InboundRecord, SendResult, Target } from '@app/contracts';
import { TARGETS } from '@app/contracts/targets';
import { headerText } from '@app/contracts/record-headers';
import { setMaxListeners } from 'node:events';
import { DeadLetterQueue } from './dead-letter-queue';
import { isRebalanceError } from './heartbeat';
import { compareOffsets, OffsetTracker } from './offset-tracker';
import {
  JobState,
  type BatchContext,
  type BatchWaiter,
  type Call,
  type Job,
  type PartitionState,
  type PipelineEvents,
  type TargetPipelineOptions,
  type TopicPartitionOffset,
} from './pipeline-types';
import { ReadyQueue } from './ready-queue';
import { RetryPolicy } from './retry-policy';
import { systemScheduler, type Scheduler } from './scheduler';
import type { TargetSender } from './target-sender';

type Route = 'mine' | 'skip' | 'unroutable';

/**
 * Delivers the records of one target for one consumer group: routing, parsing, per-key ordering,
 * bounded concurrency, coalescing, retries, the target circuit, dead-lettering and commit
 * positions. Kafka-free: the transport feeds it batches and commits what it reports.
 *
 * Wiring into kafkajs `eachBatch` (one pipeline per consumer):
 * - `await pipeline.processBatch(batch.messages with topic/partition, { heartbeat })` per batch;
 *   then commit `pipeline.committable(topic, partition)` (or `committableAll()` on a timer).
 * - `events.onPausedChange(true|false)`: pause/resume fetching of the consumer's topics.
 * - on rebalance or shutdown: `await drain(timeout)`, commit `committableAll()`, `revoke(...)`.
 * - if processBatch rejects (a heartbeat error that is not a rebalance), let it propagate out of
 *   eachBatch (kafkajs restarts the consumer) and `drain` before the partition is fed again.
 */
export class TargetPipeline<B = unknown> {
  readonly target: Target;
  private readonly sender: TargetSender<B>;
  private readonly retry: RetryPolicy;
  private readonly scheduler: Scheduler;
  private readonly events: PipelineEvents;
  private readonly known: ReadonlySet<string>;
  private readonly parts = new Map<string, PartitionState>();
  private readonly ready: ReadyQueue;
  private readonly retryReady: Call[] = [];
  private readonly backingOff = new Set<Call>();
  private readonly deadLetters: DeadLetterQueue;
  private readonly heartbeatMs: number;
  private readonly threshold: number;
  private abortController = newAbortController();
  private epoch = 0;
  private inFlightCalls = 0;
  private failureStreak = 0;
  private isPaused = false;
  /** The drain under way, if any. */
  private draining: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private pumping = false;

  constructor(private readonly options: TargetPipelineOptions<B>) {
    if (!(options.maxInFlight >= 1)) throw new Error('TargetPipeline: maxInFlight must be at least 1');
    this.target = options.target;
    this.sender = options.sender;
    this.retry = options.retry;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.events = guardEvents(options.events ?? {});
    this.known = new Set(options.knownTargets ?? TARGETS);
    this.heartbeatMs = options.heartbeatIntervalMs ?? 1000;
    this.threshold = options.circuitThreshold ?? 5;
    const coalesce = this.sender.coalesceKey ? this.sender.coalesce : undefined;
    this.ready = new ReadyQueue(coalesce, this.scheduler, () => this.pump());
    this.deadLetters = new DeadLetterQueue({
      sink: options.deadLetters,
      retry: options.deadLetterRetry ?? new RetryPolicy(),
      scheduler: this.scheduler,
      maxLetters: options.deadLetterBatch?.maxLetters ?? 100,
      maxBytes: options.deadLetterBatch?.maxBytes ?? 512 * 1024,
      onWritten: (jobs) => this.onDeadLettersWritten(jobs),
      onWriteError: (error, failures) => this.events.onDeadLetterWriteError?.(error, failures),
      onIdle: () => this.checkDrained(),
    });
  }

  /** API calls under way. */
  get inFlight(): number {
    return this.inFlightCalls;
  }

  /** True while the target circuit is open (fetching should be paused). */
  get paused(): boolean {
    return this.isPaused;
  }

  /**
   * Takes one fetched batch of ONE topic-partition, in offset order, and resolves once each of its
   * records is delivered, dead-lettered (DLQ acknowledged) or skipped, or was abandoned by
   * drain()/revoke(). Batches of different partitions may run concurrently; batches of one
   * partition must come one after the other, in offset order. Calls ctx.heartbeat() every
   * heartbeatIntervalMs while waiting. Rebalance-kind heartbeat errors are swallowed (reported to
   * events.onHeartbeatError; the transport learns of the rebalance from kafkajs and drains); any
   * other heartbeat error rejects the returned promise at once, while the batch's records keep
   * going. Throws if the offsets do not continue the partition (see PartitionState.resumeFrom).
   */
  processBatch(records: InboundRecord[], ctx: BatchContext): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const first = records[0];
    let part = this.partition(first.topic, first.partition);
    if (this.draining) {
      const from = part.resumeFrom ?? part.tracker.firstPending() ?? first.offset;
      part.resumeFrom = compareOffsets(first.offset, from) < 0 ? first.offset : from;
      return Promise.resolve();
    }
    const last = part.tracker.lastRegistered;
    if (part.resumeFrom !== undefined) {
      if (compareOffsets(first.offset, part.resumeFrom) > 0) {
        return Promise.reject(offsetError(part, first.offset, `feed it from ${part.resumeFrom} or earlier`));
      }
      part = this.resetPartition(part);
    } else if (last !== undefined && compareOffsets(first.offset, last) <= 0) {
      // Fetched again from an earlier offset (a commit failed, a seek): fine once all is done.
      if (part.tracker.pending > 0) return Promise.reject(offsetError(part, first.offset, `expected after ${last}`));
      part = this.resetPartition(part);
    }
    for (let i = 1; i < records.length; i++) {
      const record = records[i];
      if (record.topic !== part.topic || record.partition !== part.partition) {
        return Promise.reject(new Error('processBatch: all records of a batch must come from one partition'));
      }
      if (compareOffsets(record.offset, records[i - 1].offset) <= 0) {
        return Promise.reject(offsetError(part, record.offset, `expected after ${records[i - 1].offset}`));
      }
    }

    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const waiter: BatchWaiter = {
      remaining: 0,
      settled: false,
      abandoned: false,
      resolve,
      reject,
      heartbeatTimer: undefined,
    };
    for (const record of records) this.admit(record, part, waiter);
    if (waiter.remaining === 0) return Promise.resolve();
    part.waiters.add(waiter);
    this.startHeartbeat(waiter, ctx);
    this.pump();
    return promise;
  }

  /** The offset the transport may commit for this partition, if it moved since the last call. */
  committable(topic: string, partition: number): string | undefined {
    return this.parts.get(partKey(topic, partition))?.tracker.committable();
  }

  /**
   * Every partition whose commit position moved since the last call. Each position is reported
   * once: after a failed commit, commit it again, or ask for `{ all: true }` (every position).
   */
  committableAll(options?: { all?: boolean }): TopicPartitionOffset[] {
    const result: TopicPartitionOffset[] = [];
    for (const part of this.parts.values()) {
      const offset = options?.all ? part.tracker.position() : part.tracker.committable();
      if (offset !== undefined) result.push({ topic: part.topic, partition: part.partition, offset });
    }
    return result;
  }

  /** The commit position of a partition (last contiguous done + 1), reported before or not. */
  position(topic: string, partition: number): string | undefined {
    return this.parts.get(partKey(topic, partition))?.tracker.position();
  }

  /**
   * For shutdown and rebalance. Stops starting calls (retry waits are cancelled; batches given
   * meanwhile are not taken), waits up to timeoutMs for the API calls and DLQ writes under way,
   * then aborts what is left (AbortSignal to sender.send), abandons every record that is not done
   * and resolves every pending processBatch. Afterwards committable() reflects only records truly
   * done, and the pipeline takes batches again; a partition with abandoned records must be fed
   * from its commit position (kafkajs does so after a rejoin), or it is forgotten with revoke().
   */
  drain(timeoutMs: number): Promise<void> {
    // A second drain while one runs (shutdown during a rebalance) joins it.
    this.draining ??= Promise.resolve()
      .then(() => this.runDrain(timeoutMs))
      .finally(() => {
        this.draining = undefined;
      });
    return this.draining;
  }

  private async runDrain(timeoutMs: number): Promise<void> {
    for (const call of this.backingOff) this.scheduler.clearTimeout(call.timer);
    this.backingOff.clear();
    this.retryReady.length = 0;
    this.ready.clear();
    if (!this.isIdle()) {
      await new Promise<void>((resolve) => {
        const timer = this.scheduler.setTimeout(() => this.drained?.(), timeoutMs);
        this.drained = () => {
          this.drained = undefined;
          this.scheduler.clearTimeout(timer);
          resolve();
        };
      });
    }
    this.abortController.abort();
    this.abortController = newAbortController();
    this.epoch++;
    this.setInFlight(0);
    this.deadLetters.abandon();
    for (const part of this.parts.values()) {
      const pending = part.tracker.firstPending();
      if (pending !== undefined) {
        part.resumeFrom =
          part.resumeFrom !== undefined && compareOffsets(part.resumeFrom, pending) < 0 ? part.resumeFrom : pending;
      }
      this.abandon(part);
    }
    this.retryReady.length = 0;
    this.ready.clear();
  }

  /**
   * Forgets revoked partitions (all of them when called without an argument), normally after
   * drain() and the last commit; their unfinished records are abandoned.
   */
  revoke(partitions?: { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions ?? [...this.parts.values()]) {
      const part = this.parts.get(partKey(topic, partition));
      if (part === undefined) continue;
      this.abandon(part);
      this.parts.delete(partKey(topic, partition));
    }
  }

  private admit(record: InboundRecord, part: PartitionState, batch: BatchWaiter): void {
    const seq = part.tracker.register(record.offset);
    const route = this.route(record);
    if (route === 'skip') return part.tracker.markDone(seq);
    const job: Job = {
      record,
      body: undefined,
      part,
      batch,
      seq,
      laneKey: undefined,
      nextInLane: undefined,
      coalesceKey: undefined,
      size: 0,
      readySeq: 0,
      state: JobState.Ready,
      attempts: 0,
      firstFailureAt: 0,
      lastFailureAt: 0,
      lastStatus: undefined,
      lastError: undefined,
      letter: undefined,
    };
    batch.remaining++;
    if (route === 'unroutable') {
      const value = routeValue(record, this.options.routeHeader);
      const error = value === undefined ? `no ${this.options.routeHeader} header` : `unknown target "${value}"`;
      return this.deadLetter(job, 'unroutable', error, undefined);
    }
    // A record that fails to parse is dead-lettered at once, outside its key lane: it is never
    // delivered, so it cannot overtake its key's records at the API, and it never waits for them.
    const parsed = this.sender.parse(record);
    if (!parsed.ok) return this.deadLetter(job, parsed.reason, parsed.error, undefined);
    job.body = parsed.body;
    if (this.sender.coalesceKey !== undefined) {
      job.coalesceKey = this.sender.coalesceKey(parsed.body);
      job.size = this.sender.sizeOf?.(parsed.body) ?? 0;
    }
    const laneKey = record.key === null ? '' : 'k' + record.key.toString('latin1');
    job.laneKey = laneKey;
    const lane = part.lanes.get(laneKey);
    if (lane === undefined) {
      part.lanes.set(laneKey, { head: job, tail: job });
      this.ready.add(job);
    } else {
      job.state = JobState.Waiting;
      lane.tail.nextInLane = job;
      lane.tail = job;
    }
  }

  private route(record: InboundRecord): Route {
    const value = routeValue(record, this.options.routeHeader);
    if (value === this.target) return 'mine';
    if (value !== undefined && this.known.has(value)) return 'skip';
    return this.options.unroutable ? 'unroutable' : 'skip';
  }

  /** Starts calls while there is room: retries first, then records never sent. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.draining === undefined && this.inFlightCalls < (this.isPaused ? 1 : this.options.maxInFlight)) {
        let call = this.retryReady.shift();
        if (call === undefined) {
          // While the circuit is open, a record never sent is only started as the probe when no
          // failed call is in flight or waiting to retry.
          if (this.isPaused && (this.inFlightCalls > 0 || this.backingOff.size > 0)) break;
          const jobs = this.ready.take();
          if (jobs === undefined) break;
          call = { jobs, failures: 0, firstFailureAt: 0, epoch: 0, startedAt: 0, timer: undefined };
        } else {
          call.jobs = call.jobs.filter((job) => !isAbandoned(job));
          if (call.jobs.length === 0) continue;
        }
        this.start(call);
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(call: Call): void {
    const bodies = new Array<B>(call.jobs.length);
    for (let i = 0; i < call.jobs.length; i++) {
      const job = call.jobs[i];
      job.state = JobState.InCall;
      job.attempts++;
      bodies[i] = job.body as B;
    }
    call.epoch = this.epoch;
    call.startedAt = this.scheduler.now();
    this.setInFlight(this.inFlightCalls + 1);
    let sent: Promise<SendResult>;
    try {
      sent = this.sender.send(bodies, this.abortController.signal);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (result) => this.finishCall(call, result),
      (error: unknown) => this.finishCall(call, { outcome: 'retryable', error: `sender failed: ${describe(error)}` }),
    );
  }

  private finishCall(call: Call, result: SendResult): void {
    if (call.epoch !== this.epoch) return; // abandoned by a drain
    this.setInFlight(this.inFlightCalls - 1);
    const now = this.scheduler.now();
    const duration = now - call.startedAt;
    this.events.onRequest?.(result.status ?? 'error', duration);
    const jobs = call.jobs.filter((job) => !isAbandoned(job));
    call.jobs = jobs;
    if (result.outcome === 'delivered') {
      this.failureStreak = 0;
      if (this.isPaused) {
        this.setPaused(false);
        this.releaseBackoffs();
      }
      if (jobs.length > 0) this.events.onDelivered?.(jobs.length, duration, result.status);
      for (const job of jobs) this.complete(job);
    } else {
      for (const job of jobs) {
        if (job.firstFailureAt === 0) job.firstFailureAt = now;
        job.lastFailureAt = now;
        job.lastStatus = result.status;
        job.lastError = result.error;
      }
      if (call.firstFailureAt === 0) call.firstFailureAt = now;
      if (result.outcome === 'retryable') this.retryLater(call, result, now);
      else this.reject(call, result);
    }
    this.checkDrained();
    this.pump();
  }

  /**
   * The API answers again after an outage: calls still waiting out their backoff (up to the cap,
   * 30 s) retry now instead of holding their keys back until their timers fire.
   */
  private releaseBackoffs(): void {
    for (const call of this.backingOff) {
      this.scheduler.clearTimeout(call.timer);
      this.retryReady.push(call);
    }
    this.backingOff.clear();
  }

  private retryLater(call: Call, result: Extract<SendResult, { outcome: 'retryable' }>, now: number): void {
    this.events.onRetry?.(result);
    if (++this.failureStreak >= this.threshold && !this.isPaused) this.setPaused(true);
    if (call.jobs.length === 0 || this.draining) return; // a drain abandons them
    const decision = this.retry.next(call.failures++, call.firstFailureAt, now, result.retryAfterMs);
    if (decision.giveUp) {
      for (const job of call.jobs) this.deadLetter(job, 'exhausted', result.error, this.target);
      return;
    }
    for (const job of call.jobs) job.state = JobState.Ready;
    this.backingOff.add(call);
    call.timer = this.scheduler.setTimeout(() => {
      this.backingOff.delete(call);
      this.retryReady.push(call);
      this.pump();
    }, decision.retryInMs);
  }

  /**
   * A permanent answer dead-letters a lone record at once. For a coalesced call it is not known
   * which record the API refused, so each is sent once more on its own (keeping its failure
   * history) and only the ones refused alone are dead-lettered.
   */
  private reject(call: Call, result: Extract<SendResult, { outcome: 'permanent' }>): void {
    this.failureStreak = 0;
    if (call.jobs.length === 1) return this.deadLetter(call.jobs[0], 'rejected', result.error, this.target);
    for (const job of call.jobs) {
      job.state = JobState.Ready;
      this.retryReady.push({ ...call, jobs: [job], firstFailureAt: job.firstFailureAt, timer: undefined });
    }
  }

  private deadLetter(job: Job, reason: DlqReason, error: string, target: Target | undefined): void {
    const now = this.scheduler.now();
    job.state = JobState.DeadLettering;
    job.letter = {
      record: job.record,
      reason,
      error,
      target: reason === 'unroutable' ? undefined : (target ?? this.target),
      attempts: job.attempts,
      firstFailure: new Date(job.firstFailureAt || now),
      lastFailure: new Date(job.lastFailureAt || now),
      httpStatus: job.lastStatus,
      consumerGroup: this.options.groupId,
    };
    this.deadLetters.push(job);
  }

  private onDeadLettersWritten(jobs: Job[]): void {
    const counts = new Map<DlqReason, number>();
    for (const job of jobs) {
      if (isAbandoned(job)) continue;
      counts.set(job.letter!.reason, (counts.get(job.letter!.reason) ?? 0) + 1);
      job.letter = undefined;
      this.complete(job);
    }
    for (const [reason, n] of counts) this.events.onDeadLettered?.(reason, n);
    this.pump();
  }

  /** The record is delivered or dead-lettered: release its offset, its batch and its key lane. */
  private complete(job: Job): void {
    job.state = JobState.Done;
    job.part.tracker.markDone(job.seq);
    if (job.laneKey !== undefined) {
      const next = job.nextInLane;
      job.nextInLane = undefined;
      if (next === undefined) job.part.lanes.delete(job.laneKey);
      else {
        job.part.lanes.get(job.laneKey)!.head = next;
        next.state = JobState.Ready;
        this.ready.add(next);
      }
    }
    const batch = job.batch;
    if (--batch.remaining === 0) {
      job.part.waiters.delete(batch);
      this.settle(batch);
    }
  }

  /** Gives up on every unfinished record of the partition and resolves its pending batches. */
  private abandon(part: PartitionState): void {
    for (const lane of part.lanes.values()) {
      for (let job: Job | undefined = lane.head; job !== undefined; job = job.nextInLane)
        job.state = JobState.Abandoned;
    }
    part.lanes.clear();
    for (const waiter of part.waiters) {
      waiter.abandoned = true; // reaches the records dead-lettered outside a lane
      this.settle(waiter);
    }
    part.waiters.clear();
  }

  private settle(waiter: BatchWaiter, error?: unknown): void {
    if (waiter.settled) return;
    waiter.settled = true;
    if (waiter.heartbeatTimer !== undefined) this.scheduler.clearTimeout(waiter.heartbeatTimer);
    waiter.heartbeatTimer = undefined;
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }

  private startHeartbeat(waiter: BatchWaiter, ctx: BatchContext): void {
    const schedule = () => {
      if (!waiter.settled) waiter.heartbeatTimer = this.scheduler.setTimeout(beat, this.heartbeatMs);
    };
    const beat = () => {
      waiter.heartbeatTimer = undefined;
      if (waiter.settled) return;
      let beating: Promise<void>;
      try {
        beating = ctx.heartbeat();
      } catch (error) {
        beating = Promise.reject(error);
      }
      beating.then(schedule, (error: unknown) => {
        const rebalancing = isRebalanceError(error);
        this.events.onHeartbeatError?.(error, rebalancing);
        if (rebalancing) schedule();
        else this.settle(waiter, error);
      });
    };
    schedule();
  }

  private setInFlight(n: number): void {
    this.inFlightCalls = n;
    this.events.onInFlightChange?.(n);
  }

  private setPaused(paused: boolean): void {
    this.isPaused = paused;
    this.events.onPausedChange?.(paused);
  }

  private isIdle(): boolean {
    return this.inFlightCalls === 0 && this.deadLetters.idle;
  }

  private checkDrained(): void {
    if (this.drained !== undefined && this.isIdle()) this.drained();
  }

  private partition(topic: string, partition: number): PartitionState {
    const key = partKey(topic, partition);
    let part = this.parts.get(key);
    if (part === undefined) {
      part = {
        topic,
        partition,
        tracker: new OffsetTracker(),
        lanes: new Map(),
        waiters: new Set(),
        resumeFrom: undefined,
      };
      this.parts.set(key, part);
    }
    return part;
  }

  private resetPartition(part: PartitionState): PartitionState {
    this.abandon(part);
    this.parts.delete(partKey(part.topic, part.partition));
    return this.partition(part.topic, part.partition);
  }
}

/** One signal is shared by every call of a drain epoch: as many listeners as calls in flight. */
function newAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

function isAbandoned(job: Job): boolean {
  return job.state === JobState.Abandoned || job.batch.abandoned;
}

function partKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

/** The route header's value; the first one when the header is repeated; a null value is no route. */
function routeValue(record: InboundRecord, header: string): string | undefined {
  return headerText(record.headers, header);
}

function offsetError(part: PartitionState, offset: string, expected: string): Error {
  return new Error(`processBatch: offset ${offset} of ${part.topic}/${part.partition} does not fit: ${expected}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Hooks are for metrics and logs: one that throws must not break delivery. */
function guardEvents(events: PipelineEvents): PipelineEvents {
  const guarded: Record<string, (...args: unknown[]) => void> = {};
  for (const [name, hook] of Object.entries(events)) {
    if (typeof hook !== 'function') continue;
    guarded[name] = (...args: unknown[]) => {
      try {
        (hook as (...a: unknown[]) => void).apply(events, args);
      } catch {
        // ignored on purpose, see PipelineEvents
      }
    };
  }
  return guarded as PipelineEvents;
}
