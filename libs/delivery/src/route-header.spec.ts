import type { InboundRecord, RecordHeaders } from '@app/contracts';
import type { TargetSender } from './target-sender';
import { committable, ctx, FakeSender, FakeSink, pipeline, rec, tick } from './pipeline.fixtures';

const withHeaders = (offset: number, headers: RecordHeaders): InboundRecord => ({
  ...rec(offset, 'a', undefined),
  headers,
});
const text = (value: string) => Buffer.from(value);

describe('TargetPipeline route header', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'], now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('takes the first of repeated route headers, counts a null one as none, and ignores odd names', async () => {
    const batch = [
      withHeaders(0, [{ key: 'x-bridge-target', value: null }]),
      withHeaders(1, [
        { key: 'constructor', value: null },
        { key: '__proto__', value: text('x') },
        { key: 'x-bridge-target', value: text('datastream') },
        { key: 'x-bridge-target', value: text('guance') },
      ]),
      withHeaders(2, [
        { key: 'x-bridge-target', value: text('guance') },
        { key: 'x-bridge-target', value: text('datastream') },
      ]),
      withHeaders(3, [{ key: 'X-Bridge-Target', value: text('datastream') }]),
    ];
    const sender = new FakeSender();
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { unroutable: true });
    await Promise.all([p.processBatch(batch, ctx), tick()]);
    expect(sender.delivered()).toEqual(['0:1']);
    expect(sink.letters.map((l) => [l.reason, l.record.offset])).toEqual([
      ['unroutable', '0'],
      ['unroutable', '3'],
    ]);
    expect(committable(p, 'in', 0)).toBe('4');
  });

  it("parses a record of a routed topic by its topic's route when it has no route header", async () => {
    const batch = [
      withHeaders(0, []),
      withHeaders(1, [{ key: 'x-bridge-target', value: text('datastream') }]),
      withHeaders(2, [{ key: 'x-bridge-target', value: text('guance') }]),
    ];
    const sender = new FakeSender();
    const parse = jest.spyOn(sender as TargetSender<unknown>, 'parse');
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { unroutable: true, topicTargets: new Map([['in', 'datastream' as const]]) });
    await Promise.all([p.processBatch(batch, ctx), tick()]);
    expect(parse.mock.calls.map(([record, byTopic]) => [record.offset, byTopic])).toEqual([
      ['0', true],
      ['1', false],
    ]);
    expect(sender.delivered()).toEqual(['0:0', '0:1']);
    expect(sink.letters).toEqual([]);
    expect(committable(p, 'in', 0)).toBe('3');
  });
});
