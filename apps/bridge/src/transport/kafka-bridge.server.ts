import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Admin, ConfigResourceTypes, Consumer, EachBatchPayload, Kafka, Partitioners, Producer } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { lastValueFrom } from 'rxjs';
import { BRIDGE_CONFIG, BridgeConfig } from '@app/config';
import { InboundRecord, SendResult, Target, TARGETS } from '@app/contracts';
import { RetryPolicy, TargetPipeline } from '@app/delivery';
import { createKafka, DeadLetterWriter } from '@app/kafka';
import { BridgeMetrics } from '../ops/bridge-metrics';
import { ConsumerStates } from '../ops/consumer-states';
import { createSender, DeliveryCall } from '../delivery/target-senders';
import { LagReporter } from './lag-reporter';

const COMMIT_INTERVAL_MS = 500;
const MAX_MESSAGE_BYTES = 'max.message.bytes';
/** Room for the x-dlq-* headers (x-dlq-error alone may take 1 KiB) and the record batch framing. */
const DLQ_HEADROOM_BYTES = 64 * 1024;

interface TargetConsumer {
  target: Target;
  groupId: string;
  consumer: Consumer;
  pipeline: TargetPipeline;
  /** serialises commits of this consumer */
  committing: Promise<void>;
  /** the last commit failed: the next one sends every position again (they are reported once) */
  commitFailed?: boolean;
  rebalancing?: Promise<void>;
}

/**
 * The Kafka side of the bridge, as a Nest transport: one consumer group per target
 * (`BRIDGE_GROUP_ID-target`), each feeding its TargetPipeline with fetched batches. Handlers are
 * the `@EventPattern(target)` methods of DeliveryController. The pipeline owns ordering, retries,
 * dead-letters and which offsets are safe to commit; this class owns kafkajs: commits, pause and
 * resume, rebalances, readiness and shutdown.
 */
@Injectable()
export class KafkaBridgeServer extends Server implements CustomTransportStrategy, BeforeApplicationShutdown {
  private kafka?: Kafka;
  private dlqProducer?: Producer;
  private consumers: TargetConsumer[] = [];
  private commitTimer?: NodeJS.Timeout;
  private lag?: LagReporter;
  private closing = false;
  private closed?: Promise<void>;

  constructor(
    @Inject(BRIDGE_CONFIG) private readonly config: BridgeConfig,
    private readonly states: ConsumerStates,
    private readonly metrics: BridgeMetrics,
    private readonly log: PinoLogger,
  ) {
    super();
    this.log.setContext(KafkaBridgeServer.name);
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err) => callback(err),
    );
  }

  on(): never {
    throw new Error('KafkaBridgeServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.kafka as T;
  }

  private async start(): Promise<void> {
    const { config } = this;
    this.kafka = createKafka(config.kafka, { logger: this.log });
    this.states.expect(config.targets);
    await this.ensureDlqTopic(this.kafka);
    this.dlqProducer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.dlqProducer.connect();
    const deadLetters = new DeadLetterWriter(this.dlqProducer, config.dlqTopic);
    for (const target of config.targets) {
      const handler = this.getHandlerByPattern(target);
      if (!handler) throw new Error(`no @EventPattern('${target}') handler is registered`);
      this.consumers.push(await this.startConsumer(target, handler, deadLetters));
    }
    this.commitTimer = setInterval(() => this.consumers.forEach((c) => void this.commit(c)), COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
    const groups = this.consumers.map((c) => c.groupId);
    this.lag = new LagReporter(this.kafka.admin(), groups, config.topics, this.metrics, this.log);
    await this.lag.start();
  }

  private async ensureDlqTopic(kafka: Kafka): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      const exists = topics.includes(this.config.dlqTopic);
      // A bad record is dead-lettered byte for byte: the DLQ must take the largest record a source
      // topic takes, plus the x-dlq-* headers. Otherwise its write fails forever and blocks the target.
      const limits = await maxMessageBytes(admin, [
        ...this.config.topics.filter((t) => topics.includes(t)),
        ...(exists ? [this.config.dlqTopic] : []),
      ]).catch(() => new Map<string, number>()); // no right to describe configs: create it as before
      const sources = this.config.topics.map((t) => limits.get(t) ?? 0);
      const needed = Math.max(...sources) + DLQ_HEADROOM_BYTES;
      if (!exists) {
        // Dead letters keep their original timestamps, so time-based retention would delete the
        // letters of old records at once: the topic the bridge creates keeps them until removed.
        const configEntries = [{ name: 'retention.ms', value: '-1' }];
        if (needed > DLQ_HEADROOM_BYTES) configEntries.push({ name: MAX_MESSAGE_BYTES, value: String(needed) });
        await admin.createTopics({ topics: [{ topic: this.config.dlqTopic, configEntries }], waitForLeaders: true });
        this.log.info({ topic: this.config.dlqTopic, maxMessageBytes: needed }, 'created the dead-letter topic');
      } else if ((limits.get(this.config.dlqTopic) ?? needed) < needed) {
        this.log.warn(
          { topic: this.config.dlqTopic, maxMessageBytes: limits.get(this.config.dlqTopic), needed },
          'the dead-letter topic takes smaller records than the source topics: raise its max.message.bytes, ' +
            'or a bad record larger than it blocks its partition',
        );
      }
    } catch (err) {
      // Lack of permission to create topics is not fatal: the topic may be managed elsewhere.
      this.log.warn({ err, topic: this.config.dlqTopic }, 'could not check or create the dead-letter topic');
    } finally {
      await admin.disconnect();
    }
  }

  private async startConsumer(target: Target, handler: MessageHandler, deadLetters: DeadLetterWriter) {
    const { config, metrics } = this;
    const groupId = `${config.groupId}-${target}`;
    metrics.paused.set({ target }, 0);
    metrics.inFlight.set({ target }, 0);
    const send = async (call: DeliveryCall<unknown>) =>
      lastValueFrom(this.transformToObservable(await handler(call))) as Promise<SendResult>;
    const consumer = this.kafka!.consumer({
      groupId,
      // A killed member's partitions wait this long for a new owner; the pipeline heartbeats every
      // second while it waits on an API, so a short session is safe.
      sessionTimeout: 15_000,
      rebalanceTimeout: Math.max(60_000, config.shutdownTimeoutMs + 10_000),
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 1_048_576,
      maxBytes: 16 * 1_048_576,
      allowAutoTopicCreation: false,
      metadataMaxAge: config.kafka.metadataMaxAgeMs,
    });
    const tc: TargetConsumer = {
      target,
      groupId,
      consumer,
      committing: Promise.resolve(),
      pipeline: new TargetPipeline({
        target,
        groupId,
        routeHeader: config.routeHeader,
        knownTargets: TARGETS,
        unroutable: config.unroutableTarget === target,
        sender: createSender(target, send, config),
        deadLetters,
        retry: new RetryPolicy({ deadlineMs: config.retryDeadlineMs }),
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
          onPausedChange: (paused) => this.onPausedChange(tc, paused),
          onHeartbeatError: (err, rebalancing) => {
            if (rebalancing) void this.drainForRebalance(tc);
            else this.log.warn({ err, target }, 'heartbeat failed');
          },
          onDeadLetterWriteError: (err, failures) =>
            this.log.error({ err, target, failures }, 'dead-letter write failed; retrying'),
        },
      }),
    };
    const { CONNECT, DISCONNECT, GROUP_JOIN, CRASH, REBALANCING, STOP } = consumer.events;
    consumer.on(CONNECT, () => this.states.update(target, { connected: true }));
    consumer.on(DISCONNECT, () => this.states.update(target, { connected: false, joined: false }));
    consumer.on(STOP, () => this.states.update(target, { joined: false }));
    consumer.on(REBALANCING, () => this.states.update(target, { joined: false }));
    consumer.on(GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(
        Object.entries(payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)),
      );
      // Forget partitions this member no longer owns (it drained and committed before rejoining).
      tc.pipeline.revoke(
        tc.pipeline
          .committableAll({ all: true })
          .filter(({ topic, partition }) => !assigned.has(`${topic}:${partition}`)),
      );
      this.states.update(target, { joined: true, crashed: undefined });
      this.log.info({ target, groupId, assignment: payload.memberAssignment }, 'joined the consumer group');
    });
    consumer.on(CRASH, ({ payload }) => {
      const why = payload.error?.message ?? 'unknown error';
      if (payload.restart) {
        this.log.warn({ target, groupId, err: payload.error }, 'consumer failed; kafkajs restarts it');
      } else {
        this.log.error({ target, groupId, err: payload.error }, 'consumer crashed');
        this.states.update(target, { crashed: why });
      }
    });

    await consumer.connect();
    await consumer.subscribe({ topics: config.topics, fromBeginning: config.startFrom === 'earliest' });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, config.maxInFlight),
      eachBatch: (payload) => this.eachBatch(tc, payload),
    });
    return tc;
  }

  private async eachBatch(tc: TargetConsumer, { batch, heartbeat, resolveOffset }: EachBatchPayload): Promise<void> {
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
    try {
      await tc.pipeline.processBatch(records, { heartbeat });
    } catch (err) {
      // The pipeline refuses a batch that does not continue where it left the partition (records
      // were abandoned by a drain): fetch again from the commit position.
      const from = tc.pipeline.position(topic, partition);
      if (from === undefined) throw err;
      this.log.info({ target: tc.target, topic, partition, offset: from }, 'fetching again from the commit position');
      tc.consumer.seek({ topic, partition, offset: from });
      return;
    }
    // kafkajs fetches on from its resolved offset: resolve what is done, never past a record that
    // a drain abandoned (that one is fetched again).
    const position = tc.pipeline.position(topic, partition);
    if (position !== undefined && BigInt(position) > BigInt(records[0].offset)) {
      resolveOffset((BigInt(position) - 1n).toString());
    }
    await this.commit(tc);
  }

  /**
   * A rebalance began: finish or abandon in-flight work within the shutdown timeout and commit
   * what is done, so the partitions' next owner (maybe this member again) starts right after it.
   */
  private drainForRebalance(tc: TargetConsumer): Promise<void> {
    tc.rebalancing ??= (async () => {
      this.log.info({ target: tc.target }, 'rebalance: draining in-flight records');
      await tc.pipeline.drain(this.config.shutdownTimeoutMs);
      await this.commit(tc);
      tc.rebalancing = undefined;
    })();
    return tc.rebalancing;
  }

  private onPausedChange(tc: TargetConsumer, paused: boolean): void {
    this.metrics.paused.set({ target: tc.target }, paused ? 1 : 0);
    const topics = this.config.topics.map((topic) => ({ topic }));
    if (paused) {
      this.log.warn({ target: tc.target }, 'API keeps failing: pausing consumption; records wait in Kafka');
      tc.consumer.pause(topics);
    } else {
      this.log.info({ target: tc.target }, 'API answers again: resuming consumption');
      tc.consumer.resume(topics);
    }
  }

  /** Commits, per partition, the offset after the last contiguous delivered or dead-lettered record. */
  private commit(tc: TargetConsumer): Promise<void> {
    tc.committing = tc.committing.then(async () => {
      const offsets = tc.pipeline.committableAll({ all: tc.commitFailed });
      if (offsets.length === 0) return;
      try {
        await tc.consumer.commitOffsets(offsets);
        tc.commitFailed = false;
      } catch (err) {
        // Not fatal: every position is committed again next time, or the records are re-delivered
        // after a rebalance (at least once).
        tc.commitFailed = true;
        this.log.warn({ err, target: tc.target }, 'offset commit failed');
      }
    });
    return tc.committing;
  }

  /**
   * Nest closes the HTTP server before its microservices: draining here, first, keeps
   * /health/ready answering 503 while the consumers drain.
   */
  beforeApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** SIGTERM: stop fetching, finish or abandon in-flight work, commit, leave the groups. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.states.shuttingDown = true;
    this.closing = true;
    clearInterval(this.commitTimer);
    await this.lag?.stop();
    await Promise.all(
      this.consumers.map(async (tc) => {
        tc.consumer.pause(this.config.topics.map((topic) => ({ topic })));
        await tc.pipeline.drain(this.config.shutdownTimeoutMs);
        await this.commit(tc);
        await tc.consumer.disconnect();
      }),
    );
    await this.dlqProducer?.disconnect();
    this.log.info('consumers drained and disconnected');
  }
}

/** max.message.bytes of each topic (the broker default when the topic sets none). */
async function maxMessageBytes(admin: Admin, topics: string[]): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map();
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: [MAX_MESSAGE_BYTES] })),
  });
  return new Map(
    resources.map((r) => [
      r.resourceName,
      Number(r.configEntries.find((e) => e.configName === MAX_MESSAGE_BYTES)?.configValue),
    ]),
  );
}
