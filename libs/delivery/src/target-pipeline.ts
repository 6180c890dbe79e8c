import type { DlqReason, InboundRecord, SendResult, Target } from '@app/contracts';
import { TARGETS } from '@app/contracts/targets';
import { BatchWaiter, type BatchContext } from './batch-waiter';
import { CallGate } from './call-gate';
import { DeadLetterQueue } from './dead-letter-queue';
import { Drain } from './drain';
import { isAbandoned, JobState, newJob, type Call, type Job } from './job';
import { compareOffsets } from './offset-tracker';
import { PartitionFeed } from './partition-feed';
import {
  guardEvents,
  type PipelineEvents,
  type TargetPipelineOptions,
  type TopicPartitionOffset,
} from './pipeline-options';
import { ReadyQueue } from './ready-queue';
import { RetryPolicy } from './retry-policy';
import { RetryQueue } from './retry-queue';
import { Router } from './routing';
import { systemScheduler, type Scheduler } from './scheduler';
import type { TargetSender } from './target-sender';

/**
 * Delivers the records of one target for one consumer group, Kafka-free: the transport feeds it
 * fetched batches, commits the positions it reports, pauses fetching while its circuit is open and
 * drains it on rebalances and shutdown. A record goes: Router (mine, another target's, or
 * unroutable) -> sender.parse (else dead-lettered) -> its key's lane in its PartitionFeed -> the
 * ReadyQueue once it heads its lane (coalesced with others) -> an API call when the CallGate has
 * room -> delivered, or retried (RetryPolicy, RetryQueue), or dead-lettered (DeadLetterQueue) ->
 * done in the partition's OffsetTracker, which says what may be committed.
 */
export class TargetPipeline<B = unknown> {
  readonly target: Target;
  private readonly sender: TargetSender<B>;
  private readonly scheduler: Scheduler;
  private readonly events: PipelineEvents;
  private readonly router: Router;
  private readonly retry: RetryPolicy;
  private readonly parts = new Map<string, PartitionFeed>();
  private readonly ready: ReadyQueue;
  private readonly retries: RetryQueue;
  private readonly gate: CallGate;
  private readonly deadLetters: DeadLetterQueue;
  private readonly drainer: Drain;
  private readonly heartbeatMs: number;
  private pumping = false;

  constructor(private readonly options: TargetPipelineOptions<B>) {
    const events = guardEvents(options.events ?? {});
    this.target = options.target;
    this.sender = options.sender;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.events = events;
    this.router = new Router(options.target, options.routeHeader, options.knownTargets ?? TARGETS, options.unroutable);
    this.retry = new RetryPolicy(options.retry);
    this.heartbeatMs = options.heartbeatIntervalMs ?? 1000;
    this.gate = new CallGate({
      maxInFlight: options.maxInFlight,
      circuitThreshold: options.circuitThreshold ?? 5,
      onPausedChange: (paused) => events.onPausedChange?.(paused),
      onInFlightChange: (n) => events.onInFlightChange?.(n),
    });
    this.ready = new ReadyQueue(this.sender.coalesce, this.scheduler, () => this.pump());
    this.retries = new RetryQueue(this.scheduler, () => this.pump());
    this.drainer = new Drain(this.scheduler);
    this.deadLetters = new DeadLetterQueue({
      sink: options.deadLetters,
      retry: new RetryPolicy(options.deadLetterRetry),
      scheduler: this.scheduler,
      maxLetters: options.deadLetterBatch?.maxLetters ?? 100,
      maxBytes: options.deadLetterBatch?.maxBytes ?? 512 * 1024,
      onWritten: (jobs) => this.onDeadLettersWritten(jobs),
      onWriteError: (error, failures) => events.onDeadLetterWriteError?.(error, failures),
      onIdle: () => this.checkDrained(),
    });
  }

  /** API calls under way. */
  get inFlight(): number {
    return this.gate.inFlight;
  }

  /** True while the target circuit is open (fetching should be paused). */
  get paused(): boolean {
    return this.gate.paused;
  }

  /**
   * Takes one fetched batch of ONE topic-partition, in offset order, and resolves once each of its
   * records is delivered, dead-lettered (DLQ acknowledged) or skipped, or was abandoned by
   * drain()/revoke(). Batches of different partitions may run concurrently; batches of one
   * partition must come one after the other, in offset order. `lastOffset` is the fetch's last
   * offset when the consumer filtered records out after the last one given (transaction markers,
   * aborted records): those count as done. Calls ctx.heartbeat() while waiting (see BatchWaiter).
   * Rejects if the offsets do not continue the partition (see PartitionFeed.fit).
   */
  processBatch(records: InboundRecord[], ctx: BatchContext, lastOffset?: string): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const first = records[0];
    let part = this.feed(first.topic, first.partition);
    if (this.drainer.active) {
      part.notTaken(first.offset);
      return Promise.resolve();
    }
    const fit = part.fit(first.offset);
    if (fit instanceof Error) return Promise.reject(fit);
    if (fit === 'again') part = this.restart(part);
    for (let i = 1; i < records.length; i++) {
      const record = records[i];
      if (record.topic !== part.topic || record.partition !== part.partition) {
        return Promise.reject(new Error('processBatch: all records of a batch must come from one partition'));
      }
      if (compareOffsets(record.offset, records[i - 1].offset) <= 0) {
        return Promise.reject(part.misfit(record.offset, `expected after ${records[i - 1].offset}`));
      }
    }
    const waiter = new BatchWaiter(this.scheduler);
    for (const record of records) this.admit(record, part, waiter);
    if (lastOffset !== undefined) part.skipTo(lastOffset);
    if (waiter.remaining === 0) return Promise.resolve();
    part.waiters.add(waiter);
    waiter.keepAlive(ctx, this.heartbeatMs, (error, rebalancing) => this.events.onHeartbeatError?.(error, rebalancing));
    this.pump();
    return waiter.done;
  }

  /**
   * A fetch of this partition held only records the consumer filtered out (transaction markers,
   * aborted records) up to `lastOffset`: they count as done, so the commit moves past them.
   */
  skipFiltered(topic: string, partition: number, lastOffset: string): void {
    if (this.drainer.active) return;
    this.feed(topic, partition).skipTo(lastOffset);
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
   * For shutdown and rebalance (see Drain): waits up to timeoutMs for the API calls and DLQ writes
   * under way, aborts the rest, abandons every record that is not done and resolves every pending
   * processBatch. Afterwards committableAll() reflects only records truly done, and the pipeline
   * takes batches again; a partition with abandoned records must be fed from its commit position
   * (kafkajs does so after a rejoin), or forgotten with revoke().
   */
  drain(timeoutMs: number): Promise<void> {
    return this.drainer.run(timeoutMs, {
      stop: () => {
        this.retries.clear();
        this.ready.clear();
      },
      isIdle: () => this.isIdle(),
      abandon: () => {
        this.gate.forgetCalls();
        this.deadLetters.abandon();
        for (const part of this.parts.values()) part.abandonPending();
        this.retries.clear();
        this.ready.clear();
      },
    });
  }

  /** Forgets revoked partitions (all when called without an argument); their unfinished records are abandoned. */
  revoke(partitions?: { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions ?? [...this.parts.values()]) {
      const key = partKey(topic, partition);
      this.parts.get(key)?.abandon();
      this.parts.delete(key);
    }
  }

  private admit(record: InboundRecord, part: PartitionFeed, batch: BatchWaiter): void {
    const seq = part.tracker.register(record.offset);
    const route = this.router.route(record);
    if (route === 'skip') return part.tracker.markDone(seq);
    const job = newJob(record, part, batch, seq);
    batch.remaining++;
    if (route === 'unroutable') return this.deadLetter(job, 'unroutable', this.router.whyUnroutable(record));
    // A record that fails to parse is dead-lettered at once, outside its key lane: it is never
    // delivered, so it cannot overtake its key's records at the API, and it never waits for them.
    const parsed = this.sender.parse(record);
    if (!parsed.ok) return this.deadLetter(job, parsed.reason, parsed.error);
    job.body = parsed.body;
    const coalesce = this.sender.coalesce;
    if (coalesce !== undefined) {
      job.coalesceKey = coalesce.key(parsed.body);
      job.size = coalesce.sizeOf(parsed.body);
    }
    if (part.lanes.enter(job)) this.ready.add(job);
  }

  /** Starts calls while there is room: retries first, then records never sent. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.drainer.active && this.gate.hasRoom) {
        let call = this.retries.take();
        if (call === undefined) {
          if (!this.gate.mayStartNew(this.retries.waiting)) break;
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
    call.epoch = this.drainer.epoch;
    call.startedAt = this.scheduler.now();
    this.gate.started();
    let sent: Promise<SendResult>;
    try {
      sent = this.sender.send(bodies, this.drainer.signal);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (result) => this.finishCall(call, result),
      (error: unknown) => this.finishCall(call, { outcome: 'retryable', error: `sender failed: ${describe(error)}` }),
    );
  }

  private finishCall(call: Call, result: SendResult): void {
    if (call.epoch !== this.drainer.epoch) return; // abandoned by a drain
    const closedCircuit = this.gate.answered(result.outcome);
    const now = this.scheduler.now();
    const duration = now - call.startedAt;
    this.events.onRequest?.(result.status ?? 'error', duration);
    const jobs = call.jobs.filter((job) => !isAbandoned(job));
    call.jobs = jobs;
    if (result.outcome === 'delivered') {
      if (closedCircuit) this.retries.releaseAll();
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

  private retryLater(call: Call, result: Extract<SendResult, { outcome: 'retryable' }>, now: number): void {
    this.events.onRetry?.(result);
    if (call.jobs.length === 0 || this.drainer.active) return; // a drain abandons them
    const decision = this.retry.next(call.failures++, call.firstFailureAt, now, result.retryAfterMs);
    if (decision.giveUp) {
      for (const job of call.jobs) this.deadLetter(job, 'exhausted', result.error);
      return;
    }
    for (const job of call.jobs) job.state = JobState.Ready;
    this.retries.later(call, decision.retryInMs);
  }

  /**
   * A permanent answer dead-letters a lone record at once. For a coalesced call it is not known
   * which record the API refused, so each is sent once more on its own (keeping its failure
   * history) and only the ones refused alone are dead-lettered.
   */
  private reject(call: Call, result: Extract<SendResult, { outcome: 'permanent' }>): void {
    if (call.jobs.length === 1) return this.deadLetter(call.jobs[0], 'rejected', result.error);
    for (const job of call.jobs) {
      job.state = JobState.Ready;
      this.retries.now({ ...call, jobs: [job], firstFailureAt: job.firstFailureAt, timer: undefined });
    }
  }

  private deadLetter(job: Job, reason: DlqReason, error: string): void {
    const now = this.scheduler.now();
    job.state = JobState.DeadLettering;
    job.letter = {
      record: job.record,
      reason,
      error,
      target: reason === 'unroutable' ? undefined : this.target,
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

  /** The record is delivered or dead-lettered: release its offset, its key lane and its batch. */
  private complete(job: Job): void {
    job.state = JobState.Done;
    job.part.tracker.markDone(job.seq);
    const next = job.part.lanes.leave(job);
    if (next !== undefined) this.ready.add(next);
    const batch = job.batch;
    if (--batch.remaining === 0) {
      job.part.waiters.delete(batch);
      batch.settle();
    }
  }

  private isIdle(): boolean {
    return this.gate.inFlight === 0 && this.deadLetters.idle;
  }

  private checkDrained(): void {
    if (this.isIdle()) this.drainer.wentIdle();
  }

  private feed(topic: string, partition: number): PartitionFeed {
    const key = partKey(topic, partition);
    let part = this.parts.get(key);
    if (part === undefined) {
      part = new PartitionFeed(topic, partition);
      this.parts.set(key, part);
    }
    return part;
  }

  /** The partition starts afresh: what was not done is given up and fetched again. */
  private restart(part: PartitionFeed): PartitionFeed {
    part.abandon();
    this.parts.delete(partKey(part.topic, part.partition));
    return this.feed(part.topic, part.partition);
  }
}

function partKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
