import 'reflect-metadata';
import type { InboundRecord } from './inbound-record';
import { routedRecordBody, type TopicRoute } from './topic-route';

const record = (key: Buffer | string | null, value: Buffer | string | null): InboundRecord => ({
  topic: 'orders',
  partition: 0,
  offset: '7',
  key: typeof key === 'string' ? Buffer.from(key) : key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  headers: [],
  timestamp: '0',
});
const toDataStream: TopicRoute = { label: 'route 1', target: 'datastream', datastreamTopic: 'acct__orders' };
const toCloudInsight: TopicRoute = { label: 'route 2', target: 'cloudinsight', cwKey: 'cw-1' };
const toGuance: TopicRoute = { label: 'route 3', target: 'guance', monitor: 'ops' };
const json = (body: unknown) => JSON.parse(JSON.stringify(body)) as unknown;

describe('routedRecordBody', () => {
  it('makes a Data Stream message of the key and value as text, a null key as ""', () => {
    const built = routedRecordBody(toDataStream, record('order-1', 'plain text, not JSON'));
    expect(built.ok && json(built.body)).toEqual({
      topic: 'acct__orders',
      key: 'order-1',
      value: 'plain text, not JSON',
    });
    const keyless = routedRecordBody(toDataStream, record(null, '{"id":1}'));
    expect(keyless.ok && json(keyless.body)).toEqual({ topic: 'acct__orders', key: '', value: '{"id":1}' });
  });

  it('makes a SendData body of the value as data, one object or an array of them', () => {
    const one = routedRecordBody(toCloudInsight, record('k', '{"cpu":1.5,"host":"a"}'));
    expect(one.ok && json(one.body)).toEqual({ cw_key: 'cw-1', data: { cpu: 1.5, host: 'a' } });
    const many = routedRecordBody(toCloudInsight, record('k', '[{"cpu":1},{"cpu":2}]'));
    expect(many.ok && json(many.body)).toEqual({ cw_key: 'cw-1', data: [{ cpu: 1 }, { cpu: 2 }] });
  });

  it('makes a push-events body of the value as the event', () => {
    const built = routedRecordBody(toGuance, record(null, '{"status":"warning","title":"disk"}'));
    expect(built.ok && json(built.body)).toEqual({ event: { status: 'warning', title: 'disk' } });
  });

  it.each<[string, TopicRoute, InboundRecord, string, string]>([
    ['a binary key', toDataStream, record(Buffer.from([0xff, 0xfe]), 'v'), 'malformed', 'the key is not valid UTF-8'],
    ['a binary value', toDataStream, record('k', Buffer.from([0xc3])), 'malformed', 'the value is not valid UTF-8'],
    ['a tombstone', toDataStream, record('k', null), 'malformed', 'the value is null (a tombstone)'],
    ['a value over 1 MiB', toDataStream, record('k', 'x'.repeat(1024 * 1024 + 1)), 'invalid', 'value must be at most'],
    ['a value that is not JSON', toCloudInsight, record('k', 'cpu=1'), 'malformed', 'the value is not JSON'],
    ['a nested field', toCloudInsight, record('k', '{"cpu":{"user":1}}'), 'invalid', 'data.cpu must be a string or'],
    ['a JSON string', toCloudInsight, record('k', '"cpu"'), 'invalid', 'data must be an object or an array'],
    ['an array event', toGuance, record('k', '[{"status":"ok"}]'), 'malformed', 'must be a JSON object, not an array'],
    ['an event without status', toGuance, record('k', '{"title":"t"}'), 'invalid', 'event.status is required'],
  ])('dead-letters %s, naming the route', (_name, route, rec, reason, message) => {
    const built = routedRecordBody(route, rec);
    expect(built).toEqual({ ok: false, reason, error: expect.stringContaining(message) });
    expect(!built.ok && built.error).toMatch(new RegExp(`^routed by ${route.label}: `));
  });
});
