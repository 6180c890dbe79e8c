import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import type { PinoLogger } from 'nestjs-pino';
import { loadBridgeConfig } from '@app/config';
import type { DeadLetterSink, TargetSender } from '@app/delivery';
import { BridgeMetrics } from '../ops/bridge-metrics';
import { ConsumerStates } from '../ops/consumer-states';
import { TargetConsumer } from './target-consumer';

const EVENTS = {
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  GROUP_JOIN: 'consumer.group_join',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  STOP: 'consumer.stop',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
};

/** A kafkajs consumer as far as TargetConsumer uses it: events, and calls it records. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  readonly calls: string[] = [];
  running = false;
  connect = async () => void this.calls.push('connect');
  subscribe = async () => void this.calls.push('subscribe');
  run = async () => {
    this.calls.push('run');
    this.running = true;
  };
  disconnect = async () => {
    this.calls.push('disconnect');
    this.running = false;
  };
  commitOffsets = async () => void this.calls.push('commit');
  pause = () => {
    // kafkajs throws when its group is not running, as after a crash
    if (!this.running) throw new Error('Consumer group was not initialized, consumer#run must be called first');
    this.calls.push('pause');
  };
  resume = () => void this.calls.push('resume');
  seek = () => void this.calls.push('seek');
  join(): void {
    this.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [0, 1] } } });
  }
  crash(message: string): void {
    this.running = false;
    this.emit(EVENTS.CRASH, { payload: { error: new Error(message), restart: false } });
  }
}

describe('TargetConsumer', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  function setup() {
    const consumers: FakeConsumer[] = [];
    const kafka = {
      consumer: () => {
        const c = new FakeConsumer();
        consumers.push(c);
        return c;
      },
    } as unknown as Kafka;
    const lines: { level: string; msg: string }[] = [];
    const log = Object.fromEntries(
      ['info', 'warn', 'error', 'debug'].map((level) => [
        level,
        (_o: unknown, msg: string) => lines.push({ level, msg }),
      ]),
    ) as unknown as PinoLogger;
    const config = loadBridgeConfig({
      BRIDGE_TOPICS: 'orders',
      BRIDGE_TARGETS: 'guance',
      GUANCE_API_KEY: 'k',
      GUANCE_SECRET: 's',
      GUANCE_SUB_URI: 'u',
    });
    const states = new ConsumerStates();
    const metrics = new BridgeMetrics();
    const sender: TargetSender<unknown> = {
      target: 'guance',
      parse: () => ({ ok: true, body: {} }),
      send: async () => ({ outcome: 'delivered', status: 200 }),
    };
    const deadLetters: DeadLetterSink = { write: async () => undefined };
    const consumer = new TargetConsumer('guance', {
      kafka,
      config,
      sender,
      deadLetters,
      countsElsewhere: true,
      states,
      metrics,
      log,
    });
    return { consumer, consumers, states, metrics, lines };
  }

  const restarts = async (metrics: BridgeMetrics) =>
    (await metrics.consumerRestarts.get()).values.find((v) => v.labels.target === 'guance')?.value;

  it('restarts a crashed consumer with backoff, counts it, logs it and says so in readiness until it joins', async () => {
    const { consumer, consumers, states, metrics, lines } = setup();
    await consumer.start();
    consumers[0].join();
    expect(states.notReadyReason()).toBeUndefined();

    consumers[0].crash('The group is rebalancing, broker gone');
    expect(states.notReadyReason()?.guance).toMatch(/^consumer down since .*, restarting \(attempt 1\): The group/);
    expect(lines).toContainEqual({ level: 'error', msg: 'consumer crashed; restarting it' });
    await jest.advanceTimersByTimeAsync(999);
    expect(consumers).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(consumers).toHaveLength(2); // a new consumer, started
    expect(consumers[1].calls).toEqual(['connect', 'subscribe', 'run']);
    expect(await restarts(metrics)).toBe(1);

    consumers[1].join();
    expect(states.notReadyReason()).toBeUndefined();
    expect(lines).toContainEqual({ level: 'warn', msg: 'consumer restarted' });
    expect(states.restartDue()).toEqual([]);
  });

  it('backs off longer each time the restart fails, and asks for a process restart after 10 minutes down', async () => {
    const { consumer, consumers, states } = setup();
    await consumer.start();
    consumers[0].crash('broker gone');
    const starts: number[] = [];
    for (let minute = 0; minute < 11; minute++) {
      await jest.advanceTimersByTimeAsync(60_000);
      while (starts.length < consumers.length - 1) {
        starts.push(Date.now());
        consumers[consumers.length - 1].crash('broker still gone');
      }
    }
    // 1 s, 2 s, 4 s ... capped at 60 s: about 15 attempts in 11 minutes, not hundreds
    expect(consumers.length).toBeGreaterThan(8);
    expect(consumers.length).toBeLessThan(20);
    expect(states.restartDue()).toEqual([expect.stringMatching(/^guance: consumer down since/)]);
  });

  it('closes cleanly with a crashed consumer: no pause of a group that does not run, drained, disconnected', async () => {
    const { consumer, consumers } = setup();
    await consumer.start();
    consumers[0].join();
    consumers[0].crash('fatal');
    await expect(consumer.close()).resolves.toBeUndefined();
    expect(consumers[0].calls).not.toContain('pause');
    expect(consumers[0].calls).toContain('disconnect');
    await jest.advanceTimersByTimeAsync(120_000);
    expect(consumers).toHaveLength(1); // no restart after close
  });
});
