import type { KafkaMessage } from 'kafkajs';
import { toDlqEntry } from './dlq-entry';
import { replayHeaders, replayMessage } from './replay-message';

const NOT_UTF8 = Buffer.from([0xff, 0xfe, 0x00]);

describe('replayMessage', () => {
  const message = {
    key: NOT_UTF8,
    value: null,
    offset: '7',
    timestamp: '1700000000000',
    attributes: 0,
    headers: {},
    headerList: [
      { key: 'x-bridge-target', value: Buffer.from('guance') },
      { key: 'multi', value: Buffer.from('a') },
      { key: '__proto__', value: null },
      { key: 'multi', value: Buffer.from('b') },
      { key: 'trace', value: NOT_UTF8 },
      { key: 'x-dlq-reason', value: Buffer.from('exhausted') },
      { key: 'x-dlq-source-topic', value: Buffer.from('events') },
      { key: 'x-dlq-source-partition', value: Buffer.from('2') },
      { key: 'X-DLQ-Odd-Case', value: Buffer.from('dropped too') },
      { key: 'x-bridge-replay-count', value: Buffer.from('1') },
      { key: '7', value: Buffer.from('integer-like name stays in place') },
    ],
  } as KafkaMessage;
  const entry = toDlqEntry('bridge.dlq', 0, message);

  it('restores key, value (null stays null) and headers in order minus x-dlq-*, with the counter incremented', () => {
    expect(replayMessage(entry, 3)).toEqual({
      key: NOT_UTF8,
      value: null,
      partition: 2,
      headers: [
        { key: 'x-bridge-target', value: Buffer.from('guance') },
        { key: 'multi', value: Buffer.from('a') },
        { key: '__proto__', value: null },
        { key: 'multi', value: Buffer.from('b') },
        { key: 'trace', value: NOT_UTF8 },
        { key: '7', value: Buffer.from('integer-like name stays in place') },
        { key: 'x-bridge-replay-count', value: '2' },
      ],
    });
  });

  it('lets the partitioner choose when the source partition is gone or unknown', () => {
    expect(replayMessage(entry, 2).partition).toBeUndefined();
    expect(replayMessage({ ...entry, source: {} }, 8).partition).toBeUndefined();
  });

  it('starts the counter at 1', () => {
    expect(replayHeaders([{ key: 'a', value: Buffer.from('b') }], 1)).toEqual([
      { key: 'a', value: Buffer.from('b') },
      { key: 'x-bridge-replay-count', value: '1' },
    ]);
  });
});
