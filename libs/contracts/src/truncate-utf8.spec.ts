import { truncateUtf8 } from './truncate-utf8';

describe('truncateUtf8', () => {
  it('keeps text within the limit', () => {
    expect(truncateUtf8('abc', 3)).toBe('abc');
  });

  it('cuts at a character boundary and marks the cut', () => {
    const cut = truncateUtf8('한국어한국어', 10);
    expect(cut).toBe('한국…');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10);
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateUtf8('🚀🚀🚀', 9);
    expect(cut).toBe('🚀…');
  });
});
