import 'reflect-metadata';
import { DATASTREAM_MAX_VALUE_BYTES } from './datastream-record.dto';
import { parseRecordValue } from './parse-record-value';

const ok = { topic: 'prefix__orders', key: 'order-1', value: '{"id":1}' };
const parse = (body: unknown) => parseRecordValue('datastream', Buffer.from(JSON.stringify(body)));

describe('DataStreamRecordDto', () => {
  it.each<[string, unknown]>([
    ['a minimal message', ok],
    ['an empty key and value', { ...ok, key: '', value: '' }],
    ['partition 0', { ...ok, partition: 0 }],
    ['a large partition', { ...ok, partition: 2 ** 31 - 1 }],
    ['a value of exactly 1 MiB', { ...ok, value: 'x'.repeat(DATASTREAM_MAX_VALUE_BYTES) }],
    [
      'a value of exactly 1 MiB in multi-byte characters',
      { ...ok, value: '한'.repeat(DATASTREAM_MAX_VALUE_BYTES / 4) + 'x'.repeat(DATASTREAM_MAX_VALUE_BYTES / 4) },
    ],
  ])('accepts %s', (_name, body) => {
    const result = parse(body);
    expect(result).toEqual({ ok: true, body: expect.objectContaining(body as object) });
  });

  it.each<[string, unknown, string]>([
    ['an empty object', {}, 'topic is required; key is required; value is required'],
    ['a missing topic', { key: 'k', value: 'v' }, 'topic is required'],
    ['an empty topic', { ...ok, topic: '' }, 'topic must not be empty'],
    ['a numeric topic', { ...ok, topic: 7 }, 'topic must be a string'],
    ['a null key', { ...ok, key: null }, 'key is required'],
    ['a numeric key', { ...ok, key: 1 }, 'key must be a string'],
    ['an object value', { ...ok, value: { id: 1 } }, 'value must be a string'],
    [
      'a value of 1 MiB + 1 byte',
      { ...ok, value: 'x'.repeat(DATASTREAM_MAX_VALUE_BYTES + 1) },
      `value must be at most ${DATASTREAM_MAX_VALUE_BYTES} bytes of UTF-8 (got ${DATASTREAM_MAX_VALUE_BYTES + 1})`,
    ],
    [
      'a value over 1 MiB only in UTF-8 bytes',
      { ...ok, value: '한'.repeat(DATASTREAM_MAX_VALUE_BYTES / 3 + 1) },
      'value must be at most',
    ],
    ['a negative partition', { ...ok, partition: -1 }, 'partition must be an integer between 0 and 2147483647'],
    ['a fractional partition', { ...ok, partition: 1.5 }, 'partition must be an integer between 0 and 2147483647'],
    ['a string partition', { ...ok, partition: '1' }, 'partition must be an integer between 0 and 2147483647'],
    ['a null partition', { ...ok, partition: null }, 'partition must be an integer between 0 and 2147483647'],
    ['an unknown property', { ...ok, headers: {} }, 'headers is not an allowed field'],
  ])('rejects %s', (_name, body, message) => {
    expect(parse(body)).toEqual({ ok: false, reason: 'invalid', error: expect.stringContaining(message) });
  });
});
