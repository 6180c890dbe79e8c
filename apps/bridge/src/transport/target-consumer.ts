import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import type { BridgeConfig } from '@app/config';
import { TARGETS, type InboundRecord, type Target } from '@app/contracts';
import { TargetPipeline, type CircuitCause, type DeadLetterSink, type TargetSender } from '@app/delivery';
import type { BridgeMetrics } from '../ops/bridge-metrics';
import type { ConsumerStates, TargetHealth } from '../ops/consumer-states';
import { ConsumerRestarts } from './consumer-restarts';
import { StallWatch } from './stall-watch';

export interface TargetConsumerDeps {
  kafka: Kafka;
  config: BridgeConfig;
  sender: TargetSender<unknown>;
  deadLetters: DeadLetterSink;
  /** Whether this group counts the records of targets this process does not deliver. */
  countsElsewhere: boolean;
  states: ConsumerStates;
  metrics: BridgeMetrics;
  log: PinoLogger;
}

/** Dead-letter writes failing this long make the target not ready. */
const DLQ_TROUBLE_MS = 30_000;

/**
 * What one fetch may bring: an eighth of what the target may hold in hand (BRIDGE_MAX_BUFFERED_BYTES),
 * between 256 KiB and 16 MiB, and a quarter of that per partition. A fetched batch is decoded whole
 * and stays alive until every partition of the fetch was taken, so it counts on top of the records in
 * hand. A single record larger than this still comes, alone.
 */
function fetchBytes(maxBufferedBytes: number): { maxBytes: number; maxBytesPerPartition: number } {
  const maxBytes = Math.min(16 * 1024 * 1024, Math.max(256 * 1024, Math.floor(maxBufferedBytes / 8)));
  return { maxBytes, maxBytesPerPartition: Math.floor(maxBytes / 4) };
}

/** How long a fetch after one that brought no record may wait at the broker for its first record. */
const IDLE_FETCH_WAIT_MS = 500;

/**
 * How a fetch waits at the broker: until a full fetch is ready or BRIDGE_FETCH_MAX_WAIT_MS passed.
 * In a backlog fetches are full at once; at a steady rate this gathers the records of that long in
 * one fetch round trip of each target's group, instead of one per few records. After a fetch that
 * brought nothing, the next returns with the first record, or after IDLE_FETCH_WAIT_MS: an idle
 * group makes two fetches a second instead of one per BRIDGE_FETCH_MAX_WAIT_MS (patched kafkajs).
 */
function fetchWait(config: BridgeConfig): { maxWaitTimeInMs: number; minBytes: number; maxWaitTimeIdleInMs: number } {
  return {
    maxWaitTimeInMs: config.fetchMaxWaitMs,
    minBytes: fetchBytes(config.maxBufferedBytes).maxBytes,
    maxWaitTimeIdleInMs: Math.max(config.fetchMaxWaitMs, IDLE_FETCH_WAIT_MS),
  };
}

/**
 * One target's consumer group (`BRIDGE_GROUP_ID-<target>`): a kafkajs consumer feeding the target's
 * TargetPipeline. The consumer fetches on while records are delivered (the pipeline bounds what is
 * in hand); this class commits the positions the pipeline reports, pauses fetching while the
 * target's circuit is open, drains on rebalances, restarts a crashed consumer, watches for stalls
 * and answers for the target's health.
 */
export class TargetConsumer {
  readonly groupId: string;
  private consumer: Consumer;
  private readonly pipeline: TargetPipeline;
  private readonly restarts: ConsumerRestarts;
  private readonly stalls: StallWatch;
  /** serialises commits */
  private committing = Promise.resolve();
  /** the last commit failed: the next one sends every position again (they are reported once) */
  private commitFailed = false;
  private rebalancing?: Promise<void>;
  private closing = false;
  private joined = false;
  private fetching = true;
  private assignment: { topic: string; partition: number }[] = [];
  private readonly listeners: [string, (...args: unknown[]) => void][] = [];

  constructor(
    readonly target: Target,
    private readonly deps: TargetConsumerDeps,
  ) {
    const { config, metrics } = deps;
    this.groupId = `${config.groupId}-${target}`;
    metrics.startTarget(target, config.unroutableTarget === target);
    this.pipeline = this.createPipeline();
    metrics.watchInFlight(target, () => this.pipeline.inFlight);
    this.restarts = new ConsumerRestarts(target, deps.log, () => this.restart());
    this.stalls = new StallWatch(target, this.pipeline, config.stallThresholdMs, metrics, deps.log);
    this.consumer = this.createConsumer();
    deps.states.register(target, () => this.health());
  }

  async start(): Promise<void> {
    const { config } = this.deps;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: config.topics, fromBeginning: config.startFrom === 'earliest' });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // processBatch returns as soon as the records are in hand (or waits for room, which the
      // partitions share): one at a time is as fast, and kafkajs does less per fetch.
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.eachBatch(payload),
      // kafkajs (patched) waits for this before it rejoins: the partitions' next owner starts
      // after what this member has in hand is delivered or given up, and committed.
      onRebalance: () => this.drainForRebalance(),
    });
    this.stalls.start(() => this.assignment);
  }

  /** The partitions this member owns, for the lag metric. */
  owned(): { topic: string; partition: number }[] {
    return this.assignment;
  }

  /** kafkajs instrumentation events of this consumer (and of the ones restarts make). */
  on(event: string, listener: (...args: unknown[]) => void): void {
    this.listeners.push([event, listener]);
    this.consumer.on(event as never, listener as never);
  }

  /** Commits, per partition, the offset after the last contiguous delivered or dead-lettered record. */
  commit(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const offsets = this.pipeline.committableAll({ all: this.commitFailed });
      if (offsets.length === 0 || this.restarts.isDown) return; // a crashed consumer cannot commit
      try {
        await this.consumer.commitOffsets(offsets);
        this.commitFailed = false;
      } catch (err) {
        // Not fatal: every position is committed again next time, or the records are re-delivered
        // after a rebalance (at least once).
        this.commitFailed = true;
        this.deps.log.warn({ err, target: this.target }, 'offset commit failed');
      }
    });
    return this.committing;
  }

  /** SIGTERM: stop fetching, finish or abandon in-flight work, commit, leave the group. */
  async close(): Promise<void> {
    this.closing = true;
    this.restarts.stop();
    this.stalls.stop();
    // A crashed consumer is not running: pausing it throws, and there is nothing to pause.
    if (this.joined) this.consumer.pause(this.topics());
    await this.pipeline.drain(this.deps.config.shutdownTimeoutMs);
    await this.commit();
    await this.consumer
      .disconnect()
      .catch((err: unknown) => this.deps.log.warn({ err, target: this.target }, 'disconnect failed'));
  }

  private createPipeline(): TargetPipeline {
    const { config, metrics, log, countsElsewhere } = this.deps;
    const target = this.target;
    return new TargetPipeline({
      target,
      groupId: this.groupId,
      routeHeader: config.routeHeader,
      knownTargets: TARGETS,
      countElsewhere: countsElsewhere ? config.targets : undefined,
      topicTargets: new Map([...config.routes].map(([topic, route]) => [topic, route.target])),
      unroutable: config.unroutableTarget === target,
      sender: this.deps.sender,
      deadLetters: this.deps.deadLetters,
      retry: { deadlineMs: config.retryDeadlineMs },
      maxInFlight: config.maxInFlight,
      adaptiveConcurrency: config.adaptiveConcurrency,
      maxBufferedBytes: config.maxBufferedBytes,
      maxRecordBytes: config.maxRecordBytes[target],
      events: {
        onDelivered: (n) => metrics.records.inc({ target, outcome: 'delivered' }, n),
        onRetry: (result, probing) => {
          metrics.retries.inc({ target });
          if (!probing) return;
          metrics.probeFailures.inc({ target });
          log.warn({ target, status: result.status, error: result.error }, 'probe failed; the target stays paused');
        },
        onDeadLettered: (reason, n) => {
          const labelled = reason === 'unroutable' ? '' : target; // unroutable records belong to no target
          metrics.records.inc({ target: labelled, outcome: 'dead_lettered' }, n);
          metrics.deadLetters.inc({ target: labelled, reason }, n);
        },
        onElsewhere: (other) => metrics.elsewhere.inc({ target: other }),
        onRequest: (status, ms) => metrics.requestDuration.observe({ target, status: String(status) }, ms / 1000),
        onConcurrencyLimitChange: (n) => metrics.concurrencyLimit.set({ target }, n),
        onCircuitChange: (cause) => this.onCircuitChange(cause),
        onFetchChange: (fetch) => this.setFetching(fetch),
        onHeartbeatError: (err, rebalancing) => {
          if (rebalancing) void this.drainForRebalance();
          else log.warn({ err, target }, 'heartbeat failed');
        },
        onDeadLetterWriteError: (err, failures) => {
          metrics.deadLetterWriteFailures.inc({ target });
          log.error({ err, target, failures }, 'dead-letter write failed; its records wait, retrying');
        },
      },
    });
  }

  private createConsumer(): Consumer {
    const { config } = this.deps;
    const consumer = this.deps.kafka.consumer({
      groupId: this.groupId,
      // A killed member's partitions wait this long for a new owner; the pipeline heartbeats while
      // a batch waits for room, so a short session is safe.
      sessionTimeout: 15_000,
      rebalanceTimeout: Math.max(60_000, config.shutdownTimeoutMs + 10_000),
      heartbeatInterval: 3_000,
      ...fetchWait(config),
      ...fetchBytes(config.maxBufferedBytes),
      allowAutoTopicCreation: false,
      metadataMaxAge: config.kafka.metadataMaxAgeMs,
      // Every crash is restarted here, the same way (ConsumerRestarts), never by kafkajs behind the
      // pipeline's back.
      retry: { restartOnFailure: () => Promise.resolve(false) },
    });
    this.watch(consumer);
    for (const [event, listener] of this.listeners) consumer.on(event as never, listener as never);
    return consumer;
  }

  private async eachBatch({ batch, heartbeat, resolveOffset }: EachBatchPayload): Promise<void> {
    // While closing, fetched batches are left alone: uncommitted, they are fetched again later.
    if (batch.isEmpty() || this.closing) return;
    const { topic, partition } = batch;
    const records: InboundRecord[] = batch.messages.map((m) => ({
      topic,
      partition,
      offset: m.offset,
      key: m.key ?? null,
      value: m.value ?? null,
      headers: m.headerList ?? [],
      timestamp: m.timestamp,
    }));
    const lastOffset = batch.lastOffset();
    try {
      await this.pipeline.processBatch(records, { heartbeat }, lastOffset);
    } catch (err) {
      // The pipeline refuses a batch that skips records a drain gave up on: fetch again from there.
      const from = this.pipeline.fetchFrom(topic, partition);
      if (from === undefined) throw err;
      this.deps.log.info(
        { target: this.target, topic, partition, offset: from },
        'fetching again from the commit position',
      );
      this.consumer.seek({ topic, partition, offset: from });
      return;
    }
    // The records are in the pipeline's hands: kafkajs fetches on after them.
    resolveOffset(lastOffset);
  }

  /**
   * A rebalance began: finish or abandon in-flight work within the shutdown timeout and commit
   * what is done, so the partitions' next owner (maybe this member again) starts right after it.
   */
  private drainForRebalance(): Promise<void> {
    this.rebalancing ??= (async () => {
      this.deps.log.info({ target: this.target }, 'rebalance: draining in-flight records');
      await this.pipeline.drain(this.deps.config.shutdownTimeoutMs);
      await this.commit();
      this.rebalancing = undefined;
    })();
    return this.rebalancing;
  }

  private onCircuitChange(cause: CircuitCause | undefined): void {
    const { metrics, log } = this.deps;
    const target = this.target;
    metrics.paused.set({ target }, cause ? 1 : 0);
    metrics.refused.set({ target }, cause?.refused ? 1 : 0);
    if (cause?.refused) {
      log.error(
        { target, error: cause.error },
        'the API refuses our credentials: consumption paused, records wait in Kafka',
      );
    } else if (cause) {
      log.warn({ target, error: cause.error }, 'the API keeps failing: consumption paused, records wait in Kafka');
    } else {
      log.info({ target }, 'the API answers again: consumption resumed');
    }
  }

  private setFetching(fetch: boolean): void {
    this.fetching = fetch;
    if (!this.joined) return; // applied when the consumer joins
    if (fetch) this.consumer.resume(this.topics());
    else this.consumer.pause(this.topics());
  }

  /** Keeps health in step with the consumer's events; restarts it when it crashes. */
  private watch(consumer: Consumer): void {
    const { target, groupId, pipeline } = this;
    const { log } = this.deps;
    const { GROUP_JOIN, CRASH, REBALANCING, STOP, DISCONNECT, END_BATCH_PROCESS } = consumer.events;
    consumer.on(DISCONNECT, () => (this.joined = false));
    consumer.on(STOP, () => (this.joined = false));
    consumer.on(REBALANCING, () => (this.joined = false));
    consumer.on(GROUP_JOIN, ({ payload }) => {
      this.assignment = Object.entries(payload.memberAssignment).flatMap(([topic, ps]) =>
        ps.map((partition) => ({ topic, partition })),
      );
      const assigned = new Set(this.assignment.map(({ topic, partition }) => `${topic}:${partition}`));
      // Forget partitions this member no longer owns (it drained and committed before rejoining).
      pipeline.revoke(
        pipeline.committableAll({ all: true }).filter(({ topic, partition }) => !assigned.has(`${topic}:${partition}`)),
      );
      this.joined = true;
      this.restarts.succeeded();
      if (!this.fetching) consumer.pause(this.topics());
      log.info({ target, groupId, assignment: payload.memberAssignment }, 'joined the consumer group');
    });
    // A fetch that held only records kafkajs filters out (transaction markers, aborted records)
    // never reaches eachBatch: its offsets count as done, or the commit would stop before them.
    consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || this.closing) return;
      pipeline.skipFiltered(payload.topic, payload.partition, payload.lastOffset);
    });
    consumer.on(CRASH, ({ payload }) => {
      this.joined = false;
      if (!this.closing) this.restarts.crashed(payload.error);
    });
  }

  /** After a crash: give up what was in hand (fetched again from the commits), then a new consumer. */
  private async restart(): Promise<void> {
    this.deps.metrics.consumerRestarts.inc({ target: this.target });
    await this.pipeline.drain(this.deps.config.shutdownTimeoutMs);
    await this.consumer.disconnect().catch(() => undefined);
    if (this.closing) return;
    this.consumer = this.createConsumer();
    await this.start();
  }

  private health(): TargetHealth {
    const now = Date.now();
    const down = this.restarts.down(now);
    if (down) return { notReady: down.notReady, restartDue: down.restartDue };
    if (!this.joined) return { notReady: 'not joined to its consumer group' };
    const circuit = this.pipeline.circuit;
    if (circuit) {
      const since = new Date(circuit.since).toISOString();
      const what = circuit.refused ? 'credentials refused' : 'paused, the API keeps failing';
      return { notReady: `${what} since ${since}: ${circuit.error}` };
    }
    const dlq = this.pipeline.deadLetterFailure;
    if (dlq && now - dlq.since >= DLQ_TROUBLE_MS) {
      return { notReady: `dead-letter writes failing since ${new Date(dlq.since).toISOString()}: ${dlq.error}` };
    }
    const stalled = this.stalls.worst();
    if (stalled) return { notReady: stalled };
    return {};
  }

  private topics(): { topic: string }[] {
    return this.deps.config.topics.map((topic) => ({ topic }));
  }
}
