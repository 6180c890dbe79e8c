import type { SendResult } from '@app/contracts';
import { ctx, FakeSender, FakeSink, pipeline, rec, tick } from './pipeline.fixtures';

const ok: SendResult = { outcome: 'delivered', status: 200 };
const tooMany: SendResult = { outcome: 'retryable', status: 429, retryAfterMs: 1000, error: 'HTTP 429: Rate Limited' };

/** An API that takes `capacity` calls at a time (50 ms each) and answers 429, Retry-After: 1, to more. */
function limitedApi(sender: FakeSender, capacity: number): { rejected: number } {
  const counts = { rejected: 0 };
  sender.respond = () => {
    if (sender.inFlight > capacity) {
      counts.rejected++;
      return new Promise((resolve) => setTimeout(() => resolve(tooMany), 2));
    }
    return new Promise((resolve) => setTimeout(() => resolve(ok), 50));
  };
  return counts;
}

/** 4 partitions of `perPartition` records, every record its own key. */
function batches(perPartition: number) {
  return [0, 1, 2, 3].map((part) =>
    Array.from({ length: perPartition }, (_, i) => rec(i, `k${part}-${i}`, 'datastream', {}, part)),
  );
}

describe('adaptive concurrency in the pipeline', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'], now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  async function run(adaptive: boolean, capacity: number) {
    const sender = new FakeSender();
    const api = limitedApi(sender, capacity);
    const limits: number[] = [];
    const p = pipeline(sender, new FakeSink(), {
      maxInFlight: 64,
      adaptiveConcurrency: adaptive,
      retry: { baseMs: 100, capMs: 1000, random: () => 0.5 },
      events: { onConcurrencyLimitChange: (n) => limits.push(n) },
    });
    for (const batch of batches(500)) void p.processBatch(batch, ctx);
    await tick(120_000);
    return { sender, api, limits, p };
  }

  it('sends far fewer calls that get 429 than a fixed limit, and delivers every record once', async () => {
    const fixed = await run(false, 20);
    const adaptive = await run(true, 20);
    for (const { sender, p } of [fixed, adaptive]) {
      expect(new Set(sender.delivered()).size).toBe(2000);
      expect(p.committableAll({ all: true }).map((c) => c.offset)).toEqual(['500', '500', '500', '500']);
    }
    expect(fixed.limits).toEqual([64]);
    expect(adaptive.api.rejected).toBeLessThan(fixed.api.rejected / 10);
    expect(Math.max(...adaptive.limits.slice(-10))).toBeLessThanOrEqual(30);
  });

  it('grows to the ceiling against an API that takes it, and reports each change', async () => {
    const { limits, sender } = await run(true, 1000);
    expect(limits.slice(0, 4)).toEqual([1, 2, 4, 8]);
    expect(limits.at(-1)).toBe(64);
    expect(sender.maxInFlight).toBe(64);
  });
});
