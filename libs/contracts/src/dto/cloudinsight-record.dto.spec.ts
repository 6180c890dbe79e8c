import 'reflect-metadata';
import { parseRecordValue } from './parse-record-value';

const parse = (body: unknown) => parseRecordValue('cloudinsight', Buffer.from(JSON.stringify(body)));

describe('CloudInsightRecordDto', () => {
  it.each<[string, unknown]>([
    [
      'the seed example',
      { cw_key: 'abc', data: { cpu: 1.5, sessionCount: 1290, trafficIn: 12984721, instanceId: 'i-1' } },
    ],
    ['an array of records', { cw_key: 'abc', data: [{ cpu: 1 }, { cpu: 2, host: 'a' }] }],
    ['negative and zero numbers', { cw_key: 'abc', data: { a: -1, b: 0, c: 1e-9 } }],
    ['empty string fields', { cw_key: 'abc', data: { host: '' } }],
    ['a one-element array', { cw_key: 'abc', data: [{ n: 1 }] }],
    ['numeric strings', { cw_key: 'abc', data: { big: '12345678901234567890' } }],
  ])('accepts %s', (_name, body) => {
    expect(parse(body)).toEqual({ ok: true, body: expect.objectContaining(body as object) });
  });

  it.each<[string, unknown, string]>([
    ['a missing cw_key', { data: { a: 1 } }, 'cw_key is required'],
    ['an empty cw_key', { cw_key: '', data: { a: 1 } }, 'cw_key must not be empty'],
    ['a numeric cw_key', { cw_key: 5, data: { a: 1 } }, 'cw_key must be a string'],
    ['a missing data', { cw_key: 'k' }, 'data is required'],
    ['a string data', { cw_key: 'k', data: 'cpu=1' }, 'data must be an object or an array of objects'],
    ['an empty array', { cw_key: 'k', data: [] }, 'data must not be an empty array'],
    ['an empty record', { cw_key: 'k', data: {} }, 'data must have at least one field'],
    [
      'a number in the array',
      { cw_key: 'k', data: [{ a: 1 }, 2] },
      'data[1] must be an object of string or number fields',
    ],
    ['a nested array', { cw_key: 'k', data: [[{ a: 1 }]] }, 'data[0] must be an object of string or number fields'],
    [
      'a null field',
      { cw_key: 'k', data: [{ a: 1 }, { b: 1 }, { cpu: null }] },
      'data[2].cpu must be a string or a finite number',
    ],
    ['a boolean field', { cw_key: 'k', data: { up: true } }, 'data.up must be a string or a finite number'],
    [
      'a deeply nested field',
      { cw_key: 'k', data: { a: { b: { c: { d: 1 } } } } },
      'data.a must be a string or a finite number',
    ],
    ['an array field', { cw_key: 'k', data: { a: [1, 2] } }, 'data.a must be a string or a finite number'],
    ['an unknown property', { cw_key: 'k', data: { a: 1 }, region: 'KR' }, 'region is not an allowed field'],
  ])('rejects %s', (_name, body, message) => {
    expect(parse(body)).toEqual({ ok: false, reason: 'invalid', error: expect.stringContaining(message) });
  });

  it('rejects an infinite number (1e999 parses as Infinity)', () => {
    const result = parseRecordValue('cloudinsight', Buffer.from('{"cw_key":"k","data":{"cpu":1e999}}'));
    expect(result).toEqual({ ok: false, reason: 'invalid', error: 'data.cpu must be a string or a finite number' });
  });

  it('names every bad field, joined with "; "', () => {
    const result = parse({ cw_key: '', data: [{ a: null }, { b: false }] });
    expect(result).toEqual({
      ok: false,
      reason: 'invalid',
      error:
        'cw_key must not be empty; data[0].a must be a string or a finite number; data[1].b must be a string or a finite number',
    });
  });
});
