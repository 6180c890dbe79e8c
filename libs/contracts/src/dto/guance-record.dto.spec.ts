import 'reflect-metadata';
import { GUANCE_RESERVED_FIELDS } from './guance-record.dto';
import { parseRecordValue } from './parse-record-value';

const parse = (body: unknown) => parseRecordValue('guance', Buffer.from(JSON.stringify(body)));
const event = (fields: Record<string, unknown>) => ({ event: { status: 'ok', ...fields } });

describe('GuanceRecordDto', () => {
  it.each<[string, unknown]>([
    [
      'the seed example',
      {
        event: {
          status: 'warning',
          title: 'External Event Monitor Test 1',
          message: 'Hello',
          dimension_tags: { heros: 'caiwenji' },
          check_value: 20,
        },
        extraData: { name: 'xxxxxxxx' },
      },
    ],
    ['only a status', { event: { status: 'critical' } }],
    ['every status', { event: { status: 'error' } }],
    ['a date in seconds', event({ date: 1700000000 })],
    ['date 0', event({ date: 0 })],
    ['user-defined string fields', event({ ext_team: 'ops', biz_id: '123', dimension_tags: { host: 'a' } })],
    ['a fractional check_value', event({ status: 'info', check_value: -0.25 })],
    ['nested extraData', { event: { status: 'ok' }, extraData: { a: { b: [1, 'x', null] } } }],
  ])('accepts %s', (_name, body) => {
    const result = parse(body);
    expect(result.ok).toBe(true);
    expect(result.ok && JSON.parse(JSON.stringify(result.body))).toEqual(body);
  });

  it.each<[string, unknown, string]>([
    ['a missing event', { extraData: { a: 1 } }, 'event is required'],
    ['an array event', { event: [{ status: 'ok' }] }, 'event must be an object'],
    ['a string event', { event: 'ok' }, 'event must be an object'],
    ['a missing status', { event: { title: 't' } }, 'event.status is required'],
    ['an unknown status', event({ status: 'fatal' }), 'event.status must be one of critical, error, warning, info, ok'],
    ['an upper-case status', event({ status: 'OK' }), 'event.status must be one of critical, error, warning, info, ok'],
    [
      'a millisecond date',
      event({ date: 1700000000000 }),
      'event.date must be in seconds, not milliseconds (got 1700000000000)',
    ],
    ['a fractional date', event({ date: 1700000000.5 }), 'event.date must be an integer number of seconds'],
    ['a negative date', event({ date: -1 }), 'event.date must not be negative'],
    ['a string date', event({ date: '1700000000' }), 'event.date must be an integer number of seconds'],
    ['a numeric title', event({ title: 1 }), 'event.title must be a string'],
    ['a null message', event({ message: null }), 'event.message must be a string'],
    ['a string check_value', event({ check_value: '20' }), 'event.check_value must be a finite number'],
    [
      'array dimension_tags',
      event({ dimension_tags: ['a'] }),
      'event.dimension_tags must be an object of string values',
    ],
    ['a numeric dimension tag', event({ dimension_tags: { port: 80 } }), 'event.dimension_tags.port must be a string'],
    ['a numeric user field', event({ ext_count: 3 }), 'event.ext_count must be a string (user-defined field)'],
    ['an object user field', event({ ext_obj: { a: '1' } }), 'event.ext_obj must be a string (user-defined field)'],
    ['a field starting with _', event({ _x: 'a' }), 'event._x must not start with _ or df_'],
    ['a field starting with df_', event({ df_x: 'a' }), 'event.df_x must not start with _ or df_'],
    [
      'a field repeating a dimension tag',
      event({ host: 'b', dimension_tags: { host: 'a' } }),
      'event.host repeats a dimension_tags key',
    ],
    ['an array extraData', { event: { status: 'ok' }, extraData: [1] }, 'extraData must be an object'],
    ['a null extraData', { event: { status: 'ok' }, extraData: null }, 'extraData must be an object'],
    ['an empty extraData', { event: { status: 'ok' }, extraData: {} }, 'extraData must not be empty'],
    [
      'an unknown top-level property',
      { event: { status: 'ok' }, extra_data: { a: 1 } },
      'extra_data is not an allowed field',
    ],
  ])('rejects %s', (_name, body, message) => {
    expect(parse(body)).toEqual({ ok: false, reason: 'invalid', error: expect.stringContaining(message) });
  });

  it.each(GUANCE_RESERVED_FIELDS)('rejects the reserved field %s', (name) => {
    expect(parse(event({ [name]: 'x' }))).toEqual({
      ok: false,
      reason: 'invalid',
      error: `event.${name} is a reserved field name`,
    });
  });

  it('reports every broken rule, joined with "; "', () => {
    const result = parse({ event: { status: 'bad', date: 1.5, source: 'x' }, extraData: [] });
    expect(result).toEqual({
      ok: false,
      reason: 'invalid',
      error:
        'event.status must be one of critical, error, warning, info, ok; event.date must be an integer number of ' +
        'seconds; event.source is a reserved field name; extraData must be an object',
    });
  });
});
