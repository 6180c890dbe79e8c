import type { DlqReason, InboundRecord, SendResult, Target } from '@app/contracts';
import { TARGETS } from '@app/contracts/targets';
import type { BatchContext } from './batch-waiter';
import { CallGate, type CircuitCause } from './call-gate';
import { ConcurrencyLimit } from './concurrency-limit';
import { DeadLetterQueue } from './dead-letter-queue';
import { Drain } from './drain';
import { isAbandoned, JobState, newJob, type Call, type Job } from './job';
import { compareOffsets } from './offset-tracker';
import { MemoryBudget } from './memory-budget';
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
 * done in the partition's OffsetTracker, which says what may be committed. The MemoryBudget bounds
 * the bytes of the records in hand: a batch that reaches it waits for room.
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
  /** Records taken so far (Job.admitted). */
  private admitted = 0;
  /** When a call of this target last delivered (ms since the epoch). */
  private lastDeliveredAt = 0;
  private fetching = true;
  private deadLetterTrouble: DeadLetterTrouble | undefined;
  private readonly memory: MemoryBudget;
  private readonly maxRecordBytes: number;

  constructor(private readonly options: TargetPipelineOptions<B>) {
    const events = guardEvents(options.events ?? {});
    this.target = options.target;
    this.sender = options.sender;
    this.scheduler = options.scheduler ?? systemScheduler;
    this.events = events;
    this.router = new Router({
      target: options.target,
      header: options.routeHeader,
      knownTargets: options.knownTargets ?? TARGETS,
      deadLettersUnroutable: options.unroutable,
      countElsewhere: options.countElsewhere,
      topicTargets: options.topicTargets,
    });
    this.retry = new RetryPolicy(options.retry);
    this.heartbeatMs = options.heartbeatIntervalMs ?? 1000;
    this.memory = new MemoryBudget(options.maxBufferedBytes ?? 32 * 1024 * 1024, this.scheduler);
    this.maxRecordBytes = options.maxRecordBytes ?? Infinity;
    this.gate = new CallGate({
      limit: new ConcurrencyLimit({
        ceiling: options.maxInFlight,
        adaptive: options.adaptiveConcurrency ?? false,
        onChange: (limit) => events.onConcurrencyLimitChange?.(limit),
      }),
      circuitThreshold: options.circuitThreshold ?? 5,
      probeBackoff: options.probeBackoff,
      scheduler: this.scheduler,
      onCircuitChange: (cause) => events.onCircuitChange?.(cause),
      onProbeDue: () => this.pump(),
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
      onWriteError: (error, failures) => this.onDeadLetterWriteError(error, failures),
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

  /** Why the target circuit is open (the API fails, or refuses our credentials), if it is. */
  get circuit(): CircuitCause | undefined {
    return this.gate.cause;
  }

  /** Set while dead-letter writes keep failing: since when, how often, the last error. */
  get deadLetterFailure(): DeadLetterTrouble | undefined {
    return this.deadLetterTrouble;
  }

  /**
   * Every partition holding records whose commit position has not moved for `thresholdMs` or more,
   * with the offset it waits on and why. Call it on a timer (it also measures: see
   * PartitionFeed.stalledFor); `all` lists every partition with records in hand.
   */
  stalls(now: number, thresholdMs = 0): PartitionStall[] {
    const out: PartitionStall[] = [];
    for (const part of this.parts.values()) {
      if (part.abandoned) continue;
      const stalledMs = part.stalledFor(now);
      if (stalledMs === 0 || stalledMs < thresholdMs) continue;
      const offset = part.tracker.firstPending()!;
      out.push({ topic: part.topic, partition: part.partition, offset, stalledMs, cause: this.stallCause(part) });
    }
    return out;
  }

  /** Bytes held by the records in hand (see maxBufferedBytes). */
  get bufferedBytes(): number {
    return this.memory.bytes;
  }

  /**
   * Takes one fetched batch of ONE topic-partition, in offset order, and resolves once there is
   * room for more: while the records in hand hold less than maxBufferedBytes, at once. The records
   * are delivered, retried and dead-lettered from then on, and committableAll() says which offsets
   * are done; so the consumer fetches on while a slow or failing record waits, and memory stays
   * bounded. Batches of one partition must come one after the other, in offset order. `lastOffset`
   * is the fetch's last offset when the consumer filtered records out after the last one given
   * (transaction markers, aborted records): those count as done. Calls ctx.heartbeat() while it
   * waits for room (see BatchWaiter). Rejects if the offsets do not continue the partition (see
   * PartitionFeed.fit): fetch again from the commit position.
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
    if (fit === 'again' || part.abandoned) part = this.restart(part);
    const taken = part.taken;
    if (taken !== undefined && compareOffsets(first.offset, taken) <= 0) {
      records = records.filter((r) => compareOffsets(r.offset, taken) > 0); // in hand or done already
      if (records.length === 0) {
        if (lastOffset !== undefined) part.skipTo(lastOffset);
        return Promise.resolve();
      }
    }
    const misfit = part.checkBatch(records);
    if (misfit) return Promise.reject(misfit);
    for (const record of records) this.admit(record, part);
    if (lastOffset !== undefined) part.skipTo(lastOffset);
    this.pump();
    return this.memory.room(ctx, this.heartbeatMs, (error, rebalancing) =>
      this.events.onHeartbeatError?.(error, rebalancing),
    );
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

  /**
   * Where to fetch a partition from when processBatch refused a batch that skipped records a drain
   * gave up on: the first of them (the commit position), if the pipeline knows it.
   */
  fetchFrom(topic: string, partition: number): string | undefined {
    return this.parts.get(partKey(topic, partition))?.restartAt;
  }

  /**
   * For shutdown and rebalance (see Drain): no new record starts, except those that hold the
   * commit position back behind records already sent (the holes), so that what was delivered is
   * committed and not delivered again; waits up to timeoutMs for them, the calls and the DLQ
   * writes under way; then aborts the rest and abandons every record that is not done.
   * Afterwards committableAll() reflects only records truly done, and the pipeline takes batches
   * again; a partition with abandoned records must be fed from its commit position (kafkajs does
   * so after a rejoin), or forgotten with revoke().
   */
  drain(timeoutMs: number): Promise<void> {
    return this.drainer.run(timeoutMs, {
      stop: () => {
        // While the target is paused nothing would be delivered: only what is under way finishes.
        const fill = !this.gate.paused;
        for (const part of this.parts.values()) part.drainUpTo = fill ? part.startedSeq : -1;
        if (fill) {
          this.retries.releaseAll();
          this.pump();
        } else {
          this.retries.clear();
          this.ready.clear();
        }
      },
      isIdle: () => this.isIdle(),
      abandon: () => {
        this.gate.forgetCalls();
        this.deadLetters.abandon();
        for (const part of this.parts.values()) {
          part.resumeAt(part.tracker.firstPending());
          this.abandon(part);
        }
        this.retries.clear();
        this.ready.clear();
        this.updateFetching();
      },
    });
  }

  /** Forgets revoked partitions (all when called without an argument); their unfinished records are abandoned. */
  revoke(partitions?: { topic: string; partition: number }[]): void {
    for (const { topic, partition } of partitions ?? [...this.parts.values()]) {
      const key = partKey(topic, partition);
      const part = this.parts.get(key);
      if (part !== undefined) this.abandon(part);
      this.parts.delete(key);
    }
  }

  private admit(record: InboundRecord, part: PartitionFeed): void {
    const seq = part.tracker.register(record.offset);
    const route = this.router.route(record);
    if (route === 'skip' || route === 'elsewhere') {
      if (route === 'elsewhere') this.events.onElsewhere?.(this.router.targetOf(record));
      return part.tracker.markDone(seq);
    }
    const job = newJob(record, part, seq);
    job.admitted = this.admitted++;
    part.bytes += job.bytes;
    this.memory.take(job.bytes);
    if (route === 'unroutable') return this.deadLetter(job, 'unroutable', this.router.whyUnroutable(record));
    // Checked before decoding: an oversize value is never copied into a string or parsed.
    const size = record.value?.length ?? 0;
    if (size > this.maxRecordBytes) {
      return this.deadLetter(
        job,
        'invalid',
        `the value is ${size} bytes, more than the ${this.maxRecordBytes} this target takes`,
      );
    }
    // A record that fails to parse is dead-lettered at once, outside its key lane: it is never
    // delivered, so it cannot overtake its key's records at the API, and it never waits for them.
    const parsed = this.sender.parse(record, route === 'mine-by-topic');
    if (!parsed.ok) return this.deadLetter(job, parsed.reason, parsed.error);
    job.body = parsed.body;
    const coalesce = this.sender.coalesce;
    if (coalesce !== undefined) {
      job.coalesceKey = coalesce.key(parsed.body);
      job.size = coalesce.sizeOf(parsed.body);
    }
    if (part.lanes.enter(job)) this.ready.add(job);
  }

  /** Starts calls while there is room, then tells the transport whether to fetch. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.gate.hasRoom) {
        const call = this.nextCall();
        if (call === undefined) break;
        if (call.jobs.length > 0) this.start(call);
      }
    } finally {
      this.pumping = false;
    }
    this.updateFetching();
  }

  /**
   * Failed calls first (they head their key lanes), then records never sent. While the circuit is
   * open, one call at a time: a failed one or a new one, in turns (see CallGate).
   */
  private nextCall(): Call | undefined {
    const newTurn = this.gate.probeWithNewRecord;
    if (!newTurn) {
      const retry = this.takeRetry();
      if (retry !== undefined) return retry;
      if (!this.gate.mayStartNew(this.retries.waiting)) return undefined;
    }
    const jobs = this.ready.take();
    if (jobs !== undefined) {
      const wanted = this.drainer.active ? jobs.filter((job) => job.seq <= job.part.drainUpTo) : jobs;
      return { jobs: wanted, failures: 0, firstFailureAt: 0, epoch: 0, startedAt: 0, timer: undefined };
    }
    return newTurn ? this.takeRetry() : undefined;
  }

  /** The next failed call with records worth sending (while draining: only the holes). */
  private takeRetry(): Call | undefined {
    const draining = this.drainer.active;
    for (let call = this.retries.take(); call !== undefined; call = this.retries.take()) {
      call.jobs = call.jobs.filter((job) => !isAbandoned(job) && (!draining || job.seq <= job.part.drainUpTo));
      if (call.jobs.length > 0) return call;
    }
    return undefined;
  }

  /**
   * Fetch unless the circuit is open and a record never sent is in hand to probe with. Without one
   * (a rebalance abandoned the records, or all in hand failed before and may fail for their own
   * sake), fetching goes on, or the target would wait for nothing, or probe with them, forever.
   */
  private updateFetching(): void {
    const fetching = !this.gate.paused || this.ready.isEmpty;
    if (fetching === this.fetching) return;
    this.fetching = fetching;
    this.events.onFetchChange?.(fetching);
  }

  private start(call: Call): void {
    const bodies = new Array<B>(call.jobs.length);
    for (let i = 0; i < call.jobs.length; i++) {
      const job = call.jobs[i];
      job.state = JobState.InCall;
      job.attempts++;
      bodies[i] = job.body as B;
      if (job.seq > job.part.startedSeq) job.part.startedSeq = job.seq;
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
    const now = this.scheduler.now();
    const error = result.outcome === 'delivered' ? undefined : result.error;
    const retryAfterMs = result.outcome === 'retryable' ? result.retryAfterMs : undefined;
    const probing = this.gate.paused;
    const answer = {
      now,
      startedAt: call.startedAt,
      error,
      wasRetry: call.failures > 0,
      retryAfterMs,
      aboutRecords: this.failsAlone(call),
    };
    if (this.gate.answered(result.outcome, answer)) {
      this.retries.releaseAll();
    }
    const duration = now - call.startedAt;
    this.events.onRequest?.(result.status ?? 'error', duration);
    const jobs = call.jobs.filter((job) => !isAbandoned(job));
    call.jobs = jobs;
    if (result.outcome === 'delivered') {
      this.lastDeliveredAt = now;
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
      if (result.outcome === 'permanent') this.reject(call, result);
      else this.retryLater(call, result, now, probing);
    }
    this.checkDrained();
    this.pump();
  }

  /**
   * Whether this call, if it failed, failed for its records' sake: it failed before, the target
   * delivered others since, and nothing else is in play (no other call, no record to send). One
   * record the API keeps failing then never opens the circuit (it is exhausted at its deadline);
   * an outage still does, with many records in hand or one.
   */
  private failsAlone(call: Call): boolean {
    return (
      call.failures > 0 &&
      this.lastDeliveredAt > call.firstFailureAt &&
      this.gate.inFlight === 1 &&
      !this.retries.waiting &&
      this.ready.isEmpty
    );
  }

  /**
   * A failure that says nothing about the records: they go again with backoff. Only a record that
   * keeps failing while the target delivers others gives up at the deadline (`exhausted`); while
   * the target delivers nothing (an outage, refused credentials) records wait, however long.
   */
  private retryLater(
    call: Call,
    result: Extract<SendResult, { outcome: 'retryable' | 'refused' }>,
    now: number,
    probing: boolean,
  ): void {
    this.events.onRetry?.(result, probing);
    if (call.jobs.length === 0) return;
    if (this.drainer.active) {
      // The commit cannot pass these records now: stop filling holes behind them.
      for (const job of call.jobs) job.part.drainUpTo = Math.min(job.part.drainUpTo, job.seq - 1);
      return; // abandoned when the drain ends
    }
    for (const job of call.jobs) job.state = JobState.Ready;
    const attempt = call.failures++;
    if (this.gate.paused) return this.retries.now(call); // it waits for its turn as the probe
    const retryAfterMs = result.outcome === 'retryable' ? result.retryAfterMs : undefined;
    const othersDelivered = this.lastDeliveredAt > call.firstFailureAt;
    const decision = othersDelivered
      ? this.retry.next(attempt, call.firstFailureAt, now, retryAfterMs)
      : { retryInMs: this.retry.backoff(attempt, retryAfterMs) };
    if (decision.giveUp) {
      // A coalesced call may fail for one record's sake: each goes once more on its own, and only
      // the ones that fail alone are exhausted.
      if (call.jobs.length === 1) return this.deadLetter(call.jobs[0], 'exhausted', result.error);
      for (const job of call.jobs)
        this.retries.now({ ...call, jobs: [job], firstFailureAt: job.firstFailureAt, timer: undefined });
      return;
    }
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

  private onDeadLetterWriteError(error: unknown, failures: number): void {
    const now = this.scheduler.now();
    const message = error instanceof Error ? error.message : String(error);
    this.deadLetterTrouble = { since: this.deadLetterTrouble?.since ?? now, failures, error: message };
    this.events.onDeadLetterWriteError?.(error, failures);
  }

  private onDeadLettersWritten(jobs: Job[]): void {
    if (this.deadLetters.stuck === 0) this.deadLetterTrouble = undefined;
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

  /** The record is delivered or dead-lettered: release its offset, its key lane and its memory. */
  private complete(job: Job): void {
    job.state = JobState.Done;
    job.part.tracker.markDone(job.seq);
    const next = job.part.lanes.leave(job);
    if (next !== undefined) this.ready.add(next);
    job.part.bytes -= job.bytes;
    this.memory.release(job.bytes);
  }

  /** Gives up on a partition's records in hand (a drain, a revoke, a fetch from an earlier offset). */
  private abandon(part: PartitionFeed): void {
    part.abandon();
    this.memory.release(part.bytes);
    part.bytes = 0;
  }

  /** Why a partition's commit position does not move, for a person. */
  private stallCause(part: PartitionFeed): string {
    const circuit = this.gate.cause;
    if (circuit) return `${circuit.refused ? 'credentials refused' : 'target paused'}: ${circuit.error}`;
    if (this.deadLetterTrouble) return `dead-letter write failing: ${this.deadLetterTrouble.error}`;
    const job = part.oldestInLane();
    if (job === undefined) return 'waiting for its dead-letter write';
    if (job.lastError !== undefined) return `retrying (attempt ${job.attempts}): ${job.lastError}`;
    if (job.state === JobState.InCall) return 'waiting for the API to answer';
    return `waiting for a free call (${this.gate.inFlight} under way)`;
  }

  /** Nothing under way, and while draining no hole left to fill. */
  private isIdle(): boolean {
    return this.gate.inFlight === 0 && this.deadLetters.idle && !this.holesLeft();
  }

  private holesLeft(): boolean {
    if (!this.drainer.active) return false;
    for (const part of this.parts.values()) {
      if (part.drainUpTo < 0) continue;
      for (const head of part.lanes.heads()) if (head.seq <= part.drainUpTo) return true;
    }
    return false;
  }

  private checkDrained(): void {
    if (this.drainer.active && this.isIdle()) this.drainer.wentIdle();
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
    this.abandon(part);
    this.parts.delete(partKey(part.topic, part.partition));
    const fresh = this.feed(part.topic, part.partition);
    // Without records given up on, everything it had taken is done: not to be taken again.
    if (!part.gaveUp) fresh.knownThrough = part.taken;
    return fresh;
  }
}

function partKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Dead-letter writes keep failing: since when (ms since the epoch), how many times, the last error. */
export interface DeadLetterTrouble {
  since: number;
  failures: number;
  error: string;
}

/** A partition whose commit position does not move while it holds records. */
export interface PartitionStall {
  topic: string;
  partition: number;
  /** The first offset not done: where the commit position waits. */
  offset: string;
  stalledMs: number;
  cause: string;
}
