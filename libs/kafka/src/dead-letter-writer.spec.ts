import type { InboundRecord } from '@app/contracts';
import type { DeadLetter } from '@app/delivery';
import type { Producer } from 'kafkajs';
import { DeadLetterWriter, DLQ_COMPRESSION, toDeadLetterMessage } from './dead-letter-writer';

const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]);
const record: InboundRecord = {
  topic: 'orders',
  partition: 3,
  offset: '42',
  key: binary,
  value: Buffer.from([0x00, 0xc0, 0xaf, 0xff]),
  headers: [
    { key: 'x-bridge-target', value: Buffer.from('datastream') },
    { key: 'trace', value: Buffer.from([0xfa, 0x01]) },
    { key: 'X-DLQ-Reason', value: Buffer.from('invalid') },
    { key: '__proto__', value: Buffer.from('p') },
    { key: 'constructor', value: null },
    { key: '10', value: Buffer.from('ten') },
    { key: 'trace', value: Buffer.from('b') },
    { key: 'x-dlq-http-status', value: Buffer.from('500') },
    { key: '2', value: null },
  ],
  timestamp: '1700000000123',
};

const letter: DeadLetter = {
  record,
  reason: 'rejected',
  error: 'HTTP 400: bad',
  target: 'datastream',
  attempts: 2,
  firstFailure: new Date('2024-01-02T03:04:05.000Z'),
  lastFailure: new Date('2024-01-02T03:04:06.500Z'),
  httpStatus: 400,
};

describe('toDeadLetterMessage', () => {
  it('keeps every original header in order, any name or null value, and replaces earlier x-dlq-* headers', () => {
    const message = toDeadLetterMessage(letter, 'bridge-datastream');
    expect(message.key).toBe(binary);
    expect(message.value).toEqual(Buffer.from([0x00, 0xc0, 0xaf, 0xff]));
    expect(message.timestamp).toBe('1700000000123');
    expect(message.headers).toEqual([
      { key: 'x-bridge-target', value: Buffer.from('datastream') },
      { key: 'trace', value: Buffer.from([0xfa, 0x01]) },
      { key: '__proto__', value: Buffer.from('p') },
      { key: 'constructor', value: null },
      { key: '10', value: Buffer.from('ten') },
      { key: 'trace', value: Buffer.from('b') },
      { key: '2', value: null },
      { key: 'x-dlq-reason', value: 'rejected' },
      { key: 'x-dlq-error', value: 'HTTP 400: bad' },
      { key: 'x-dlq-target', value: 'datastream' },
      { key: 'x-dlq-source-topic', value: 'orders' },
      { key: 'x-dlq-source-partition', value: '3' },
      { key: 'x-dlq-source-offset', value: '42' },
      { key: 'x-dlq-source-timestamp', value: '1700000000123' },
      { key: 'x-dlq-consumer-group', value: 'bridge-datastream' },
      { key: 'x-dlq-attempts', value: '2' },
      { key: 'x-dlq-first-failure', value: '2024-01-02T03:04:05.000Z' },
      { key: 'x-dlq-last-failure', value: '2024-01-02T03:04:06.500Z' },
      { key: 'x-dlq-http-status', value: '400' },
    ]);
  });

  it('keeps a tombstone null and leaves out what is unknown', () => {
    const message = toDeadLetterMessage(
      {
        record: { ...record, key: null, value: null, headers: [] },
        reason: 'unroutable',
        error: 'no header',
        attempts: 0,
        consumerGroup: 'own',
      },
      'default',
    );
    expect(message.key).toBeNull();
    expect(message.value).toBeNull();
    const names = (message.headers as { key: string }[]).map((h) => h.key);
    expect(names).not.toEqual(expect.arrayContaining(['x-dlq-target', 'x-dlq-http-status']));
    expect(message.headers).toContainEqual({ key: 'x-dlq-consumer-group', value: 'own' });
  });

  it('cuts the error to 1 KiB of UTF-8 without splitting a character', () => {
    const error = 'a'.repeat(1021) + '€€'; // € is 3 bytes: the first one would straddle the limit
    const headers = toDeadLetterMessage({ ...letter, error }, 'g').headers as { key: string; value: string }[];
    const text = headers.find((h) => h.key === 'x-dlq-error')!.value;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    expect(text).toBe(`${'a'.repeat(1021)}…`);
  });
});

describe('DeadLetterWriter', () => {
  it('sends all letters in one zstd-compressed write acknowledged by all in-sync replicas', async () => {
    const send = jest.fn().mockResolvedValue([]);
    const writer = new DeadLetterWriter({ send } as unknown as Producer, 'bridge.dlq', 'g');
    await writer.write([letter, letter]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0]).toMatchObject({ topic: 'bridge.dlq', acks: -1, compression: DLQ_COMPRESSION });
    expect(send.mock.calls[0][0].messages).toHaveLength(2);
    send.mockRejectedValueOnce(new Error('not enough replicas'));
    await expect(writer.write([letter])).rejects.toThrow('not enough replicas');
  });
});
