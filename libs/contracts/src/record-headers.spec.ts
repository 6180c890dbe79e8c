import { headerText } from './record-headers';

describe('headerText', () => {
  const headers = [
    { key: 'constructor', value: null },
    { key: 'route', value: Buffer.from('한국') },
    { key: 'route', value: Buffer.from('second') },
    { key: 'empty', value: Buffer.alloc(0) },
  ];

  it('reads the first value of a header by its exact name, as UTF-8', () => {
    expect(headerText(headers, 'route')).toBe('한국');
    expect(headerText(headers, 'Route')).toBeUndefined();
    expect(headerText(headers, 'empty')).toBe('');
  });

  it('gives undefined for an absent header, a null value, and names of Object.prototype', () => {
    expect(headerText(headers, 'constructor')).toBeUndefined();
    expect(headerText(headers, 'toString')).toBeUndefined();
    expect(headerText(headers, '__proto__')).toBeUndefined();
    expect(headerText([], 'route')).toBeUndefined();
  });
});
