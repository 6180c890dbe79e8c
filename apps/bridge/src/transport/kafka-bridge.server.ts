import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { PinoLogger } from 'nestjs-pino';
import { isObservable, lastValueFrom } from 'rxjs';
import { BRIDGE_CONFIG, BridgeConfig } from '@app/config';
import type { SendResult, Target } from '@app/contracts';
import type { TargetSender } from '@app/delivery';
import { createKafka, DeadLetterWriter } from '@app/kafka';
import { BridgeMetrics } from '../ops/bridge-metrics';
import { ConsumerStates } from '../ops/consumer-states';
import { recordBindingOf, type DeliveryCall } from '../targets/target-binding';
import type { DeliveryTracing } from '../tracing/delivery-tracing';
import { DELIVERY_TRACING } from '../tracing/tracing.provider';
import { checkSourceTopics, ensureDeadLetterTopic } from './dead-letter-topic';
import { LagReporter } from './lag-reporter';
import { TargetConsumer } from './target-consumer';

const COMMIT_INTERVAL_MS = 100;

/**
 * The Kafka side of the bridge, as a Nest transport. Each configured target's
 * `@EventPattern(target, bindRecords(...))` handler gets a consumer group of its own
 * (TargetConsumer), so an API that is down pauses only its own consumption. Records reach a
 * handler parsed and validated by the binding, one API call at a time, through the engine
 * (@app/delivery), which owns ordering, retries, dead letters and commit positions.
 *
 * Shutdown goes through Nest's lifecycle: main.ts calls app.close() on SIGTERM, and Nest calls
 * beforeApplicationShutdown() (here the consumers drain, while /health/ready answers 503) before
 * it closes the HTTP server and then this transport (close() waits for the same drain) and, last,
 * the API clients (onApplicationShutdown of the target handlers).
 */
@Injectable()
export class KafkaBridgeServer extends Server implements CustomTransportStrategy, BeforeApplicationShutdown {
  private kafka?: Kafka;
  private dlqProducer?: Producer;
  private consumers: TargetConsumer[] = [];
  private commitTimer?: NodeJS.Timeout;
  private lag?: LagReporter;
  private stopped?: Promise<void>;

  constructor(
    @Inject(BRIDGE_CONFIG) private readonly config: BridgeConfig,
    private readonly states: ConsumerStates,
    private readonly metrics: BridgeMetrics,
    private readonly log: PinoLogger,
    @Inject(DELIVERY_TRACING) private readonly tracing: DeliveryTracing | null,
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

  /** kafkajs instrumentation events (`consumer.crash`, ...) of every target's consumer. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's Server declares it so
  on<EventKey extends string, EventCallback extends Function>(event: EventKey, callback: EventCallback): void {
    for (const consumer of this.consumers) consumer.on(event, callback as never);
  }

  unwrap<T>(): T {
    return this.kafka as T;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** Stops fetching, finishes or abandons in-flight work, commits and leaves the groups, once. */
  close(): Promise<void> {
    this.stopped ??= this.stop();
    return this.stopped;
  }

  private async start(): Promise<void> {
    const { config } = this;
    this.kafka = createKafka(config.kafka, { logger: this.log });
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await checkSourceTopics(admin, config.topics);
      await ensureDeadLetterTopic(admin, config.dlqTopic, config.topics, this.log);
    } finally {
      await admin.disconnect();
    }
    this.dlqProducer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.dlqProducer.connect();
    const writer = new DeadLetterWriter(this.dlqProducer, config.dlqTopic);
    const deadLetters = this.tracing ? this.tracing.deadLetters(writer) : writer;
    if (config.routes.size > 0) {
      const routes = Object.fromEntries([...config.routes].map(([topic, route]) => [topic, route.label]));
      this.log.info({ routes }, "records without a route header go by their topic's route");
    }
    for (const target of config.targets) {
      const consumer = new TargetConsumer(target, {
        kafka: this.kafka,
        config,
        sender: this.senderOf(target, `${config.groupId}-${target}`),
        deadLetters,
        // the first group counts the records of targets another deployment delivers, once
        countsElsewhere: this.consumers.length === 0,
        states: this.states,
        metrics: this.metrics,
        log: this.log,
      });
      this.consumers.push(consumer);
      await consumer.start();
    }
    this.commitTimer = setInterval(() => this.consumers.forEach((c) => void c.commit()), COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
    const owned = () => new Map(this.consumers.map((c) => [c.groupId, c.owned()]));
    this.lag = new LagReporter(this.kafka.admin(), this.metrics, this.log, owned);
    await this.lag.start();
  }

  /** The target's handler and record binding, as the engine calls them (with delivery spans when traced). */
  private senderOf(target: Target, groupId: string): TargetSender<unknown> {
    const handler: MessageHandler | null = this.getHandlerByPattern(target);
    const binding = recordBindingOf(handler?.extras);
    if (!handler || !binding) throw new Error(`no @EventPattern('${target}', bindRecords(...)) handler is registered`);
    const { parse, coalesce } = binding(this.config);
    // Handlers return a Promise; an Observable only if an interceptor or exception filter made one.
    const deliver = async (call: DeliveryCall<unknown>) => {
      const result: unknown = await handler(call);
      return (isObservable(result) ? await lastValueFrom(result) : result) as SendResult;
    };
    const sender: TargetSender<unknown> = {
      target,
      parse,
      coalesce,
      send: (bodies: unknown[], signal?: AbortSignal) => deliver({ bodies, signal }),
    };
    return this.tracing ? this.tracing.traced(sender, groupId, deliver) : sender;
  }

  private async stop(): Promise<void> {
    this.states.shuttingDown = true;
    clearInterval(this.commitTimer);
    await this.lag?.stop();
    await Promise.all(this.consumers.map((c) => c.close()));
    await this.dlqProducer?.disconnect();
    this.log.info('consumers drained and disconnected');
    await this.tracing?.shutdown(); // exports the spans the drain ended
  }
}
