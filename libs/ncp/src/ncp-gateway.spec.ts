import { Redactor } from '@app/http';
import { NcpGateway } from './ncp-gateway';

const gateway = new NcpGateway({
  endpoint: 'http://127.0.0.1:1',
  credentials: { accessKey: 'AK', secretKey: 'SK' },
  timeoutMs: 1000,
});
const answer = (status: number, body: unknown) => ({
  status,
  headers: {},
  body: Buffer.from(JSON.stringify(body)),
  truncated: false,
  redactor: Redactor.NONE,
});

describe('NcpGateway.result', () => {
  afterAll(() => gateway.close());

  it.each([
    [401, { error: { errorCode: '200', message: 'Authentication Failed' } }],
    [401, { error: { errorCode: '210', message: 'Permission Denied' } }],
    [403, { error: { errorCode: '210', message: 'Forbidden' } }],
    [404, { error: { errorCode: '300', message: 'Not Found Exception' } }],
  ])('%i %j refuses our requests, whatever the record', (status, body) => {
    expect(gateway.result(answer(status, body))).toMatchObject({ outcome: 'refused', status });
  });

  it.each([
    [400, { status: 400, detail: 'Bad Request, Invalid topic partition' }],
    [404, { status: 404, detail: 'Invalid topic' }],
    [413, { error: { errorCode: '430', message: 'Request Entity Too Large' } }],
  ])("%i %j rejects the body (the API's own answer)", (status, body) => {
    expect(gateway.result(answer(status, body))).toMatchObject({ outcome: 'permanent', status });
  });

  it.each([
    [429, '400'],
    [429, '410'],
    [429, '420'],
    [503, '500'],
    [504, '510'],
    [500, '900'],
  ])('%i (errorCode %s) is retryable', (status, errorCode) => {
    expect(gateway.result(answer(status, { error: { errorCode, message: 'x' } }))).toMatchObject({
      outcome: 'retryable',
      status,
    });
  });
});
