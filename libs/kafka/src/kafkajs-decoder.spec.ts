// The patched kafkajs record batch decoder: offsets and timestamps in number arithmetic where that is
// exact, the Long path elsewhere. Compared with what the records hold.
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (batch: object) => Promise<{ buffer: Buffer }>;
};
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => object;
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<DecodedBatch>;
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromValue(v: string | number): unknown };
const Batch = require('kafkajs/src/consumer/batch') as new (
  topic: string,
  fetchedOffset: string,
  partitionData: object,
) => { messages: { offset: string }[] };

interface DecodedBatch {
  records: { offset: string; timestamp: string; headers: Record<string, unknown>; headerList: unknown[] }[];
}

/** One batch at `firstOffset`/`firstTimestamp`, with records at these offset and timestamp deltas. */
async function decoded(firstOffset: string, firstTimestamp: string, deltas: [number, number | string][]) {
  const records = deltas.map(([offsetDelta, timestampDelta]) =>
    encodeRecord({
      offsetDelta,
      timestampDelta: Long.fromValue(timestampDelta),
      key: null,
      value: Buffer.from('v'),
      headers: [
        { key: 'a', value: Buffer.from('1') },
        { key: 'a', value: Buffer.from('2') },
        { key: 'constructor', value: null },
      ],
    }),
  );
  const { buffer } = await RecordBatch({
    firstOffset: Long.fromValue(firstOffset),
    firstTimestamp: Long.fromValue(firstTimestamp),
    maxTimestamp: Long.fromValue(firstTimestamp),
    lastOffsetDelta: deltas.at(-1)![0],
    records,
  });
  return (await decodeBatch(new Decoder(buffer))).records;
}

describe('kafkajs record batch decoder (patched)', () => {
  it('computes offsets and timestamps exactly, with small and large deltas', async () => {
    const records = await decoded('1234567890', '1700000000000', [
      [0, 0],
      [1, -5],
      [7, 2 ** 40],
      [2 ** 30, '-1099511627776000'], // a delta of 8 bytes and more: the Long path
    ]);
    expect(records.map((r) => [r.offset, r.timestamp])).toEqual([
      ['1234567890', '1700000000000'],
      ['1234567891', '1699999999995'],
      ['1234567897', String(1700000000000 + 2 ** 40)],
      [String(1234567890 + 2 ** 30), String(1700000000000n - 1099511627776000n)],
    ]);
  });

  it('keeps exact offsets past 2^53 (the Long path)', async () => {
    const base = 2n ** 62n;
    const records = await decoded(String(base), '-1', [
      [0, 0],
      [3, 2],
    ]);
    expect(records.map((r) => [r.offset, r.timestamp])).toEqual([
      [String(base), '-1'],
      [String(base + 3n), '1'],
    ]);
  });

  it('drops the messages of a fetched batch below the offset it was fetched from, whatever their length', () => {
    const partitionData = (offsets: string[]) => ({
      partition: 0,
      highWatermark: '1000',
      abortedTransactions: [],
      messages: offsets.map((offset) => ({ offset, isControlRecord: false })),
    });
    const kept = (from: string, offsets: string[]) =>
      new Batch('t', from, partitionData(offsets)).messages.map((m) => m.offset);
    expect(kept('10', ['8', '9', '10', '11', '100'])).toEqual(['10', '11', '100']);
    expect(kept('99', ['98', '99', '100'])).toEqual(['99', '100']);
    expect(kept('0', ['0', '1'])).toEqual(['0', '1']);
    expect(kept('9007199254740993', ['9007199254740992', '9007199254740993', '10000000000000000'])).toEqual([
      '9007199254740993',
      '10000000000000000',
    ]);
  });

  it('keeps every header in `headerList`, and `headers` by name, as own properties (a spread copies them)', async () => {
    const [record] = await decoded('0', '0', [[0, 0]]);
    const copy = { ...record };
    expect(copy.headerList).toHaveLength(3);
    expect(copy.headers.a).toEqual([Buffer.from('1'), Buffer.from('2')]);
    expect(copy.headers.constructor).toBeNull();
  });
});
