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
    headers: {
      'x-bridge-target': Buffer.from('guance'),
      multi: [Buffer.from('a'), Buffer.from('b')],
      trace: NOT_UTF8,
      'x-dlq-reason': Buffer.from('exhausted'),
      'x-dlq-source-topic': Buffer.from('events'),
      'x-dlq-source-partition': Buffer.from('2'),
      'X-DLQ-Odd-Case': Buffer.from('dropped too'),
      'x-bridge-replay-count': Buffer.from('1'),
    },
  } as KafkaMessage;
  const entry = toDlqEntry('bridge.dlq', 0, message);

  it('restores key, value (null stays null) and headers minus x-dlq-*, with the counter incremented', () => {
    expect(replayMessage(entry, 3)).toEqual({
      key: NOT_UTF8,
      value: null,
      partition: 2,
      headers: {
        'x-bridge-target': Buffer.from('guance'),
        multi: [Buffer.from('a'), Buffer.from('b')],
        trace: NOT_UTF8,
        'x-bridge-replay-count': '2',
      },
    });
  });

  it('lets the partitioner choose when the source partition is gone or unknown', () => {
    expect(replayMessage(entry, 2).partition).toBeUndefined();
    expect(replayMessage({ ...entry, source: {} }, 8).partition).toBeUndefined();
  });

  it('starts the counter at 1', () => {
    expect(replayHeaders({ a: 'b' }, 1)).toEqual({ a: 'b', 'x-bridge-replay-count': '1' });
  });
});
