import type { InboundRecord } from '@app/contracts';
import type { Producer } from 'kafkajs';
import { DeadLetterWriter, toDeadLetterMessage, truncateUtf8 } from './dead-letter-writer';
import type { DeadLetter } from './target-sender';

const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]);
const record: InboundRecord = {
  topic: 'orders',
  partition: 3,
  offset: '42',
  key: binary,
  value: Buffer.from([0x00, 0xc0, 0xaf, 0xff]),
  headers: {
    'x-bridge-target': Buffer.from('datastream'),
    trace: [Buffer.from([0xfa, 0x01]), Buffer.from('b')],
    'x-dlq-reason': Buffer.from('invalid'),
    'x-dlq-http-status': Buffer.from('500'),
  },
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
  it('keeps the original bytes and replaces earlier x-dlq-* headers', () => {
    const message = toDeadLetterMessage(letter, 'bridge-datastream');
    expect(message.key).toBe(binary);
    expect(message.value).toEqual(Buffer.from([0x00, 0xc0, 0xaf, 0xff]));
    expect(message.timestamp).toBe('1700000000123');
    expect(message.headers).toEqual({
      'x-bridge-target': Buffer.from('datastream'),
      trace: [Buffer.from([0xfa, 0x01]), Buffer.from('b')],
      'x-dlq-reason': 'rejected',
      'x-dlq-error': Buffer.from('HTTP 400: bad'),
      'x-dlq-target': 'datastream',
      'x-dlq-source-topic': 'orders',
      'x-dlq-source-partition': '3',
      'x-dlq-source-offset': '42',
      'x-dlq-source-timestamp': '1700000000123',
      'x-dlq-consumer-group': 'bridge-datastream',
      'x-dlq-attempts': '2',
      'x-dlq-first-failure': '2024-01-02T03:04:05.000Z',
      'x-dlq-last-failure': '2024-01-02T03:04:06.500Z',
      'x-dlq-http-status': '400',
    });
  });

  it('keeps a tombstone null and leaves out what is unknown', () => {
    const message = toDeadLetterMessage(
      {
        record: { ...record, key: null, value: null, headers: {} },
        reason: 'unroutable',
        error: 'no header',
        attempts: 0,
        consumerGroup: 'own',
      },
      'default',
    );
    expect(message.key).toBeNull();
    expect(message.value).toBeNull();
    expect(Object.keys(message.headers!)).not.toEqual(expect.arrayContaining(['x-dlq-target', 'x-dlq-http-status']));
    expect(message.headers!['x-dlq-consumer-group']).toBe('own');
  });

  it('truncates the error to 1 KiB of UTF-8 without splitting a character', () => {
    const error = 'a'.repeat(1022) + '€€'; // € is 3 bytes: the first one would straddle the limit
    const header = toDeadLetterMessage({ ...letter, error }, 'g').headers!['x-dlq-error'] as Buffer;
    expect(header.length).toBe(1022);
    expect(header.toString('utf8')).toBe('a'.repeat(1022));
    expect(truncateUtf8('ab€', 5).toString()).toBe('ab€');
    expect(truncateUtf8('ab€', 4).toString()).toBe('ab');
  });
});

describe('DeadLetterWriter', () => {
  it('sends all letters in one write acknowledged by all in-sync replicas', async () => {
    const send = jest.fn().mockResolvedValue([]);
    const writer = new DeadLetterWriter({ send } as unknown as Producer, 'bridge.dlq', 'g');
    await writer.write([letter, letter]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0][0]).toMatchObject({ topic: 'bridge.dlq', acks: -1 });
    expect(send.mock.calls[0][0].messages).toHaveLength(2);
    send.mockRejectedValueOnce(new Error('not enough replicas'));
    await expect(writer.write([letter])).rejects.toThrow('not enough replicas');
  });
});
