import { answerResult, describeFailure, failureResult, isRetryableStatus } from './classify';
import { Answer, ExchangeError } from './exchange';
import { Redactor } from './redact';

const answer = (status: number, body = '', headers: Answer['headers'] = {}, secrets: string[] = []): Answer => ({
  status,
  headers,
  body: Buffer.from(body),
  truncated: false,
  redactor: new Redactor(secrets),
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

  it('shows the body itself when the API has no error fields in it', () => {
    const result = answerResult(answer(502, '<h1>Bad gateway</h1>'), { detail: () => undefined });
    expect(result).toMatchObject({ error: 'HTTP 502: <h1>Bad gateway</h1>' });
  });

  it('is at most 1 KiB in all (the x-dlq-error limit), cut on a character boundary', () => {
    const result = answerResult(answer(500, 'é'.repeat(2000)));
    const error = (result as { error: string }).error;
    expect(Buffer.byteLength(error)).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(error)).toBeGreaterThan(1000);
    expect(error).toMatch(/^HTTP 500: é+…$/);
  });

  it.each([400, 401, 403, 404, 413, 429, 500, 503])(
    'never repeats what the request sent, whatever the status (%i)',
    (status) => {
      const sent = ['X0AGI5oIXKhyPGEooA/3B9eWPT4S7xyBdlB9grGheRU=', 'AKIDEXAMPLE0000000000'];
      const page = `echo: x-ncp-apigw-signature-v2: ${sent[0]}\nx-ncp-iam-access-key: ${sent[1]}`;
      for (const detail of [undefined, () => page]) {
        const { error } = answerResult(answer(status, page, {}, sent), { detail }) as { error: string };
        expect(error).toBe(`HTTP ${status}: echo: x-ncp-apigw-signature-v2: ***\nx-ncp-iam-access-key: ***`);
      }
    },
  );
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

  it('names a proxy that refuses the tunnel, and a certificate not trusted', () => {
    const refused = Object.assign(new Error('Proxy response (407) !== 200 when HTTP Tunneling'), {
      code: 'UND_ERR_ABORTED',
    });
    expect(fail('network', refused)).toBe('the proxy refused the tunnel (HTTP 407)');
    const untrusted = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    expect(fail('network', untrusted)).toBe('TLS certificate not accepted (SELF_SIGNED_CERT_IN_CHAIN)');
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
