import type { InboundRecord } from '@app/contracts';
import { ctx, FakeSender, FakeSink, pipeline, rec, tick } from './pipeline.fixtures';

describe('record size cap', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'], now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('dead-letters a value over maxRecordBytes as invalid without parsing it, and delivers the rest', async () => {
    const sender = new FakeSender();
    const parsed: string[] = [];
    const parse = sender.parse.bind(sender);
    sender.parse = (record: InboundRecord) => {
      parsed.push(record.offset);
      return parse(record);
    };
    const sink = new FakeSink();
    const p = pipeline(sender, sink, { maxRecordBytes: 1024 });
    const big = rec(1, 'a', 'datastream', { id: 'big', size: 1, key: 'x'.repeat(1100) });
    const exact = rec(2, 'a', 'datastream', `{"id":"0:2","pad":"${'y'.repeat(1024 - 21)}"}`);
    expect(exact.value!.length).toBe(1024);
    await p.processBatch([rec(0, 'a', 'datastream'), big, exact, rec(3, 'a', 'datastream')], ctx);
    await tick(100);
    expect(parsed).toEqual(['0', '2', '3']);
    expect(sender.delivered()).toEqual(['0:0', '0:2', '0:3']);
    expect(sink.letters).toHaveLength(1);
    expect(sink.letters[0]).toMatchObject({
      reason: 'invalid',
      error: `the value is ${big.value!.length} bytes, more than the 1024 this target takes`,
      target: 'datastream',
    });
    expect(sink.letters[0].record.value).toBe(big.value); // the record as fetched, not a copy
    expect(p.committableAll()).toEqual([{ topic: 'in', partition: 0, offset: '4' }]);
  });
});
