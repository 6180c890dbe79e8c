import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import type { BridgeConfig } from '@app/config';
import { TARGETS, type InboundRecord, type Target } from '@app/contracts';
import { TargetPipeline, type DeadLetterSink, type TargetSender } from '@app/delivery';
import type { BridgeMetrics } from '../ops/bridge-metrics';
import type { ConsumerStates } from '../ops/consumer-states';

export interface TargetConsumerDeps {
  kafka: Kafka;
  config: BridgeConfig;
  sender: TargetSender<unknown>;
  deadLetters: DeadLetterSink;
  states: ConsumerStates;
  metrics: BridgeMetrics;
  log: PinoLogger;
}

/**
 * One target's consumer group (`BRIDGE_GROUP_ID-<target>`): a kafkajs consumer feeding the target's
 * TargetPipeline with fetched batches. It owns what kafkajs owns: commits of the positions the
 * pipeline reports, pausing and resuming fetching with the target's circuit, draining on a
 * rebalance, and the consumer's state for readiness.
 */
export class TargetConsumer {
  readonly groupId: string;
  readonly consumer: Consumer;
  private readonly pipeline: TargetPipeline;
  /** serialises commits */
  private committing = Promise.resolve();
  /** the last commit failed: the next one sends every position again (they are reported once) */
  private commitFailed = false;
  private rebalancing?: Promise<void>;
  private closing = false;

  constructor(
    readonly target: Target,
    private readonly deps: TargetConsumerDeps,
  ) {
    const { config, metrics, log } = deps;
    this.groupId = `${config.groupId}-${target}`;
    metrics.paused.set({ target }, 0);
    metrics.inFlight.set({ target }, 0);
    this.consumer = deps.kafka.consumer({
      groupId: this.groupId,
      // A killed member's partitions wait this long for a new owner; the pipeline heartbeats every
      // second while it waits on an API, so a short session is safe.
      sessionTimeout: 15_000,
      rebalanceTimeout: Math.max(60_000, config.shutdownTimeoutMs + 10_000),
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 1_048_576,
      maxBytes: 16 * 1_048_576,
      allowAutoTopicCreation: false,
    });
    this.pipeline = new TargetPipeline({
      target,
      groupId: this.groupId,
      routeHeader: config.routeHeader,
      knownTargets: TARGETS,
      unroutable: config.unroutableTarget === target,
      sender: deps.sender,
      deadLetters: deps.deadLetters,
      retry: { deadlineMs: config.retryDeadlineMs },
      maxInFlight: config.maxInFlight,
      events: {
        onDelivered: (n) => metrics.records.inc({ target, outcome: 'delivered' }, n),
        onRetry: () => metrics.records.inc({ target, outcome: 'retried' }),
        onDeadLettered: (reason, n) => {
          metrics.records.inc({ target, outcome: 'dead_lettered' }, n);
          metrics.deadLetters.inc({ target, reason }, n);
        },
        onRequest: (status, ms) => metrics.requestDuration.observe({ target, status: String(status) }, ms / 1000),
        onInFlightChange: (n) => metrics.inFlight.set({ target }, n),
        onPausedChange: (paused) => this.onPausedChange(paused),
        onHeartbeatError: (err, rebalancing) => {
          if (rebalancing) void this.drainForRebalance();
          else log.warn({ err, target }, 'heartbeat failed');
        },
        onDeadLetterWriteError: (err, failures) =>
          log.error({ err, target, failures }, 'dead-letter write failed; retrying'),
      },
    });
    this.watchState();
  }

  async start(): Promise<void> {
    const { config } = this.deps;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: config.topics, fromBeginning: config.startFrom === 'earliest' });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, config.maxInFlight),
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Commits, per partition, the offset after the last contiguous delivered or dead-lettered record. */
  commit(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const offsets = this.pipeline.committableAll({ all: this.commitFailed });
      if (offsets.length === 0) return;
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
    this.consumer.pause(this.deps.config.topics.map((topic) => ({ topic })));
    await this.pipeline.drain(this.deps.config.shutdownTimeoutMs);
    await this.commit();
    await this.consumer.disconnect();
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
      headers: m.headers ?? {},
      timestamp: m.timestamp,
    }));
    try {
      await this.pipeline.processBatch(records, { heartbeat });
    } catch (err) {
      // The pipeline refuses a batch that does not continue where it left the partition (records
      // were abandoned by a drain): fetch again from the commit position.
      const from = this.pipeline.position(topic, partition);
      if (from === undefined) throw err;
      this.deps.log.info(
        { target: this.target, topic, partition, offset: from },
        'fetching again from the commit position',
      );
      this.consumer.seek({ topic, partition, offset: from });
      return;
    }
    // kafkajs fetches on from its resolved offset: resolve what is done, never past a record that
    // a drain abandoned (that one is fetched again).
    const position = this.pipeline.position(topic, partition);
    if (position !== undefined && BigInt(position) > BigInt(records[0].offset)) {
      resolveOffset((BigInt(position) - 1n).toString());
    }
    await this.commit();
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

  private onPausedChange(paused: boolean): void {
    const { config, metrics, log } = this.deps;
    metrics.paused.set({ target: this.target }, paused ? 1 : 0);
    const topics = config.topics.map((topic) => ({ topic }));
    if (paused) {
      log.warn({ target: this.target }, 'API keeps failing: pausing consumption; records wait in Kafka');
      this.consumer.pause(topics);
    } else {
      log.info({ target: this.target }, 'API answers again: resuming consumption');
      this.consumer.resume(topics);
    }
  }

  /** Keeps ConsumerStates (readiness) in step with the consumer's events. */
  private watchState(): void {
    const { consumer, target, groupId, pipeline } = this;
    const { states, log } = this.deps;
    const { CONNECT, DISCONNECT, GROUP_JOIN, CRASH, REBALANCING, STOP } = consumer.events;
    consumer.on(CONNECT, () => states.update(target, { connected: true }));
    consumer.on(DISCONNECT, () => states.update(target, { connected: false, joined: false }));
    consumer.on(STOP, () => states.update(target, { joined: false }));
    consumer.on(REBALANCING, () => states.update(target, { joined: false }));
    consumer.on(GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(
        Object.entries(payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)),
      );
      // Forget partitions this member no longer owns (it drained and committed before rejoining).
      pipeline.revoke(
        pipeline.committableAll({ all: true }).filter(({ topic, partition }) => !assigned.has(`${topic}:${partition}`)),
      );
      states.update(target, { joined: true, crashed: undefined });
      log.info({ target, groupId, assignment: payload.memberAssignment }, 'joined the consumer group');
    });
    consumer.on(CRASH, ({ payload }) => {
      const why = payload.error?.message ?? 'unknown error';
      if (payload.restart) {
        log.warn({ target, groupId, err: payload.error }, 'consumer failed; kafkajs restarts it');
      } else {
        log.error({ target, groupId, err: payload.error }, 'consumer crashed');
        states.update(target, { crashed: why });
      }
    });
  }
}
