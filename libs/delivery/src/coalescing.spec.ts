import type { SendResult } from '@app/contracts';
import { committable, ctx, FakeSender, FakeSink, pipeline, rec, tick, type Body } from './pipeline.fixtures';

const ok: SendResult = { outcome: 'delivered', status: 200 };

function coalescingSender(maxRecords: number, maxBytes: number, lingerMs = 0): FakeSender {
  const sender = new FakeSender('cloudinsight');
  sender.coalesce = {
    key: (body: Body) => body.cw,
    sizeOf: (body: Body) => body.size ?? 10,
    maxRecords,
    maxBytes,
    lingerMs,
  };
  return sender;
}

describe('TargetPipeline coalescing', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('sends heads with the same coalesce key together, within maxRecords and maxBytes', async () => {
    const sender = coalescingSender(3, 35);
    const p = pipeline(sender, new FakeSink(), { target: 'cloudinsight', maxInFlight: 10 });
    const batch = [
      rec(0, 'a', 'cloudinsight', { cw: 'x' }),
      rec(1, 'b', 'cloudinsight', { cw: 'x' }),
      rec(2, 'c', 'cloudinsight', { cw: 'y' }),
      rec(3, 'd', 'cloudinsight', { cw: 'x' }),
      rec(4, 'e', 'cloudinsight', { cw: 'x' }),
      rec(5, 'f', 'cloudinsight', { cw: 'x', size: 20 }),
      rec(6, 'g', 'cloudinsight', {}), // no coalesce key: alone
    ];
    await Promise.all([p.processBatch(batch, ctx), tick()]);
    expect(sender.calls.map((c) => c.ids)).toEqual([['0:0', '0:1', '0:3'], ['0:2'], ['0:4', '0:5'], ['0:6']]);
    expect(committable(p, 'in', 0)).toBe('7');
  });

  it('never puts two records of one Kafka key in one call, and keeps their order', async () => {
    const sender = coalescingSender(10, 1000);
    const p = pipeline(sender, new FakeSink(), { target: 'cloudinsight' });
    const batch = [0, 1, 2, 3, 4, 5].map((i) => rec(i, i % 2 ? 'odd' : 'even', 'cloudinsight', { cw: 'x' }));
    await Promise.all([p.processBatch(batch, ctx), tick()]);
    expect(sender.calls.map((c) => c.ids)).toEqual([
      ['0:0', '0:1'],
      ['0:2', '0:3'],
      ['0:4', '0:5'],
    ]);
  });

  it('lingers for more records before sending a group that is not full', async () => {
    const sender = coalescingSender(10, 1000, 50);
    const p = pipeline(sender, new FakeSink(), { target: 'cloudinsight' });
    void p.processBatch([rec(0, 'a', 'cloudinsight', { cw: 'x' })], ctx);
    await tick(20);
    expect(sender.calls).toHaveLength(0);
    void p.processBatch([rec(1, 'b', 'cloudinsight', { cw: 'x' })], ctx);
    await tick(30);
    expect(sender.calls.map((c) => c.ids)).toEqual([['0:0', '0:1']]);
  });

  it('isolates a permanently rejected record: each is retried alone once, only the bad one is dead-lettered', async () => {
    const sender = coalescingSender(10, 1000);
    sender.respond = (ids): SendResult =>
      ids.includes('0:1') ? { outcome: 'permanent', status: 400, error: 'HTTP 400: bad field' } : ok;
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { target: 'cloudinsight' });
    const batch = [0, 1, 2].map((i) => rec(i, `k${i}`, 'cloudinsight', { cw: 'x' }));
    await Promise.all([p.processBatch(batch, ctx), tick()]);
    expect(sender.calls.map((c) => c.ids)).toEqual([['0:0', '0:1', '0:2'], ['0:0'], ['0:1'], ['0:2']]);
    expect(sink.letters.map((l) => [l.record.offset, l.reason, l.attempts, l.httpStatus])).toEqual([
      ['1', 'rejected', 2, 400],
    ]);
    expect(committable(p, 'in', 0)).toBe('3');
  });

  it('retries a whole coalesced call on a transient failure', async () => {
    const sender = coalescingSender(10, 1000);
    const answers: SendResult[] = [{ outcome: 'retryable', status: 429, error: 'HTTP 429' }];
    sender.respond = () => answers.shift() ?? ok;
    const p = pipeline(sender, new FakeSink(), { target: 'cloudinsight' });
    const batch = [0, 1].map((i) => rec(i, `k${i}`, 'cloudinsight', { cw: 'x' }));
    await Promise.all([p.processBatch(batch, ctx), tick(1000)]);
    expect(sender.calls.map((c) => c.ids)).toEqual([
      ['0:0', '0:1'],
      ['0:0', '0:1'],
    ]);
  });

  it('at the deadline, sends each record of a failing coalesced call once more alone: only the one at fault is exhausted', async () => {
    const sender = coalescingSender(10, 1000);
    const busy: SendResult = { outcome: 'retryable', status: 500, error: 'HTTP 500: boom' };
    const later = (result: SendResult, ms: number) => new Promise<SendResult>((r) => setTimeout(() => r(result), ms));
    sender.respond = (ids) => (ids.includes('0:1') ? later(busy, 1) : later(ok, 5)); // 0:1 makes its call fail
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { target: 'cloudinsight', circuitThreshold: 1000 });
    void p.processBatch(
      [
        rec(0, 'a', 'cloudinsight', { cw: 'x' }),
        rec(1, 'b', 'cloudinsight', { cw: 'x' }),
        rec(2, 'c', 'cloudinsight', { cw: 'x' }),
        rec(3, 'd', 'cloudinsight', { cw: 'y' }),
      ],
      ctx,
    );
    await tick(12_000); // past the 10 s deadline
    expect(sender.calls[0].ids).toEqual(['0:0', '0:1', '0:2']);
    expect(sink.letters.map((l) => [l.reason, l.record.offset])).toEqual([['exhausted', '1']]);
    expect(new Set(sender.delivered())).toEqual(new Set(['0:0', '0:1', '0:2', '0:3']));
    expect(committable(p, 'in', 0)).toBe('4');
  });
});
