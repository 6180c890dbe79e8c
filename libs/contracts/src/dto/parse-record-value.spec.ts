import 'reflect-metadata';
import { DLQ_ERROR_MAX_BYTES } from '../dlq';
import { CloudInsightRecordDto } from './cloudinsight-record.dto';
import { DataStreamRecordDto } from './datastream-record.dto';
import { GuanceEventDto, GuanceRecordDto } from './guance-record.dto';
import { MAX_RECORD_DEPTH, parseRecordValue, validateRecordBody } from './parse-record-value';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const ds = { topic: 't', key: 'k', value: 'v' };

describe('parseRecordValue: malformed values', () => {
  it.each<[string, Buffer | null, string]>([
    ['a null value (tombstone)', null, 'the value is null (a tombstone), not a JSON body'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'the value is not valid UTF-8'],
    ['a lone continuation byte', Buffer.from([0x80]), 'the value is not valid UTF-8'],
    ['truncated JSON', Buffer.from('{"topic":"t","key":'), 'the value is not JSON'],
    ['an empty value', Buffer.alloc(0), 'the value is not JSON'],
    ['plain text', Buffer.from('hello'), 'the value is not JSON'],
    ['a JSON array', Buffer.from('[{"topic":"t"}]'), 'the value must be a JSON object, not an array'],
    ['a JSON number', Buffer.from('42'), 'the value must be a JSON object, not a number'],
    ['a JSON string', Buffer.from('"x"'), 'the value must be a JSON object, not a string'],
    ['JSON null', Buffer.from('null'), 'the value must be a JSON object, not null'],
  ])('%s is malformed', (_name, value, message) => {
    for (const target of ['datastream', 'cloudinsight', 'guance'] as const) {
      const result = parseRecordValue(target, value);
      expect(result).toEqual({ ok: false, reason: 'malformed', error: expect.stringContaining(message) });
    }
  });

  it('accepts a UTF-8 byte order mark and multi-byte text', () => {
    const value = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json({ ...ds, value: '한국어 ✓ 🚀' })]);
    expect(parseRecordValue('datastream', value)).toEqual({
      ok: true,
      body: expect.objectContaining({ value: '한국어 ✓ 🚀' }),
    });
  });
});

describe('parseRecordValue: bodies', () => {
  it('returns instances of the target DTO', () => {
    const d = parseRecordValue('datastream', json(ds));
    const c = parseRecordValue('cloudinsight', json({ cw_key: 'k', data: { a: 1 } }));
    const g = parseRecordValue('guance', json({ event: { status: 'ok', ext: 'x' } }));
    expect(d.ok && d.body).toBeInstanceOf(DataStreamRecordDto);
    expect(c.ok && c.body).toBeInstanceOf(CloudInsightRecordDto);
    expect(g.ok && g.body).toBeInstanceOf(GuanceRecordDto);
    expect(g.ok && g.body.event).toBeInstanceOf(GuanceEventDto);
  });

  it('serialises a valid body back to the JSON it came from', () => {
    const body = {
      event: { status: 'warning', date: 1700000000, dimension_tags: { host: 'a' }, ext_team: 'ops' },
      extraData: { runbook: 'https://example.com', nested: { ok: [1, 2] } },
    };
    const result = parseRecordValue('guance', json(body));
    expect(result.ok && JSON.parse(JSON.stringify(result.body))).toEqual(body);
  });

  it('keeps every field as it arrived, in its order, even one named like a method of every object', () => {
    const data = { valueOf: 1, toString: 'up', hasOwnProperty: 2, cpu: 37.5 };
    const c = parseRecordValue('cloudinsight', json({ cw_key: 'k', data }));
    expect(c.ok && JSON.stringify(c.body)).toBe(JSON.stringify({ cw_key: 'k', data }));
    const g = parseRecordValue('guance', json({ event: { title: 't', toString: 'x', status: 'ok' } }));
    expect(g.ok && JSON.stringify(g.body)).toBe('{"event":{"title":"t","toString":"x","status":"ok"}}');
    expect(parseRecordValue('datastream', json({ ...ds, toString: 'x' }))).toEqual({
      ok: false,
      reason: 'invalid',
      error: 'toString is not an allowed field',
    });
  });

  it('refuses a target it has no contract for instead of throwing', () => {
    expect(validateRecordBody('kinesis' as 'guance', {})).toEqual({
      ok: false,
      reason: 'invalid',
      error: 'no record contract for target "kinesis"',
    });
    expect(validateRecordBody('constructor' as 'guance', {})).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('validateRecordBody checks already decoded JSON', () => {
    expect(validateRecordBody('datastream', ds).ok).toBe(true);
    expect(validateRecordBody('datastream', [ds])).toEqual({
      ok: false,
      reason: 'invalid',
      error: 'the body must be a JSON object, not an array',
    });
  });
});

describe('parseRecordValue: prototype pollution and depth', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it.each<[string, string, string]>([
    [
      'datastream',
      `{"__proto__":{"polluted":1},"topic":"t","key":"k","value":"v"}`,
      '__proto__ is not an allowed field name',
    ],
    ['datastream', `{"constructor":{"prototype":{"polluted":1}},"topic":"t","key":"k","value":"v"}`, 'constructor'],
    [
      'cloudinsight',
      `{"cw_key":"k","data":[{"a":1},{"__proto__":{"polluted":1}}]}`,
      'data[1].__proto__ is not an allowed',
    ],
    ['cloudinsight', `{"cw_key":"k","data":{"constructor":"x"}}`, 'data.constructor is not an allowed field name'],
    ['guance', `{"event":{"status":"ok","__proto__":{"polluted":1}}}`, 'event.__proto__ is not an allowed field name'],
    ['guance', `{"event":{"status":"ok"},"extraData":{"a":{"__proto__":{"polluted":1}}}}`, 'extraData.a.__proto__'],
    ['guance', `{"event":{"status":"ok","dimension_tags":{"constructor":"x"}}}`, 'event.dimension_tags.constructor'],
  ])('%s rejects %s', (target, text, message) => {
    const result = parseRecordValue(target as 'guance', Buffer.from(text));
    expect(result).toEqual({ ok: false, reason: 'invalid', error: expect.stringContaining(message) });
  });

  it(`rejects nesting deeper than ${MAX_RECORD_DEPTH} levels without overflowing the stack`, () => {
    for (const depth of [MAX_RECORD_DEPTH + 1, 100_000]) {
      const text = `{"event":{"status":"ok"},"extraData":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
      const result = parseRecordValue('guance', Buffer.from(text));
      expect(result).toEqual({ ok: false, reason: 'invalid', error: expect.stringContaining('nested more than') });
    }
  });

  it('accepts nesting up to the limit', () => {
    const depth = MAX_RECORD_DEPTH - 2;
    const text = `{"event":{"status":"ok"},"extraData":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    expect(parseRecordValue('guance', Buffer.from(text)).ok).toBe(true);
  });
});

describe('parseRecordValue: error size', () => {
  it('caps the number of messages and the bytes of the error', () => {
    const data = Array.from({ length: 1000 }, () => ({ ['k'.repeat(500)]: null }));
    const result = parseRecordValue('cloudinsight', json({ cw_key: 'k', data }));
    expect(result.ok).toBe(false);
    const error = result.ok ? '' : result.error;
    expect(Buffer.byteLength(error)).toBeLessThanOrEqual(DLQ_ERROR_MAX_BYTES);
    expect(error.split('; ').length).toBeLessThanOrEqual(9);
  });

  it('keeps control characters of keys out of the message', () => {
    const result = parseRecordValue('cloudinsight', json({ cw_key: 'k', data: { 'a\nb': null } }));
    expect(result).toEqual({ ok: false, reason: 'invalid', error: 'data.a?b must be a string or a finite number' });
  });
});
