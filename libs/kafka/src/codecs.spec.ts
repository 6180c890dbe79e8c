import { CompressionTypes } from 'kafkajs';
import { compressSync } from 'snappy';
import { registerCodecs, snappyDecompress } from './codecs';

// kafkajs's own record batch encoder and decoder: what a fetch and a produce go through.
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const Decoder = require('kafkajs/src/protocol/decoder');

const json = (i: number) => Buffer.from(JSON.stringify({ id: i, note: 'compressible '.repeat(20) }));

async function roundTrip(compression: CompressionTypes, count: number) {
  const records = Array.from({ length: count }, (_, i) =>
    Record({
      offsetDelta: i,
      key: Buffer.from(`k${i}`),
      value: json(i),
      headers: [
        { key: 'x-bridge-target', value: Buffer.from('guance') },
        { key: 'constructor', value: null },
      ],
    }),
  );
  const batch = await RecordBatch({ compression, records, lastOffsetDelta: count - 1 });
  return decodeBatch(new Decoder(batch.buffer)) as Promise<{
    records: { offset: string; value: Buffer; headerList: { key: string; value: Buffer | null }[] }[];
  }>;
}

describe('compression codecs', () => {
  beforeAll(() => registerCodecs());

  it.each([
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
    ['zstd', CompressionTypes.ZSTD],
  ])('kafkajs writes and reads %s record batches', async (_name, compression) => {
    const { records } = await roundTrip(compression, 500);
    expect(records).toHaveLength(500);
    expect(records[499].offset).toBe('499');
    expect(records[499].value).toEqual(json(499));
    expect(records[0].headerList).toEqual([
      { key: 'x-bridge-target', value: Buffer.from('guance') },
      { key: 'constructor', value: null },
    ]);
  });

  it('reads snappy in xerial framing (the Java client) as well as raw (librdkafka)', async () => {
    const parts = [Buffer.from('first block, '), Buffer.from('second block')];
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]);
    const blocks = parts.map((p) => {
      const block = compressSync(p);
      const size = Buffer.alloc(4);
      size.writeInt32BE(block.length);
      return Buffer.concat([size, block]);
    });
    const framed = Buffer.concat([header, ...blocks]);
    expect(await snappyDecompress(framed)).toEqual(Buffer.concat(parts));
    expect(await snappyDecompress(compressSync(parts[0]))).toEqual(parts[0]);
    await expect(snappyDecompress(framed.subarray(0, framed.length - 2))).rejects.toThrow('truncated');
  });
});
