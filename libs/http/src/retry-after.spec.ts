import { parseRetryAfter } from './retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  const clock = (): number => now;

  it('reads delta seconds', () => {
    expect(parseRetryAfter('2', clock)).toBe(2000);
    expect(parseRetryAfter(' 120 ', clock)).toBe(120_000);
    expect(parseRetryAfter('0', clock)).toBe(0);
  });

  it('reads an HTTP date against the clock', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', clock)).toBe(30_000);
  });

  it('never answers a negative wait', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 11:59:00 GMT', clock)).toBe(0);
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '9'], clock)).toBe(3000);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, clock)).toBeUndefined();
    expect(parseRetryAfter('', clock)).toBeUndefined();
    expect(parseRetryAfter('soon', clock)).toBeUndefined();
    expect(parseRetryAfter('-5', clock)).toBeUndefined();
    expect(parseRetryAfter('1.5', clock)).toBeUndefined();
  });
});
