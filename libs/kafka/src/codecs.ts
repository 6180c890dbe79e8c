import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressFrame, decompressFrame } from 'lz4-napi';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappy';

/** What kafkajs asks of a codec: it compresses an encoder's buffer and decompresses a batch. */
export interface KafkaCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** `\x82SNAPPY\0`: the Java client's (xerial) framing; librdkafka writes raw snappy. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** magic, then a version and a compatible-version int32 */
const XERIAL_HEADER_BYTES = 16;

async function snappyBlock(block: Buffer): Promise<Buffer> {
  return (await snappyUncompress(block, { asBuffer: true })) as Buffer;
}

/** Raw snappy, or xerial framing: blocks of int32 big-endian length and raw snappy bytes. */
export async function snappyDecompress(buffer: Buffer): Promise<Buffer> {
  if (buffer.length < XERIAL_HEADER_BYTES || !buffer.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return snappyBlock(buffer);
  }
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < buffer.length;) {
    const size = at + 4 <= buffer.length ? buffer.readInt32BE(at) : -1;
    at += 4;
    if (size < 0 || at + size > buffer.length) throw new Error('truncated xerial snappy block');
    blocks.push(await snappyBlock(buffer.subarray(at, at + size)));
    at += size;
  }
  return Buffer.concat(blocks);
}

const zstdCompressAsync = promisify(zstdCompress);
const zstdDecompressAsync = promisify(zstdDecompress);

/** Raw snappy on write: the Java client and librdkafka both read it. */
export const SNAPPY: KafkaCodec = {
  compress: (encoder) => snappyCompress(encoder.buffer),
  decompress: snappyDecompress,
};

/** The LZ4 frame format, as Kafka's record batches (magic 2) carry it. */
export const LZ4: KafkaCodec = {
  compress: (encoder) => compressFrame(encoder.buffer),
  decompress: (buffer) => decompressFrame(buffer),
};

/** Node's own zstd (zlib). */
export const ZSTD: KafkaCodec = {
  compress: (encoder) => zstdCompressAsync(encoder.buffer),
  decompress: (buffer) => zstdDecompressAsync(buffer),
};

/**
 * Teaches kafkajs snappy, lz4 and zstd (gzip it has), for every client of this process: the
 * registry is kafkajs's own module state. Idempotent.
 */
export function registerCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = () => SNAPPY;
  CompressionCodecs[CompressionTypes.LZ4] = () => LZ4;
  CompressionCodecs[CompressionTypes.ZSTD] = () => ZSTD;
}
