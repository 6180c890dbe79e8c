import type { InboundRecord, RecordHeaders } from '@app/contracts';
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
});
