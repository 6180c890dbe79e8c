import type { KafkaMessage } from 'kafkajs';
import { instant } from '../args';
import { toDlqEntry } from './dlq-entry';
import { matches, parseFilter } from './dlq-filter';

const NOW = Date.parse('2024-06-10T12:00:00Z');

function entry(headers: Record<string, string>) {
  const headerList = Object.entries(headers).map(([key, value]) => ({ key, value: Buffer.from(value) }));
  const message = { key: null, value: null, offset: '0', timestamp: '0', attributes: 0, headers, headerList };
  return toDlqEntry('bridge.dlq', 0, message);
}

const rejected = entry({
  'x-dlq-reason': 'rejected',
  'x-dlq-target': 'guance',
  'x-dlq-source-topic': 'orders',
  'x-dlq-last-failure': '2024-06-01T10:00:00.000Z',
});
const unroutable = entry({ 'x-dlq-reason': 'unroutable', 'x-dlq-source-topic': 'events' });

describe('DLQ filters', () => {
  it('matches everything when empty', () => {
    const all = parseFilter({}, NOW);
    expect([rejected, unroutable].every((e) => matches(all, e))).toBe(true);
  });

  it('matches any of several reasons, targets or source topics, all kinds together', () => {
    const f = parseFilter({ reason: ['rejected,exhausted'], target: ['guance', 'datastream'] }, NOW);
    expect(matches(f, rejected)).toBe(true);
    expect(matches(f, unroutable)).toBe(false);
    expect(matches(parseFilter({ target: ['guance'] }, NOW), unroutable)).toBe(false);
    expect(matches(parseFilter({ 'source-topic': ['events'] }, NOW), unroutable)).toBe(true);
    expect(matches(parseFilter({ 'source-topic': ['events'], reason: ['rejected'] }, NOW), unroutable)).toBe(false);
  });

  it('compares the last failure with --since and --until, both inclusive; no last failure never matches', () => {
    const at = '2024-06-01T10:00:00.000Z';
    expect(matches(parseFilter({ since: at, until: at }, NOW), rejected)).toBe(true);
    expect(matches(parseFilter({ since: '2024-06-01T10:00:00.001Z' }, NOW), rejected)).toBe(false);
    expect(matches(parseFilter({ until: '2024-06-01T09:59:59Z' }, NOW), rejected)).toBe(false);
    expect(matches(parseFilter({ since: '10d' }, NOW), rejected)).toBe(true);
    expect(matches(parseFilter({ since: '2d' }, NOW), rejected)).toBe(false);
    expect(matches(parseFilter({ since: '2000-01-01' }, NOW), unroutable)).toBe(false);
  });

  it('reads times as ISO 8601, UTC unless an offset is given, or as a duration ago', () => {
    expect(instant('--since', '2024-06-01', NOW)).toBe(Date.parse('2024-06-01T00:00:00Z'));
    expect(instant('--since', '2024-06-01T10:00', NOW)).toBe(Date.parse('2024-06-01T10:00:00Z'));
    expect(instant('--since', '2024-06-01 10:00:00.5', NOW)).toBe(Date.parse('2024-06-01T10:00:00.500Z'));
    expect(instant('--since', '2024-06-01T10:00:00+09:00', NOW)).toBe(Date.parse('2024-06-01T01:00:00Z'));
    expect(instant('--since', '90s', NOW)).toBe(NOW - 90_000);
    expect(instant('--since', '2h', NOW)).toBe(NOW - 7_200_000);
    for (const bad of ['yesterday', '2024-6-1', '1700000000', '2024-06-01T25:00:00Z', '5w']) {
      expect(() => instant('--since', bad, NOW)).toThrow(/--since must be an ISO 8601 time/);
    }
  });

  it('reads the x-dlq-* headers of an entry, the first value of a repeated one', () => {
    const e = entry({
      'x-dlq-attempts': '12',
      'x-dlq-http-status': '503',
      'x-dlq-source-partition': '3',
      'x-bridge-replay-count': '2',
    });
    expect(e).toMatchObject({ attempts: 12, httpStatus: 503, source: { partition: 3 }, replayCount: 2 });
    const repeated = toDlqEntry('d', 0, {
      key: null,
      value: null,
      offset: '1',
      timestamp: '0',
      attributes: 0,
      headers: {},
      headerList: [
        { key: 'x-bridge-replay-count', value: Buffer.from('2') },
        { key: 'x-bridge-replay-count', value: Buffer.from('1') },
        { key: 'x-dlq-attempts', value: Buffer.from('x') },
        { key: 'x-dlq-reason', value: null },
      ],
    } as KafkaMessage);
    expect(repeated).toMatchObject({ replayCount: 2, attempts: undefined, reason: undefined });
  });
});
