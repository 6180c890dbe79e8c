import { cell, encodeBytes, encodeHeaders, table } from './output';

describe('output', () => {
  it('encodes bytes as UTF-8 when valid, else base64, and keeps null', () => {
    expect(encodeBytes(Buffer.from('é€😀'))).toEqual({ utf8: 'é€😀' });
    expect(encodeBytes(Buffer.from([0xc3, 0x28]))).toEqual({ base64: 'wyg=' });
    expect(encodeBytes(null)).toBeNull();
    const headers = [
      { key: 'a', value: Buffer.from('x') },
      { key: 'constructor', value: null },
      { key: 'a', value: Buffer.from([0xff]) },
    ];
    expect(encodeHeaders(headers)).toEqual([
      { key: 'a', value: { utf8: 'x' } },
      { key: 'constructor', value: null },
      { key: 'a', value: { base64: '/w==' } },
    ]);
    expect(JSON.stringify(encodeHeaders([{ key: '__proto__', value: Buffer.from('p') }]))).toBe(
      '[{"key":"__proto__","value":{"utf8":"p"}}]',
    );
  });

  it('makes one safe, bounded cell of any text', () => {
    expect(cell(undefined)).toBe('-');
    expect(cell('a\nb\t\u001b[31mc')).toBe('a b [31mc');
    expect(cell('x'.repeat(100), 80)).toBe(`${'x'.repeat(79)}…`);
    expect(cell('short', 80)).toBe('short');
  });

  it('aligns columns, counting characters, not bytes', () => {
    expect(
      table(
        ['A', 'B', 'C'],
        [
          ['é€', 'x', 'last'],
          ['1', 'long', ''],
        ],
      ),
    ).toEqual(['A   B     C', 'é€  x     last', '1   long']);
  });
});
