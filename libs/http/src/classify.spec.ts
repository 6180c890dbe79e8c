import { answerResult, describeFailure, failureResult, isRetryableStatus } from './classify';
import { Answer, ExchangeError } from './exchange';
import { excerpt, redact } from './redact';

const answer = (status: number, body = '', headers: Answer['headers'] = {}): Answer => ({
  status,
  headers,
  body: Buffer.from(body),
});

describe('answerResult', () => {
  it('2xx is delivered', () => {
    expect(answerResult(answer(200))).toEqual({ outcome: 'delivered', status: 200 });
    expect(answerResult(answer(202))).toEqual({ outcome: 'delivered', status: 202 });
  });

  it.each([408, 429, 500, 502, 503, 504])('%i is retryable', (status) => {
    expect(answerResult(answer(status, 'busy'))).toEqual({
      outcome: 'retryable',
      status,
      error: `HTTP ${status}: busy`,
    });
  });

  it.each([400, 401, 403, 404, 413, 301])('%i is permanent', (status) => {
    expect(answerResult(answer(status, 'no'))).toEqual({ outcome: 'permanent', status, error: `HTTP ${status}: no` });
  });

  it('carries Retry-After on retryable answers', () => {
    expect(answerResult(answer(429, '', { 'retry-after': '2' }))).toEqual({
      outcome: 'retryable',
      status: 429,
      retryAfterMs: 2000,
      error: 'HTTP 429',
    });
  });

  it('lets the caller override the rule and describe the body', () => {
    const result = answerResult(answer(401, 'x'), { retryable: true, detail: () => 'rate limited' });
    expect(result).toEqual({ outcome: 'retryable', status: 401, error: 'HTTP 401: rate limited' });
  });

  it('keeps only the first 1 KiB of the body', () => {
    const result = answerResult(answer(500, 'é'.repeat(2000)));
    expect(result.outcome).toBe('retryable');
    const error = (result as { error: string }).error;
    expect(Buffer.byteLength(error.slice('HTTP 500: '.length))).toBe(1024);
    expect(error).not.toContain('\uFFFD');
  });
});

describe('failures without an answer', () => {
  const fail = (kind: ExchangeError['kind'], cause: unknown): string =>
    describeFailure(new ExchangeError(kind, 10_000, cause));

  it('names timeouts, resets and refusals by code, without the lower layer message', () => {
    expect(fail('timeout', new Error('x'))).toBe('timeout after 10000 ms');
    expect(fail('aborted', undefined)).toBe('request aborted');
    const reset = Object.assign(new Error('read ECONNRESET http://h/api/v1/push-events/SECRET/x'), {
      code: 'ECONNRESET',
    });
    expect(fail('network', reset)).toBe('connection reset (ECONNRESET)');
    expect(fail('network', Object.assign(new Error(), { code: 'ECONNREFUSED' }))).toBe(
      'connection refused (ECONNREFUSED)',
    );
    expect(fail('network', new AggregateError([Object.assign(new Error(), { code: 'ECONNREFUSED' })]))).toBe(
      'connection refused (ECONNREFUSED)',
    );
  });

  it('is always retryable, and a bug is not swallowed', () => {
    expect(failureResult(new ExchangeError('timeout', 300, undefined))).toEqual({
      outcome: 'retryable',
      error: 'timeout after 300 ms',
    });
    expect(() => failureResult(new TypeError('bug'))).toThrow('bug');
  });

  it.each([408, 429, 500, 599])('isRetryableStatus(%i)', (status) => expect(isRetryableStatus(status)).toBe(true));
});

describe('redact and excerpt', () => {
  it('replaces secrets, plain and URL-encoded', () => {
    expect(redact('a s/e+cret b s%2Fe%2Bcret', ['s/e+cret', undefined, ''])).toBe('a *** b ***');
  });

  it('cuts on a character boundary', () => {
    expect(excerpt('ab€', 3)).toBe('ab');
    expect(excerpt('abc', 3)).toBe('abc');
  });
});
